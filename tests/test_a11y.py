"""WCAG 2.1 AA of every page type, checked by axe-core in a real Chromium at 1280 and 390 px (issue 18).

axe-core is vendored for the tests only (tests/vendor/axe.min.js, 4.14.1 from npm, MPL-2.0) and injected into
each page; a page fails on any violation of a WCAG 2.0/2.1 A or AA rule, and on being wider than its viewport
(reflow, WCAG 1.4.10: tables scroll in their own box, never the page; the 390 px pages also at 320 px). The
pages: the municipality's login, station list, entry form (with findings), coordinator dashboard, resolution,
finalise and error pages; the hoofdstembureau's desk (empty, after a scan and an unreadable file) and its
overview; the results site of a council (index, lists, a list, areas, the municipality with its stations,
files) and of a two-kieskring election (kieskring and municipality pages). One browser, one context per width
and user. A control page with known violations must fail the same check, so a broken harness cannot pass
everything. Screenshots go to test-artifacts/a11y/ (git-ignored), to be looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401  (the browser marks and skips)
from tests.test_central_app import provincial  # noqa: F401  (a fixture: two kieskringen, published)
from tests.test_web_support import GOOD_ENTRY, PASSPHRASE, PW, municipality_state, running

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "a11y"
WIDTHS = (1280, 390)
#: The WCAG 2.0 and 2.1 success criteria of levels A and AA, as axe tags its rules (and, from its best
#: practices, empty header cells: issue 18 names them).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                     rules: {'empty-table-header': {enabled: true}}});
  return r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""
WIDER = """() => { const d = document.documentElement; return d.scrollWidth > d.clientWidth ?
  `${d.scrollWidth} px wide in a ${d.clientWidth} px viewport` : ''; }"""


def problems(page: Page) -> list[str]:
    """What axe finds against WCAG 2.1 A/AA on the page as it is now, and sideways scrolling of the page."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[str] = page.evaluate(RUN_AXE, WCAG_AA)
    wider = page.evaluate(WIDER)
    found += [f"reflow: {wider}"] if wider else []
    size = page.viewport_size
    if size and size["width"] < 1000:  # a phone: also at 320 px (WCAG 1.4.10), laid out again
        page.set_viewport_size({"width": 320, "height": size["height"]})
        narrowest = page.evaluate(WIDER)
        found += [f"reflow at 320 px: {narrowest}"] if narrowest else []
        page.set_viewport_size(size)
    return found


def check(page: Page, name: str) -> list[str]:
    """`problems` of the page, each prefixed with where; a full-page screenshot to look at."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    return [f"{name} at {width} px: {p}" for p in problems(page)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def context(browser: Browser, width: int) -> BrowserContext:
    # The app's Content-Security-Policy refuses inline scripts; the injected axe is one.
    return browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)


def logged_in(browser: Browser, url: str, name: str, width: int) -> Page:
    page = context(browser, width).new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PW)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    return page


def test_a_page_with_known_violations_fails_the_check(browser: Browser) -> None:
    """The positive control: an image without text, an unlabelled box, low contrast and a wide table."""
    page = context(browser, 390).new_page()
    page.set_content(
        """<!doctype html><html lang="nl"><head><title>Controle</title>
        <meta http-equiv="refresh" content="10"></head><body><main>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
        <input type="text"><p style="color:#ccc;background:#fff">Lichtgrijs</p>
        <table><tr><th></th><td style="white-space:nowrap">"""
        + "9" * 200
        + "</td></tr></table></main></body></html>"
    )
    found = " ".join(problems(page))
    for rule in ("image-alt", "label", "color-contrast", "meta-refresh", "empty-table-header", "reflow"):
        assert rule in found, (rule, found)
    page.context.close()


# ------------------------------------------------------------------------------------------ municipality


def _enter(state: Path, user: str, station: str, changes: dict[str, str], *, finalise: bool = True) -> None:
    from municipality.service import Service, User
    from tests.test_browser import report_of

    svc = Service.open(state, at="t")
    try:
        who = User(user, "typist")
        svc.claim(who, station, at="t")
        svc.save(who, station, report_of(svc, {**GOOD_ENTRY, **changes}), progress=100, at="t")
        if finalise:
            svc.finalise_entry(who, station, accept_warnings=True, at="t")
    finally:
        svc.close()


@pytest.fixture(scope="module")
def municipality(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Station 1 entered twice with a difference, 2 definitive, 3 saved half-way with an error by cees."""
    from municipality.web import create_municipality_app

    state = municipality_state(tmp_path_factory.mktemp("a11y-m"))
    _enter(state, "anna", "1", {})
    _enter(state, "bert", "1", {"lists[0].candidate_votes[0]": "31", "lists[0].candidate_votes[1]": "19"})
    _enter(state, "anna", "2", {})
    _enter(state, "bert", "2", {})
    _enter(state, "cees", "3", {"votes.blank": "7"}, finalise=False)
    with running(create_municipality_app(state)) as url:
        yield state, url


@pytest.mark.parametrize("width", WIDTHS)
def test_municipality_pages_meet_wcag_aa_and_reflow(
    browser: Browser, municipality: tuple[Path, str], width: int
) -> None:
    _, url = municipality
    found: list[str] = []
    anonymous = context(browser, width).new_page()
    anonymous.goto(f"{url}/login")
    found += check(anonymous, "m-login")
    anonymous.context.close()

    typist = logged_in(browser, url, "cees", width)
    found += check(typist, "m-stations")
    typist.goto(f"{url}/invoer/3")
    found += check(typist, "m-entry-findings")
    typist.context.close()

    coord = logged_in(browser, url, "coord", width)
    found += check(coord, "m-dashboard")
    for path, name in (
        ("/coordinator/stembureau/1", "m-resolve"),
        ("/coordinator/stembureau/2", "m-station-definitive"),
        ("/coordinator/vaststellen", "m-finalise-waiting"),
        ("/coordinator/stembureau/99", "m-error"),
    ):
        coord.goto(f"{url}{path}")
        found += check(coord, name)
    coord.context.close()
    assert found == [], "\n".join(found)


def test_entry_form_names_each_question_and_each_box_with_its_letter(
    browser: Browser, municipality: tuple[Path, str]
) -> None:
    """B1-1/B1-2: each question's ja/nee boxes are a group named by the question; letters are in the names."""
    _, url = municipality
    page = logged_in(browser, url, "cees", 1280)
    page.goto(f"{url}/invoer/3")
    groups = page.evaluate(
        """() => Array.from(document.querySelectorAll('input[type=checkbox][data-path]')).map(box => {
             const group = box.closest('fieldset');
             return [box.dataset.path, group.querySelector('legend').textContent.trim(),
                     group.querySelectorAll('input[type=checkbox][data-path]').length];
           })"""
    )
    questions = [g for g in groups if g[0].endswith((".yes", ".no"))]
    assert len(questions) == 8, groups
    for path, legend, size in questions:
        assert size == 2 and "?" in legend, (path, legend, size)
    assert len({legend for _, legend, _ in questions}) == 4
    snapshot = page.locator("#s-voters").aria_snapshot()
    assert 'textbox "A ' in snapshot, snapshot
    page.context.close()


def test_dashboard_updates_itself_without_reloading_or_moving_focus(
    browser: Browser, municipality: tuple[Path, str]
) -> None:
    """No meta refresh (WCAG 2.2.1): the table is fetched in the page; focus stays where the person is."""
    state, url = municipality
    page = logged_in(browser, url, "coord", 1280)
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    page.get_by_role("link", name="Bekijken stembureau 3").focus()  # in the row that is about to change
    page.evaluate("() => { window.__same_document = true; }")
    row = page.locator('tr[data-station="3"]')
    assert row.get_attribute("data-state") == "first_entry_in_progress"
    _enter_finalise(state, "cees", "3")
    page.wait_for_function(
        "() => document.querySelector('tr[data-station=\"3\"]').dataset.state !== 'first_entry_in_progress'",
        timeout=15000,
    )
    assert row.get_attribute("data-state") == "first_entry_has_errors"
    assert page.evaluate("() => window.__same_document === true"), "the page was reloaded"
    focused = page.evaluate("() => [document.activeElement.textContent, document.activeElement.href]")
    assert focused[0].startswith("Beslissen") and focused[1].endswith("/coordinator/stembureau/3"), focused
    assert "bijgewerkt" in page.get_by_role("status").first.text_content().lower()
    # the coordinator's page for a first entry with errors (a page type of its own), at both widths
    page.goto(f"{url}/coordinator/stembureau/3")
    found: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        found += check(page, "m-first-entry-errors")
    page.context.close()
    assert found == [], "\n".join(found)


def test_finalise_pages_meet_wcag_aa_and_reflow(browser: Browser, tmp_path: Path) -> None:
    """The coordinator's finalise form and, after signing, the page with the downloads; at both widths."""
    from municipality.web import create_municipality_app

    state = municipality_state(tmp_path)
    for station in ("1", "2", "3"):
        _enter(state, "anna", station, {})
        _enter(state, "bert", station, {})
    found: list[str] = []
    with running(create_municipality_app(state)) as url:
        page = logged_in(browser, url, "coord", 1280)
        page.goto(f"{url}/coordinator/vaststellen")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found += check(page, "m-finalise-form")
        page.get_by_label("Wachtzin van de sleutel van de gemeente").fill(PASSPHRASE)
        page.get_by_role("button", name="Vaststellen en ondertekenen").click()
        page.get_by_text("Zitting 1 is vastgesteld").wait_for()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found += check(page, "m-finalised")
        found += _coordinator_admin_pages(page, url)
        page.context.close()
    assert found == [], "\n".join(found)


def _coordinator_admin_pages(page: Page, url: str) -> list[str]:
    """The set-up page (a finalised session: the form for the next one), users with a one-time password
    shown, sessions and the audit log (tests/test_web_admin.py tests what they do)."""
    found: list[str] = []
    page.goto(f"{url}/beheer/gebruikers")
    page.get_by_label("Naam", exact=True).fill("dirk")
    page.get_by_role("button", name="Toevoegen en wachtwoord maken").click()
    page.get_by_text("Het eenmalige wachtwoord is").wait_for()
    for path, name in (
        ("", "m-admin-users-added"),
        ("/coordinator/inrichting", "m-admin-setup"),
        ("/beheer/sessies", "m-admin-sessions"),
        ("/beheer/logboek", "m-admin-audit"),
        ("/wachtwoord", "m-own-password"),
    ):
        if path:
            page.goto(f"{url}{path}")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found += check(page, name)
    return found


def test_investigation_pages_meet_wcag_aa_and_work(browser: Browser, tmp_path: Path) -> None:
    """The coordinator opens a next session and an investigation, then closes it as not corrected, in the
    browser; the list and forms at both widths; the state holds what was typed."""
    from datetime import datetime

    from municipality import setup
    from municipality.service import Service, User
    from municipality.web import create_municipality_app
    from shared.adapters.keyfiles import load_signing_key

    state = municipality_state(tmp_path)
    for station in ("1", "2", "3"):
        _enter(state, "anna", station, {})
        _enter(state, "bert", station, {})
    svc = Service.open(state, at="t")
    key = load_signing_key(setup.key_path(svc), PASSPHRASE.encode())
    coordinator = User("coord", "coordinator")
    setup.finalise(svc, coordinator, tmp_path / "out1", key.private_key, at=datetime(2026, 3, 19, 22))
    svc.close()
    found: list[str] = []
    with running(create_municipality_app(state)) as url:
        page = logged_in(browser, url, "coord", 1280)
        page.goto(f"{url}/coordinator/onderzoeken")
        page.get_by_role("button", name="Nieuwe zitting openen").click()
        page.get_by_label("Stembureau", exact=True).select_option("2")
        page.get_by_label("Aanleiding en opdracht van het onderzoek").fill(
            "Hertel lijst 1 op verzoek van het CSB"
        )
        page.get_by_role("button", name="Onderzoek openen").click()
        page.get_by_role("heading", name="Bevindingen stembureau 2").wait_for()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found += check(page, "m-investigation-open")
        page.get_by_label("Bevindingen van het onderzoek").fill("Lijst 1 herteld: geen verschil")
        page.get_by_label("Nee").check()
        page.get_by_role("button", name="Onderzoek afsluiten").click()
        page.get_by_text("geen invoer nodig").wait_for()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found += check(page, "m-investigation-closed")
        page.context.close()
    svc = Service.open(state, at="t")
    (inv,) = svc.investigations()
    svc.close()
    assert (inv.reason, inv.findings, inv.corrected) == (
        "Hertel lijst 1 op verzoek van het CSB",
        "Lijst 1 herteld: geen verschil",
        False,
    )
    assert found == [], "\n".join(found)


# ------------------------------------------------------------------------------------------ upper tiers


@pytest.mark.parametrize("width", WIDTHS)
def test_desk_pages_meet_wcag_aa_and_reflow(browser: Browser, tmp_path: Path, width: int) -> None:
    from hoofdstembureau.web import create_hsb_app
    from tests.test_central_fixtures import municipal_summary, sheet
    from tests.test_web_desk import make_hsb

    desk = make_hsb(tmp_path)
    pdf = sheet(municipal_summary(desk.chain, desk.codes[0]), tmp_path / "sheet.pdf")
    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"%PDF-1.4 not a scan")
    found: list[str] = []
    with running(create_hsb_app(desk.state)) as url:
        page = logged_in(browser, url, "olga", width)
        overview = page.context.new_page()  # a second screen on the overview, updating itself (live.js)
        overview.goto(f"{url}/status")
        found += check(overview, "d-status-before")
        row = overview.locator(f'tr[data-code="{desk.codes[0]}"]')
        assert row.get_attribute("class") == "state-missing"
        overview.evaluate("() => { window.__same_document = true; }")
        found += check(page, "d-desk")
        page.get_by_label("Scans (PNG, JPEG, TIFF, PDF) of .tks-bestanden").set_input_files(
            [str(pdf), str(junk)]
        )
        page.get_by_role("button", name="Inlezen en controleren").click()
        page.locator('article[data-outcome="accept"]').wait_for()
        found += check(page, "d-desk-scanned")
        expect(row).to_have_class("state-in", timeout=15000)  # without a reload:
        assert overview.evaluate("() => window.__same_document === true")
        assert overview.locator('meta[http-equiv="refresh"]').count() == 0
        found += check(overview, "d-status")
        page.context.close()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS)
def test_central_coordinator_pages_meet_wcag_aa_and_reflow(
    browser: Browser, tmp_path: Path, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lot page with a tie to record, the deceased candidates page and the desk's users page."""
    from central.office import Office
    from central.receive import receive_message
    from central.web import create_central_app
    from shared.adapters.web import USERS_FILE, UserFile
    from shared.office.cli import system_clock
    from tests.test_central_app import enrolled_council, tied_total
    from tests.test_central_fixtures import PASSPHRASE as CSB_PASSPHRASE
    from tests.test_central_fixtures import municipal_summary

    monkeypatch.setenv("TELKETEN_PASSPHRASE", CSB_PASSPHRASE)
    chain, state, code = enrolled_council(tmp_path, seed=11)
    office = Office.open(state, "test", clock=system_clock)
    receive_message(office, "m.tks", municipal_summary(chain, code, total=tied_total(chain, code)))
    office.conn.close()
    UserFile(state / USERS_FILE, ("coordinator", "operator")).add("carla", "coordinator", PW)
    UserFile(state / USERS_FILE, ("coordinator", "operator")).add("olga", "operator", PW)
    found: list[str] = []
    with running(create_central_app(state)) as url:
        page = logged_in(browser, url, "carla", width)
        for path, name in (
            ("/centraal/loting", "c-lots"),
            ("/centraal/overleden", "c-deceased"),
            ("/beheer/gebruikers", "c-users"),
            ("/beheer/sessies", "c-sessions"),
        ):
            page.goto(f"{url}{path}")
            found += check(page, name)
        page.context.close()
    assert found == [], "\n".join(found)


# ------------------------------------------------------------------------------------------ results site


@pytest.fixture(scope="module")
def council_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from telketen.cli import main

    out = tmp_path_factory.mktemp("a11y-demo") / "run"
    assert main(["demo", "--out", str(out), "--seed", "1"]) == 0
    return out / "published" / "site"


def site_pages(site: Path) -> list[Path]:
    """One page of each type: the fixed pages, the first list, every area (small sites)."""
    fixed = [
        "index.html",
        "lijsten.html",
        "lijst-1.html",
        "gebieden.html",
        "bestanden.html",
        "hertelling.html",
        "controle.html",
    ]
    return [site / name for name in fixed] + sorted(site.glob("gebied-*.html"))


@pytest.mark.parametrize("width", WIDTHS)
def test_council_results_site_meets_wcag_aa_and_reflow(
    browser: Browser, council_site: Path, width: int
) -> None:
    page = context(browser, width).new_page()
    found: list[str] = []
    for path in site_pages(council_site):
        page.goto(path.as_uri())
        found += check(page, f"site-{path.stem}")
        assert "::" not in page.inner_text("main"), f"{path.name} shows a raw EML id"
    page.goto((council_site / "index.html").as_uri())
    swatches = page.eval_on_selector_all(".swatch", "els => els.map(e => e.style.background)")
    assert len(swatches) == 8 and len(set(swatches)) == 8, swatches
    bars = page.locator(".bars li")
    assert bars.count() == 8 and bars.first.inner_text().split() == ["1", "Leefbaar", "4"]
    page.goto((council_site / "bestanden.html").as_uri())
    assert page.locator("table.files tbody tr").count() >= 10
    assert page.locator("table.files tbody td:nth-child(2):empty").count() == 0  # every file explained
    page.context.close()
    assert found == [], "\n".join(found)


def test_the_recount_explanation_meets_wcag_aa_and_reflow(
    browser: Browser, council_site: Path, tmp_path: Path
) -> None:
    """`telketen audit plan`'s hertelling.html: a page the public reads beside the results site."""
    from telketen.cli import main

    out = tmp_path / "plan"
    assert main(["audit", "plan", "--seed", "3 1 4 1 5", str(council_site.parent), "--out", str(out)]) == 0
    page = context(browser, 1280).new_page()
    page.goto((out / "hertelling.html").as_uri())
    found: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        found += check(page, "audit-hertelling")
    page.context.close()
    assert found == [], "\n".join(found)


def _enter_finalise(state: Path, user: str, station: str) -> None:
    from municipality.service import Service, User

    svc = Service.open(state, at="t")
    try:
        svc.finalise_entry(User(user, "typist"), station, accept_warnings=True, accept_errors=True, at="t")
    finally:
        svc.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_kieskring_results_site_meets_wcag_aa_and_reflow(
    browser: Browser, request: pytest.FixtureRequest, width: int
) -> None:
    """Two kieskringen: the kieskring pages (municipalities under them) and the municipality pages."""
    site = request.getfixturevalue("provincial")[2] / "site"
    page = context(browser, width).new_page()
    found: list[str] = []
    for name in ("index.html", "gebieden.html", "bestanden.html", "gebied-HSB1.html"):
        page.goto((site / name).as_uri())
        found += check(page, f"site2-{name.removesuffix('.html')}")
    first_municipality = page.locator("main table a").first.get_attribute("href")
    page.goto((site / str(first_municipality)).as_uri())
    found += check(page, "site2-municipality")
    page.context.close()
    assert found == [], "\n".join(found)
