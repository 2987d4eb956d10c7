"""The hoofdstembureau app end to end: init → enrol → scan real QR sheets → status → finalise → publish.

The municipalities are played with the real key, summary, signing, 510 and sheet APIs (test_central_fixtures);
the app is driven through `telketen hsb …` exactly as an operator's script would. Refused sheets (unknown key,
other election, other district, replayed older summary, corrigendum that does not name its predecessor, a
flipped bit) must be refused, recorded in the audit log, never counted, and make the scan exit non-zero. Time
and keys are passed in: the same clock, key and input give the same published bytes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import needs_shared
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_central_fixtures import (
    PASSPHRASE,
    Chain,
    Ticking,
    fingerprint,
    make_authority,
    make_chain,
    municipal_summary,
    recounted,
    sheet,
    signed_summary,
    tks_files,
)

from hoofdstembureau import finalise as hsb_finalise
from hoofdstembureau import publish as hsb_publish
from hoofdstembureau import setup as hsb_setup
from hoofdstembureau.office import Office, open_office
from hoofdstembureau.receive import receive_message
from hoofdstembureau.report import o3_data
from shared.adapters import audit
from shared.domain.keyregister import Role
from shared.domain.tally import add_tallies, compare_tallies
from shared.formats.eml.hashcode import typed_groups
from shared.formats.eml.read import read_510
from shared.formats.manifest import MANIFEST_FILE, open_manifest
from shared.formats.signing import message_digest, open_enrolment, open_signed
from shared.formats.summary import tally_from_counts
from telketen.cli import main


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return make_chain(tmp_path_factory.mktemp("hsb-input"), national=True)


def init(chain: Chain, state: Path, district: str, *extra: str) -> int:
    return main(
        ["hsb", "init", "--state", str(state), "--definition", str(chain.a110),
         "--candidates", str(chain.b230), "--district", district, "--place", "Arnhem",
         "--hash-110a", typed_groups(chain.a110.read_bytes()),
         "--hash-230b", typed_groups(chain.b230.read_bytes()), *extra]
    )  # fmt: skip


def enrol_all(chain: Chain, state: Path, district: str) -> int:
    files, fps = [], []
    for code in chain.codes(district):
        path = chain.folder / f"{code}.tke"
        path.write_bytes(chain.municipalities[code].enrolment)
        files.append(str(path))
        fps += ["--expect-fingerprint", fingerprint(chain.municipalities[code].enrolment)]
    return main(["hsb", "enrol", "--state", str(state), *files, *fps])


def db(state: Path) -> sqlite3.Connection:
    return sqlite3.connect(next(state.glob("*.hsb.sqlite")))


def actions(state: Path) -> list[str]:
    with db(state) as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


@pytest.fixture(scope="module")
def finalised(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """District 1 taken through the whole flow with scanned sheets: (state, published folder, district)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    base = tmp_path_factory.mktemp("hsb-flow")
    district = chain.election.districts[0].id
    state, published = base / "state", base / "published"
    assert init(chain, state, district) == 0
    assert enrol_all(chain, state, district) == 0
    pdfs = [str(sheet(municipal_summary(chain, c), base / f"{c}.pdf")) for c in chain.codes(district)]
    assert main(["hsb", "scan", "--state", str(state), *pdfs]) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 0
    assert main(["hsb", "publish", "--state", str(state), "--out", str(published)]) == 0
    mp.undo()
    return state, published, district


def test_district_total_is_the_sum_of_the_scanned_municipal_summaries(
    chain: Chain, finalised: tuple[Path, Path, str]
) -> None:
    _, published, district = finalised
    folder = published / f"HSB{district}"
    message = (folder / "summary.tks").read_bytes()
    record = open_enrolment((folder / "key.tke").read_bytes())
    key = Ed25519PublicKey.from_public_bytes(record.public_key)
    _, summary = open_signed(message, lambda kid: key if kid == record.key_id else None)
    expected = add_tallies((c, chain.total(c)) for c in chain.codes(district))
    assert tally_from_counts(summary.counts) == expected
    assert summary.role is Role.HOOFDSTEMBUREAU and summary.authority_id == f"HSB{district}"
    assert summary.phase == 0 and summary.supersedes == b""
    # the hash tree: every municipal summary consumed, by digest, and the 510c by its SHA-256
    consumed = {c.authority_id: c.digest for c in summary.children}
    for code in chain.codes(district):
        assert consumed[code] == message_digest((published / code / "summary.tks").read_bytes())
    (eml_path,) = folder.glob("Telling_*_kieskring_*.eml.xml")
    eml = eml_path.read_bytes()
    assert summary.eml_sha256 == hashlib.sha256(eml).digest()
    count = read_510(eml)
    assert count.message_id == "510c"
    assert compare_tallies("510c", expected, count.total.tally) == []  # zero explanations read back as 0
    assert [u.id for u in count.units] == chain.codes(district)


def test_published_layout(finalised: tuple[Path, Path, str], chain: Chain) -> None:
    _, published, district = finalised
    names = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    hsb = f"HSB{district}"
    assert {f"{hsb}/summary.tks", f"{hsb}/key.tke"} <= names
    assert any(n.startswith(f"{hsb}/Telling_") for n in names)
    assert any(n.startswith(f"{hsb}/Model_O3_") and n.endswith(".pdf") for n in names)
    assert {f"definition/{chain.a110.name}", f"definition/{chain.b230.name}"} <= names
    for code in chain.codes(district):
        assert {f"{code}/summary.tks", f"{code}/key.tke"} <= names
    assert (published / "definition" / chain.a110.name).read_bytes() == chain.a110.read_bytes()
    # last, the signed manifest of every file this publish wrote (docs/verify.md § What a person reads)
    public = Ed25519PublicKey.from_public_bytes(
        open_enrolment((published / hsb / "key.tke").read_bytes()).public_key
    )
    _, manifest = open_manifest((published / hsb / MANIFEST_FILE).read_bytes(), lambda kid: public)
    assert {e.path for e in manifest.files} == names - {f"{hsb}/{MANIFEST_FILE}"}


def test_publish_with_a_wrong_passphrase_publishes_nothing(
    finalised: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, _, _ = finalised
    monkeypatch.setenv("TELKETEN_PASSPHRASE", "not the passphrase")
    assert main(["hsb", "publish", "--state", str(state), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


@needs_shared
def test_510c_validates_against_the_xsd(finalised: tuple[Path, Path, str]) -> None:
    from shared.formats.eml.schema import validate

    _, published, district = finalised
    (eml,) = (published / f"HSB{district}").glob("Telling_*.eml.xml")
    assert validate(eml.read_bytes()) == []


def test_o3_pdf_says_what_it_must(chain: Chain, finalised: tuple[Path, Path, str]) -> None:
    _, published, district = finalised
    (pdf_path,) = (published / f"HSB{district}").glob("Model_O3_*.pdf")
    (eml,) = (published / f"HSB{district}").glob("Telling_*.eml.xml")
    doc = pdfium.PdfDocument(pdf_path.read_bytes())
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Model O 3" in text
    assert "Proces-verbaal van het hoofdstembureau" in text
    assert "Ondertekening leden hoofdstembureau" in text
    total = add_tallies((c, chain.total(c)) for c in chain.codes(district))
    assert f"{total.ballots_cast:,}".replace(",", ".") in text
    groups = hashlib.sha256(eml.read_bytes()).hexdigest().upper()
    assert " ".join(groups[i : i + 4] for i in range(0, 64, 4)) in text
    for code in chain.codes(district):
        assert code in text
    assert "QR-blad 1/1" in text  # the signed summary is printed with the report


def test_audit_log_is_intact_and_records_the_flow(finalised: tuple[Path, Path, str]) -> None:
    state, _, _ = finalised
    assert main(["hsb", "audit", "--state", str(state), "--verify"]) == 0
    acts = actions(state)
    assert acts[0] == "init" and acts.count("key_enrolled") == 2 and acts.count("summary_accept") == 2
    assert "finalised" in acts and acts[-1] == "published"
    with db(state) as conn:
        assert audit.verify_audit(conn) == []


# ------------------------------------------------------------------------------------------ refusals


@pytest.fixture
def office(chain: Chain, tmp_path: Path) -> tuple[Path, str]:
    district = chain.election.districts[0].id
    state = tmp_path / "state"
    assert init(chain, state, district) == 0
    assert enrol_all(chain, state, district) == 0
    return state, district


def scan(state: Path, *messages: bytes, folder: Path) -> int:
    return main(["hsb", "scan", "--state", str(state), *tks_files(folder, *messages)])


def counted(state: Path) -> dict[str, str]:
    with db(state) as conn:
        rows = conn.execute(
            "SELECT authority_id, digest, stage, outcome FROM received ORDER BY seq"
        ).fetchall()
    book: dict[str, str] = {}
    for who, digest, stage, outcome in rows:
        if stage == "intake" and outcome in ("accept", "replace"):
            book[who] = digest
    return book


def test_unknown_key_is_refused_logged_and_not_counted(
    chain: Chain, office: tuple[Path, str], tmp_path: Path
) -> None:
    state, district = office
    code = chain.codes(district)[0]
    stranger = make_authority(Role.MUNICIPALITY, code, "Vals", chain.election.id, district, seed=999)
    claims_to_be_code = signed_summary(
        stranger, election_id=chain.election.id, district_id=district, total=chain.total(code), eml=b"x"
    )
    genuine = municipal_summary(chain, code)
    key_id_swapped = genuine[:4] + bytes(16) + genuine[20:]  # a key id nobody enrolled
    assert scan(state, claims_to_be_code, folder=tmp_path) == 3
    assert scan(state, key_id_swapped, folder=tmp_path) == 3
    assert counted(state) == {}
    assert actions(state).count("summary_refused") == 2
    with db(state) as conn:
        reasons = [r[0] for r in conn.execute("SELECT reason FROM received")]
    assert any("unknown key" in r for r in reasons)


def test_other_election_and_other_district_are_refused(
    chain: Chain, office: tuple[Path, str], tmp_path: Path
) -> None:
    state, district = office
    code = chain.codes(district)[0]
    other_district = chain.election.districts[1].id
    assert scan(state, municipal_summary(chain, code, election_id="PS2029_Limburg"), folder=tmp_path) == 3
    assert scan(state, municipal_summary(chain, code, district_id=other_district), folder=tmp_path) == 3
    assert counted(state) == {}
    with db(state) as conn:
        reasons = " | ".join(r[0] for r in conn.execute("SELECT reason FROM received"))
    assert "election PS2029_Limburg" in reasons and f"district {other_district}" in reasons


def test_a_refusal_is_one_error_line_on_stderr(
    office: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`scan notes.txt` (issue 15): the refusal is one error line in the one format, on stderr."""
    state, _ = office
    notes = tmp_path / "notes.txt"
    notes.write_text("hi\n")
    capsys.readouterr()
    assert main(["hsb", "scan", "--state", str(state), str(notes)]) == 3
    out, err = capsys.readouterr()
    assert "refused" not in out and "notes.txt" not in out
    assert f"telketen: error: {notes}: refused: 3 bytes is too short" in err


def test_a_flipped_bit_is_refused(chain: Chain, office: tuple[Path, str], tmp_path: Path) -> None:
    state, district = office
    good = bytearray(municipal_summary(chain, chain.codes(district)[0]))
    good[40] ^= 0x01
    assert scan(state, bytes(good), folder=tmp_path) == 3
    assert counted(state) == {}


def test_corrigendum_chain(chain: Chain, office: tuple[Path, str], tmp_path: Path) -> None:
    state, district = office
    code = chain.codes(district)[0]
    first = municipal_summary(chain, code)
    assert scan(state, first, folder=tmp_path) == 0
    assert scan(state, first, folder=tmp_path) == 0  # the same sheet again: a duplicate, not a refusal
    total = chain.total(code)
    fixed_total = recounted(total, blank=1)
    unnamed = municipal_summary(chain, code, phase=1, total=fixed_total, supersedes=b"\x01" * 32)
    assert scan(state, unnamed, folder=tmp_path) == 3  # does not name the accepted summary
    assert counted(state)[code] == message_digest(first).hex()
    named = municipal_summary(chain, code, phase=1, total=fixed_total, supersedes=message_digest(first))
    assert scan(state, named, folder=tmp_path) == 0
    assert counted(state)[code] == message_digest(named).hex()
    assert scan(state, first, folder=tmp_path) == 3  # the older summary replayed
    assert counted(state)[code] == message_digest(named).hex()
    acts = actions(state)
    assert acts.count("summary_duplicate") == 1 and acts.count("summary_replace") == 1
    assert acts.count("summary_refuse") == 2


def test_finalise_refuses_until_complete_then_a_corrigendum_supersedes(
    chain: Chain, office: tuple[Path, str], tmp_path: Path
) -> None:
    state, district = office
    codes = chain.codes(district)
    assert scan(state, municipal_summary(chain, codes[0]), folder=tmp_path) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 4  # a municipality is missing
    assert scan(state, municipal_summary(chain, codes[1]), folder=tmp_path) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 4  # nothing changed
    with db(state) as conn:
        (first_digest,) = conn.execute("SELECT digest FROM outputs WHERE phase = 0").fetchone()
    total = chain.total(codes[1])
    fixed = recounted(total, invalid=2)
    first_msg = municipal_summary(chain, codes[1])
    corr = municipal_summary(chain, codes[1], phase=1, total=fixed, supersedes=message_digest(first_msg))
    assert scan(state, corr, folder=tmp_path) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 0
    with db(state) as conn:
        (signed,) = conn.execute("SELECT signed_message FROM outputs WHERE phase = 1").fetchone()
    record = open_enrolment((state / "key.tke").read_bytes())
    key = Ed25519PublicKey.from_public_bytes(record.public_key)
    _, summary = open_signed(bytes(signed), lambda kid: key)
    assert summary.phase == 1 and summary.supersedes.hex() == first_digest
    assert summary.counts.invalid == sum(chain.total(c).invalid for c in codes) + 2


# ------------------------------------------------------------------------------------------ time and keys


def run_district(chain: Chain, root: Path, *, start: datetime, key: Ed25519PrivateKey) -> Path:
    """One district through the app's service functions on a given clock and key; its published folder."""
    district = chain.election.districts[0].id
    clock, state, published = Ticking(start), root / "state", root / "published"
    a110, b230 = chain.a110.read_bytes(), chain.b230.read_bytes()
    hsb_setup.init(
        state, definition=(chain.a110.name, a110), candidates=(chain.b230.name, b230),
        typed_110a=typed_groups(a110), typed_230b=typed_groups(b230), district_id=district, place="Arnhem",
        passphrase=PASSPHRASE.encode(), user="t", at=clock(), private_key=key,
    )  # fmt: skip
    office = Office.open(state, "t", clock=clock)
    try:
        codes = chain.codes(district)
        enrolments = [(c, chain.municipalities[c].enrolment) for c in codes]
        expected = [fingerprint(m) for _, m in enrolments]
        hsb_setup.enrol_messages(office, enrolments, expected=expected, ask=None, show=lambda r: None)
        for code in codes:
            assert not receive_message(office, code, municipal_summary(chain, code)).refused
        hsb_finalise.finalise(office, passphrase=PASSPHRASE.encode())
        hsb_publish.publish(office, published, PASSPHRASE.encode())
    finally:
        office.conn.close()
    return published / f"HSB{district}"


def test_the_same_clock_key_and_input_publish_the_same_bytes(chain: Chain, tmp_path: Path) -> None:
    night = datetime(2029, 3, 22, 1, 0, 0)
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    first = run_district(chain, tmp_path / "a", start=night, key=key)
    again = run_district(chain, tmp_path / "b", start=night, key=key)
    names = sorted(p.name for p in first.iterdir())
    assert {"summary.tks", "key.tke"} <= set(names) and any(n.startswith("Telling_") for n in names)
    assert any(n.startswith("Model_O3_") for n in names)
    for name in names:  # the signed summary, the key record, the 510c, and the O 3 PDF too
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
    sheet_pdf = Path("state") / hsb_setup.SHEET_FILE  # the enrolment sheet, dated by `at`
    assert (tmp_path / "b" / sheet_pdf).read_bytes() == (tmp_path / "a" / sheet_pdf).read_bytes()
    # … and they are the clock's and the key's, not the machine's:
    record = open_enrolment((first / "key.tke").read_bytes())
    assert record.created_at == "2029-03-22T01:00:05" and record.public_key == bytes(
        key.public_key().public_bytes_raw()
    )
    _, summary = open_signed(
        (first / "summary.tks").read_bytes(),
        lambda kid: key.public_key() if kid == record.key_id else None,
    )
    assert summary.issued_at.startswith("2029-03-22T01:")
    (eml,) = first.glob("Telling_*.eml.xml")
    assert read_510(eml.read_bytes()).created == summary.issued_at
    other_key = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    later = run_district(chain, tmp_path / "c", start=night + timedelta(hours=1), key=other_key)
    for name in ("summary.tks", "key.tke", eml.name):
        assert (later / name).read_bytes() != (first / name).read_bytes(), name


# ------------------------------------------------------------------------------------------ setup errors


def test_init_refuses_a_wrong_hash_group_and_leaves_nothing(chain: Chain, tmp_path: Path) -> None:
    state = tmp_path / "state"
    good = typed_groups(chain.a110.read_bytes())
    wrong = ("0000" if good[:4] != "0000" else "1111") + good[4:]
    code = main(
        ["hsb", "init", "--state", str(state), "--definition", str(chain.a110),
         "--candidates", str(chain.b230), "--district", chain.election.districts[0].id, "--place", "X",
         "--hash-110a", wrong,
         "--hash-230b", typed_groups(chain.b230.read_bytes())]
    )  # fmt: skip
    assert code == 3
    assert not list(state.glob("*.sqlite")) if state.exists() else True


def test_init_refuses_an_unknown_district(chain: Chain, tmp_path: Path) -> None:
    assert init(chain, tmp_path / "s", "17") == 2


def test_enrol_refuses_a_wrong_fingerprint_and_a_municipality_of_another_district(
    chain: Chain, tmp_path: Path
) -> None:
    district = chain.election.districts[0].id
    state = tmp_path / "state"
    assert init(chain, state, district) == 0
    code = chain.codes(district)[0]
    tke = tmp_path / "m.tke"
    tke.write_bytes(chain.municipalities[code].enrolment)
    assert (
        main(["hsb", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", "0000 0000 0000 0000"])
        == 3
    )
    other = chain.codes(chain.election.districts[1].id)[0]
    tke.write_bytes(chain.municipalities[other].enrolment)
    fp = fingerprint(chain.municipalities[other].enrolment)
    assert main(["hsb", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 2
    with db(state) as conn:
        assert conn.execute("SELECT COUNT(*) FROM register").fetchone()[0] == 0


def test_o3_data_formats_in_dutch(chain: Chain) -> None:
    from datetime import datetime

    district = chain.election.districts[0].id
    total = add_tallies((c, chain.total(c)) for c in chain.codes(district))
    data = o3_data(
        chain.election, district, total, place="Arnhem", at=datetime(2029, 3, 22, 10, 5, 7),
        eml_sha256="ab" * 32, consumed=[], audit_head="",
    )  # fmt: skip
    assert data["session_date"] == "donderdag 22 maart 2029"
    assert data["generated"] == "22-03-2029 10:05:07"
    assert data["hash_upper"].startswith("ABAB ABAB ")
    assert data["ballots"] == f"{total.ballots_cast:,}".replace(",", ".")
    assert sum(len(lst["candidates"]) for lst in data["lists"]) == sum(
        len(lst.candidates) for lst in chain.election.district(district).lists
    )


# ------------------------------------------------------------------------------------------ fuzz


@pytest.fixture(scope="module")
def fuzz_office(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> Office:
    mp = pytest.MonkeyPatch()
    mp.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    state = tmp_path_factory.mktemp("hsb-fuzz") / "state"
    district = chain.election.districts[0].id
    assert init(chain, state, district) == 0
    assert enrol_all(chain, state, district) == 0
    mp.undo()
    return open_office(state, "fuzz")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_or_random_messages_are_refused_never_counted(
    chain: Chain, fuzz_office: Office, data: st.DataObject
) -> None:
    """Outside input: whatever bytes a scan yields, the app refuses them with a reason and counts nothing."""
    genuine = municipal_summary(chain, chain.codes(fuzz_office.district_id)[0])
    kind = data.draw(st.sampled_from(["random", "flip", "truncate", "extend"]))
    if kind == "random":
        message = data.draw(st.binary(max_size=300))
    elif kind == "flip":
        i = data.draw(st.integers(0, len(genuine) - 1))
        bit = data.draw(st.integers(0, 7))
        message = genuine[:i] + bytes([genuine[i] ^ (1 << bit)]) + genuine[i + 1 :]
    elif kind == "truncate":
        message = genuine[: data.draw(st.integers(0, len(genuine) - 1))]
    else:
        message = genuine + data.draw(st.binary(min_size=1, max_size=20))
    item = receive_message(fuzz_office, "fuzz", message)
    assert item.refused, item.text
    assert fuzz_office.book().received_in == ()
