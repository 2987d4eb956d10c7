"""The municipality's service layer on a small election: double entry, coordinator, sessions, corrigendum."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from hashlib import sha256
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality import setup
from municipality.prefill import next_session_form
from municipality.service import Service, SourceFile, User
from shared.adapters import audit
from shared.domain.station_report import StationReport
from shared.errors import InputError, StateError
from shared.formats.eml.read import read_510
from shared.formats.manifest import MANIFEST_FILE, open_manifest
from shared.formats.signing import open_signed
from tests.municipality_helpers import good_report, small_election

PW = "correct horse battery"
AT = datetime(2026, 3, 19, 22, 15, 0)


class World:
    def __init__(self, svc: Service, key: Ed25519PrivateKey, root: Path) -> None:
        self.svc = svc
        self.key = key
        self.root = root
        self.coord = User("coord", "coordinator")  # authenticated at the edge; login is tested on its own
        self.anna = User("anna", "typist")
        self.bert = User("bert", "typist")
        self.cees = User("cees", "typist")

    def enter(self, user: User, station: str, report: StationReport, **kw: bool) -> str:
        self.svc.claim(user, station, at="t")
        self.svc.save(user, station, report, progress=100, at="t")
        return self.svc.finalise_entry(user, station, at="t", **kw).state

    def enter_all(self) -> None:
        for i in (1, 2, 3):
            self.enter(self.anna, str(i), good_report(i))
            assert self.enter(self.bert, str(i), good_report(i)) == "definitive"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ed25519PrivateKey]:
    """One initialised state with users (key, sheet and scrypt are the slow part), copied per test."""
    root = tmp_path_factory.mktemp("template")
    key = Ed25519PrivateKey.generate()
    setup.initialise(
        root / "state",
        small_election(),
        "9999",
        sources=[SourceFile(kind="110a", name="x.xml", sha256="0" * 64)],
        passphrase=b"passphrase for tests",
        at=AT,
        private_key=key,
    )
    svc = Service.open(root / "state", at="t")
    svc.add_user("coord", "coordinator", PW, at="t", by="setup")
    for name in ("anna", "bert", "cees"):
        svc.add_user(name, "typist", PW, at="t", by="coord")
    svc.close()
    return root / "state", key


@pytest.fixture
def world(tmp_path: Path, template: tuple[Path, Ed25519PrivateKey]) -> Iterator[World]:
    shutil.copytree(template[0], tmp_path / "state")
    svc = Service.open(tmp_path / "state", at="t")
    yield World(svc, template[1], tmp_path)
    svc.close()


def test_setup_wrote_key_sheet_and_state(world: World) -> None:
    names = sorted(p.name for p in (world.root / "state").iterdir())
    assert "GR2026_Proefdorp-9999.key" in names and "GR2026_Proefdorp-9999-sleutelregistratie.pdf" in names
    assert (
        (world.root / "state" / "GR2026_Proefdorp-9999-sleutelregistratie.pdf")
        .read_bytes()
        .startswith(b"%PDF")
    )
    assert world.svc.current_session() == 1
    with pytest.raises(StateError, match="already exists"):
        Service.create(world.root / "state", small_election(), "9999", sources=[], at="t")


def test_create_refuses_an_unknown_municipality(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="municipality 0001 is not in this election"):
        Service.create(tmp_path, small_election(), "0001", sources=[], at="t")


def test_create_names_the_110b_of_a_municipality_without_stations(tmp_path: Path) -> None:
    election = small_election()
    bare = msgspec.structs.replace(election.municipalities[0], stations=())
    sources = [SourceFile(kind="110b", name="Stembureaus_9999.eml.xml", sha256="0" * 64)]
    with pytest.raises(
        InputError, match=r"^Stembureaus_9999\.eml\.xml: the municipality has no polling stations"
    ):
        Service.create(tmp_path, election.with_municipality(bare), bare.code, sources=sources, at="t")


def test_users_passwords_and_roles(world: World) -> None:
    assert world.svc.login("anna", PW) == world.anna
    with pytest.raises(InputError, match="unknown user or wrong password"):
        world.svc.login("anna", "wrong password")
    with pytest.raises(InputError, match="unknown user or wrong password"):
        world.svc.login("nobody", PW)
    with pytest.raises(StateError, match="already exists"):
        world.svc.add_user("anna", "typist", PW, at="t", by="coord")
    with pytest.raises(InputError, match="role"):
        world.svc.add_user("dirk", "admin", PW, at="t", by="coord")
    stored = world.svc.conn.execute("SELECT password_hash FROM users WHERE name='anna'").fetchone()[0]
    assert stored.startswith("scrypt$") and PW not in stored
    with pytest.raises(StateError, match="only typists enter numbers"):
        world.svc.claim(world.coord, "1", at="t")
    world.enter(world.anna, "1", good_report())
    with pytest.raises(StateError, match="only a coordinator"):
        world.svc.reset(world.anna, "1", at="t")
    with pytest.raises(StateError, match="coordinator"):
        world.svc.new_session(world.anna, at="t")


def test_station_lookup(world: World) -> None:
    assert world.svc.station("2").id == world.svc.station("9999::SB2").id == world.svc.station("SB2").id
    with pytest.raises(InputError, match="no polling station '7'"):
        world.svc.station(7)


def test_double_entry_by_two_typists_becomes_definitive(world: World) -> None:
    assert world.enter(world.anna, "1", good_report()) == "first_entry_finalised"
    with pytest.raises(StateError, match="must be by a different user"):
        world.svc.claim(world.anna, "1", at="t")
    claimed = world.svc.claim(world.bert, "1", at="t")
    assert claimed.entry_number == 2
    assert claimed.report.voters.poll_cards == 0  # the second typist does not see the first entry
    world.svc.save(world.bert, "1", good_report(), progress=100, at="t")
    assert world.svc.finalise_entry(world.bert, "1", at="t").state == "definitive"
    assert world.svc.definitive_report(world.svc.station(1)) == good_report()


def test_a_save_is_durable_and_resumable(world: World) -> None:
    world.svc.claim(world.anna, "1", at="t")
    half = good_report()
    half.lists[1].candidate_votes = [0, 0]
    world.svc.save(world.anna, "1", half, progress=60, at="t")
    other = Service.open(world.root / "state", at="t")  # another process
    claimed = other.claim(world.anna, "1", at="t")
    assert claimed.report == half and claimed.progress == 60
    with pytest.raises(StateError, match="claimed by anna"):
        other.claim(world.bert, "1", at="t")
    other.close()


def test_different_entries_go_to_the_coordinator_who_keeps_one(world: World) -> None:
    world.enter(world.anna, "2", good_report())
    world.svc.claim(world.bert, "2", at="t")
    world.svc.save(world.bert, "2", good_report(5), progress=100, at="t")
    findings = world.svc.findings(world.bert, "2")
    w001 = [r for r in findings.warnings if r.code == "W.001"]
    assert w001 and "voters.poll_cards" in w001[0].fields
    with pytest.raises(StateError, match=r"W\.001"):
        world.svc.finalise_entry(world.bert, "2", at="t")
    assert (
        world.svc.finalise_entry(world.bert, "2", accept_warnings=True, at="t").state == "entries_different"
    )
    assert [s.needs_coordinator for s in world.svc.status()] == [False, True, False]
    with pytest.raises(StateError, match="only a coordinator"):
        world.svc.resolve(world.anna, "2", "keep-first", at="t")
    assert world.svc.resolve(world.coord, "2", "keep-second", at="t").state == "first_entry_finalised"
    assert world.svc.entry("2").first is not None and world.svc.entry("2").first.typist == "bert"  # type: ignore[union-attr]
    assert world.enter(world.cees, "2", good_report(5)) == "definitive"


def test_return_differing_fields_for_correction(world: World) -> None:
    world.enter(world.anna, "3", good_report())
    world.enter(world.bert, "3", good_report(1), accept_warnings=True)
    entry = world.svc.resolve(world.coord, "3", "return-to-second", at="t")
    assert entry.state == "second_entry_correction"
    claimed = world.svc.claim(world.bert, "3", at="t")
    assert claimed.correction_fields and claimed.report.voters.poll_cards == 0  # blanked, to re-key
    assert "W.002" in world.svc.findings(world.bert, "3").codes()
    world.svc.save(world.bert, "3", good_report(), progress=100, at="t")
    assert world.svc.finalise_entry(world.bert, "3", at="t").state == "definitive"


def test_first_entry_with_errors_waits_for_the_coordinator(world: World) -> None:
    bad = good_report()
    bad.voters.admitted_voters += 1  # F.201 and friends
    world.svc.claim(world.anna, "1", at="t")
    world.svc.save(world.anna, "1", bad, progress=100, at="t")
    with pytest.raises(StateError, match=r"F\.201"):
        world.svc.finalise_entry(world.anna, "1", at="t")
    after = world.svc.finalise_entry(world.anna, "1", accept_errors=True, accept_warnings=True, at="t")
    assert after.state == "first_entry_has_errors"
    with pytest.raises(StateError, match="waits for the coordinator"):
        world.svc.claim(world.bert, "1", at="t")
    assert world.svc.resolve(world.coord, "1", "resume-first", at="t").state == "first_entry_in_progress"
    world.svc.save(world.anna, "1", good_report(), progress=100, at="t")
    assert world.svc.finalise_entry(world.anna, "1", at="t").state == "first_entry_finalised"
    assert world.svc.reset(world.coord, "1", at="t").state == "empty"


def test_every_change_is_an_audit_event_with_its_transition(world: World) -> None:
    before = audit.head(world.svc.conn)[0]
    world.enter(world.anna, "1", good_report())
    evs = audit.events(world.svc.conn, since=before)
    assert [e.action for e in evs] == ["entry-claim", "entry-save", "entry-finalise"]
    assert [(e.data()["from"], e.data()["to"]) for e in evs] == [
        ("empty", "first_entry_in_progress"),
        ("first_entry_in_progress", "first_entry_in_progress"),
        ("first_entry_in_progress", "first_entry_finalised"),
    ]
    assert all(e.user == "anna" for e in evs) and len(evs[1].data()["report_sha256"]) == 64
    with pytest.raises(StateError):
        world.svc.claim(world.anna, "1", at="t")
    assert audit.head(world.svc.conn)[0] == before + 3  # a refused action leaves no trace in the state or log
    assert audit.verify_audit(world.svc.conn) == []


def test_finalise_refuses_until_every_station_is_definitive(world: World) -> None:
    world.enter(world.anna, "1", good_report())
    with pytest.raises(StateError, match=r"not every station is definitive in session 1: 1 .*, 2 .*, 3"):
        setup.finalise(world.svc, world.coord, world.root / "out", world.key, at=AT)
    assert not (world.root / "out").exists()


def test_finalise_then_a_corrigendum_that_supersedes_it(world: World) -> None:
    world.enter_all()
    with pytest.raises(InputError, match="not the municipality's enrolled key"):
        setup.finalise(world.svc, world.coord, world.root / "out", Ed25519PrivateKey.generate(), at=AT)
    with pytest.raises(StateError, match="coordinator"):
        setup.finalise(world.svc, world.anna, world.root / "out", world.key, at=AT)
    first = setup.finalise(world.svc, world.coord, world.root / "out1", world.key, at=AT)
    assert first.phase == 0
    files = sorted(p.name for p in (world.root / "out1").iterdir())
    assert files == [
        "Hashcodes.txt",
        "Model_Na31-2_GR2026_Proefdorp_9999.pdf",
        "Telling_GR2026_Proefdorp.eml.xml",
        "key.tke",
        "manifest.tkm",
        "osv4-3_telling_gr2026_proefdorp.csv",
        "summary.tks",
    ]
    count = read_510((world.root / "out1" / "Telling_GR2026_Proefdorp.eml.xml").read_bytes())
    assert count.total.tally.admitted_voters == sum(105 + i for i in (1, 2, 3))
    assert count.total.tally.eligible_voters == 2700
    # the session is closed: numbers only change in a next session
    with pytest.raises(StateError, match="session 1 is finalised"):
        world.svc.reset(world.coord, "1", at="t")
    with pytest.raises(StateError, match="already finalised"):
        setup.finalise(world.svc, world.coord, world.root / "outx", world.key, at=AT)
    with pytest.raises(StateError, match="session new"):
        world.svc.investigate(world.coord, "2", "recount", at="t")
    assert world.svc.new_session(world.coord, at="t") == 2
    with pytest.raises(StateError, match="still open"):
        world.svc.new_session(world.coord, at="t")
    world.svc.investigate(world.coord, "2", "Hertel lijst 1 op verzoek van het CSB", at="t")
    with pytest.raises(StateError, match="already under investigation"):
        world.svc.investigate(world.coord, "2", "again", at="t")
    assert [s.station.number for s in world.svc.status()] == [2]
    claimed = world.svc.claim(world.anna, "2", at="t")
    assert claimed.report.model == "cso_next"
    assert claimed.report == next_session_form(good_report(2))
    assert claimed.report.voters.poll_cards == good_report(2).voters.poll_cards  # pre-filled
    assert not claimed.report.differences.equal  # ticks cleared, to be answered anew
    corrected = msgspec.structs.replace(claimed.report)
    corrected.lists[0].candidate_votes = [30, 22, 10]  # two votes moved from candidate 1 to candidate 2
    corrected.differences.equal = True
    world.svc.save(world.anna, "2", corrected, progress=100, at="t")
    world.svc.finalise_entry(world.anna, "2", at="t")
    world.svc.claim(world.bert, "2", at="t")
    world.svc.save(world.bert, "2", corrected, progress=100, at="t")
    assert world.svc.finalise_entry(world.bert, "2", at="t").state == "definitive"
    with pytest.raises(StateError, match=r"OZ\.3"):
        setup.finalise(world.svc, world.coord, world.root / "out2", world.key, at=AT)
    world.svc.close_investigation(world.coord, "2", "Twee stemmen bij de verkeerde kandidaat", True, at="t")
    second = setup.finalise(world.svc, world.coord, world.root / "out2", world.key, at=AT)
    assert second.phase == 1
    signed = (world.root / "out2" / "summary.tks").read_bytes()
    _, summary = open_signed(signed, lambda kid: world.key.public_key())
    assert summary.phase == 1 and summary.supersedes.hex() == first.digest
    assert summary.counts.lists[0].candidate_votes == [31 + 30 + 33, 20 + 22 + 20, 30]
    pdf = (world.root / "out2" / "Model_Na14-2_GR2026_Proefdorp_9999.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert audit.verify_audit(world.svc.conn) == []
    # the corrigendum's manifest still vouches for the Na 31-2 it leaves published, not what it replaced
    public = world.key.public_key()
    _, listed = open_manifest((world.root / "out2" / MANIFEST_FILE).read_bytes(), lambda kid: public)
    na31_2 = "9999/Model_Na31-2_GR2026_Proefdorp_9999.pdf"
    by_path = {e.path: e for e in listed.files}
    assert by_path[na31_2].sha256 == sha256((world.root / "out1" / na31_2[5:]).read_bytes()).digest()
    assert by_path["9999/summary.tks"].sha256 == sha256(signed).digest()
    out2 = {p.name for p in (world.root / "out2").iterdir()} - {MANIFEST_FILE}
    assert {p.rpartition("/")[2] for p in by_path} == out2 | {na31_2[5:]}


def test_finalise_publishes_only_files_imported_at_init(world: World) -> None:
    """`finalise --publish` (its 110b): a file of that name with other bytes, or never imported, is refused
    before anything is written or signed (the demo publishes a real one: tests/test_verify_manifest.py)."""
    world.enter_all()
    for name in ("x.xml", "Stembureaus_9999.eml.xml"):
        with pytest.raises(InputError, match="not a file imported at init"):
            setup.finalise(
                world.svc, world.coord, world.root / "out", world.key, at=AT, also={name: b"<EML/>"}
            )
    assert not (world.root / "out").exists() and not world.svc.session_finalised(1)


def test_finalise_refuses_a_folder_with_earlier_output(world: World) -> None:
    world.enter_all()
    out = world.root / "out"
    out.mkdir()
    (out / "Model_Na31-2_GR2026_Proefdorp_9999.pdf").write_bytes(b"old")
    with pytest.raises(StateError, match="choose an empty folder"):
        setup.finalise(world.svc, world.coord, out, world.key, at=AT)
    assert (out / "Model_Na31-2_GR2026_Proefdorp_9999.pdf").read_bytes() == b"old"
    assert not world.svc.session_finalised(1)


def test_a_next_session_without_investigations_has_nothing_to_correct(world: World) -> None:
    world.enter_all()
    setup.finalise(world.svc, world.coord, world.root / "out1", world.key, at=AT)
    world.svc.new_session(world.coord, at="t")
    with pytest.raises(StateError, match="nothing to correct"):
        setup.finalise(world.svc, world.coord, world.root / "out2", world.key, at=AT)
