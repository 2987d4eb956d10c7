"""The scanning desks (hoofdstembureau, central) through Starlette's TestClient, on real state folders.

Municipalities are played with real keys and real QR sheets (tests.test_central_fixtures); the desk must
accept a good sheet and show its numbers, refuse an unknown key and say so, list who is in and missing, keep
observers from scanning, and read frames posted by the browser's webcam capture.
"""

from __future__ import annotations

import io
import re
import stat
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from hoofdstembureau import setup as hsb_setup
from hoofdstembureau.office import open_office
from hoofdstembureau.web import create_hsb_app
from shared.adapters import audit
from shared.adapters.pdf import rasterize
from shared.adapters.web import USERS_FILE, UserFile
from shared.domain.keyregister import Role, readable_fingerprint
from shared.formats.eml.hashcode import typed_groups
from shared.formats.signing import open_enrolment
from telketen.cli import main
from tests.test_central_fixtures import (
    PASSPHRASE,
    Chain,
    fingerprint,
    make_authority,
    make_chain,
    municipal_summary,
    sheet,
)
from tests.test_web_support import PW, csrf_of

#: When the offices under test were set up (the command line passes the machine's clock).
SETUP_AT = datetime(2029, 3, 21, 22, 0)


class Desk:
    def __init__(self, chain: Chain, state: Path, district: str) -> None:
        self.chain = chain
        self.state = state
        self.district = district

    @property
    def codes(self) -> list[str]:
        return self.chain.codes(self.district)


def make_hsb_office(chain: Chain, root: Path, district: str) -> Path:
    """A hoofdstembureau of `district` set up and with its municipalities' keys enrolled; its state folder."""
    state = root / "hsb"
    hsb_setup.init(
        state,
        definition=(str(chain.a110), chain.a110.read_bytes()),
        candidates=(str(chain.b230), chain.b230.read_bytes()),
        typed_110a=typed_groups(chain.a110.read_bytes()),
        typed_230b=typed_groups(chain.b230.read_bytes()),
        district_id=district,
        place="Teststad",
        passphrase=PASSPHRASE.encode(),
        user="setup",
        at=SETUP_AT,
    )
    office = open_office(state, "setup")
    messages = [(code, chain.municipalities[code].enrolment) for code in chain.codes(district)]
    fps = [readable_fingerprint(open_enrolment(m, where=c).key_id) for c, m in messages]
    hsb_setup.enrol_messages(office, messages, expected=fps, ask=None, show=lambda r: None)
    office.conn.close()
    return state


def make_hsb(root: Path) -> Desk:
    chain = make_chain(root / "chain", national=True)
    district = chain.election.districts[0].id
    state = make_hsb_office(chain, root, district)
    users = UserFile(state / USERS_FILE, ("operator", "observer"))
    users.add("olga", "operator", PW)
    users.add("otto", "observer", PW)
    return Desk(chain, state, district)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    return make_hsb(tmp_path_factory.mktemp("web-desk"))


def login(client: TestClient, name: str) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": name, "password": PW})
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def test_upload_of_a_real_sheet_is_checked_booked_and_its_numbers_shown(desk: Desk, tmp_path: Path) -> None:
    code = desk.codes[0]
    pdf = sheet(municipal_summary(desk.chain, code), tmp_path / "sheet.pdf")
    c = TestClient(create_hsb_app(desk.state), follow_redirects=True)
    token = login(c, "olga")
    page = c.get("/balie").text
    assert f'data-code="{code}"' in page and "ontbreekt" in page
    r = c.post(
        "/balie/upload",
        data={"csrf": token},
        files=[("files", ("sheet.pdf", pdf.read_bytes(), "application/pdf"))],
    )
    assert r.status_code == 200
    assert 'data-outcome="accept"' in r.text
    total = desk.chain.total(code)
    shown = f"{total.admitted_voters:,}".replace(",", ".")
    assert f'<th scope="row">D toegelaten kiezers</th><td class="num">{shown}</td>' in r.text
    assert '<th scope="row">C kiezerspassen</th>' in r.text  # provincial states: box C exists
    row = re.search(rf'<tr class="state-(\w+)" data-code="{code}">', r.text)
    assert row and row.group(1) == "in"
    office = open_office(desk.state, "t")
    assert code in office.book().received_in
    users = {ev.user for ev in audit.events(office.conn) if ev.action == "summary_accept"}
    office.conn.close()
    assert users == {"olga"}  # the audit log names the web user who scanned
    again = c.post(
        "/balie/upload",
        data={"csrf": token},
        files=[("files", ("sheet.pdf", pdf.read_bytes(), "application/pdf"))],
    )
    assert 'data-outcome="duplicate"' in again.text


def test_a_sheet_from_an_unknown_key_is_refused_and_listed(desk: Desk, tmp_path: Path) -> None:
    code = desk.codes[-1]
    stranger = make_authority(Role.MUNICIPALITY, code, "Nep", desk.chain.election.id, desk.district, seed=99)
    chain = desk.chain
    real = chain.municipalities[code]
    chain.municipalities[code] = stranger
    try:
        message = municipal_summary(chain, code)
    finally:
        chain.municipalities[code] = real
    c = TestClient(create_hsb_app(desk.state), follow_redirects=True)
    token = login(c, "olga")
    r = c.post(
        "/balie/upload",
        data={"csrf": token},
        files=[("files", ("nep.tks", message, "application/octet-stream"))],
    )
    assert 'data-outcome="refuse"' in r.text and "Geweigerd" in r.text
    assert "nep.tks" in r.text.split("Geweigerd</h2>")[1]  # listed under the refused sheets
    status = c.get("/status")
    assert "data-live" in status.text and "nep.tks" in status.text


def test_files_that_are_no_scan_are_named(desk: Desk) -> None:
    c = TestClient(create_hsb_app(desk.state), follow_redirects=True)
    token = login(c, "olga")
    r = c.post(
        "/balie/upload", data={"csrf": token}, files=[("files", ("notes.txt", b"hello", "text/plain"))]
    )
    assert "notes.txt: geen scan" in r.text
    r = c.post(
        "/balie/upload", data={"csrf": token}, files=[("files", ("leeg.png", b"\x89PNG broken", "image/png"))]
    )
    assert r.status_code == 200 and "leeg.png: geen leesbare afbeelding of PDF" in r.text
    assert "/tmp/" not in r.text


def test_observer_sees_the_status_but_cannot_scan(desk: Desk) -> None:
    c = TestClient(create_hsb_app(desk.state), follow_redirects=True)
    token = login(c, "otto")
    assert c.get("/status").status_code == 200
    page = c.get("/balie").text
    assert "/balie/upload" not in page
    r = c.post(
        "/balie/upload", data={"csrf": token}, files=[("files", ("x.tks", b"x", "application/octet-stream"))]
    )
    assert r.status_code == 403


def test_webcam_frames_posted_by_the_browser_complete_a_summary(tmp_path: Path) -> None:
    desk = make_hsb(tmp_path)
    code = desk.codes[1]
    pdf = sheet(municipal_summary(desk.chain, code), tmp_path / "sheet.pdf")
    page = rasterize(pdf.read_bytes(), 150, where="sheet")[0]
    buf = io.BytesIO()
    page.convert("L").save(buf, format="PNG")
    c = TestClient(create_hsb_app(desk.state), follow_redirects=True)
    token = login(c, "olga")
    blank = io.BytesIO()
    Image.new("L", (320, 240), 255).save(blank, format="PNG")
    r = c.post(
        "/balie/camera", data={"csrf": token}, files=[("frame", ("f.png", blank.getvalue(), "image/png"))]
    )
    assert r.json()["done"] is False and "nog geen QR-code" in r.json()["progress"]
    r = c.post(
        "/balie/camera", data={"csrf": token}, files=[("frame", ("f.png", buf.getvalue(), "image/png"))]
    )
    assert r.json()["done"] is True and r.json()["items"] == 1
    assert 'data-outcome="accept"' in c.get("/balie").text
    r = c.post(
        "/balie/camera", data={"csrf": token}, files=[("frame", ("f.png", b"not an image", "image/png"))]
    )
    assert r.status_code == 400


def test_central_desk_serves_the_same_desk(tmp_path: Path) -> None:
    from central import setup as csb_setup
    from central.web import create_central_app

    chain = make_chain(tmp_path / "chain", national=False)
    state = tmp_path / "csb"
    csb_setup.init(
        state,
        definition=(str(chain.a110), chain.a110.read_bytes()),
        candidates=(str(chain.b230), chain.b230.read_bytes()),
        typed_110a=typed_groups(chain.a110.read_bytes()),
        typed_230b=typed_groups(chain.b230.read_bytes()),
        place="Teststad",
        passphrase=PASSPHRASE.encode(),
        user="setup",
        at=SETUP_AT,
    )
    UserFile(state / USERS_FILE, ("operator", "observer")).add("olga", "operator", PW)
    c = TestClient(create_central_app(state), follow_redirects=True)
    token = login(c, "olga")
    code = chain.codes()[0]
    r = c.post(
        "/balie/upload",
        data={"csrf": token},
        files=[("files", ("s.tks", municipal_summary(chain, code), "application/octet-stream"))],
    )
    assert 'data-outcome="refuse"' in r.text  # its key was never enrolled at the central office
    assert f'data-code="{code}"' in r.text
    tke = tmp_path / "m.tke"
    tke.write_bytes(chain.municipalities[code].enrolment)
    fp = fingerprint(chain.municipalities[code].enrolment)
    assert main(["central", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 0
    r = c.post(
        "/balie/upload",
        data={"csrf": token},
        files=[("files", ("s.tks", municipal_summary(chain, code), "application/octet-stream"))],
    )
    assert 'data-outcome="accept"' in r.text
    assert '<th scope="row">D toegelaten kiezers</th>' in r.text
    assert "kiezerspassen" not in r.text  # a municipal council has no box C (Kieswet K 6)


def test_refused_and_accepted_logins_at_the_desk_are_in_the_office_audit_log(desk: Desk) -> None:
    c = TestClient(create_hsb_app(desk.state))
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"csrf": token, "name": "olga", "password": "wrong password"})
    assert r.status_code == 401
    login(c, "otto")
    office = open_office(desk.state, "test")
    rows = [
        (e.user, e.action, e.data()) for e in audit.events(office.conn) if e.action.startswith("web-login")
    ]
    office.conn.close()
    assert rows[-2:] == [
        ("web", "web-login-failed", {"name": "olga", "address": "testclient", "reason": "wrong"}),
        ("otto", "web-login", {"role": "observer"}),
    ]
    private = [*desk.state.glob("*.sqlite"), *desk.state.glob("*.key"), desk.state / USERS_FILE]
    assert len(private) >= 4  # the office state, the sessions, the key, the users
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in private} == {p.name: 0o600 for p in private}
