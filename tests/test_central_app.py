"""The central polling office end to end, for both shapes of the chain.

- Municipal council (GR): the central office scans the municipality's sheet directly, records a deceased
  candidate, computes seats and candidates, writes 510d, 520, P 22-2 and the results site.
- Several districts (PS2 here; the Tweede Kamer has the same shape with 20): two hoofdstembureaus run by the
  hoofdstembureau app scan the municipalities and print O 3 with its QR pages; the central office scans those
  O 3 PDFs, writes P 22-1, and `telketen verify` checks the whole published folder.
- Lots: the app never draws; without an outcome it stops and says which lot, `--lot N` completes it, and the
  lots are in the audit log.
- Refused sheets (unknown key, other election, other district, replayed older summary, corrigendum that does
  not name its predecessor) are recorded, never counted, and make the scan exit 3.
- Time and keys are passed in: the same clock, key and input give the same published bytes; the central
  summary's district is its key's (`""`), not the contest id (`geen`).
"""

from __future__ import annotations

import hashlib
import html
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest
from conftest import needs_shared
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from test_central_fixtures import (
    PASSPHRASE,
    Chain,
    Ticking,
    fingerprint,
    make_authority,
    make_chain,
    municipal_summary,
    publish_municipality,
    recounted,
    sheet,
    signed_summary,
    tks_files,
)

from central import finalise as central_finalise
from central import publish as central_publish
from central import setup as central_setup
from central.finalise import result_view
from central.office import DISTRICT_ID, Office
from central.receive import receive_message
from shared.adapters.keyfiles import load_signing_key
from shared.domain.election import District
from shared.domain.keyregister import Role
from shared.domain.tally import ListTally, Tally
from shared.errors import StateError
from shared.formats.eml.definition_writer import write_230b
from shared.formats.eml.hashcode import typed_groups
from shared.formats.eml.read import read_510, read_520
from shared.formats.signing import message_digest, open_enrolment, open_signed, sign_summary
from shared.formats.summary import Summary, encode_summary
from telketen.cli import main


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)


def hashes(chain: Chain) -> list[str]:
    return [
        "--hash-110a",
        typed_groups(chain.a110.read_bytes()),
        "--hash-230b",
        typed_groups(chain.b230.read_bytes()),
    ]


def central_init(chain: Chain, state: Path) -> int:
    return main(
        ["central", "init", "--state", str(state), "--definition", str(chain.a110),
         "--candidates", str(chain.b230), "--place", "Den Haag", *hashes(chain)]
    )  # fmt: skip


def pdf_text(path: Path) -> str:
    doc = pdfium.PdfDocument(path.read_bytes())
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def audit_actions(state: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:
        return [(r[0], r[1]) for r in conn.execute("SELECT action, payload FROM audit_log ORDER BY seq")]


# ------------------------------------------------------------------------------------------ municipal council


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chain, Path, Path]:
    mp = pytest.MonkeyPatch()
    mp.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    base = tmp_path_factory.mktemp("gr")
    chain = make_chain(base / "in", national=False)
    state, published = base / "csb", base / "published"
    (code,) = chain.codes()
    assert central_init(chain, state) == 0
    tke = base / "m.tke"
    tke.write_bytes(chain.municipalities[code].enrolment)
    fp = fingerprint(chain.municipalities[code].enrolment)
    assert main(["central", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 0
    message = municipal_summary(chain, code)
    publish_municipality(chain, code, published, message)
    assert main(["central", "scan", "--state", str(state), str(sheet(message, base / "gsb.pdf"))]) == 0
    assert main(["central", "finalise", "--state", str(state)]) == 0
    assert main(["central", "publish", "--state", str(state), "--out", str(published)]) == 0
    mp.undo()
    return chain, state, published


def enrolled_council(tmp_path: Path, seed: int = 7) -> tuple[Chain, Path, str]:
    chain = make_chain(tmp_path / "in", national=False, seed=seed)
    (code,) = chain.codes()
    state = tmp_path / "csb"
    assert central_init(chain, state) == 0
    tke = tmp_path / "m.tke"
    tke.write_bytes(chain.municipalities[code].enrolment)
    fp = fingerprint(chain.municipalities[code].enrolment)
    assert main(["central", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 0
    return chain, state, code


def test_council_result_files(council: tuple[Chain, Path, Path]) -> None:
    chain, _, published = council
    csb = published / "CSB"
    names = sorted(p.name for p in csb.iterdir())
    assert "summary.tks" in names and "key.tke" in names
    (r520,) = csb.glob("Resultaat_*.eml.xml")
    (t510,) = csb.glob("Totaaltelling_*.eml.xml")
    result = read_520(r520.read_bytes())
    assert sum(result.seats().values()) == chain.election.seats
    count = read_510(t510.read_bytes())
    assert count.message_id == "510d"
    assert count.total.tally.votes_on_lists == chain.total(chain.codes()[0]).votes_on_lists


@needs_shared
def test_council_510d_and_520_validate(council: tuple[Chain, Path, Path]) -> None:
    from shared.formats.eml.schema import validate

    _, _, published = council
    for path in (published / "CSB").glob("*.eml.xml"):
        assert validate(path.read_bytes()) == [], path.name


def test_p22_2_pdf_says_what_it_must(council: tuple[Chain, Path, Path]) -> None:
    _, _, published = council
    (pdf,) = (published / "CSB").glob("Model_P22-2_*.pdf")
    text = pdf_text(pdf)
    for needle in (
        "Centraal Stembureau",
        "Verslag, uitslag en zetelverdeling – Model P 22-2",
        "2.5 Kiesdeler",
        "2.7 Restzetels",
        "Gekozen kandidaten in alfabetische volgorde",
        "Deel 3 - Ondertekening",
        "Bijlage 1",
    ):
        assert needle in text, needle
    (r520,) = (published / "CSB").glob("Resultaat_*.eml.xml")
    digest = hashlib.sha256(r520.read_bytes()).hexdigest()
    assert " ".join(digest[i : i + 4] for i in range(0, 64, 4)) in text  # the 520's hash, as Abacus prints


def test_site_links_every_file_with_its_hash(council: tuple[Chain, Path, Path]) -> None:
    chain, _, published = council
    site = published / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "http" not in index  # nothing loaded from elsewhere
    bars = re.findall(r'<span class="bar-seats">(\d+)</span>', index)
    assert sum(map(int, bars)) == chain.election.seats
    files = (site / "bestanden.html").read_text(encoding="utf-8")
    row = r'<a href="([^"]+)">([^<]+)</a></th><td>[^<]+</td><td class="num">[^<]*</td><td class="hash">(\w+)'
    rows = re.findall(row, files)
    listed = {html.unescape(path) for _, path, _ in rows}
    on_disk = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    # every file but the site and the central office's manifest, which is signed after the site is built
    assert listed == {p for p in on_disk if not p.startswith("site/") and p != "CSB/manifest.tkm"}
    for href, path, sha in rows:
        target = (site / html.unescape(href)).resolve()
        assert target == (published / html.unescape(path)).resolve()
        assert hashlib.sha256(target.read_bytes()).hexdigest() == sha
    for lst in chain.election.districts[0].lists:
        assert (site / f"lijst-{lst.number}.html").is_file()
    assert (site / f"gebied-{chain.codes()[0]}.html").is_file()


def test_council_verifies(council: tuple[Chain, Path, Path]) -> None:
    _, _, published = council
    assert main(["verify", str(published)]) == 0


def test_deceased_candidate_is_left_out_and_stated(tmp_path: Path) -> None:
    chain, state, code = enrolled_council(tmp_path)
    tks = tmp_path / "m.tks"
    tks.write_bytes(municipal_summary(chain, code))
    assert main(["central", "scan", "--state", str(state), str(tks)]) == 0
    assert main(["central", "deceased", "--state", str(state), "99", "1"]) == 2  # no such list
    assert main(["central", "deceased", "--state", str(state), "1", "1"]) == 0
    assert main(["central", "deceased", "--state", str(state), "1", "1"]) == StateError.exit_code  # twice
    assert main(["central", "finalise", "--state", str(state)]) == 0
    out = state / "output"
    (r520,) = out.glob("Resultaat_*.eml.xml")
    result = read_520(r520.read_bytes())
    assert result.seats().get(1, 0) >= 1  # list 1 still has its seats …
    assert all(not (e.list_number == 1 and e.candidate.position == 1) for e in result.elected)  # … not for 1
    (pdf,) = out.glob("Model_P22-2_*.pdf")
    assert "artikel P 19a" in pdf_text(pdf)
    assert any(a == "deceased" for a, _ in audit_actions(state))
    assert main(["central", "deceased", "--state", str(state), "2", "1"]) == StateError.exit_code  # too late


# ------------------------------------------------------------------------------------------ several districts


def qr_pages(report: Path, out: Path) -> Path:
    """Only the QR sheet pages of a printed report (what an operator feeds to the scanner separately)."""
    doc = pdfium.PdfDocument(report.read_bytes())
    pages = [i for i in range(len(doc)) if "QR-blad" in doc[i].get_textpage().get_text_range()]
    new = pdfium.PdfDocument.new()
    new.import_pages(doc, pages)
    new.save(str(out))
    return out


@pytest.fixture(scope="module")
def provincial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chain, Path, Path]:
    """Municipalities → two hoofdstembureaus (the HSB app) → central, all on paper (PDF scans)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    base = tmp_path_factory.mktemp("ps")
    chain = make_chain(base / "in", national=True)
    published = base / "published"
    o3: list[str] = []
    hsb_keys: list[Path] = []
    for d in chain.election.districts:
        st = base / f"hsb{d.id}"
        assert main(
            ["hsb", "init", "--state", str(st), "--definition", str(chain.a110),
             "--candidates", str(chain.b230), "--district", d.id, "--place", "Arnhem", *hashes(chain)]
        ) == 0  # fmt: skip
        tkes, fps = [], []
        for code in chain.codes(d.id):
            tke = base / f"{code}.tke"
            tke.write_bytes(chain.municipalities[code].enrolment)
            tkes.append(str(tke))
            fps += ["--expect-fingerprint", fingerprint(chain.municipalities[code].enrolment)]
        assert main(["hsb", "enrol", "--state", str(st), *tkes, *fps]) == 0
        sheets = []
        for code in chain.codes(d.id):
            message = municipal_summary(chain, code)
            publish_municipality(chain, code, published, message)
            sheets.append(str(sheet(message, base / f"{code}.pdf")))
        assert main(["hsb", "scan", "--state", str(st), *sheets]) == 0
        assert main(["hsb", "finalise", "--state", str(st)]) == 0
        assert main(["hsb", "publish", "--state", str(st), "--out", str(published)]) == 0
        (report,) = (st / "output").glob("Model_O3_*.pdf")
        # the first district's whole report is scanned as printed; of the other only its QR sheet (faster)
        o3.append(str(report) if not o3 else str(qr_pages(report, base / f"qr{d.id}.pdf")))
        hsb_keys.append(st / "key.tke")
    state = base / "csb"
    assert central_init(chain, state) == 0
    fps = [x for k in hsb_keys for x in ("--expect-fingerprint", fingerprint(k.read_bytes()))]
    assert main(["central", "enrol", "--state", str(state), *map(str, hsb_keys), *fps]) == 0
    assert main(["central", "scan", "--state", str(state), *o3]) == 0  # the O 3 reports as printed
    assert main(["central", "finalise", "--state", str(state)]) == 0
    assert main(["central", "publish", "--state", str(state), "--out", str(published)]) == 0
    mp.undo()
    return chain, state, published


def test_provincial_chain_verifies(provincial: tuple[Chain, Path, Path]) -> None:
    _, _, published = provincial
    assert main(["verify", str(published)]) == 0


def test_provincial_p22_1_and_drill_down(provincial: tuple[Chain, Path, Path]) -> None:
    chain, _, published = provincial
    (pdf,) = (published / "CSB").glob("Model_P22-1_*.pdf")
    text = pdf_text(pdf)
    assert "Model P 22-1" in text and "Ontvangen uitslagen per kieskring" in text
    site = published / "site"
    for d in chain.election.districts:
        page = (site / f"gebied-HSB{d.id}.html").read_text(encoding="utf-8")
        for code in chain.codes(d.id):
            assert f'href="gebied-{code}.html"' in page  # kieskring → municipality
            municipality = (site / f"gebied-{code}.html").read_text(encoding="utf-8")
            assert "Stembureaus" in municipality  # municipality → its stations (from its published 510b)


def test_tampered_publication_fails_verify(provincial: tuple[Chain, Path, Path], tmp_path: Path) -> None:
    import shutil

    _, _, published = provincial
    copy = tmp_path / "published"
    shutil.copytree(published, copy)
    (tks,) = (copy / "CSB").glob("summary.tks")
    data = bytearray(tks.read_bytes())
    data[30] ^= 0x04
    tks.write_bytes(bytes(data))
    assert main(["verify", str(copy)]) != 0


def test_scan_refuses_a_municipal_sheet_at_a_multi_district_central(
    provincial: tuple[Chain, Path, Path], tmp_path: Path
) -> None:
    chain, state, _ = provincial
    code = chain.codes()[0]
    tks = tmp_path / "m.tks"
    tks.write_bytes(municipal_summary(chain, code))
    assert main(["central", "scan", "--state", str(state), str(tks)]) == 3
    assert audit_actions(state)[-1][0] == "summary_refused"


# ------------------------------------------------------------------------------------------ lots


def tied_total(chain: Chain, code: str) -> Tally:
    """Every list exactly 100 votes (all for its first candidate): equal averages, lots for the last seats."""
    base = chain.total(code)
    lists = tuple(
        ListTally(lst.number, 100, (100,) + (0,) * (len(lst.candidate_votes) - 1)) for lst in base.lists
    )
    votes = 100 * len(lists)
    return msgspec.structs.replace(
        base, lists=lists, blank=0, invalid=0, poll_cards=votes, proxy_certificates=0, voter_cards=0,
        admitted_voters=votes, more_ballots=0, fewer_ballots=0, explanations=(),
    )  # fmt: skip


def test_lot_is_asked_never_drawn_and_recorded(tmp_path: Path) -> None:
    chain, state, code = enrolled_council(tmp_path, seed=11)
    tks = tmp_path / "m.tks"
    tks.write_bytes(municipal_summary(chain, code, total=tied_total(chain, code)))
    assert main(["central", "scan", "--state", str(state), str(tks)]) == 0
    assert main(["central", "finalise", "--state", str(state)]) == StateError.exit_code  # not at a terminal
    assert not any(a == "finalised" for a, _ in audit_actions(state))
    lists = [lst.number for lst in chain.election.districts[0].lists]
    outcomes: list[str] = []
    for _ in range(len(lists)):
        code_ = main(["central", "finalise", "--state", str(state), *outcomes])
        if code_ == 0:
            break
        # each run asks for the next lot; take the highest-numbered list still in the options
        outcomes += ["--lot", str(lists[-1 - len(outcomes) // 2])]
    assert code_ == 0
    payloads = [p for a, p in audit_actions(state) if a == "finalised"]
    assert len(payloads) == 1
    recorded = msgspec.json.decode(payloads[0])
    assert recorded["lots"] == [int(x) for x in outcomes[1::2]] and recorded["lots"]


# ------------------------------------------------------------------------------------------ refusals


def scan_tks(state: Path, *messages: bytes, folder: Path) -> int:
    return main(["central", "scan", "--state", str(state), *tks_files(folder, *messages)])


def received(state: Path) -> list[tuple[str, str, str, str]]:
    """(authority, stage, outcome, reason) of every summary scanned, in order."""
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:
        rows = conn.execute("SELECT authority_id, stage, outcome, reason FROM received ORDER BY seq")
        return [(str(a), str(s), str(o), str(r or "")) for a, s, o, r in rows]


def counting(state: Path) -> dict[str, str]:
    """Authority → digest of the summary that counts, by replaying the outcomes as the book does."""
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:
        rows = conn.execute("SELECT authority_id, digest, outcome FROM received WHERE stage = 'intake'")
        return {str(a): str(d) for a, d, o in rows if o in ("accept", "replace")}


def test_council_refuses_unknown_key_other_election_and_other_district(tmp_path: Path) -> None:
    chain, state, code = enrolled_council(tmp_path)
    district = chain.district_of(code)
    stranger = make_authority(Role.MUNICIPALITY, code, "Vals", chain.election.id, district, seed=999)
    forged = signed_summary(
        stranger, election_id=chain.election.id, district_id=district, total=chain.total(code), eml=b"x"
    )
    assert scan_tks(state, forged, folder=tmp_path) == 3
    assert scan_tks(state, municipal_summary(chain, code, election_id="GR2099_Elders"), folder=tmp_path) == 3
    assert scan_tks(state, municipal_summary(chain, code, district_id="3"), folder=tmp_path) == 3
    reasons = [r for _, stage, outcome, r in received(state) if stage == "check" and outcome == "refuse"]
    assert len(reasons) == 3
    assert "unknown key" in reasons[0]
    assert "GR2099_Elders" in reasons[1]
    assert "district 3" in reasons[2]
    assert counting(state) == {}
    assert [a for a, _ in audit_actions(state)].count("summary_refused") == 3


def test_council_refuses_a_replay_and_a_corrigendum_that_does_not_name_its_predecessor(
    tmp_path: Path,
) -> None:
    chain, state, code = enrolled_council(tmp_path)
    first = municipal_summary(chain, code)
    assert scan_tks(state, first, folder=tmp_path) == 0
    total = chain.total(code)
    fixed = recounted(total, blank=1)
    unnamed = municipal_summary(chain, code, phase=1, total=fixed, supersedes=b"\x02" * 32)
    assert scan_tks(state, unnamed, folder=tmp_path) == 3
    assert counting(state) == {code: message_digest(first).hex()}
    named = municipal_summary(chain, code, phase=1, total=fixed, supersedes=message_digest(first))
    assert scan_tks(state, named, folder=tmp_path) == 0
    assert scan_tks(state, first, folder=tmp_path) == 3  # the older summary replayed
    assert counting(state) == {code: message_digest(named).hex()}
    outcomes = [(stage, outcome) for _, stage, outcome, _ in received(state)]
    assert outcomes == [
        ("intake", "accept"),
        ("intake", "refuse"),
        ("intake", "replace"),
        ("intake", "refuse"),
    ]
    assert main(["central", "finalise", "--state", str(state)]) == 0
    (t510,) = (state / "output").glob("Totaaltelling_*.eml.xml")
    assert read_510(t510.read_bytes()).total.tally.blank == fixed.blank  # the corrigendum is what counts


def test_multi_district_central_refuses_a_hoofdstembureau_summary_for_another_district(
    provincial: tuple[Chain, Path, Path], tmp_path: Path
) -> None:
    """HSB1's own key, a genuine signature, but the summary claims kieskring 2: refused, never counted."""
    chain, state, published = provincial
    first, second = (d.id for d in chain.election.districts)
    key = load_signing_key(state.parent / f"hsb{first}" / "hoofdstembureau.key", PASSPHRASE.encode())
    public = key.private_key.public_key()
    _, genuine = open_signed((published / f"HSB{first}" / "summary.tks").read_bytes(), lambda kid: public)
    moved = msgspec.structs.replace(genuine, district_id=second)
    before = counting(state)
    assert scan_tks(state, sign_summary(encode_summary(moved), key.private_key), folder=tmp_path) == 3
    assert received(state)[-1][2] == "refuse" and f"district {second}" in received(state)[-1][3]
    assert counting(state) == before


# ------------------------------------------------------------------------------------------ time and keys


def run_council(chain: Chain, root: Path, *, start: datetime, key: Ed25519PrivateKey) -> Path:
    """The council's central office through its service functions on a given clock and key; CSB/ published."""
    (code,) = chain.codes()
    clock, state, published = Ticking(start), root / "csb", root / "published"
    a110, b230 = chain.a110.read_bytes(), chain.b230.read_bytes()
    central_setup.init(
        state, definition=(chain.a110.name, a110), candidates=(chain.b230.name, b230),
        typed_110a=typed_groups(a110), typed_230b=typed_groups(b230), place="Den Haag",
        passphrase=PASSPHRASE.encode(), user="t", at=clock(), private_key=key,
    )  # fmt: skip
    office = Office.open(state, "t", clock=clock)
    try:
        enrolment = chain.municipalities[code].enrolment
        central_setup.enrol_messages(
            office, [(code, enrolment)], expected=[fingerprint(enrolment)], ask=None, show=lambda r: None
        )
        assert not receive_message(office, code, municipal_summary(chain, code)).refused
        central_finalise.finalise(office, passphrase=PASSPHRASE.encode())
        central_publish.publish(office, published, PASSPHRASE.encode())
    finally:
        office.conn.close()
    return published / "CSB"


def test_the_same_clock_key_and_input_publish_the_same_bytes(tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "in", national=False)
    night = datetime(2029, 3, 22, 1, 0, 0)
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    first = run_council(chain, tmp_path / "a", start=night, key=key)
    again = run_council(chain, tmp_path / "b", start=night, key=key)
    names = sorted(p.name for p in first.iterdir())
    assert {"summary.tks", "key.tke", "deceased.json"} <= set(names)
    for model in ("Resultaat_", "Totaaltelling_", "Model_P22-2_"):
        assert any(n.startswith(model) for n in names), model
    for name in names:  # the signed summary, the key record, 510d, 520, and the P 22 PDF too
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
    site = sorted(p.relative_to(first.parent) for p in (first.parent / "site").rglob("*") if p.is_file())
    assert site
    for rel in site:
        assert (again.parent / rel).read_bytes() == (first.parent / rel).read_bytes(), rel
    record = open_enrolment((first / "key.tke").read_bytes())
    assert record.created_at == "2029-03-22T01:00:05" and record.public_key == bytes(
        key.public_key().public_bytes_raw()
    )
    (r520,) = first.glob("Resultaat_*.eml.xml")
    assert "2029-03-22T01:" in r520.read_text("utf-8")
    later = run_council(
        chain, tmp_path / "c", start=night + timedelta(hours=1),
        key=Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33))),
    )  # fmt: skip
    for name in ("summary.tks", "key.tke", r520.name):
        assert (later / name).read_bytes() != (first / name).read_bytes(), name


def central_summary(folder: Path) -> tuple[Summary, str]:
    """The central office's published summary, opened with its published key; and the key's district."""
    record = open_enrolment((folder / "key.tke").read_bytes())
    key = Ed25519PublicKey.from_public_bytes(record.public_key)
    _, summary = open_signed((folder / "summary.tks").read_bytes(), lambda kid: key)
    return summary, record.district_id


@pytest.mark.parametrize("shape", ["council", "provincial"])
def test_central_summary_district_is_its_keys(shape: str, request: pytest.FixtureRequest) -> None:
    """One constant for both: once the summary said `geen` (the contest id) while the key said ""."""
    chain, _, published = request.getfixturevalue(shape)
    summary, enrolled = central_summary(published / "CSB")
    assert summary.district_id == enrolled == DISTRICT_ID == ""
    assert summary.role is Role.CENTRAL
    contest = result_view(chain.election).id
    assert contest == ("geen" if shape == "council" else "alle")
    (r520,) = (published / "CSB").glob("Resultaat_*.eml.xml")
    assert f'Id="{contest}"' in r520.read_text("utf-8")  # the contest id stays the EML's own


# ------------------------------------------------------------------------------------------ units


def test_result_view_of_lists_that_differ_per_district_is_one_list_per_group(tmp_path: Path) -> None:
    """Kieswet P 1: a party whose lists differ per kieskring is one list group; the result speaks of the group
    with each candidate once (the lists of identical districts stay as they are)."""
    chain = make_chain(tmp_path, national=True)
    election = chain.election
    first = election.districts[0]
    lst = first.lists[0]
    swapped = msgspec.structs.replace(
        lst, candidates=(lst.candidates[1], lst.candidates[0], *lst.candidates[2:])
    )
    other = District(id=election.districts[1].id, name=None, lists=(swapped, *first.lists[1:]))
    mixed_election = msgspec.structs.replace(election, districts=(first, other))
    view = result_view(mixed_election)
    assert view.id == "alle"
    group = view.lists[0]
    assert [c.last_name for c in group.candidates] == [c.last_name for c in lst.candidates]
    assert [c.position for c in group.candidates] == list(range(1, len(lst.candidates) + 1))
    assert result_view(election).lists == first.lists


def test_deceased_with_lists_that_differ_per_district_is_refused(tmp_path: Path) -> None:
    """P 19a within a list group is not implemented: refused in one line (exit 4), never half-applied."""
    chain = make_chain(tmp_path / "in", national=True)
    election = chain.election
    first, second = election.districts
    lst = second.lists[0]
    swapped = msgspec.structs.replace(
        lst, candidates=(lst.candidates[1], lst.candidates[0], *lst.candidates[2:])
    )
    mixed = msgspec.structs.replace(
        election,
        districts=(first, msgspec.structs.replace(second, lists=(swapped, *second.lists[1:]))),
    )
    chain.b230.write_bytes(write_230b(mixed, created="2029-03-21T21:00:00"))
    state = tmp_path / "csb"
    assert central_init(chain, state) == 0
    assert main(["central", "deceased", "--state", str(state), "1", "1"]) == StateError.exit_code
    assert not any(a == "deceased" for a, _ in audit_actions(state))


def test_init_takes_one_230b_per_district_each_checked_by_its_typed_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Kiesraad publishes a Tweede Kamer's lists as one 230b per kieskring: init takes them all, checks
    each file's typed groups (naming the file that fails), and builds every district's lists from its file."""
    chain = make_chain(tmp_path / "in", national=True)
    e = chain.election
    files = []
    for d in e.districts:
        path = tmp_path / f"Kandidatenlijsten_{e.id}_{d.id}.eml.xml"
        path.write_bytes(write_230b(e, created="2029-03-21T21:00:00", district_id=d.id))
        files.append(path)
    typed = [typed_groups(p.read_bytes()) for p in files]
    h110 = typed_groups(chain.a110.read_bytes())
    base = ["central", "init", "--definition", str(chain.a110), "--place", "Den Haag",
            "--hash-110a", h110, "--candidates", *map(str, files)]  # fmt: skip
    wrong = "0000 0000" if typed[1] != "0000 0000" else "ffff ffff"
    code = main([*base, "--state", str(tmp_path / "bad"), "--hash-230b", typed[0], "--hash-230b", wrong])
    assert code != 0
    assert files[1].name in capsys.readouterr().err
    assert not list((tmp_path / "bad").glob("*.sqlite"))
    too_many = [
        *base,
        "--state",
        str(tmp_path / "x"),
        *[a for t in (*typed, typed[0]) for a in ("--hash-230b", t)],
    ]
    assert main(too_many) == 2
    state = tmp_path / "csb"
    assert main([*base, "--state", str(state), *[a for t in typed for a in ("--hash-230b", t)]]) == 0
    office = Office.open(state, "test", clock=lambda: datetime(2029, 3, 22))
    assert [d.lists for d in office.election.districts] == [d.lists for d in e.districts]
    assert [name for name, _, _ in office.more_candidate_lists()] == [files[1].name]
