"""Plausibility at the municipality coordinator's dashboard and finalise page (issue 16 part 1): the
definitive stations compared with each other before finalising. A station whose paper has two lists' rows
swapped passes double entry (both typists type the same paper) and is shown as advice, in Dutch; finalising
is not held back."""

from __future__ import annotations

from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.testclient import TestClient

from municipality import setup as m_setup
from municipality.plausible import station_advice
from municipality.service import Service, SourceFile
from municipality.web import create_municipality_app
from shared.domain.election import Station, StationId
from shared.domain.station_report import report_from_tally
from shared.domain.tally import ListTally, Tally
from tests.municipality_helpers import small_election
from tests.test_web_support import AT, PASSPHRASE, PW, csrf_of

STATIONS = 8
PLANTED = 5


def _report(seed: int, *, swap: bool = False) -> object:
    one, two = (600 + 7 * seed, (300 + 7 * seed, 200, 100)), (400, (250, 150))
    if swap:  # the rows of lists 1 and 2 exchanged on the paper: every sum still holds
        one, two = (400, (200, 100, 100)), (600 + 7 * seed, (350 + 7 * seed, 250))
    t = Tally(
        poll_cards=995 + 7 * seed,
        proxy_certificates=10,
        admitted_voters=1005 + 7 * seed,
        blank=2,
        invalid=3,
        lists=(ListTally(1, one[0], one[1]), ListTally(2, two[0], two[1])),
    )
    return report_from_tally("cso_first", t, with_voter_cards=False)


def _state(root: Path, definitive: int) -> Path:
    """A municipality of eight stations, the first `definitive` of them entered twice (station 5 swapped)."""
    election = small_election()
    muni = election.municipalities[0]
    stations = tuple(
        Station(id=StationId(f"9999::SB{i}"), number=i, name=f"Buurthuis {i}", postal_code="1234 AB",
                eligible_voters=2000)
        for i in range(1, STATIONS + 1)
    )  # fmt: skip
    election = msgspec.structs.replace(
        election, municipalities=(msgspec.structs.replace(muni, stations=stations),)
    )
    state = root / "state"
    m_setup.initialise(
        state, election, "9999", sources=[SourceFile(kind="110a", name="x.xml", sha256="0" * 64)],
        passphrase=PASSPHRASE.encode(), at=AT, private_key=Ed25519PrivateKey.generate(),
    )  # fmt: skip
    svc = Service.open(state, at="t")
    try:
        svc.add_user("coord", "coordinator", PW, at="t", by="setup")
        for name in ("anna", "bert"):
            svc.add_user(name, "typist", PW, at="t", by="coord")
        for number in range(1, definitive + 1):
            report = _report(number, swap=number == PLANTED)
            for name in ("anna", "bert"):
                user = svc.login(name, PW)
                svc.claim(user, number, at="t")
                svc.save(user, number, report, progress=100, at="t")  # type: ignore[arg-type]
                svc.finalise_entry(user, number, accept_warnings=True, accept_errors=False, at="t")
    finally:
        svc.close()
    return state


def test_the_swapped_station_is_advised_on_and_no_other(tmp_path: Path) -> None:
    state = _state(tmp_path, STATIONS)
    svc = Service.open(state, at="t")
    try:
        assert all(r.state == "definitive" for r in svc.status())
        advice = station_advice(svc)
    finally:
        svc.close()
    assert [a.unit for a in advice] == [str(PLANTED)]
    assert advice[0].detail.startswith(f"stembureau {PLANTED} Buurthuis {PLANTED}: lijst 1 (Partij 1) en ")
    assert "lijst 1 (Partij 1)" in advice[0].detail


def test_the_dashboard_and_the_finalise_page_show_the_advice_without_blocking(tmp_path: Path) -> None:
    state = _state(tmp_path, STATIONS)
    client = TestClient(create_municipality_app(state), follow_redirects=True)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "name": "coord", "password": PW, "next": "/"})
    assert r.status_code == 200
    for page in ("/coordinator", "/coordinator/vaststellen"):
        html = client.get(page).text
        assert "Plausibiliteit (advies)" in html and "houdt het vaststellen niet tegen" in html
        assert f'href="/coordinator/stembureau/{PLANTED}">{PLANTED}</a>' in html
    finalise = client.get("/coordinator/vaststellen").text
    assert 'action="/coordinator/vaststellen"' in finalise  # the form is still there: advice never blocks


def test_too_few_definitive_stations_are_said_so(tmp_path: Path) -> None:
    state = _state(tmp_path, 3)
    svc = Service.open(state, at="t")
    try:
        assert station_advice(svc) == []
    finally:
        svc.close()
    client = TestClient(create_municipality_app(state), follow_redirects=True)
    token = csrf_of(client.get("/login").text)
    client.post("/login", data={"csrf": token, "name": "coord", "password": PW, "next": "/"})
    assert "vergelijken kan vanaf vier definitieve stembureaus" in client.get("/coordinator").text
