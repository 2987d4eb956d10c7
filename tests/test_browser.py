"""The browser interface in a real Chromium (Debian's package) driven by Playwright, against real servers.

One uvicorn server per app for the module (threads on free loopback ports). Two typists enter the same station
with one difference, the coordinator resolves it, the report downloads; the first typist is refused the second
entry; a scanned sheet appears on the hoofdstembureau's desk. The first entry is typed by keyboard only (Enter
to the next box), and every visible field must have a label. Screenshots of each screen go to
test-artifacts/screens/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from municipality.service import Service, User
from municipality.web import create_municipality_app
from shared.domain.station_report import StationReport
from station.entry import apply_values, parse_typed
from station.form import build_form
from tests.test_web_support import GOOD_ENTRY, PASSPHRASE, PW, municipality_state, running

CHROMIUM = os.environ.get("TELKETEN_CHROMIUM", "/usr/bin/chromium")
SCREENS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screens"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None and not Path(CHROMIUM).is_file(),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def municipality(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    state = municipality_state(tmp_path_factory.mktemp("browser-m"))
    with running(create_municipality_app(state)) as url:
        yield state, url


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def login(browser: Browser, url: str, name: str, **kw: Any) -> Page:
    page = browser.new_context(**kw).new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PW)
    page.get_by_role("button", name="Inloggen").click()
    return page


def report_of(svc: Service, values: dict[str, str]) -> StationReport:
    form = build_form("cso_first", svc.district.lists, voter_cards=svc.voter_cards)
    blank = svc._form_for(1, svc.station("1"))
    return apply_values(blank, {p: parse_typed(form.field(p), v) for p, v in values.items()})


def enter_by_service(state: Path, user: str, station: str) -> None:
    """Another typist at another desk: the same service the browser uses."""
    svc = Service.open(state, at="t")
    try:
        who = User(user, "typist")
        svc.claim(who, station, at="t")
        svc.save(who, station, report_of(svc, GOOD_ENTRY), progress=100, at="t")
        svc.finalise_entry(who, station, at="t")
    finally:
        svc.close()


def state_of(state: Path, station: str) -> str:
    svc = Service.open(state, at="t")
    try:
        return svc.entry(station).state
    finally:
        svc.close()


def assert_every_field_labelled(page: Page) -> None:
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
                 .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                 .map(el => el.name || el.id)"""
    )
    assert unlabelled == []


def test_same_user_second_entry_is_refused(browser: Browser, municipality: tuple[Path, str]) -> None:
    state, url = municipality
    enter_by_service(state, "anna", "2")
    page = login(browser, url, "anna")
    shot(page, "01-typist-stations")
    assert_every_field_labelled(page)
    page.get_by_label("Nummer van het stembureau op het proces-verbaal").fill("2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("moet door iemand anders worden gedaan")
    shot(page, "02-second-entry-refused")
    assert state_of(state, "2") == "first_entry_finalised"
    page.context.close()


def type_by_keyboard(page: Page, values: dict[str, str]) -> None:
    """Fill the whole form from the first box to the last with the keyboard only: text, Space, Enter."""
    paths = page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.dataset.path)")
    for path in paths:
        focused = page.evaluate("() => document.activeElement && document.activeElement.dataset.path")
        assert focused == path, f"Enter did not move to {path} (focus on {focused})"
        value = values.get(path, "")
        kind = page.evaluate("() => document.activeElement.type")
        if kind == "checkbox":
            if value:
                page.keyboard.press("Space")
        elif value:
            page.keyboard.type(value)
        page.keyboard.press("Enter")


def test_two_typists_differ_coordinator_resolves_and_report_downloads(
    browser: Browser, municipality: tuple[Path, str]
) -> None:
    state, url = municipality
    # first typist: keyboard only
    anna = login(browser, url, "anna")
    expect(anna.get_by_label("Nummer van het stembureau op het proces-verbaal")).to_be_focused()
    anna.keyboard.type("1")
    anna.keyboard.press("Enter")
    expect(anna.get_by_role("heading", level=1)).to_contain_text("Stembureau 1")
    assert_every_field_labelled(anna)
    type_by_keyboard(anna, GOOD_ENTRY)
    assert anna.evaluate("() => document.activeElement.textContent").startswith("Opslaan")
    assert anna.locator('output[data-total="abc"]').text_content() == "105"  # A + B while typing
    assert anna.locator('output[data-total="cand0"]').text_content() == "60"
    shot(anna, "03-entry-typed")
    anna.keyboard.press("Tab")  # from Opslaan to Afronden
    anna.keyboard.press("Enter")
    expect(anna.get_by_role("status")).to_contain_text("Stembureau 1: Eerste invoer klaar")
    assert state_of(state, "1") == "first_entry_finalised"

    # second typist: one candidate's votes typed differently
    bert = login(browser, url, "bert")
    bert.get_by_role("button", name="Stembureau 1 invoeren").click()
    for path, value in {
        **GOOD_ENTRY,
        "lists[0].candidate_votes[0]": "31",
        "lists[0].candidate_votes[1]": "19",
    }.items():
        box = bert.locator(f'input[data-path="{path}"]')
        if value == "x":
            box.check()
        else:
            box.fill(value)
    bert.get_by_role("button", name="Opslaan (later verder)").click()
    expect(bert.locator('[data-code="W.001"]').first).to_be_visible()
    shot(bert, "04-entry-warning-w001")
    bert.get_by_role("button", name="Afronden").click()
    expect(bert.get_by_role("alert")).to_contain_text("nog niet afgerond")
    bert.get_by_label("gecontroleerd", exact=False).first.check()
    bert.get_by_role("button", name="Afronden").click()
    expect(bert.get_by_role("status")).to_contain_text("Verschil tussen invoer")

    # coordinator: progress, resolution
    coord = login(browser, url, "coord")
    expect(coord.locator('tr[data-station="1"]')).to_have_attribute("data-state", "entries_different")
    assert coord.locator('meta[http-equiv="refresh"]').count() == 0  # updated in the page (live.js)
    shot(coord, "05-coordinator-progress")
    coord.get_by_role("link", name="Beslissen stembureau 1").click()
    expect(coord.locator("table.differences tbody tr")).to_have_count(2)
    shot(coord, "06-coordinator-differences")
    coord.get_by_label("Eerste bewaren; verschillende velden terug naar de tweede invoerder").check()
    coord.get_by_role("button", name="Besluit vastleggen").click()
    assert state_of(state, "1") == "second_entry_correction"

    # the second typist re-keys the blanked boxes from paper
    bert.goto(f"{url}/invoer/1")
    expect(bert.locator('[data-code="W.002"]').first).to_be_visible()
    bert.locator('input[data-path="lists[0].candidate_votes[0]"]').fill("30")
    bert.locator('input[data-path="lists[0].candidate_votes[1]"]').fill("20")
    bert.get_by_label("gecontroleerd", exact=False).first.check()
    bert.get_by_role("button", name="Afronden").click()
    expect(bert.get_by_role("status")).to_contain_text("Definitief")
    assert state_of(state, "1") == "definitive"

    # the other stations are typed at other desks; then the coordinator finalises and downloads
    enter_by_service(state, "bert", "2")
    enter_by_service(state, "anna", "3")
    enter_by_service(state, "cees", "3")
    coord.goto(f"{url}/coordinator/vaststellen")
    assert_every_field_labelled(coord)
    shot(coord, "07-coordinator-finalise")
    coord.get_by_label("Wachtzin van de sleutel van de gemeente").fill(PASSPHRASE)
    coord.get_by_role("button", name="Vaststellen en ondertekenen").click()
    expect(coord.get_by_text("Zitting 1 is vastgesteld")).to_be_visible()
    shot(coord, "08-coordinator-downloads")
    for suffix in (".pdf", ".eml.xml", ".csv"):
        link = coord.locator(f'a[href$="{suffix}"]').first
        with coord.expect_download() as info:
            link.click()
        data = Path(info.value.path()).read_bytes()
        assert data, suffix
        if suffix == ".pdf":
            assert data.startswith(b"%PDF")
        if suffix == ".eml.xml":
            assert b"<Count" in data or b"Count>" in data
    for page in (anna, bert, coord):
        page.context.close()


def test_scanned_sheet_appears_on_the_desk(browser: Browser, tmp_path: Path) -> None:
    from hoofdstembureau.web import create_hsb_app
    from tests.test_central_fixtures import municipal_summary, sheet
    from tests.test_web_desk import make_hsb

    desk = make_hsb(tmp_path)
    code = desk.codes[0]
    pdf = sheet(municipal_summary(desk.chain, code), tmp_path / "sheet.pdf")
    with running(create_hsb_app(desk.state)) as url:
        page = login(browser, url, "olga")
        assert_every_field_labelled(page)
        expect(page.locator(f'tr[data-code="{code}"]')).to_have_class("state-missing")
        shot(page, "09-desk-empty")
        page.get_by_label("Scans (PNG, JPEG, TIFF, PDF) of .tks-bestanden").set_input_files(str(pdf))
        page.get_by_role("button", name="Inlezen en controleren").click()
        expect(page.locator('article[data-outcome="accept"]')).to_be_visible()
        expect(page.locator(f'tr[data-code="{code}"]')).to_have_class("state-in")
        expect(page.get_by_role("row", name="D toegelaten kiezers")).to_contain_text(
            f"{desk.chain.total(code).admitted_voters:,}".replace(",", ".")
        )
        shot(page, "10-desk-scanned")
        page.get_by_role("link", name="Overzicht", exact=True).click()
        expect(page.locator(f'tr[data-code="{code}"]')).to_have_class("state-in")
        shot(page, "11-desk-status")
        page.context.close()


def write_y4m(path: Path, frames: list[Any], fps: int = 5) -> Path:
    """Grey images as a Y4M video (4:2:0, neutral chroma): what Chromium's fake camera plays in a loop."""
    width, height = frames[0].size
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        chroma = bytes([128]) * ((width // 2) * (height // 2))
        for image in frames:
            fh.write(b"FRAME\n" + image.tobytes() + chroma + chroma)
    return path


def test_webcam_capture_in_the_browser_reads_a_summary_symbol_by_symbol(
    browser: Browser, tmp_path: Path
) -> None:
    """Chromium's fake camera plays two QR symbols of one summary in turn; the desk reassembles them."""
    from PIL import Image

    from hoofdstembureau.web import create_hsb_app
    from shared.adapters.qr_render import qr_image, smallest_version
    from shared.formats.framing import frame
    from tests.test_central_fixtures import municipal_summary
    from tests.test_web_desk import make_hsb

    desk = make_hsb(tmp_path)
    code = desk.codes[0]
    message = municipal_summary(desk.chain, code)
    chunks = frame(message, len(message) // 2 + 64)
    assert len(chunks) == 2
    frames = []
    for chunk in chunks:
        symbol = qr_image(chunk, smallest_version(len(chunk), "M"), "M", box_size=4, border=4).convert("L")
        canvas = Image.new("L", (640, 480), 255)
        canvas.paste(symbol, ((640 - symbol.width) // 2, (480 - symbol.height) // 2))
        frames += [canvas] * 8
    video = write_y4m(tmp_path / "camera.y4m", frames)
    args = [
        *ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with running(create_hsb_app(desk.state)) as url:
        camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
        page = login(camera_browser, url, "olga")
        page.get_by_role("button", name="Camera starten").click()
        expect(page.locator("[data-camera-status]")).to_contain_text("1/2", timeout=15000)
        shot(page, "12-desk-webcam")
        expect(page.locator('article[data-outcome="accept"]')).to_be_visible(timeout=15000)
        expect(page.locator(f'tr[data-code="{code}"]')).to_have_class("state-in")
        shot(page, "13-desk-webcam-accepted")
        camera_browser.close()
