"""The municipality's browser interface through Starlette's TestClient, on a real state folder.

Roles, CSRF, the four-eyes refusal, the typist's form (paper order, codes at the boxes, explicit acceptance),
the coordinator's resolution and the finalised downloads — each asserted on what the service layer stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from municipality.service import Service
from municipality.web import create_municipality_app, dom_id, progress_of, sums_of
from shared.domain.station_report import empty_report
from station.form import build_form
from tests.test_web_support import GOOD_ENTRY, PASSPHRASE, PW, csrf_of, municipality_state


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return municipality_state(tmp_path_factory.mktemp("web-m"))


@pytest.fixture
def fresh_state(tmp_path: Path) -> Path:
    return municipality_state(tmp_path)


def client_for(state: Path) -> TestClient:
    return TestClient(create_municipality_app(state), follow_redirects=True)


def login(client: TestClient, name: str) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": PW, "next": "/"})
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def entry_data(token: str, action: str, **changes: str) -> dict[str, str]:
    values = {**GOOD_ENTRY, **changes}
    return {"csrf": token, "action": action, **{f"f:{k}": v for k, v in values.items() if v}}


def state_of(state: Path, station: str) -> str:
    svc = Service.open(state, at="t")
    try:
        return svc.entry(station).state
    finally:
        svc.close()


@pytest.fixture
def clients(fresh_state: Path) -> Iterator[tuple[Path, dict[str, tuple[TestClient, str]]]]:
    out = {}
    for name in ("anna", "bert", "coord"):
        c = client_for(fresh_state)
        out[name] = (c, login(c, name))
    yield fresh_state, out


# ------------------------------------------------------------------------------------------ login & roles


def test_anonymous_requests_go_to_login_and_posts_are_refused(state: Path) -> None:
    c = TestClient(create_municipality_app(state), follow_redirects=False)
    for path in (
        "/invoer",
        "/invoer/1",
        "/coordinator",
        "/coordinator/vaststellen",
        "/coordinator/stembureau/1",
    ):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for path in ("/invoer", "/invoer/1", "/invoer/1/claim", "/coordinator/stembureau/1/besluit"):
        assert c.post(path, data={"csrf": "x"}).status_code == 401, path


def test_wrong_password_is_refused_without_saying_which_part(state: Path) -> None:
    c = client_for(state)
    token = csrf_of(c.get("/login").text)
    for name, pw in (("anna", "wrong password"), ("nobody", PW)):
        r = c.post("/login", data={"csrf": token, "name": name, "password": pw})
        assert r.status_code == 401 and "Onbekende gebruiker of verkeerd wachtwoord" in r.text
    assert c.get("/invoer", follow_redirects=False).status_code == 303


def test_roles_are_enforced_on_every_page(state: Path) -> None:
    typist, coord = client_for(state), client_for(state)
    t_token, c_token = login(typist, "anna"), login(coord, "coord")
    for path in ("/coordinator", "/coordinator/vaststellen", "/coordinator/stembureau/1"):
        assert typist.get(path).status_code == 403, path
    r = typist.post("/coordinator/stembureau/1/reset", data={"csrf": t_token, "confirm": "1"})
    assert r.status_code == 403
    assert coord.get("/invoer").status_code == 403
    assert coord.post("/invoer/2/claim", data={"csrf": c_token}).status_code == 403
    assert state_of(state, "2") == "empty"


def test_every_route_of_the_app_names_roles() -> None:
    from municipality.web import MunicipalityWeb

    routes = MunicipalityWeb.routes(object.__new__(MunicipalityWeb))
    assert routes and all(r.roles for r in routes)


def test_post_without_or_with_a_foreign_csrf_token_is_refused(state: Path) -> None:
    c, other = client_for(state), client_for(state)
    login(c, "cees")
    foreign = login(other, "bert")
    for data in ({}, {"csrf": "forged"}, {"csrf": foreign}):
        r = c.post("/invoer/3/claim", data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    assert state_of(state, "3") == "empty"


def test_login_itself_needs_the_csrf_token(state: Path) -> None:
    c = client_for(state)
    c.get("/login")
    r = c.post("/login", data={"csrf": "nope", "name": "anna", "password": PW})
    assert r.status_code == 403
    assert c.get("/invoer", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_logs_out(state: Path) -> None:
    c = client_for(state)
    login(c, "anna")
    value = c.cookies["telketen_session"]
    body, mac = value.split(".")
    c.cookies.clear()
    c.cookies.set("telketen_session", value)
    assert c.get("/invoer", follow_redirects=False).status_code == 200  # the cookie alone is the session
    c.cookies.clear()
    c.cookies.set("telketen_session", body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac)
    assert c.get("/invoer", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(state: Path) -> None:
    c = client_for(state)
    token = login(c, "anna")
    assert c.post("/logout", data={"csrf": token}).status_code == 200
    assert c.get("/invoer", follow_redirects=False).status_code == 303


def test_security_headers_on_pages_and_static_files(state: Path) -> None:
    c = client_for(state)
    r = c.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    js = c.get("/static/telketen.js")
    assert js.status_code == 200 and "Enter" in js.text and js.headers["x-content-type-options"] == "nosniff"
    assert (
        "<script>" not in r.text and " on" + "click=" not in r.text
    )  # no inline script: the CSP would block it


# ------------------------------------------------------------------------------------------ the typist


def test_form_follows_the_paper_with_a_label_for_every_box(state: Path) -> None:
    c = client_for(state)
    token = login(c, "anna")
    html = c.post("/invoer/2/claim", data={"csrf": token}).text
    svc = Service.open(state, at="t")
    form = build_form("cso_first", svc.district.lists, voter_cards=svc.voter_cards)
    svc.close()
    paths = re.findall(r'data-path="([^"]+)"', html)
    assert paths == form.paths()
    for path in paths:
        assert f'<label for="{dom_id(path)}">' in html, path
    assert html.index("B1-1 Extra onderzoek") < html.index("Toegelaten kiezers") < html.index("Lijst 2")


def test_two_typists_one_difference_coordinator_keeps_first_then_correction(
    clients: tuple[Path, dict[str, tuple[TestClient, str]]],
) -> None:
    state, cs = clients
    (anna, ta), (bert, tb), (coord, tc) = cs["anna"], cs["bert"], cs["coord"]
    anna.post("/invoer/1/claim", data={"csrf": ta})
    r = anna.post("/invoer/1", data=entry_data(ta, "finalise"))
    assert "Eerste invoer klaar" in r.text and state_of(state, "1") == "first_entry_finalised"
    # the first typist cannot do the second entry
    r = anna.post("/invoer/1/claim", data={"csrf": ta})
    assert r.status_code == 409 and "de tweede invoer moet door iemand anders worden gedaan" in r.text
    # the second typist never sees the first entry's numbers
    page = bert.post("/invoer/1/claim", data={"csrf": tb}).text
    assert 'value="100"' not in page and 'value="105"' not in page
    # one candidate typed differently (the sums still hold: 31+19+10 = 60)
    wrong = entry_data(
        tb, "save", **{"lists[0].candidate_votes[0]": "31", "lists[0].candidate_votes[1]": "19"}
    )
    page = bert.post("/invoer/1", data=wrong).text
    assert 'data-code="W.001"' in page  # differs from the first entry: fields marked, values not shown
    wrong["action"] = "finalise"
    r = bert.post("/invoer/1", data=wrong)
    assert r.status_code == 409 and "W.001" in r.text and state_of(state, "1") == "second_entry_in_progress"
    wrong["accept_warnings"] = "1"
    bert.post("/invoer/1", data=wrong)
    assert state_of(state, "1") == "entries_different"
    dash = coord.get("/coordinator").text
    assert 'data-station="1" data-state="entries_different"' in dash
    page = coord.get("/coordinator/stembureau/1").text
    rows = re.findall(r'<tr data-path="([^"]+)">', page)
    assert rows == ["lists[0].candidate_votes[0]", "lists[0].candidate_votes[1]"]
    r = coord.post("/coordinator/stembureau/1/besluit", data={"csrf": tc, "action": "return-to-second"})
    assert state_of(state, "1") == "second_entry_correction"
    page = bert.get("/invoer/1").text
    assert 'data-code="W.002"' in page
    fixed = entry_data(tb, "finalise", accept_warnings="1")
    bert.post("/invoer/1", data=fixed)
    assert state_of(state, "1") == "definitive"
    assert r.status_code == 200


def test_errors_shown_with_codes_at_the_boxes_and_acceptance_sends_to_coordinator(
    clients: tuple[Path, dict[str, tuple[TestClient, str]]],
) -> None:
    state, cs = clients
    (anna, ta), (coord, tc) = cs["anna"], cs["coord"]
    anna.post("/invoer/2/claim", data={"csrf": ta})
    bad = entry_data(ta, "save", **{"voters.admitted_voters": "106"})  # A + B = 105 ≠ D: F.201
    page = anna.post("/invoer/2", data=bad).text
    assert re.search(r'data-code="F\.201"', page)
    box = page[page.index(f'id="{dom_id("voters.admitted_voters")}"') :]
    assert "F.201" in box[: box.index("</div>")]  # the code is next to the box it concerns
    bad["action"] = "finalise"
    r = anna.post("/invoer/2", data=bad)
    assert r.status_code == 409 and state_of(state, "2") == "first_entry_in_progress"
    bad["accept_errors"] = "1"
    bad["accept_warnings"] = "1"
    anna.post("/invoer/2", data=bad)
    assert state_of(state, "2") == "first_entry_has_errors"
    page = coord.get("/coordinator/stembureau/2").text
    assert "F.201" in page and 'value="resume-first"' in page
    coord.post("/coordinator/stembureau/2/besluit", data={"csrf": tc, "action": "resume-first"})
    assert state_of(state, "2") == "first_entry_in_progress"
    anna.post("/invoer/2", data=entry_data(ta, "finalise"))
    assert state_of(state, "2") == "first_entry_finalised"


def test_unreadable_numbers_are_shown_at_the_box_and_nothing_is_saved(
    clients: tuple[Path, dict[str, tuple[TestClient, str]]],
) -> None:
    state, cs = clients
    anna, ta = cs["anna"]
    anna.post("/invoer/3/claim", data={"csrf": ta})
    r = anna.post("/invoer/3", data=entry_data(ta, "save", **{"voters.poll_cards": "12a"}))
    assert r.status_code == 400 and "geen geheel getal" in r.text and 'value="12a"' in r.text
    svc = Service.open(state, at="t")
    first = svc.entry("3").first
    svc.close()
    assert first is not None and first.report.voters.poll_cards == 0


def test_save_and_resume_keeps_what_was_typed(
    clients: tuple[Path, dict[str, tuple[TestClient, str]]],
) -> None:
    state, cs = clients
    anna, ta = cs["anna"]
    anna.post("/invoer/3/claim", data={"csrf": ta})
    half = {"csrf": ta, "action": "save", "f:voters.poll_cards": "100", "f:voters.proxy_certificates": "5"}
    anna.post("/invoer/3", data=half)
    again = client_for(state)
    login(again, "anna")
    page = again.get("/invoer/3").text
    assert f'id="{dom_id("voters.poll_cards")}" name="f:voters.poll_cards" value="100"' in page
    svc = Service.open(state, at="t")
    assert 0 < svc.status()[2].progress < 100
    svc.close()
    # another typist cannot take over the entry in progress
    bert, tb = cs["bert"]
    r = bert.post("/invoer/3/claim", data={"csrf": tb})
    assert r.status_code == 409 and "getypt door anna; bert kan die niet overnemen" in r.text


def test_discard_returns_the_station_to_empty(
    clients: tuple[Path, dict[str, tuple[TestClient, str]]],
) -> None:
    state, cs = clients
    anna, ta = cs["anna"]
    anna.post("/invoer/2/claim", data={"csrf": ta})
    anna.post("/invoer/2", data={"csrf": ta, "action": "discard"})
    assert state_of(state, "2") == "empty"


def test_progress_and_sums_helpers() -> None:
    from municipality.web import form_view
    from shared.domain.validation import ValidationResults

    report = empty_report("cso_first", [(1, 3), (2, 2)], with_voter_cards=False)
    from tests.municipality_helpers import small_election

    form = build_form("cso_first", small_election().districts[0].lists, voter_cards=False)
    assert progress_of(form, report) == 0
    report.voters.poll_cards = 5
    assert 0 < progress_of(form, report) < 50
    assert sums_of("voters.proxy_certificates") == "abc" and sums_of("lists[1].candidate_votes[0]") == "cand1"
    assert sums_of("votes.ballots_cast") == ""
    view = form_view(form, report, ValidationResults())
    assert [s.key for s in view] == [s.key for s in form.sections]


# ------------------------------------------------------------------------------------------ finalise


def test_finalise_and_download_the_report_510b_and_csv(
    clients: tuple[Path, dict[str, tuple[TestClient, str]]],
) -> None:
    state, cs = clients
    (anna, ta), (bert, tb), (coord, tc) = cs["anna"], cs["bert"], cs["coord"]
    page = coord.get("/coordinator/vaststellen").text
    assert "Nog niet alle stembureaus zijn definitief (3 over)" in page
    for nr in ("1", "2", "3"):
        anna.post(f"/invoer/{nr}/claim", data={"csrf": ta})
        anna.post(f"/invoer/{nr}", data=entry_data(ta, "finalise"))
        bert.post(f"/invoer/{nr}/claim", data={"csrf": tb})
        bert.post(f"/invoer/{nr}", data=entry_data(tb, "finalise"))
        assert state_of(state, nr) == "definitive"
    assert 'data-category="definitive">Definitief: <strong>3</strong>' in coord.get("/coordinator").text
    r = coord.post("/coordinator/vaststellen", data={"csrf": tc, "passphrase": "wrong passphrase!"})
    assert r.status_code == 400 and "Verkeerde wachtzin" in r.text
    r = coord.post("/coordinator/vaststellen", data={"csrf": tc, "passphrase": PASSPHRASE})
    assert r.status_code == 200 and "Zitting 1 is vastgesteld" in r.text
    links = re.findall(r'href="(/coordinator/download/1/[^"]+)"', r.text)
    names = {link.rsplit("/", 1)[1] for link in links}
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".csv") for n in names)
    assert any(n.endswith(".eml.xml") for n in names) and any(n.endswith(".tks") for n in names)
    for link in links:
        got = coord.get(link)
        assert got.status_code == 200 and got.content and "attachment" in got.headers["content-disposition"]
        if link.endswith(".pdf"):
            assert got.content.startswith(b"%PDF")
    assert coord.get("/coordinator/download/1/..%2Fweb-secret").status_code in (400, 404)
    assert anna.get(links[0]).status_code == 403
