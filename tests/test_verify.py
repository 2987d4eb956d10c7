"""`telketen verify`: a clean published folder verifies; every kind of tampering is caught and named.

The published folders here are built from a generated election with the real writers and signers (510b/c/d and
520 via `shared.formats.eml.write`, Ed25519 summaries via `shared.formats.signing`), laid out as the tiers
publish them (docs/tiers.md). The demo test runs `verify` on what the real tier apps publish.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.domain.election import District, DistrictId
from shared.domain.generate import GeneratedElection, generate_municipal, generate_national
from shared.domain.keyregister import ENROLMENT_VERSION, EnrolmentRecord, Role
from shared.domain.tally import Tally, add_tallies
from shared.formats.eml.definition_writer import write_110a, write_230b
from shared.formats.eml.model import Count510, ElectedCandidate, ResultInput
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510, write_520
from shared.formats.signing import message_digest, raw_public_key, sign_enrolment, sign_summary
from shared.formats.summary import FORMAT_VERSION, ChildDigest, Summary, counts_from_tally, encode_summary
from telketen.cli import main
from telketen.verify.law import Lot
from telketen.verify.result import recompute
from telketen.verify.run import verify_dir
from tests.manifest_tools import seal_manifests

AT = "2026-03-18T21:00:00"


class Publisher:
    """Lays out a published folder for a generated election, as the three tiers would."""

    def __init__(self, root: Path, g: GeneratedElection) -> None:
        self.root, self.g, self.el = root, g, g.election
        self.digests: dict[str, bytes] = {}

    def key(self, authority: str) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(authority.encode()).digest())

    def write(self, folder: str, name: str, data: bytes) -> bytes:
        (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / folder / name).write_bytes(data)
        return data

    def issue(
        self,
        folder: str,
        role: Role,
        authority: str,
        name: str,
        district: str,
        eml_name: str,
        eml: bytes,
        total: Tally,
        children: Sequence[str],
        seats: list[int] | None = None,
    ) -> None:
        self.write(folder, eml_name, eml)
        key = self.key(authority)
        record = EnrolmentRecord(
            version=ENROLMENT_VERSION,
            role=role,
            authority_id=authority,
            authority_name=name,
            election_id=self.el.id,
            district_id=district,
            public_key=raw_public_key(key),
            created_at=AT,
        )
        self.write(folder, "key.tke", sign_enrolment(record, key))
        summary = Summary(
            version=FORMAT_VERSION,
            election_id=self.el.id,
            district_id=district,
            role=role,
            authority_id=authority,
            phase=0,
            supersedes=b"",
            issued_at=AT,
            counts=counts_from_tally(total),
            eml_sha256=hashlib.sha256(eml).digest(),
            children=[ChildDigest(authority_id=c, digest=self.digests[c]) for c in children],
            seats=seats or [],
        )
        signed = self.write(folder, "summary.tks", sign_summary(encode_summary(summary), key))
        self.digests[authority] = message_digest(signed)

    def count(
        self,
        mid: str,
        authority: str,
        name: str,
        contest: str,
        total: Tally,
        units: Sequence[tuple[str, str, Tally]],
    ) -> Count510:
        district = self.el.districts[0] if contest == "alle" else self.el.district(contest)
        return Count510(
            message_id=mid,
            election=identifier_of(self.el),
            contest_id=contest,
            contest_name=None if contest in ("geen", "alle") else district.name,
            authority_id=authority,
            authority_name=name,
            created=AT,
            lists=layout_of(district),
            total=unit_votes(authority, name, total),
            units=tuple(unit_votes(uid, uname, t) for uid, uname, t in units),
        )

    def publish(self) -> None:
        el = self.el
        self.write("definition", f"Verkiezingsdefinitie_{el.id}.eml.xml", write_110a(el, created=AT))
        self.write("definition", f"Kandidatenlijsten_{el.id}.eml.xml", write_230b(el, created=AT))
        national = len(el.districts) > 1
        municipal: dict[str, Tally] = {}
        for m in el.municipalities:
            stations = self.g.station_tallies(m.code)
            total = add_tallies(stations)
            municipal[m.code] = total
            district = m.district_id if national else ""
            units: list[tuple[str, str, Tally]] = [(s.id, s.name, self.g.tallies[s.id]) for s in m.stations]
            eml = write_510(self.count("510b", m.code, m.name, m.district_id, total, units), el)
            self.issue(
                m.code,
                Role.MUNICIPALITY,
                m.code,
                m.name,
                district,
                f"Telling_{m.code}.eml.xml",
                eml,
                total,
                [],
            )
        tops: list[tuple[str, str, Tally]] = []
        if national:
            for d in el.districts:
                codes = [m.code for m in el.municipalities if m.district_id == d.id]
                total = add_tallies((c, municipal[c]) for c in codes)
                units = [(str(c), el.municipality(c).name, municipal[c]) for c in codes]
                eml = write_510(self.count("510c", f"HSB{d.id}", d.name or "", d.id, total, units), el)
                self.issue(
                    f"HSB{d.id}",
                    Role.HOOFDSTEMBUREAU,
                    f"HSB{d.id}",
                    d.name or "",
                    d.id,
                    f"Telling_{d.id}.eml.xml",
                    eml,
                    total,
                    codes,
                )
                tops.append((f"HSB{d.id}", d.name or "", total))
        else:
            tops = [(m.code, m.name, municipal[m.code]) for m in el.municipalities]
        national_total = add_tallies((a, t) for a, _, t in tops)
        contest = "alle" if national else el.districts[0].id
        c510d = self.count("510d", "CSB", "Centraal stembureau", contest, national_total, tops)
        d510 = write_510(c510d)
        result = recompute(el, c510d)
        assert not isinstance(result, Lot)
        elected = tuple(
            ElectedCandidate(list_number=n, position=int(key))
            for n, ps in result.elected.items()
            for key, _ in ps
        )
        seats = tuple((n, s) for n, s in result.seats.items() if s)
        writer_election = el
        if national:  # the 520 of a national election has one contest for the whole country
            writer_election = msgspec.structs.replace(
                el, districts=(District(id=DistrictId("alle"), name=None, lists=el.districts[0].lists),)
            )
        r520 = write_520(
            ResultInput(
                district_id=contest,
                authority_id="CSB",
                authority_name="Centraal stembureau",
                created=AT,
                seats=seats,
                elected=elected,
            ),
            writer_election,
        )
        self.write("CSB", f"Resultaat_{el.id}.eml.xml", r520)
        seat_list = [result.seats.get(lst.number, 0) for lst in national_total.lists]
        self.issue(
            "CSB",
            Role.CENTRAL,
            "CSB",
            "Centraal stembureau",
            "",
            f"Totaaltelling_{el.id}.eml.xml",
            d510,
            national_total,
            [a for a, _, _ in tops],
            seat_list,
        )
        seal_manifests(self.root, self.key)


@pytest.fixture(scope="module")
def gr_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gr") / "published"
    Publisher(root, generate_municipal(random.Random(21), stations=6, lists=5)).publish()
    return root


@pytest.fixture(scope="module")
def tk_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tk") / "published"
    g = generate_national(
        random.Random(22), districts=20, municipalities=22, stations=44, lists=8, candidates=160
    )
    Publisher(root, g).publish()
    return root


def copy(src: Path, tmp: Path) -> Path:
    dst = tmp / "copy"
    shutil.copytree(src, dst)
    return dst


def files_with(root: Path, message: str) -> list[Path]:
    return sorted(p for p in root.rglob("*.xml") if f'Id="{message}"' in p.read_text("utf-8")[:1000])


def bump_vote(path: Path, occurrence: int, delta: int = 1) -> None:
    """Change one ValidVotes number in the file (the n-th, counted from the start)."""
    text = path.read_text("utf-8")
    matches = list(re.finditer(r"<ValidVotes>(\d+)</ValidVotes>", text))
    m = matches[occurrence % len(matches)]
    old = int(m.group(1))
    new = str(old + delta if old + delta >= 0 else old + 1)
    path.write_text(text[: m.start(1)] + new + text[m.end(1) :], "utf-8")


def flagged_files(root: Path) -> set[str]:
    return {f.file for f in verify_dir(root).findings}


# --------------------------------------------------------------------------------------------------- clean


@pytest.mark.parametrize("folder", ["gr_folder", "tk_folder"])
def test_a_clean_folder_verifies(folder: str, request: pytest.FixtureRequest) -> None:
    root: Path = request.getfixturevalue(folder)
    report = verify_dir(root)
    assert report.findings == []
    assert report.ok
    assert sum(report.seats.values()) == report.elected > 0
    assert report.checked["signature"] > 0 and report.checked["hash"] > 0 and report.checked["sum"] > 0
    assert {k.role for k in report.keys} >= {"municipality", "central"}


def test_cli_exit_codes_and_json(gr_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(gr_folder)]) == 0
    out = capsys.readouterr().out
    assert "GEVERIFIEERD" in out and "vingerafdruk" in out and "NIET" not in out
    assert main(["verify", "--json", str(gr_folder)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["findings"] == [] and data["keys"]
    assert main(["verify", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
    root = copy(gr_folder, tmp_path)
    bump_vote(files_with(root, "510b")[0], 3)
    assert main(["verify", "--json", str(root)]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["findings"]
    assert set(data["findings"][0]) == {"check", "file", "unit", "field", "expected", "found"}


def test_an_empty_folder_does_not_verify(tmp_path: Path) -> None:
    assert not verify_dir(tmp_path).ok
    assert main(["verify", str(tmp_path)]) == 3


# ------------------------------------------------------------------------------------------------ tampering


@pytest.mark.parametrize("message", ["510b", "510c", "510d"])
def test_one_changed_vote_in_any_count_file_is_caught(message: str, tk_folder: Path, tmp_path: Path) -> None:
    root = copy(tk_folder, tmp_path)
    target = files_with(root, message)[-1]
    bump_vote(target, 7)
    findings = verify_dir(root).findings
    rel = target.relative_to(root).as_posix()
    assert any(f.file == rel for f in findings), findings


def test_a_consistent_change_of_station_and_total_is_caught_by_the_hash(
    gr_folder: Path, tmp_path: Path
) -> None:
    """Move a vote between two candidates in a station *and* the total: sums hold, the summary hash fails."""
    root = copy(gr_folder, tmp_path)
    path = files_with(root, "510b")[0]
    text = path.read_text("utf-8")
    # the first two candidate ValidVotes of TotalVotes and of the first station: +1 / −1 on both
    total_end = text.index("</TotalVotes>")
    station_end = text.index("</ReportingUnitVotes>")
    for start, end in ((0, total_end), (total_end, station_end)):
        seg = text[start:end]
        cands = list(
            re.finditer(r'CandidateIdentifier Id="\d+"/></Candidate><ValidVotes>(\d+)</ValidVotes>', seg)
        )
        donor = next(m for m in cands if int(m.group(1)) > 0)
        taker = next(m for m in cands if m.start() != donor.start())
        edits = sorted([(donor, -1), (taker, +1)], key=lambda x: -x[0].start(1))
        for m, d in edits:
            seg = seg[: m.start(1)] + str(int(m.group(1)) + d) + seg[m.end(1) :]
        text = text[:start] + seg + text[end:]
    path.write_text(text, "utf-8")
    findings = verify_dir(root).findings
    rel = path.relative_to(root).as_posix()
    assert any(f.check == "hash" and "eml_sha256" in f.field for f in findings), findings
    assert any(rel in f.field or f.file.endswith("summary.tks") for f in findings)


@pytest.mark.parametrize("which", ["municipality", "hoofdstembureau", "central"])
def test_a_flipped_bit_in_a_summary_is_caught(which: str, tk_folder: Path, tmp_path: Path) -> None:
    root = copy(tk_folder, tmp_path)
    folder = {
        "municipality": sorted(p for p in root.iterdir() if p.name.isdigit())[0],
        "hoofdstembureau": root / "HSB3",
        "central": root / "CSB",
    }[which]
    tks = folder / "summary.tks"
    data = bytearray(tks.read_bytes())
    for position in (30, len(data) // 2, len(data) - 5):  # in the summary body and in the signature
        flipped = bytearray(data)
        flipped[position] ^= 0x10
        tks.write_bytes(bytes(flipped))
        findings = verify_dir(root).findings
        rel = tks.relative_to(root).as_posix()
        assert any(f.file == rel and f.check == "signature" for f in findings), (position, findings)
    tks.write_bytes(bytes(data))
    assert verify_dir(root).ok


def test_swapped_summaries_are_caught(tk_folder: Path, tmp_path: Path) -> None:
    root = copy(tk_folder, tmp_path)
    a, b = sorted(p for p in root.iterdir() if p.name.isdigit())[:2]
    ta, tb = (a / "summary.tks").read_bytes(), (b / "summary.tks").read_bytes()
    (a / "summary.tks").write_bytes(tb)
    (b / "summary.tks").write_bytes(ta)
    flagged = flagged_files(root)
    assert f"{a.name}/summary.tks" in flagged and f"{b.name}/summary.tks" in flagged


def test_swapped_summaries_with_their_keys_are_still_caught(gr_folder: Path, tmp_path: Path) -> None:
    """Moving a whole summary + key into another folder breaks the tie to the EML file beside it."""
    root = copy(gr_folder, tmp_path)
    code = next(p.name for p in root.iterdir() if p.name.isdigit())
    for name in ("summary.tks", "key.tke"):
        a, b = (root / code / name).read_bytes(), (root / "CSB" / name).read_bytes()
        (root / code / name).write_bytes(b)
        (root / "CSB" / name).write_bytes(a)
    flagged = flagged_files(root)
    assert f"{code}/summary.tks" in flagged and "CSB/summary.tks" in flagged


def test_a_changed_elected_candidate_in_the_520_is_caught(gr_folder: Path, tmp_path: Path) -> None:
    root = copy(gr_folder, tmp_path)
    path = files_with(root, "520")[0]
    text = path.read_text("utf-8")
    first = re.search(r'<CandidateIdentifier Id="(\d+)"/>', text)
    assert first is not None
    text = text[: first.start(1)] + str(int(first.group(1)) + 1) + text[first.end(1) :]
    path.write_text(text, "utf-8")
    findings = verify_dir(root).findings
    rel = path.relative_to(root).as_posix()
    assert any(f.file == rel and f.check == "elected" for f in findings), findings


def test_a_missing_municipality_is_caught(tk_folder: Path, tmp_path: Path) -> None:
    root = copy(tk_folder, tmp_path)
    victim = sorted(p for p in root.iterdir() if p.name.isdigit())[0]
    for f in victim.glob("*.xml"):
        f.unlink()
    findings = verify_dir(root).findings
    assert any(f.check == "completeness" and f.unit.endswith(victim.name) for f in findings)


def test_a_second_definition_is_refused(gr_folder: Path, tmp_path: Path) -> None:
    root = copy(gr_folder, tmp_path)
    d = next((root / "definition").glob("Kandidatenlijsten*"))
    (root / "other.eml.xml").write_bytes(d.read_bytes().replace(b"<Gender>male", b"<Gender>female", 1))
    findings = verify_dir(root).findings
    assert any(f.check == "definition" for f in findings)


def test_an_unreadable_file_is_a_finding_not_a_crash(gr_folder: Path, tmp_path: Path) -> None:
    root = copy(gr_folder, tmp_path)
    target = files_with(root, "510b")[0]
    target.write_bytes(target.read_bytes()[:500])
    findings = verify_dir(root).findings
    assert any(f.check == "file" and f.file == target.relative_to(root).as_posix() for f in findings)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 1000), occurrence=st.integers(0, 10_000), delta=st.sampled_from([-1, 1, 7]))
def test_any_single_vote_change_is_caught(
    which: int, occurrence: int, delta: int, gr_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = copy(gr_folder, tmp_path_factory.mktemp("fuzz"))
    files = files_with(root, "510b") + files_with(root, "510d")
    target = files[which % len(files)]
    before = target.read_bytes()
    bump_vote(target, occurrence, delta)
    assume(target.read_bytes() != before)
    assert not verify_dir(root).ok


def test_a_bad_lot_argument_is_refused(gr_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--lot", "0", str(gr_folder)]) == 2
    assert "--lot" in capsys.readouterr().err


def test_an_unneeded_lot_outcome_is_a_finding(gr_folder: Path) -> None:
    """A lot outcome nobody asked for is refused by the seat computation: the published result is not it."""
    report = verify_dir(gr_folder, lots=[1])
    assert any(f.check == "seats" for f in report.findings)


def test_deceased_candidates_are_taken_into_account(gr_folder: Path, tmp_path: Path) -> None:
    """deceased.json (Kieswet P 19a) feeds the recomputation: declaring an elected candidate deceased
    afterwards makes the published 520 wrong, and a malformed file is a finding."""
    root = copy(gr_folder, tmp_path)
    text = files_with(root, "520")[0].read_text("utf-8")
    first = re.search(r'<AffiliationIdentifier Id="(\d+)">.*?<CandidateIdentifier Id="(\d+)"/>', text)
    assert first is not None
    doc = {
        "election": "x",
        "article": "P 19a",
        "deceased": [{"list": int(first[1]), "position": int(first[2])}],
    }
    (root / "CSB" / "deceased.json").write_text(json.dumps(doc), "utf-8")
    report = verify_dir(root)
    assert report.deceased == 1
    assert any(f.check == "elected" for f in report.findings)
    assert any(f.file == "CSB/deceased.json" and f.field == "election" for f in report.findings)
    (root / "CSB" / "deceased.json").write_text('{"deceased": 3}', "utf-8")
    assert any(f.check == "file" and f.file == "CSB/deceased.json" for f in verify_dir(root).findings)
    (root / "CSB" / "deceased.json").write_text(json.dumps({**doc, "deceased": []}), "utf-8")
    seal_manifests(root, lambda a: Publisher.key(Publisher.__new__(Publisher), a))  # published and signed
    assert [f.file for f in verify_dir(root).findings] == ["CSB/deceased.json"]  # only the wrong election id
