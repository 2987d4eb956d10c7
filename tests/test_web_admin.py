"""The coordinator's pages in the browser: set-up, users, sessions, the audit log, deceased candidates, lots.

Through Starlette's TestClient on real state folders (the municipality's SQLite state, a hoofdstembureau's
and a central office's with real keys). Every page is asked as the coordinator and refused for a
typist/operator; every action is asserted on what it left behind: a disabled user cannot log in and their
open browser is logged out, a revoked session stops working, a new password replaces the old one, a
recorded lot gives the result `--lot` gives, a deceased candidate is skipped as `central deceased` makes it,
and each is in the audit log under the coordinator's name.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from starlette.testclient import TestClient
from test_central_app import audit_actions, central_init, enrolled_council, tied_total
from test_central_fixtures import PASSPHRASE as CSB_PASSPHRASE
from test_central_fixtures import fingerprint, municipal_summary

from central import lots
from central.office import Office as CentralOffice
from central.web import create_central_app
from hoofdstembureau.web import create_hsb_app
from municipality.service import Service
from municipality.web import create_municipality_app
from shared.adapters import audit
from shared.adapters.web import USERS_FILE, UserFile
from shared.adapters.web_admin import hash_parts, one_time_password, when
from shared.domain.apportionment import LotRequest
from shared.domain.seats import SeatsResult
from shared.errors import StateError
from telketen.cli import main
from tests.test_web_desk import make_hsb
from tests.test_web_support import GOOD_ENTRY, PASSPHRASE, PW, csrf_of, municipality_state

ADMIN_PAGES = ("/beheer/gebruikers", "/beheer/sessies", "/beheer/logboek")


def dutch(page: str) -> str:
    """A refusal page, checked to carry the catalogue's Dutch sentence and not the neutral fallback (which
    would show the service's English message)."""
    assert "De technische melding staat in het logboek" not in page, page
    return page


ADMIN_POSTS = (
    "/beheer/gebruikers",
    "/beheer/gebruikers/uitschakelen",
    "/beheer/gebruikers/wachtwoord",
    "/beheer/sessies/intrekken",
)


def client_of(app: object) -> TestClient:
    return TestClient(app, follow_redirects=True)  # type: ignore[arg-type]


def login(client: TestClient, name: str, password: str = PW) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": password, "next": "/"})
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def refused_login(client: TestClient, name: str, password: str) -> bool:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": password})
    return r.status_code == 401


def logged_out(client: TestClient, path: str) -> bool:
    r = client.get(path, follow_redirects=False)
    return r.status_code == 303 and r.headers["location"].startswith("/login")


def shown_password(html: str) -> str:
    match = re.search(r'<p class="password"><code>([^<]+)</code>', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def events(state: Path) -> list[audit.AuditEvent]:
    svc = Service.open(state, at="t")
    try:
        return audit.events(svc.conn)
    finally:
        svc.close()


@pytest.fixture
def muni(tmp_path: Path) -> Iterator[tuple[Path, TestClient, str]]:
    state = municipality_state(tmp_path)
    coord = client_of(create_municipality_app(state))
    yield state, coord, login(coord, "coord")


# ------------------------------------------------------------------------------------------ municipality


def test_every_admin_page_is_the_coordinators_and_refused_for_a_typist(
    muni: tuple[Path, TestClient, str],
) -> None:
    state, coord, _ = muni
    typist = client_of(create_municipality_app(state))
    token = login(typist, "anna")
    for path in ("/coordinator/inrichting", *ADMIN_PAGES):
        assert coord.get(path).status_code == 200, path
        assert typist.get(path).status_code == 403, path
    before = len(events(state))
    for path in (*ADMIN_POSTS, "/coordinator/inrichting/zitting"):
        r = typist.post(path, data={"csrf": token, "name": "bert", "role": "coordinator", "confirm": "1"})
        assert r.status_code == 403, path
    assert len(events(state)) == before  # nothing happened, nothing was logged
    assert "Deze pagina is niet voor uw rol" in typist.get("/beheer/gebruikers").text
    nav = coord.get("/coordinator").text
    assert all(f'href="{p}"' in nav for p in ("/coordinator/inrichting", *ADMIN_PAGES))
    assert "/beheer/" not in typist.get("/invoer").text  # a typist's menu does not offer them


def test_a_new_user_gets_a_one_time_password_shown_once_that_logs_in(
    muni: tuple[Path, TestClient, str],
) -> None:
    state, coord, token = muni
    r = coord.post("/beheer/gebruikers", data={"csrf": token, "name": "dirk", "role": "typist"})
    assert r.status_code == 200
    password = shown_password(r.text)
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    listing = coord.get("/beheer/gebruikers").text
    assert password not in listing and "scrypt" not in listing and 'data-user="dirk"' in listing
    assert "scrypt" not in r.text  # the hash is never shown, only the password, once
    dirk = client_of(create_municipality_app(state))
    login(dirk, "dirk", password)
    assert dirk.get("/invoer").status_code == 200  # a typist
    added = [e for e in events(state) if e.action == "user-add"][-1]
    assert (added.user, added.data()) == ("coord", {"name": "dirk", "role": "typist"})
    assert password not in added.payload
    again = coord.post("/beheer/gebruikers", data={"csrf": token, "name": "dirk", "role": "typist"})
    assert again.status_code == 409 and "Gebruiker dirk bestaat al." in dutch(again.text)
    bad = coord.post("/beheer/gebruikers", data={"csrf": token, "name": "eva", "role": "admin"})
    assert bad.status_code == 400 and "Kies een rol" in dutch(bad.text)


def test_a_disabled_user_cannot_log_in_and_their_open_browser_is_logged_out(
    muni: tuple[Path, TestClient, str],
) -> None:
    state, coord, token = muni
    anna = client_of(create_municipality_app(state))
    login(anna, "anna")
    assert anna.get("/invoer").status_code == 200
    unconfirmed = coord.post("/beheer/gebruikers/uitschakelen", data={"csrf": token, "name": "anna"})
    assert unconfirmed.status_code == 400 and not logged_out(anna, "/invoer")
    r = coord.post("/beheer/gebruikers/uitschakelen", data={"csrf": token, "name": "anna", "confirm": "1"})
    assert r.status_code == 200 and "uitgeschakeld sinds" in r.text
    assert logged_out(anna, "/invoer")  # the cookie in anna's browser stopped working at once
    assert refused_login(client_of(create_municipality_app(state)), "anna", PW)
    svc = Service.open(state, at="t")
    try:
        with pytest.raises(Exception, match="unknown user or wrong password"):
            svc.login("anna", PW)  # the command line refuses her too
    finally:
        svc.close()
    actions = [(e.user, e.action, e.data().get("name")) for e in events(state)]
    assert ("coord", "user-disable", "anna") in actions and ("coord", "web-sessions-ended", "anna") in actions
    own = coord.post("/beheer/gebruikers/uitschakelen", data={"csrf": token, "name": "coord", "confirm": "1"})
    assert own.status_code == 409 and "eigen account niet uitschakelen" in dutch(own.text)
    twice = coord.post(
        "/beheer/gebruikers/uitschakelen", data={"csrf": token, "name": "anna", "confirm": "1"}
    )
    assert twice.status_code == 409
    nobody = coord.post("/beheer/gebruikers/wachtwoord", data={"csrf": token, "name": "nobody"})
    assert nobody.status_code == 400


def test_a_new_password_replaces_the_old_one_and_ends_the_users_sessions(
    muni: tuple[Path, TestClient, str],
) -> None:
    state, coord, token = muni
    bert = client_of(create_municipality_app(state))
    login(bert, "bert")
    r = coord.post("/beheer/gebruikers/wachtwoord", data={"csrf": token, "name": "bert"})
    password = shown_password(r.text)
    assert logged_out(bert, "/invoer")
    assert refused_login(client_of(create_municipality_app(state)), "bert", PW)
    login(client_of(create_municipality_app(state)), "bert", password)
    assert ("coord", "user-password-reset") in [(e.user, e.action) for e in events(state)]


def test_the_coordinator_sees_who_is_logged_in_and_ends_a_session(muni: tuple[Path, TestClient, str]) -> None:
    state, coord, token = muni
    cees = client_of(create_municipality_app(state))
    login(cees, "cees")
    page = coord.get("/beheer/sessies").text
    assert (
        'data-user="cees"' in page and "<strong>deze sessie</strong>" in page
    )  # the coordinator's own is marked
    digests = re.findall(r'name="session" value="([0-9a-f]{64})"', page)
    rows = re.findall(r'data-session="([0-9a-f]{16})" data-user="([^"]+)"', page)
    cees_digest = next(d for d in digests if (d[:16], "cees") in rows)
    r = coord.post("/beheer/sessies/intrekken", data={"csrf": token, "session": cees_digest})
    assert r.status_code == 200 and 'data-user="cees"' not in r.text
    assert logged_out(cees, "/invoer")
    assert coord.get("/beheer/sessies").status_code == 200  # the coordinator's own still works
    again = coord.post("/beheer/sessies/intrekken", data={"csrf": token, "session": cees_digest})
    assert again.status_code == 400 and "bestaat niet" in again.text
    revoked = [e for e in events(state) if e.action == "web-session-revoke"]
    assert [(e.user, e.data()["name"]) for e in revoked] == [("coord", "cees")]


def test_the_audit_log_page_is_newest_first_paged_filtered_and_says_whether_the_chain_holds(
    muni: tuple[Path, TestClient, str],
) -> None:
    state, coord, _ = muni
    svc = Service.open(state, at="t")
    for i in range(60):
        svc.record_event("dora" if i % 2 else "emil", "test-event", {"i": i}, at="2026-03-19T22:15:00+01:00")
    svc.close()
    total = len(events(state))
    page = coord.get("/beheer/logboek").text
    seqs = [int(s) for s in re.findall(r'<tr data-seq="(\d+)"', page)]
    assert seqs == list(range(total, total - 50, -1))  # the newest 50
    assert f"De keten van het logboek is intact: {total} regels gecontroleerd" in page
    assert '<span class="nowrap">19-03-2026</span> <span class="nowrap">22:15:00</span>' in page  # Dutch
    older = re.search(r'href="/beheer/logboek\?(voor=\d+)">Oudere regels', page)
    assert older
    rest = [
        int(s) for s in re.findall(r'<tr data-seq="(\d+)"', coord.get(f"/beheer/logboek?{older[1]}").text)
    ]
    assert rest == list(range(total - 50, 0, -1))
    only = coord.get("/beheer/logboek?gebruiker=dora&soort=test-event").text
    shown = re.findall(r"<span data-user>(dora|emil)</span>", only)
    assert shown == ["dora"] * 30
    assert coord.get("/beheer/logboek?voor=abc").status_code == 400
    with sqlite3.connect(next(state.glob("*.telketen.sqlite"))) as conn:  # an edit outside the program
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET user = 'mallory' WHERE seq = 3")
    broken = coord.get("/beheer/logboek").text
    assert "VERBROKEN" in broken and "audit row 3: changed" in broken


def test_hashes_wrap_only_between_parts_of_four_groups() -> None:
    digest = "f8bb" * 16
    assert hash_parts(digest) == ["f8bb f8bb f8bb f8bb"] * 4
    assert when("2026-03-19T22:15:07+01:00") == "19-03-2026 22:15:07" and when("t") == "t"
    assert len({one_time_password() for _ in range(50)}) == 50


def _definitive_everywhere(state: Path, coord: TestClient) -> None:
    from municipality.service import User
    from tests.test_browser import report_of

    svc = Service.open(state, at="t")
    try:
        for nr in ("1", "2", "3"):
            for name in ("anna", "bert"):
                who = User(name, "typist")
                svc.claim(who, nr, at="t")
                svc.save(who, nr, report_of(svc, GOOD_ENTRY), progress=100, at="t")
                svc.finalise_entry(who, nr, accept_warnings=True, at="t")
    finally:
        svc.close()


def test_the_setup_page_shows_what_init_checked_and_opens_the_next_session(
    muni: tuple[Path, TestClient, str],
) -> None:
    state, coord, token = muni
    page = coord.get("/coordinator/inrichting").text
    assert "Gemeenteraad Proefdorp 2026" in page and "Proefdorp (9999)" in page
    assert "woensdag 18 maart 2026" in page
    assert "<span>0000 0000 0000 0000</span>" in page  # the 110a's SHA-256, in parts that do not wrap
    assert 'data-session="1"' in page and "Nieuwe zitting openen" not in page  # session 1 still open
    refused = coord.post("/coordinator/inrichting/zitting", data={"csrf": token, "confirm": "1"})
    assert refused.status_code == 409 and "is nog open" in dutch(refused.text)
    _definitive_everywhere(state, coord)
    assert (
        coord.post("/coordinator/vaststellen", data={"csrf": token, "passphrase": PASSPHRASE}).status_code
        == 200
    )
    page = coord.get("/coordinator/inrichting").text
    assert "Nieuwe zitting openen" in page
    unconfirmed = coord.post("/coordinator/inrichting/zitting", data={"csrf": token})
    assert (
        unconfirmed.status_code == 400 and 'data-session="2"' not in coord.get("/coordinator/inrichting").text
    )
    r = coord.post("/coordinator/inrichting/zitting", data={"csrf": token, "confirm": "1"})
    assert r.status_code == 200 and "Zitting 2 is geopend" in r.text and 'data-session="2"' in r.text
    svc = Service.open(state, at="t")
    assert svc.current_session() == 2
    svc.close()
    assert ("coord", "session-new") in [(e.user, e.action) for e in events(state)]


# ------------------------------------------------------------------------------------------ the desks


def test_desk_coordinator_manages_users_sessions_and_reads_the_office_log(tmp_path: Path) -> None:
    from hoofdstembureau.office import open_office

    desk = make_hsb(tmp_path)
    UserFile(desk.state / USERS_FILE, ("coordinator",)).add("carla", "coordinator", PW)
    app = create_hsb_app(desk.state)
    operator, observer, coord = client_of(app), client_of(app), client_of(app)
    t_op, token = login(operator, "olga"), login(coord, "carla")
    login(observer, "otto")
    for path in ADMIN_PAGES:
        assert coord.get(path).status_code == 200, path
        assert operator.get(path).status_code == 403 and observer.get(path).status_code == 403, path
    assert (
        operator.post("/beheer/gebruikers", data={"csrf": t_op, "name": "x", "role": "operator"}).status_code
        == 403
    )
    assert coord.get("/status").status_code == 200  # the coordinator also sees the overview
    r = coord.post("/beheer/gebruikers", data={"csrf": token, "name": "piet", "role": "operator"})
    password = shown_password(r.text)
    piet = client_of(create_hsb_app(desk.state))
    login(piet, "piet", password)
    assert piet.get("/balie").status_code == 200
    r = coord.post("/beheer/gebruikers/uitschakelen", data={"csrf": token, "name": "otto", "confirm": "1"})
    assert r.status_code == 200 and logged_out(observer, "/status")
    assert refused_login(client_of(app), "otto", PW)
    log = coord.get("/beheer/logboek").text
    assert "De keten van het logboek is intact" in log and "web-user-disable" in log
    office = open_office(desk.state, "test")
    rows = [(e.user, e.action, e.data().get("name")) for e in audit.events(office.conn)]
    office.conn.close()
    assert ("carla", "web-user-add", "piet") in rows and ("carla", "web-user-disable", "otto") in rows
    stored = (desk.state / USERS_FILE).read_text()
    assert password not in stored and '"disabled"' in stored
    own = coord.post("/beheer/gebruikers/uitschakelen", data={"csrf": token, "name": "carla", "confirm": "1"})
    assert own.status_code == 409


def test_the_cli_adds_a_desk_coordinator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "hsb"
    state.mkdir()
    monkeypatch.setenv("TELKETEN_PASSWORD", PW)
    assert main(["hsb", "web-user", "add", "carla", "--role", "coordinator", "--state", str(state)]) == 0
    assert [(u.name, u.role) for u in UserFile(state / USERS_FILE, ("coordinator",)).names()] == [
        ("carla", "coordinator")
    ]


# ------------------------------------------------------------------------------------------ central


@pytest.fixture
def _csb_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", CSB_PASSPHRASE)


def central_with(tmp_path: Path, *, tied: bool) -> tuple[Path, TestClient, str, object]:
    """A council's central office with the municipality's summary in, and a coordinator logged in."""
    chain, state, code = enrolled_council(tmp_path, seed=11)
    tks = tmp_path / "m.tks"
    tks.write_bytes(municipal_summary(chain, code, total=tied_total(chain, code) if tied else None))
    assert main(["central", "scan", "--state", str(state), str(tks)]) == 0
    UserFile(state / USERS_FILE, ("coordinator", "operator")).add("carla", "coordinator", PW)
    UserFile(state / USERS_FILE, ("coordinator", "operator")).add("olga", "operator", PW)
    coord = client_of(create_central_app(state))
    return state, coord, login(coord, "carla"), chain


def finalised(state: Path) -> dict[str, object]:
    payloads = [p for a, p in audit_actions(state) if a == "finalised"]
    return msgspec.json.decode(payloads[-1])  # type: ignore[no-any-return]


@pytest.mark.usefixtures("_csb_passphrase")
def test_a_lot_recorded_in_the_browser_gives_the_result_of_the_same_lot_on_the_command_line(
    tmp_path: Path,
) -> None:
    state, coord, token, chain = central_with(tmp_path / "web", tied=True)
    operator = client_of(create_central_app(state))
    t_op = login(operator, "olga")
    for path in ("/centraal/loting", "/centraal/overleden"):
        assert operator.get(path).status_code == 403
    assert (
        operator.post("/centraal/loting", data={"csrf": t_op, "outcome": "1", "confirm": "1"}).status_code
        == 403
    )
    outcomes: list[int] = []
    for _ in range(20):
        page = coord.get("/centraal/loting").text
        if "Het lot moet beslissen" not in page:
            break
        options = [int(v) for v in re.findall(r'name="outcome" value="(\d+)"', page)]
        assert re.search(
            r"<p data-tie>(Restzetel \d+|Deze kandidaten van lijst \d+)", page
        )  # the tie, in Dutch
        assert len(options) >= 2  # a tie: the options the computation reports, to be drawn by the chair
        choice = options[-1]
        assert coord.post("/centraal/loting", data={"csrf": token, "outcome": str(choice)}).status_code == 400
        r = coord.post("/centraal/loting", data={"csrf": token, "outcome": str(choice), "confirm": "1"})
        assert r.status_code == 200
        outcomes.append(choice)
    assert outcomes and "de zetelverdeling is compleet" in coord.get("/centraal/loting").text
    extra = coord.post("/centraal/loting", data={"csrf": token, "outcome": "1", "confirm": "1"})
    assert extra.status_code == 409 and "geen loting nodig" in dutch(extra.text)
    recorded = [(a, msgspec.json.decode(p)) for a, p in audit_actions(state) if a == "lot-recorded"]
    assert [p["outcome"] for _, p in recorded] == outcomes
    assert main(["central", "finalise", "--state", str(state), "--lot", "1"]) == 2  # two sources refused
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:  # a lot left over: its tie is gone
        conn.execute(
            "INSERT INTO lots (kind, reason, options, outcome, recorded_at, recorded_by) "
            "VALUES ('residual_seat', 'a tie that is gone', '[1, 2]', 1, 't', 'carla')"
        )
    assert main(["central", "finalise", "--state", str(state)]) == StateError.exit_code
    assert "hoort niet meer bij de gelijke stand" in coord.get("/centraal/loting").text
    coord.post("/centraal/loting/intrekken", data={"csrf": token})
    assert main(["central", "finalise", "--state", str(state)]) == 0  # the recorded lots, no terminal
    web = finalised(state)
    assert web["lots"] == outcomes

    # the same election and summary at another central office, the lots given on the command line
    other = tmp_path / "cli"
    other_state = other / "csb"
    assert central_init(chain, other_state) == 0  # type: ignore[arg-type]
    (code,) = chain.codes()  # type: ignore[attr-defined]
    tke = other / "m.tke"
    tke.write_bytes(chain.municipalities[code].enrolment)  # type: ignore[attr-defined]
    fp = fingerprint(chain.municipalities[code].enrolment)  # type: ignore[attr-defined]
    assert main(["central", "enrol", "--state", str(other_state), str(tke), "--expect-fingerprint", fp]) == 0
    assert main(["central", "scan", "--state", str(other_state), str(tmp_path / "web" / "m.tks")]) == 0
    lot_args = [x for o in outcomes for x in ("--lot", str(o))]
    assert main(["central", "finalise", "--state", str(other_state), *lot_args]) == 0
    cli = finalised(other_state)
    assert (cli["seats"], cli["elected"], cli["lots"]) == (web["seats"], web["elected"], web["lots"])


@pytest.mark.usefixtures("_csb_passphrase")
def test_a_recorded_lot_is_withdrawn_and_never_applied_to_another_tie(tmp_path: Path) -> None:
    state, coord, token, _ = central_with(tmp_path, tied=True)
    page = coord.get("/centraal/loting").text
    first = re.findall(r'name="outcome" value="(\d+)"', page)[0]
    coord.post("/centraal/loting", data={"csrf": token, "outcome": first, "confirm": "1"})
    r = coord.post("/centraal/loting/intrekken", data={"csrf": token})
    assert r.status_code == 200 and "Nog geen." in r.text
    assert "lot-withdrawn" in [a for a, _ in audit_actions(state)]
    request = LotRequest(kind="residual_seat", options=(1, 2), reason="residual seat 1: lists [1, 2] tie")
    other = LotRequest(kind="residual_seat", options=(2, 3), reason="residual seat 1: lists [2, 3] tie")
    lot = lots.RecordedLot(
        seq=1,
        kind="residual_seat",
        reason=request.reason,
        options=(1, 2),
        outcome=2,
        recorded_at="",
        recorded_by="",
    )

    def asking(req: LotRequest) -> object:
        return lambda outcomes: SeatsResult(
            id="x",
            status="lot_required" if not outcomes else "complete",
            quota="1",
            total_votes=0,
            lot=None if outcomes else req,
        )

    assert lots.replay(asking(request), [lot]).stale is None  # type: ignore[arg-type]
    assert lots.replay(asking(other), [lot]).stale == lot  # type: ignore[arg-type]
    office = CentralOffice.open(state, "carla", clock=central_finalise_clock())
    try:
        office.conn.execute(
            "INSERT INTO lots (kind, reason, options, outcome, recorded_at, recorded_by) "
            "VALUES ('residual_seat', 'another tie', '[1, 2]', 1, 't', 'carla')"
        )
        ask = lots.recorded_first(office, (), None)
        assert ask is not None
        with pytest.raises(StateError, match="was drawn for another tie"):
            ask(request)
    finally:
        office.conn.close()
    assert "Trek de laatste vastgelegde loting in" in coord.get("/centraal/loting").text


def central_finalise_clock() -> object:
    from shared.office.cli import system_clock

    return system_clock


@pytest.mark.usefixtures("_csb_passphrase")
def test_a_deceased_candidate_recorded_in_the_browser_is_skipped_as_on_the_command_line(
    tmp_path: Path,
) -> None:
    state, coord, token, _ = central_with(tmp_path, tied=False)
    page = coord.get("/centraal/overleden").text
    assert "artikel P 19a" in page and "Geen." in page
    assert (
        coord.post("/centraal/overleden", data={"csrf": token, "list": "1", "position": "1"}).status_code
        == 400
    )
    missing = coord.post(
        "/centraal/overleden", data={"csrf": token, "list": "99", "position": "1", "confirm": "1"}
    )
    assert missing.status_code == 400 and "Er is geen lijst 99." in dutch(missing.text)
    r = coord.post("/centraal/overleden", data={"csrf": token, "list": "1", "position": "1", "confirm": "1"})
    assert r.status_code == 200 and 'data-deceased="1-1"' in r.text
    twice = coord.post(
        "/centraal/overleden", data={"csrf": token, "list": "1", "position": "1", "confirm": "1"}
    )
    assert twice.status_code == 409
    assert ("deceased", "carla") in [
        (e.action, e.user) for e in _central_events(state)
    ]  # under the coordinator's name
    assert main(["central", "finalise", "--state", str(state)]) == 0
    result = finalised(state)
    assert result["deceased"] == {"1": [1]}
    assert 1 not in result["elected"].get("1", [])  # type: ignore[attr-defined]
    assert "kan nu niet meer worden vastgelegd" in coord.get("/centraal/overleden").text


def _central_events(state: Path) -> list[audit.AuditEvent]:
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:
        return audit.events(conn)


@pytest.mark.usefixtures("_csb_passphrase")
def test_central_coordinator_pages_are_refused_before_every_authority_is_in(tmp_path: Path) -> None:
    chain, state, _ = enrolled_council(tmp_path)
    UserFile(state / USERS_FILE, ("coordinator",)).add("carla", "coordinator", PW)
    coord = client_of(create_central_app(state))
    login(coord, "carla")
    page = coord.get("/centraal/loting")
    assert page.status_code == 200 and "Nog geen berekening mogelijk" in page.text and "missing" in page.text
    del chain


@pytest.mark.parametrize(
    ("kind", "reason", "dutch"),
    [
        (
            "residual_seat",
            "residual seat 3: lists [1, 2] tie (largest averages, value 100/3) for 1 remaining seat(s)",
            "Restzetel 3: deze lijsten staan gelijk met 33 1/3 bij het grootste gemiddelde (artikel P 7); "
            "er is nog 1 zetel te verdelen.",
        ),
        (
            "absolute_majority",
            "P 9: which of lists [2, 3] (last residual seats, tied) gives a seat to list 1",
            "Lijst 1 heeft de volstrekte meerderheid",
        ),
        ("group_split", "P 13: lists [1, 2] of group 4 tie with average 1501", "lijstengroep 4 staan"),
        (
            "candidate",
            "list 2: candidates [3, 4] tie with 1200 preference votes for 2 remaining seat(s)",
            "Deze kandidaten van lijst 2 hebben elk 1.200 stemmen; er zijn nog 2 zetels voor deze lijst.",
        ),
    ],
)
def test_the_lot_page_says_the_tie_in_dutch(kind: str, reason: str, dutch: str) -> None:
    from central.web_admin import tie_detail

    assert dutch in tie_detail(LotRequest(kind=kind, options=(1, 2), reason=reason))  # type: ignore[arg-type]
    assert tie_detail(LotRequest(kind=kind, options=(1, 2), reason="something else")) == ""  # type: ignore[arg-type]


def test_the_service_refuses_user_changes_by_a_typist_whatever_the_edge(tmp_path: Path) -> None:
    from municipality.service import User

    state = municipality_state(tmp_path)
    svc = Service.open(state, at="t")
    try:
        for change in (
            lambda: svc.disable_user(User("anna", "typist"), "bert", at="t"),
            lambda: svc.reset_password(User("anna", "typist"), "bert", "a new password", at="t"),
        ):
            with pytest.raises(StateError, match="this is for a coordinator"):
                change()
        assert [u.disabled_at for u in svc.user_details()] == [None] * 4
    finally:
        svc.close()


@pytest.mark.usefixtures("_csb_passphrase")
def test_a_lot_outcome_that_is_not_an_option_is_refused(tmp_path: Path) -> None:
    state, coord, token, _ = central_with(tmp_path, tied=True)
    r = coord.post("/centraal/loting", data={"csrf": token, "outcome": "99", "confirm": "1"})
    assert r.status_code == 400 and "geen van de mogelijkheden" in dutch(r.text)
    assert "lot-recorded" not in [a for a, _ in audit_actions(state)]


def test_a_sessions_file_of_an_earlier_version_gets_its_last_use_column(tmp_path: Path) -> None:
    from shared.adapters.web_auth import SessionStore

    path = tmp_path / "web-sessions.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE web_sessions (id_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, "
            "issued INTEGER NOT NULL)"
        )
        conn.execute("INSERT INTO web_sessions VALUES ('ab', 'anna', 'typist', 100)")
    store = SessionStore(path)
    assert [(s.user, s.issued, s.last_seen) for s in store.listing()] == [("anna", 100, 100)]
    sid = store.create("bert", "typist", issued=200)
    assert store.alive(sid, "bert", "typist", not_before=0, now=215)  # within 30 s: not written
    assert store.alive(sid, "bert", "typist", not_before=0, now=260)
    assert {s.user: s.last_seen for s in store.listing()} == {"anna": 100, "bert": 260}
    SessionStore(path)  # opened again: already upgraded
    assert store.revoke_user("bert") == 1 and not store.alive(sid, "bert", "typist", not_before=0)


def test_the_command_line_disables_and_resets_as_the_page_does(
    muni: tuple[Path, TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, _, _ = muni
    anna, bert = client_of(create_municipality_app(state)), client_of(create_municipality_app(state))
    login(anna, "anna")
    login(bert, "bert")
    monkeypatch.setenv("TELKETEN_PASSWORD", PW)
    monkeypatch.setenv("NEW_PW", "a brand new password")
    base = ["municipality", "user"]
    assert main([*base, "disable", "anna", "--state", str(state)]) == 2  # who is doing this?
    assert main([*base, "disable", "anna", "--as", "bert", "--state", str(state)]) == StateError.exit_code
    assert main([*base, "disable", "anna", "--as", "coord", "--state", str(state)]) == 0
    assert logged_out(anna, "/invoer") and refused_login(
        client_of(create_municipality_app(state)), "anna", PW
    )
    args = [*base, "password", "bert", "--as", "coord", "--new-password-env", "NEW_PW", "--state", str(state)]
    assert main(args) == 0
    assert logged_out(bert, "/invoer")
    login(client_of(create_municipality_app(state)), "bert", "a brand new password")
    actions = [(e.user, e.action) for e in events(state)]
    assert ("coord", "user-disable") in actions and ("coord", "user-password-reset") in actions


def test_every_user_replaces_their_own_one_time_password(muni: tuple[Path, TestClient, str]) -> None:
    state, coord, token = muni
    password = shown_password(
        coord.post("/beheer/gebruikers", data={"csrf": token, "name": "dirk", "role": "typist"}).text
    )
    dirk, elsewhere = client_of(create_municipality_app(state)), client_of(create_municipality_app(state))
    t = login(dirk, "dirk", password)
    login(elsewhere, "dirk", password)
    assert 'href="/wachtwoord"' in dirk.get("/invoer").text
    new = "my own long password"
    wrong = dirk.post("/wachtwoord", data={"csrf": t, "current": "not it at all", "new": new, "repeat": new})
    assert wrong.status_code == 400
    differ = dirk.post("/wachtwoord", data={"csrf": t, "current": password, "new": new, "repeat": new + "!"})
    assert differ.status_code == 400 and "verschillen" in differ.text
    short = dirk.post("/wachtwoord", data={"csrf": t, "current": password, "new": "short", "repeat": "short"})
    assert short.status_code == 400
    r = dirk.post("/wachtwoord", data={"csrf": t, "current": password, "new": new, "repeat": new})
    assert r.status_code == 200 and "Uw wachtwoord is gewijzigd" in r.text
    assert dirk.get("/invoer").status_code == 200 and logged_out(
        elsewhere, "/invoer"
    )  # own stays, others end
    assert refused_login(client_of(create_municipality_app(state)), "dirk", password)
    login(client_of(create_municipality_app(state)), "dirk", new)
    actions = [(e.user, e.action) for e in events(state)]
    assert ("dirk", "user-password-change-refused") in actions and ("dirk", "user-password-change") in actions


def test_a_desk_user_replaces_their_own_password(tmp_path: Path) -> None:
    from hoofdstembureau.office import open_office

    desk = make_hsb(tmp_path)
    otto = client_of(create_hsb_app(desk.state))
    t = login(otto, "otto")
    new = "otto's own password"
    bad = otto.post("/wachtwoord", data={"csrf": t, "current": "wrong password", "new": new, "repeat": new})
    assert bad.status_code == 400
    assert (
        otto.post("/wachtwoord", data={"csrf": t, "current": PW, "new": new, "repeat": new}).status_code
        == 200
    )
    assert refused_login(client_of(create_hsb_app(desk.state)), "otto", PW)
    login(client_of(create_hsb_app(desk.state)), "otto", new)
    office = open_office(desk.state, "test")
    rows = [(e.user, e.action) for e in audit.events(office.conn)]
    office.conn.close()
    assert ("otto", "web-password-change-refused") in rows and ("otto", "web-password-change") in rows
