"""The municipal app's command line: init with the typed hash check, users, scripted and interactive entry,
the air gap, finalise, audit — and a kill -9 in the middle of typing that loses nothing saved."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest
from rich.console import Console

from municipality import setup
from municipality.service import Service, User
from municipality.terminal_entry import resume_point, run_terminal
from shared.adapters import airgap, audit
from shared.adapters.airgap import NetworkRoute
from shared.adapters.web_airgap import AirGapGuard
from shared.domain import double_entry as de
from shared.domain.station_report import StationReport, report_from_tally
from shared.domain.tally import ListTally, Tally
from shared.domain.validation import get_field
from shared.errors import IntegrityError
from shared.formats.eml.read import read_510
from station.entry import encode_report
from station.form import build_form
from telketen.cli import main
from tests.conftest import EML_SAMPLES, REPO, needs_shared

pytestmark = needs_shared
JUINEN = EML_SAMPLES / "juinen"
DEF = JUINEN / "eml110a_verkiezingsdefinitie-juinen.eml.xml"
CAND = JUINEN / "eml230b_kandidatenlijsten-juinen.eml.xml"
STAT = JUINEN / "eml110b_stembureaulijst-juinen.eml.xml"
# the two groups the operator types (positions derived from the digest; values from Hashcodes-Juinen.txt)
GROUPS_110A = ["45e2", "61db"]
GROUPS_230B = ["802d", "0b8e"]
PW = "correct horse battery"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", "passphrase for tests")
    monkeypatch.setenv("TELKETEN_PASSWORD", PW)
    monkeypatch.setenv("PW", PW)
    monkeypatch.delenv("TELKETEN_ALLOW_NETWORK", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def init_args(g110a: list[str] = GROUPS_110A, g230b: list[str] = GROUPS_230B) -> list[str]:
    return [
        "municipality", "init", "--state", "st", "--definition", str(DEF), "--candidates", str(CAND),
        "--stations", str(STAT), "--hash-110a", *g110a, "--hash-230b", *g230b,
    ]  # fmt: skip


def initialised(env: Path) -> Path:
    assert main(init_args()) == 0
    m = ["municipality"]
    assert (
        main(
            [*m, "user", "add", "coord", "--role", "coordinator", "--state", "st", "--new-password-env", "PW"]
        )
        == 0
    )
    for name in ("anna", "bert"):
        args = [*m, "user", "add", name, "--role", "typist", "--state", "st", "--as", "coord"]
        assert main([*args, "--new-password-env", "PW"]) == 0
    return env / "st"


def a_report(svc: Service, seed: int) -> StationReport:
    lists = tuple(ListTally(n, sum(range(c)) + seed, (seed, *range(1, c))) for n, c in svc.lists_shape)
    e = sum(lst.votes for lst in lists)
    t = Tally(
        poll_cards=e + 2,
        proxy_certificates=3,
        admitted_voters=e + 5,
        blank=2,
        invalid=1,
        fewer_ballots=2,
        lists=lists,
    )
    return report_from_tally("cso_first", t, with_voter_cards=False)


def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(airgap, "find_network_routes", lambda *a, **k: airgap.AirGap())


def test_init_refuses_a_wrong_typed_group_and_writes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(init_args(g110a=["45e2", "61dc"])) == 3
    assert "does not match the file" in capsys.readouterr().err
    assert not (env / "st").exists()
    assert main(init_args(g230b=["802d", "zz"])) == 2
    assert "4 hex digits" in capsys.readouterr().err


def test_init_takes_the_electorate_from_the_110b_maxvotes(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Juinen's 110b: MaxVotes 3,353, stations 1, 2 and 3: the municipality's Z is 3,353 (it printed 6), and
    the stations' numbers, which do not add up to it, are dropped with a note, not silently."""
    assert main(init_args()) == 0
    out = capsys.readouterr().out
    assert "electorate 3353 (110b MaxVotes)" in out
    assert "the 110b's stations add up to 6 eligible voters, the municipality has 3353" in out
    svc = Service.open(env / "st", at="t")
    assert svc.municipality.electorate == 3353 and svc.municipality.eligible_voters() == 3353
    assert {s.eligible_voters for s in svc.municipality.stations} == {None}
    svc.close()


def test_init_electorate_entered_corrects_the_110b(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*init_args(), "--electorate", "3.360"]) == 0
    assert "electorate 3360 (entered)" in capsys.readouterr().out
    svc = Service.open(env / "st", at="t")
    assert svc.municipality.electorate == 3360
    svc.close()


@pytest.mark.parametrize("value", ["veel", "-5", "1000000000", "3,5"])
def test_init_refuses_an_electorate_that_is_no_number(
    env: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert main([*init_args(), "--electorate", value]) == 2
    err = capsys.readouterr().err
    assert "--electorate" in err and "is not a number of voters" in err and len(err.strip().splitlines()) == 1
    assert not (env / "st").exists()


def test_init_without_groups_and_without_a_terminal_says_what_to_give(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = init_args()
    cut = args.index("--hash-110a")
    assert main(args[:cut] + args[cut + 3 :]) == 2
    assert "give --hash-110a G1 G2" in capsys.readouterr().err


def test_whole_session_through_the_cli(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = initialised(env)
    assert {p.suffix for p in state.iterdir()} >= {".sqlite", ".key", ".pdf", ".tke"}
    no_network(monkeypatch)
    svc = Service.open(state, at="t")
    m = ["municipality"]
    for st in svc.municipality.stations:
        path = env / f"r{st.number}.json"
        path.write_bytes(encode_report(a_report(svc, st.number)))
        for user in ("anna", "bert"):
            rc = main(
                [
                    *m,
                    "entry",
                    str(st.number),
                    "--user",
                    user,
                    "--from",
                    str(path),
                    "--state",
                    "st",
                    "--accept-warnings",
                ]
            )
            assert rc == 0
    out = capsys.readouterr().out
    assert "entry 2 finalised → Definitief" in out
    assert main([*m, "status", "--state", "st"]) == 0
    assert "Definitief: 3" in capsys.readouterr().out
    assert main([*m, "finalise", "--out", "uit", "--user", "coord", "--state", "st"]) == 0
    pdf = pdfium.PdfDocument(next((env / "uit").glob("Model_Na31-2_*.pdf")).read_bytes())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "3.353 Z Kiesgerechtigden" in text  # the 110b's MaxVotes, not the stations' 1 + 2 + 3
    written = read_510(next((env / "uit").glob("Telling_*.eml.xml")).read_bytes())
    assert written.total.tally.eligible_voters == 3353
    assert [u.tally.eligible_voters for u in written.units] == [0, 0, 0]
    assert main([*m, "audit", "--verify", "--state", "st"]) == 0
    assert "audit log intact" in capsys.readouterr().out
    assert main([*m, "finalise", "--out", "uit2", "--user", "coord", "--state", "st"]) == 4  # StateError
    assert main([*m, "resolve", "1", "--user", "anna", "--keep-first", "--state", "st"]) == 4
    # a next session: one investigation, closed as not corrected, needs no entry (docs/municipality.md)
    c = ["--user", "coord", "--state", "st"]
    assert main([*m, "session", "new", *c]) == 0
    assert main([*m, "investigate", "2", "--reason", "Controle op verzoek van het CSB", *c]) == 0
    capsys.readouterr()
    assert main([*m, "investigate-close", "3", "--findings", "x", "--corrected", "no", *c]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "OZ.1" in err and "Traceback" not in err
    assert main([*m, "finalise", "--out", "uit3", *c]) == 4  # OZ.3: still open
    assert main([*m, "investigate-close", "2", "--findings", "Klopt", "--corrected", "no", *c]) == 0
    assert main([*m, "investigations", "--state", "st"]) == 0
    assert "Klopt" in capsys.readouterr().out
    assert main([*m, "finalise", "--out", "uit3", *c]) == 0
    assert list((env / "uit3").glob("Model_P2a_*.pdf")) and list((env / "uit3").glob("Model_Na14-2_*.pdf"))
    svc.close()


def test_wrong_password_and_wrong_role_are_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    initialised(env)
    no_network(monkeypatch)
    monkeypatch.setenv("TELKETEN_PASSWORD", "not the password")
    assert main(["municipality", "entry", "1", "--user", "anna", "--from", "x.json", "--state", "st"]) == 2
    assert "unknown user or wrong password" in capsys.readouterr().err
    svc = Service.open(env / "st", at="t")
    failed = [(e.user, e.data()) for e in audit.events(svc.conn) if e.action == "login-failed"]
    svc.close()
    assert failed == [("cli", {"name": "anna"})]
    monkeypatch.setenv("TELKETEN_PASSWORD", PW)
    assert main(["municipality", "entry", "1", "--user", "coord", "--from", "x.json", "--state", "st"]) == 4
    assert (
        main(["municipality", "entry", "1", "--user", "anna", "--from", "missing.json", "--state", "st"]) == 2
    )
    assert "missing.json: file not found" in capsys.readouterr().err


def test_air_gap_refuses_entry_on_a_connected_machine(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = initialised(env)
    route = NetworkRoute(interface="wlan0", destination="0.0.0.0/0", family="IPv4")
    monkeypatch.setattr(airgap, "find_network_routes", lambda *a, **k: airgap.AirGap(outside=(route,)))
    svc = Service.open(state, at="t")
    (env / "r.json").write_bytes(encode_report(a_report(svc, 1)))
    args = ["municipality", "entry", "1", "--user", "anna", "--from", "r.json", "--state", "st"]
    assert main(args) == 5
    assert "connected to a network" in capsys.readouterr().err
    assert svc.entry("1").state == "empty"  # nothing was claimed
    assert main([*args, "--allow-network"]) == 0
    last = [e for e in audit.events(svc.conn) if e.action == "airgap-override"]
    assert last and last[0].data() == {
        "routes": ["0.0.0.0/0 via wlan0 (IPv4)"],
        "local": [],
        "unreadable": None,
    }
    assert main(["municipality", "finalise", "--out", "uit", "--user", "coord", "--state", "st"]) == 5
    assert not (env / "uit").exists()
    serve_args = ["municipality", "serve", "--state", "st"]
    served: list[object] = []
    monkeypatch.setattr("municipality.web.serve", lambda app, host, port: served.append(app))
    assert main(serve_args) == 5 and served == []
    assert main([*serve_args, "--allow-network"]) == 0 and isinstance(served[0], AirGapGuard)
    assert [e.user for e in audit.events(svc.conn) if e.action == "airgap-override"] == ["anna", "serve"]
    svc.close()


def test_the_audit_command_reports_a_tampered_log(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = initialised(env)
    db = next(state.glob("*.sqlite"))
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq = 3")
    conn.commit()
    conn.close()
    assert main(["municipality", "audit", "--verify", "--state", "st"]) == 3
    assert "removed" in capsys.readouterr().out


def type_report(report: StationReport, paths: list[str]) -> list[str]:
    """What a typist keys for these boxes: counts as digits, ticks as x / n."""
    out = []
    for path in paths:
        value = get_field(report, path)
        out.append(("x" if value else "n") if isinstance(value, bool) else str(value))
    return out


def test_the_terminal_form_saves_every_box_and_finalises(env: Path) -> None:
    state = initialised(env)
    svc = Service.open(state, at="t")
    anna = User("anna", "typist")
    station = svc.station(1)
    report = a_report(svc, 1)
    form = build_form("cso_first", svc.district.lists, voter_cards=False)
    lines = iter([*type_report(report, form.paths()), "j", "j"])
    claimed = svc.claim(anna, "1", at="t")
    console = Console(file=open(os.devnull, "w"), width=100)  # noqa: SIM115
    rc = run_terminal(
        svc,
        anna,
        station,
        claimed,
        accept=False,
        stamp=lambda: "t",
        read_line=lambda p: next(lines),
        console=console,
    )
    assert rc == 0
    entry = svc.entry("1")
    assert entry.state == "first_entry_finalised" and entry.first is not None
    assert entry.first.report == report
    saves = [e for e in audit.events(svc.conn) if e.action == "entry-save"]
    assert len(saves) == len(form.paths())  # one transaction per box
    svc.close()


def test_resume_point() -> None:
    paths = [f"p{i}" for i in range(10)]
    assert resume_point(paths, 0) is None
    assert resume_point(paths, 30) == "p3"
    assert resume_point(paths, 100) == "p9"


def test_kill_9_during_entry_loses_nothing_saved(env: Path) -> None:
    state = initialised(env)
    svc = Service.open(state, at="t")
    form = build_form("cso_first", svc.district.lists, voter_cards=False)
    report = a_report(svc, 4)
    n = 12
    keys = type_report(report, form.paths()[:n])
    proc_env = {**os.environ, "TELKETEN_ALLOW_NETWORK": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "telketen", "municipality", "entry", "2", "--user", "anna", "--state", "st"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=proc_env,
        cwd=env,
    )
    assert proc.stdin is not None
    for line in keys:
        proc.stdin.write(line.encode() + b"\n")
    proc.stdin.flush()  # the process now waits for box n+1, forever
    deadline = time.monotonic() + 120
    saves = 0
    while time.monotonic() < deadline:
        saves = sum(1 for e in audit.events(svc.conn) if e.action == "entry-save")
        if saves >= n or proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"the entry process ended early: {proc.stderr.read().decode() if proc.stderr else ''}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert saves == n
    entry = svc.entry("2")
    assert entry.state == "first_entry_in_progress" and entry.first is not None
    for path, typed in zip(form.paths()[:n], keys, strict=True):
        assert get_field(entry.first.report, path) == get_field(report, path), (path, typed)
    assert audit.verify_audit(svc.conn) == []
    # the same typist resumes where she stopped
    claimed = svc.claim(User("anna", "typist"), "2", at="t")
    assert claimed.report == entry.first.report
    assert msgspec.json.encode(claimed.report) == msgspec.json.encode(entry.first.report)
    assert de.STATE_LABELS_NL[svc.entry("2").state] == "Eerste invoer bezig"
    svc.close()


def test_confirm_hash_asks_for_the_two_blanked_groups() -> None:
    data = DEF.read_bytes()
    asked: list[str] = []
    answers = iter(["45E2 ", "61db"])  # typed with a stray space and upper case: still accepted

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    setup.confirm_hash("110a", DEF, data, None, ask=ask)
    assert "____" in asked[0] and "45e2" not in asked[0]  # the screen never shows the groups to type
    wrong = iter(["45e2", "0000"])
    with pytest.raises(IntegrityError, match="does not match the file"):
        setup.confirm_hash("110a", DEF, data, None, ask=lambda p: next(wrong))


def test_a_definitive_report_edited_in_the_state_file_is_not_signed(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """+100 votes on a list in a definitive report, written with sqlite3 (the audit chain stays intact):
    `audit --verify` and `finalise` compare each definitive report with its last recorded save and refuse."""
    state = initialised(env)
    no_network(monkeypatch)
    svc = Service.open(state, at="t")
    for st in svc.municipality.stations:
        report = a_report(svc, st.number)
        for name in ("anna", "bert"):
            user = svc.login(name, PW)
            svc.claim(user, st.id, at="t")
            svc.save(user, st.id, report, progress=100, at="t")
            svc.finalise_entry(user, st.id, accept_warnings=True, at="t")
    station = svc.municipality.stations[1]
    svc.close()
    assert main(["municipality", "audit", "--verify", "--state", "st"]) == 0
    capsys.readouterr()
    conn = sqlite3.connect(next(state.glob("*.sqlite")))
    (blob,) = conn.execute("SELECT state FROM data_entries WHERE station = ?", (station.id,)).fetchone()
    entry = msgspec.json.decode(blob)
    entry["first"]["report"]["votes"]["list_votes"][0] += 100
    entry["first"]["report"]["lists"][0]["total"] += 100
    entry["first"]["report"]["lists"][0]["candidate_votes"][0] += 100
    conn.execute(
        "UPDATE data_entries SET state = ? WHERE station = ?", (msgspec.json.encode(entry), station.id)
    )
    conn.commit()
    conn.close()
    assert main(["municipality", "audit", "--verify", "--state", "st"]) == 3
    out = capsys.readouterr().out
    assert f"station {station.id}, session 1" in out and "changed outside the program" in out
    assert main(["municipality", "finalise", "--out", "uit", "--user", "coord", "--state", "st"]) == 3
    assert f"station {station.id}" in capsys.readouterr().err
    assert not (env / "uit").exists()
