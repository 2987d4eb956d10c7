"""Every receiving tier's data handling runs the air-gap check: `scan`, `finalise` and `serve` of the
hoofdstembureau and the central office refuse on a connected machine (exit 5, nothing taken in, signed or
served), and the training override is written to the office's audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import needs_shared
from test_central_fixtures import PASSPHRASE, make_chain, municipal_summary, tks_files
from test_hoofdstembureau_app import enrol_all, init

from shared.adapters import airgap
from shared.adapters.airgap import AirGap, NetworkRoute
from telketen.cli import main

pytestmark = needs_shared
ROUTE = NetworkRoute(interface="eth0", destination="0.0.0.0/0", family="IPv4")


@pytest.fixture
def connected(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A machine with a default route, no override; `serve` records instead of serving."""
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv(airgap.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(airgap, "find_network_routes", lambda *a, **k: AirGap(outside=(ROUTE,)))
    served: list[str] = []
    monkeypatch.setattr("shared.adapters.web.serve", lambda app, host, port: served.append(host))
    return served


def test_a_cable_plugged_in_while_the_desk_serves_stops_every_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offline when `serve` starts; a default route appears later: the next POST is refused with a Dutch 503
    page before the app sees it, pages that only show keep working."""
    from starlette.testclient import TestClient
    from test_central_app import enrolled_council

    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    _, state, _ = enrolled_council(tmp_path)
    monkeypatch.setenv("PW", "a long enough password")
    assert main(["central", "web-user", "add", "op", "--state", str(state), "--password-env", "PW"]) == 0
    monkeypatch.delenv(airgap.ENV_OVERRIDE)
    routes = AirGap()
    monkeypatch.setattr(airgap, "find_network_routes", lambda *a, **k: routes)
    apps: list[object] = []
    monkeypatch.setattr("shared.adapters.web.serve", lambda app, host, port: apps.append(app))
    assert main(["central", "serve", "--state", str(state)]) == 0
    client = TestClient(apps[0])  # type: ignore[arg-type]
    form = {"csrf": "x", "name": "op", "password": "a long enough password"}
    assert client.get("/login").status_code == 200
    assert client.post("/login", data=form).status_code != 503
    routes = AirGap(outside=(ROUTE,))
    r = client.post("/login", data=form)
    assert r.status_code == 503 and "verbonden met een netwerk" in r.text and "0.0.0.0/0 via eth0" in r.text
    assert client.get("/login").status_code == 200


def overrides(state: Path) -> list[tuple[str, str]]:
    db = next(p for p in state.glob("*.sqlite"))
    with sqlite3.connect(db) as conn:
        return [
            (r[0], r[1])
            for r in conn.execute("SELECT user, payload FROM audit_log WHERE action = 'airgap-override'")
        ]


def counted(state: Path) -> int:
    with sqlite3.connect(next(state.glob("*.sqlite"))) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log WHERE action LIKE '%accept%'").fetchone()[0])


def test_the_hoofdstembureau_refuses_scan_finalise_and_serve_on_a_connected_machine(
    tmp_path: Path, connected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = make_chain(tmp_path / "in", national=True)
    district = chain.election.districts[0].id
    state = tmp_path / "hsb"
    monkeypatch.setenv(airgap.ENV_OVERRIDE, "1")  # init and enrol are not data handling; set up first
    assert init(chain, state, district) == 0 and enrol_all(chain, state, district) == 0
    monkeypatch.delenv(airgap.ENV_OVERRIDE)
    assert overrides(state) == []
    code = chain.codes(district)[0]
    files = tks_files(tmp_path, municipal_summary(chain, code))
    before = counted(state)
    assert main(["hsb", "scan", "--state", str(state), *files]) == 5
    assert counted(state) == before
    assert main(["hsb", "finalise", "--state", str(state)]) == 5
    monkeypatch.setenv("PW", "a long enough password")
    assert main(["hsb", "web-user", "add", "op", "--state", str(state), "--password-env", "PW"]) == 0
    assert main(["hsb", "serve", "--state", str(state)]) == 5 and connected == []
    assert main(["hsb", "scan", "--state", str(state), "--allow-network", *files]) == 0
    assert main(["hsb", "serve", "--state", str(state), "--allow-network"]) == 0 and connected == [
        "127.0.0.1"
    ]
    recorded = overrides(state)
    assert [user for user, _ in recorded] == [recorded[0][0], "serve"]
    assert '"routes":["0.0.0.0/0 via eth0 (IPv4)"]' in recorded[0][1]


def test_the_central_office_refuses_scan_finalise_and_serve_on_a_connected_machine(
    tmp_path: Path, connected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_central_app import enrolled_council

    monkeypatch.setenv(airgap.ENV_OVERRIDE, "1")
    chain, state, code = enrolled_council(tmp_path)
    monkeypatch.delenv(airgap.ENV_OVERRIDE)
    files = tks_files(tmp_path, municipal_summary(chain, code))
    assert main(["central", "scan", "--state", str(state), *files]) == 5
    assert main(["central", "finalise", "--state", str(state)]) == 5
    monkeypatch.setenv("PW", "a long enough password")
    assert main(["central", "web-user", "add", "op", "--state", str(state), "--password-env", "PW"]) == 0
    assert main(["central", "serve", "--state", str(state)]) == 5 and connected == []
    assert main(["central", "finalise", "--state", str(state), "--allow-network"]) == 4  # nothing scanned
    assert len(overrides(state)) == 1
