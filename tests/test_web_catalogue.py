"""Every page of every tier's web app in Dutch: the catalogue, its use in the source, a walk over the pages.

The walk drives the error paths for real (a typist claiming the second entry after himself, a wrong
passphrase, each reason the desk refuses a summary …) through Starlette's TestClient on real state folders,
and fails when a page's visible text holds an English word, when a refusal fell back to the neutral sentence
(its code is missing from the catalogue: `telketen.i18n` logs it), or when a catalogue code is used in the
source but has no Dutch text. Delete any entry of `shared.i18n.catalogue.MESSAGES` and this file fails.
"""

from __future__ import annotations

import ast
import io
import logging
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from starlette.testclient import TestClient

from hoofdstembureau.web import create_hsb_app
from municipality.web import create_municipality_app
from shared.adapters import clock
from shared.adapters.messages import dutch
from shared.adapters.web import USERS_FILE, UserFile
from shared.domain.double_entry import STATE_LABELS_NL
from shared.domain.intake import Outcome
from shared.domain.intake import Reason as IntakeReason
from shared.domain.keyregister import Role
from shared.errors import InputError, StateError
from shared.formats.dutch import MONTHS
from shared.i18n import catalogue
from shared.i18n.catalogue import MESSAGES, MissingMessage, explain, text
from shared.i18n.dates import AMSTERDAM, local_time
from tests.test_central_fixtures import digest, make_authority, municipal_summary, recounted, signed_summary
from tests.test_summary_totals import broken
from tests.test_web_desk import Desk, make_hsb
from tests.test_web_support import GOOD_ENTRY, PASSPHRASE, PW, csrf_of, municipality_state

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("shared", "station", "municipality", "hoofdstembureau", "central", "telketen")

#: Words that are English and not Dutch: one of them in a page's text is a message nobody translated.
ENGLISH = frozenset(
    """the must cannot can't refused accepted already entry entries typed received summary nothing changed
    error errors warning warnings user state station key signature file not and with from this that for by
    unknown wrong missing found please first second session expected got should only typist coordinator
    before after does has have been""".split()  # noqa: SIM905  (a paragraph of words reads best)
)
FILE_NAME = re.compile(r"[\w.-]+\.(pdf|tks|tke|xml|csv|txt|png|tif|json)\b")


# ------------------------------------------------------------------------------------------ the catalogue


def _keys(node: ast.expr | None) -> frozenset[str] | None:
    """The keys of a literal dict of parameters (None when the call builds them otherwise)."""
    if node is None:
        return frozenset()
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return frozenset(str(k.value) for k in node.keys if isinstance(k, ast.Constant))
    return None


def code_uses() -> list[tuple[str, frozenset[str] | None, str]]:
    """(code, the parameters given, where) for every catalogue code the source names: `code="…"` (with
    `params={…}`) on an error, `text("…", {…})` and `_typed_error(field, "…", **kw)` calls."""
    uses: list[tuple[str, frozenset[str] | None, str]] = []
    for package in SOURCES:
        for path in (REPO / package).rglob("*.py"):
            source = path.read_text("utf-8")
            if "code=" not in source and "text(" not in source and "_typed_error(" not in source:
                continue
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.Call):
                    continue
                at = f"{path.relative_to(REPO)}:{node.lineno}"
                kws = {kw.arg: kw.value for kw in node.keywords}
                code = kws.get("code")
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    uses.append((code.value, _keys(kws.get("params")), at))
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                args = node.args
                if name == "text" and args and isinstance(args[0], ast.Constant):
                    uses.append((str(args[0].value), _keys(args[1] if len(args) > 1 else None), at))
                if name == "_typed_error" and len(args) > 1 and isinstance(args[1], ast.Constant):
                    uses.append((str(args[1].value), frozenset(k for k in kws if k), at))
    return [u for u in uses if re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", u[0])]  # not F.201 …: RULES


def used_codes() -> set[str]:
    """Every code the source names, plus those built from the intake's outcomes and reasons
    (`desk.<outcome>`, `intake.<reason>`)."""
    found = {code for code, _, _ in code_uses()}
    found |= {f"desk.{o.value}" for o in Outcome}
    found |= {f"intake.{r.name.lower()}" for r in IntakeReason}
    return found


def test_every_text_names_only_parameters_its_callers_give() -> None:
    wrong = []
    for code, passed, at in code_uses():
        if passed is None or code not in MESSAGES:
            continue
        needed = {f for _, f, _, _ in string.Formatter().parse(MESSAGES[code]) if f}
        if not needed <= passed:
            wrong.append(f"{at}: {code} needs {sorted(needed - passed)}")
    assert wrong == []


def test_every_code_in_the_source_has_a_dutch_text_and_every_text_is_used() -> None:
    used = used_codes()
    assert len(used) > 80
    assert sorted(used - set(MESSAGES)) == []  # a code without Dutch: the page would fall back
    assert sorted(set(MESSAGES) - used) == []  # a text nobody shows: dead


def test_a_missing_code_or_parameter_is_an_error_not_english() -> None:
    with pytest.raises(MissingMessage):
        text("no.such.code")
    with pytest.raises(MissingMessage):
        text("entry.same_typist")  # {name} not given
    assert text("entry.same_typist", {"name": "tim"}).startswith("tim heeft de eerste invoer getypt")


def test_parameters_named_in_terms_are_shown_in_dutch() -> None:
    said = text("entry.not_typing", {"action": "see findings", "state": "empty"})
    assert (
        said == "U kunt nu niet de meldingen bekijken: niemand typt deze invoer (status: nog niet ingevoerd)."
    )
    assert set(catalogue.TERMS["state"]) == set(STATE_LABELS_NL)


def test_a_refusal_without_dutch_falls_back_to_a_neutral_sentence_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    known = StateError("english", code="entry.same_typist", params={"name": "tim"})
    assert explain(known) == (text("entry.same_typist", {"name": "tim"}), True)
    bare = StateError("something English went wrong", where="x")
    said, ok = explain(bare)
    assert not ok and said.startswith("Dit kan nu niet. De technische melding staat in het logboek:")
    coded = InputError("english", code="no.such.code")
    with caplog.at_level(logging.WARNING, logger="telketen.i18n"):
        assert "(melding no.such.code)" in dutch(coded)
    assert "no.such.code" in caplog.text and "english" in caplog.text


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        ("2026-12-05T13:03:00+00:00", "5 december 2026 14:03"),  # winter: UTC+1
        ("2026-07-01T12:00:00Z", "1 juli 2026 14:00"),  # summer: UTC+2
        ("2026-03-29T01:30:00+00:00", "29 maart 2026 03:30"),  # just after the clocks went forward
        ("2026-10-25T00:30:00+00:00", "25 oktober 2026 02:30"),  # the first 02:30 of the night back
        ("2026-10-25T01:30:00+00:00", "25 oktober 2026 02:30"),  # … and the second
        ("2026-03-19T22:15:00-05:00", "20 maart 2026 04:15"),  # a machine in another zone
        ("2026-01-02 08:00:00", "2 januari 2026 09:00"),  # naive: SQLite's UTC
        ("geen tijd", "geen tijd"),
    ],
)
def test_times_are_dutch_and_in_amsterdam(moment: str, shown: str) -> None:
    assert local_time(moment) == shown


def test_the_edges_clock_is_dutch_time_whatever_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        moment = clock.now()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert moment.tzinfo is AMSTERDAM and moment.microsecond == 0
    assert moment.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_dutch_time_names_the_same_minute_in_amsterdam(moment: datetime) -> None:
    day, month, year, clock = local_time(moment).split()
    hour, minute = map(int, clock.split(":"))
    naive = datetime(int(year), MONTHS.index(month) + 1, int(day), hour, minute)
    back = {naive.replace(tzinfo=AMSTERDAM, fold=f).astimezone(UTC) for f in (0, 1)}  # 02:30 twice in October
    assert moment.replace(second=0, microsecond=0) in back


# ------------------------------------------------------------------------------------------ reading pages


class _Visible(HTMLParser):
    """The text a person reads (and a screen reader announces) on a page: text outside scripts and styles,
    plus labels in attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class Pages:
    """Every page the walk saw, checked as it comes in."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def check(self, name: str, html: str) -> str:
        shown = visible(html)
        prose = FILE_NAME.sub(" ", shown)  # a file's name is data, not a message ("key.tke")
        words = {w.lower() for w in re.findall(r"[A-Za-z']+", prose)}
        assert not words & ENGLISH, f"{name}: English on the page: {sorted(words & ENGLISH)}\n{shown}"
        assert "technische melding staat in het logboek" not in shown, f"{name}: no catalogue text\n{shown}"
        self.seen[name] = shown
        return shown


@pytest.fixture
def pages(caplog: pytest.LogCaptureFixture) -> Iterator[Pages]:
    with caplog.at_level(logging.WARNING, logger="telketen"):
        yield Pages()
    untranslated = [r.getMessage() for r in caplog.records if r.name == "telketen.i18n"]
    assert untranslated == []


def client_login(app: object, name: str) -> tuple[TestClient, str]:
    c = TestClient(app, follow_redirects=True)  # type: ignore[arg-type]
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"csrf": token, "name": name, "password": PW, "next": "/"})
    assert r.status_code == 200, r.text
    return c, csrf_of(r.text)


def entry(token: str, action: str, **changes: str) -> dict[str, str]:
    values = {**GOOD_ENTRY, **changes}
    return {"csrf": token, "action": action, **{f"f:{k}": v for k, v in values.items() if v}}


# ------------------------------------------------------------------------------------------ the municipality


def test_every_municipality_page_and_refusal_is_dutch(tmp_path: Path, pages: Pages) -> None:
    state = municipality_state(tmp_path)
    app = create_municipality_app(state)
    anon = TestClient(app, follow_redirects=True)
    pages.check("login", anon.get("/login").text)
    r = anon.post("/login", data={"csrf": csrf_of(anon.get("/login").text), "name": "anna", "password": "x"})
    assert "Onbekende gebruiker" in pages.check("login refused", r.text)
    r = anon.post("/login", data={"csrf": "forged", "name": "anna", "password": PW})
    pages.check("login expired", r.text)
    pages.check("not found", anon.get("/bestaat-niet").text)
    assert r.status_code == 403

    anna, ta = client_login(app, "anna")
    bert, tb = client_login(app, "bert")
    coord, tc = client_login(app, "coord")
    pages.check("station list", anna.get("/invoer").text)
    r = anna.post("/invoer", data={"csrf": ta, "station": "99"})
    assert r.status_code == 400 and "Geen stembureau '99'" in pages.check("unknown station", r.text)
    r = anna.post("/invoer", data={"csrf": ta, "station": " "})
    assert "Typ het nummer" in pages.check("no station number", r.text)
    r = anna.get("/invoer/1")
    assert r.status_code == 409 and "anna typt dit proces-verbaal niet" in pages.check(
        "entry not claimed", r.text
    )

    fresh = pages.check("entry, never saved", anna.post("/invoer/1/claim", data={"csrf": ta}).text)
    assert "Meldingen bij de laatst opgeslagen" not in fresh and "F.111" not in fresh and "W.204" not in fresh
    r = anna.post("/invoer/1", data=entry(ta, "save", **{"voters.admitted_voters": "106"}))
    assert "F.201" in pages.check("entry with findings", r.text)
    r = anna.post("/invoer/1", data=entry(ta, "save", **{"voters.poll_cards": "12a"}))
    assert r.status_code == 400 and "geen geheel getal" in pages.check("entry unreadable box", r.text)
    r = anna.post("/invoer/1", data=entry(ta, "save", **{"voters.poll_cards": "1234567890"}))
    assert "groter dan 999.999.999" in pages.check("entry too large", r.text)
    r = anna.post("/invoer/1", data=entry(ta, "finalise", **{"voters.admitted_voters": "106"}))
    assert r.status_code == 409 and "Controleer de fouten F.201" in pages.check("finalise, errors", r.text)
    r = anna.post("/invoer/1", data={**entry(ta, "save"), "action": "fly"})
    assert "Onbekende handeling" in pages.check("unknown action", r.text)
    r = bert.post("/invoer/1/claim", data={"csrf": tb})
    assert r.status_code == 409 and "bert kan die niet overnemen" in pages.check("taken", r.text)
    r = anna.post("/invoer/1", data=entry(ta, "finalise"))
    assert "Stembureau 1: Eerste invoer klaar." in pages.check("finalised", r.text)
    r = anna.post("/invoer/1/claim", data={"csrf": ta})
    assert r.status_code == 409 and "iemand anders" in pages.check("second entry by the first typist", r.text)
    pages.check("second entry, never saved", bert.post("/invoer/1/claim", data={"csrf": tb}).text)
    differ = entry(
        tb, "finalise", **{"lists[0].candidate_votes[0]": "31", "lists[0].candidate_votes[1]": "19"}
    )
    r = bert.post("/invoer/1", data=differ)
    assert "waarschuwingen W.001" in pages.check("finalise, warnings", r.text)
    bert.post("/invoer/1", data={**differ, "accept_warnings": "1"})

    anna.post("/invoer/2/claim", data={"csrf": ta})
    bad = {
        **entry(ta, "finalise", **{"voters.admitted_voters": "106"}),
        "accept_errors": "1",
        "accept_warnings": "1",
    }
    anna.post("/invoer/2", data=bad)
    anna.post("/invoer/3/claim", data={"csrf": ta})
    r = anna.post("/invoer/3", data={"csrf": ta, "action": "discard"})
    pages.check("after discard", r.text)

    pages.check("dashboard", coord.get("/coordinator").text)
    page = coord.get("/coordinator/stembureau/1").text
    pages.check("resolution, differences", page)
    assert "checked" not in page  # the coordinator chooses: nothing pre-selected
    page = coord.get("/coordinator/stembureau/2").text
    assert "F.201" in pages.check("resolution, errors", page) and "checked" not in page
    pages.check("station, empty", coord.get("/coordinator/stembureau/3").text)
    r = coord.post("/coordinator/stembureau/2/besluit", data={"csrf": tc, "action": "keep-first"})
    assert r.status_code == 409 and "geen verschillen" in pages.check("resolve, wrong kind", r.text)
    r = coord.post("/coordinator/stembureau/3/besluit", data={"csrf": tc, "action": "resume-first"})
    assert "geen fout op te lossen" in pages.check("resolve, nothing", r.text)
    r = coord.post("/coordinator/stembureau/1/besluit", data={"csrf": tc, "action": "zomaar"})
    assert "Onbekend besluit" in pages.check("resolve, unknown", r.text)
    r = coord.post("/coordinator/stembureau/1/reset", data={"csrf": tc})
    assert "Vink aan" in pages.check("reset unconfirmed", r.text)
    r = coord.post("/coordinator/stembureau/1/besluit", data={"csrf": tc, "action": "keep-second"})
    pages.check("resolved", r.text)
    r = coord.post("/coordinator/stembureau/1/besluit", data={"csrf": "x", "action": "keep-first"})
    assert r.status_code == 403 and "CSRF" in pages.check("csrf", r.text)
    r = anna.get("/coordinator")
    assert r.status_code == 403 and "invoerder" in pages.check("wrong role", r.text)
    r = coord.get("/coordinator/vaststellen")
    pages.check("finalise, waiting", r.text)
    r = coord.post("/coordinator/vaststellen", data={"csrf": tc, "passphrase": PASSPHRASE})
    assert r.status_code == 409 and "Nog niet elk stembureau" in pages.check("finalise refused", r.text)
    r = coord.post("/coordinator/vaststellen", data={"csrf": tc, "passphrase": ""})
    pages.check("finalise, no passphrase", r.text)
    r = coord.get("/coordinator/download/1/geen.pdf")
    assert "Geen bestand" in pages.check("download missing", r.text)

    for nr in ("1", "2", "3"):
        coord.post(f"/coordinator/stembureau/{nr}/reset", data={"csrf": tc, "confirm": "1"})
        anna.post(f"/invoer/{nr}/claim", data={"csrf": ta})
        anna.post(f"/invoer/{nr}", data=entry(ta, "finalise"))
        bert.post(f"/invoer/{nr}/claim", data={"csrf": tb})
        bert.post(f"/invoer/{nr}", data=entry(tb, "finalise"))
    r = anna.post("/invoer/1/claim", data={"csrf": ta})
    assert "wacht op de coördinator of is definitief" in pages.check("claim a definitive station", r.text)
    r = coord.post("/coordinator/vaststellen", data={"csrf": tc, "passphrase": "wrong passphrase!"})
    assert "Verkeerde wachtzin" in pages.check("finalise, wrong passphrase", r.text)
    r = coord.post("/coordinator/vaststellen", data={"csrf": tc, "passphrase": PASSPHRASE})
    shown = pages.check("finalised session", r.text)
    assert re.search(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
                     r"november|december) \d{4} \d\d:\d\d", shown)  # fmt: skip
    assert "T2" not in shown  # no raw ISO timestamp
    r = anna.post("/invoer/1/claim", data={"csrf": ta})
    assert "is vastgesteld" in pages.check("claim after finalising", r.text)
    assert len(pages.seen) >= 39


# ------------------------------------------------------------------------------------------ the scanning desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    return make_hsb(tmp_path_factory.mktemp("catalogue-desk"))


def upload(c: TestClient, token: str, name: str, data: bytes) -> str:
    r = c.post(
        "/balie/upload", data={"csrf": token}, files=[("files", (name, data, "application/octet-stream"))]
    )
    assert r.status_code == 200, r.text
    return r.text


def outcome_text(html: str) -> str:
    """The outcome line of the last scan (the first result after the heading)."""
    part = html.split('id="res"', 1)[1]
    return visible(part.split("</article>", 1)[0])


def test_every_desk_outcome_and_refusal_is_dutch(desk: Desk, pages: Pages) -> None:
    chain, codes = desk.chain, desk.codes
    app = create_hsb_app(desk.state)
    c, token = client_login(app, "olga")
    observer, _ = client_login(app, "otto")
    pages.check("desk", c.get("/balie").text)
    pages.check("overview", observer.get("/status").text)
    first = municipal_summary(chain, codes[0])
    better = municipal_summary(
        chain, codes[0], phase=1, supersedes=digest(first), total=recounted(chain.total(codes[0]), blank=1)
    )
    other = chain.election.districts[1].id
    stranger = make_authority(Role.MUNICIPALITY, codes[1], "Nep", chain.election.id, desk.district, seed=99)
    real = chain.municipalities[codes[1]]
    chain.municipalities[codes[1]] = stranger
    try:
        unknown_key = municipal_summary(chain, codes[1])
    finally:
        chain.municipalities[codes[1]] = real
    total = chain.total(codes[1])
    fewer_lists = msgspec.structs.replace(total, lists=total.lists[:-1])
    short = signed_summary(
        chain.municipalities[codes[1]],
        election_id=chain.election.id,
        district_id=desk.district,
        total=fewer_lists,
        eml=b"",
    )
    cases: list[tuple[str, bytes, str, str]] = [
        ("accept", first, "accept", "is opgenomen in de telling"),
        ("duplicate", first, "duplicate", "was al ontvangen"),
        ("replace", better, "replace", "vervangt de eerdere samenvatting"),
        ("older phase", first, "refuse", "ouder dan de samenvatting"),
        (
            "conflict",
            municipal_summary(chain, codes[0], phase=1, supersedes=digest(first)),
            "refuse",
            "dezelfde zitting",
        ),
        (
            "orphan",
            municipal_summary(chain, codes[1], phase=1, supersedes=b"\x01" * 32),
            "refuse",
            "nog niet binnen",
        ),
        (
            "names predecessor",
            municipal_summary(chain, codes[1], supersedes=b"\x01" * 32),
            "refuse",
            "vervangt samenvatting",
        ),
        ("unknown key", unknown_key, "refuse", "onbekende sleutel"),
        (
            "wrong election",
            municipal_summary(chain, codes[1], election_id="GR2099_Elders"),
            "refuse",
            "verkiezing",
        ),
        ("wrong district", municipal_summary(chain, codes[1], district_id=other), "refuse", "kieskring"),
        (
            "enrolment record",
            chain.municipalities[codes[1]].enrolment,
            "refuse",
            "registratie van een sleutel",
        ),
        (
            "not a summary",
            b"hello, this is no summary at all " * 4,
            "refuse",
            "geen ondertekende samenvatting",
        ),
        ("too short", b"TKS", "refuse", "te kort"),
        ("truncated", first[:-80], "refuse", "afgebroken"),
        ("trailing bytes", first + b"!!", "refuse", "na het einde"),
        ("bad signature", first[:-1] + bytes([first[-1] ^ 1]), "refuse", "handtekening klopt niet"),
        (
            "totals",
            municipal_summary(chain, codes[1], total=broken(total, "F.312")),
            "refuse",
            "kloppen niet: F.312",
        ),
        ("lists", short, "refuse", "lijsten"),
    ]
    seen: set[str] = set()
    for name, message, outcome, words in cases:
        html = upload(c, token, f"{name.replace(' ', '-')}.tks", message)
        pages.check(f"desk: {name}", html)
        assert f'data-outcome="{outcome}"' in html, name
        said = outcome_text(html)
        assert words in said, f"{name}: {said}"
        seen.add(said)
    assert len(seen) == len(cases)  # each refusal says its own reason

    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    for name, data, words in [
        ("notes.txt", b"hello", "geen scan"),
        ("kapot.png", b"\x89PNG broken", "geen leesbare afbeelding"),
        ("leeg.png", blank.getvalue(), "geen Telketen-QR-codes"),
        ("kapot.pdf", b"%PDF-1.7 garbage", "de PDF kan niet worden geopend"),
        ("leeg.tif", b"", "Kies één of meer scans"),
    ]:
        html = c.post(
            "/balie/upload", data={"csrf": token}, files=[("files", (name, data, "image/png"))]
        ).text
        assert words in pages.check(f"desk: {name}", html)
    r = c.post("/balie/camera", data={"csrf": token}, files=[("frame", ("f.png", b"no image", "image/png"))])
    assert r.status_code == 400 and "geen afbeelding" in pages.check("camera: not an image", r.text)
    r = c.post("/balie/camera", data={"csrf": token})
    assert "geen camerabeeld" in pages.check("camera: no frame", r.text)
    r = observer.post("/balie/upload", data={"csrf": token}, files=[("files", ("x.tks", b"x", "text/plain"))])
    assert r.status_code == 403 and "waarnemer" in pages.check("observer scans", r.text)

    overview = pages.check("overview with refusals", observer.get("/status").text)
    assert "onbekende sleutel" in overview and "handtekening klopt niet" in overview
    assert not re.search(r"\d{4}-\d\d-\d\dT", overview)  # times in Dutch, not ISO


def test_the_central_desk_is_dutch_too(tmp_path: Path, pages: Pages, monkeypatch: pytest.MonkeyPatch) -> None:
    from central.web import create_central_app
    from tests.test_central_app import enrolled_council
    from tests.test_central_fixtures import PASSPHRASE as KEY_PASSPHRASE

    monkeypatch.setenv("TELKETEN_PASSPHRASE", KEY_PASSPHRASE)
    chain, state, code = enrolled_council(tmp_path)
    UserFile(state / USERS_FILE, ("operator", "observer")).add("olga", "operator", PW)
    c, token = client_login(create_central_app(state), "olga")
    pages.check("central desk", c.get("/balie").text)
    html = upload(c, token, "elders.tks", municipal_summary(chain, code, district_id="KR99"))
    pages.check("central: wrong district", html)
    assert "hoort bij kieskring" in outcome_text(html)
    html = upload(c, token, "goed.tks", municipal_summary(chain, code))
    pages.check("central: accepted", html)
    assert "is opgenomen in de telling" in outcome_text(html)
    assert "hoort bij kieskring" in pages.check("central overview", c.get("/status").text)
