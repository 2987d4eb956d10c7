"""`telketen verify` on the Kiesraad's own, unsigned TK2021 result set (../shared/data/eml/tk2021, read-only).

What the set must show: the 150 elected candidates and the seats per party of the official 520, recomputed by
verify's own law from the 510d and the 20 kieskring 230b files (list groups, Kieswet P 1, P 12–P 18); and as
discrepancies only what the Kiesraad's note ("Opmerking bestanden TK2021.txt") explains and the files show:
the eligible voters of the kieskringen Haarlem and 's-Gravenhage differ between their 510c and the 510d. What
the set does not contain (signatures, the 510b files, a 510c for kieskring 20) is said as a status.

The tamper tests work on a copy of the four files the seats need (110a, 230b, 510d, 520).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from telketen.verify.findings import Report
from telketen.verify.run import verify_dir
from tests.conftest import ORACLE, SHARED_DATA, needs_oracle, needs_shared

pytestmark = needs_shared

TK2021 = SHARED_DATA / "eml" / "tk2021"
TOTAAL = "Totaaltelling_TK2021.eml.xml"
RESULT = "Resultaat_TK2021.eml.xml"


@pytest.fixture(scope="module")
def report() -> Report:
    return verify_dir(TK2021)


def test_only_the_documented_discrepancies_are_found(report: Report) -> None:
    found = sorted((f.check, f.file, f.unit, f.field, f.expected, f.found) for f in report.findings)
    assert found == [
        (
            "sum",
            TOTAAL,
            "HSB10",
            "Z (eligible_voters) (totaal van Telling_TK2021_kieskring_Haarlem.eml.xml)",
            "578393",
            "726342",
        ),
        (
            "sum",
            TOTAAL,
            "HSB12",
            "Z (eligible_voters) (totaal van Telling_TK2021_kieskring_s-Gravenhage.eml.xml)",
            "356481",
            "449253",
        ),
    ]
    # the note names the municipalities whose electorate the kieskring files give as 0
    note = (TK2021 / "Opmerking bestanden TK2021.txt").read_text(encoding="utf-8")
    assert "Haarlem: 116.791" in note and "Leidschendam-Voorburg: 56.038" in note


def test_what_the_set_lacks_is_a_status_not_a_failure(report: Report) -> None:
    assert not report.signed
    subjects = [n.subject for n in report.notes]
    assert subjects == ["handtekeningen", "510b", "510c HSB20"]
    assert "Niet ondertekend" in report.notes[0].text
    assert TOTAAL in report.notes[2].text
    assert report.checked["chain"] == 19  # every kieskring but 20 is added up against its 510c


@needs_oracle
def test_all_150_elected_candidates_and_the_seats_equal_the_520(report: Report) -> None:
    assert len(report.candidates) == 150 == report.elected
    assert all(row.in_520 and row.how in ("preference", "list_order") for row in report.candidates)
    official = json.loads((ORACLE / "TK20210317.json").read_text(encoding="utf-8"))
    by_name = {lst["name"]: lst["seats"] for lst in official["lists"] if lst["seats"]}
    mine = {n: s for n, s in report.seats.items() if s}
    assert sorted(mine.values()) == sorted(by_name.values()) and sum(mine.values()) == 150
    rutte = report.candidates[0]
    assert (rutte.list, rutte.candidate, rutte.name, rutte.how) == (
        1,
        "RutteM",
        "Rutte, M. (Mark)",
        "preference",
    )
    # CDA (list 3) had a different list in each kieskring: its 15 seats are split over them (P 12)
    assert sum(row.list == 3 for row in report.candidates) == 15


def test_verify_json_lists_the_recomputed_candidates_next_to_the_520() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "telketen", "verify", str(TK2021), "--json"],
        capture_output=True,
        check=False,
    )
    assert out.returncode == 3, out.stderr  # the two documented discrepancies
    data = json.loads(out.stdout)
    assert data["signed"] is False and len(data["findings"]) == 2
    assert {"list", "candidate", "name", "how", "in_520"} <= set(data["candidates"][0])


def seat_files(tmp_path: Path) -> Path:
    for f in TK2021.glob("*.eml.xml"):
        if not f.name.startswith("Telling_"):
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_candidate_left_out_of_the_520_is_caught(tmp_path: Path) -> None:
    folder = seat_files(tmp_path)
    edit(folder / RESULT, 'ShortCode="PlasCAM"', 'ShortCode="PlasXX"')
    found = {(f.check, f.unit, f.field) for f in verify_dir(folder).findings}
    assert ("elected", "list 23", "gekozen volgens de herberekening, niet in de 520") in found
    assert ("elected", "list 23", "gekozen volgens de 520, niet volgens de herberekening") in found


def test_preference_votes_moved_in_the_510d_change_who_is_elected(tmp_path: Path) -> None:
    """Move 20,000 of Rutte's votes to Jacobs (VVD, 61st on the list, 755 votes) in the total: Jacobs passes
    the preference threshold, the recount elects Jacobs, whom the 520 does not name."""
    folder = seat_files(tmp_path)
    total = folder / TOTAAL
    text = total.read_text(encoding="utf-8")
    for code, old, new in (("RutteM", "1977651", "1957651"), ("JacobsB", "755", "20755")):
        votes = (
            f'<CandidateIdentifier ShortCode="{code}"></CandidateIdentifier></Candidate><ValidVotes>{old}<'
        )
        assert text.count(votes) == 1
        text = text.replace(votes, votes.replace(old, new))
    total.write_text(text, encoding="utf-8")
    findings = verify_dir(folder).findings
    missing = [f for f in findings if f.field == "gekozen volgens de herberekening, niet in de 520"]
    assert [(f.unit, f.expected) for f in missing] == [("list 1", "JacobsB Jacobs, B. (Barry)")]
    # and the kieskring units no longer add up to the changed total: named per candidate
    assert any(f.field == "lijst 1 kandidaat JacobsB = som van de kieskringen" for f in findings)


def test_a_kieskring_without_its_230b_is_one_finding(tmp_path: Path) -> None:
    folder = seat_files(tmp_path)
    (folder / "Kandidatenlijsten_TK2021_Bonaire.eml.xml").unlink()
    report = verify_dir(folder)
    assert [(f.check, f.unit, f.field, f.found) for f in report.findings] == [
        ("definition", "kieskring 20", "230b (candidate lists)", "missing")
    ]
    assert report.elected == 150  # the seats come from the 510d; only the kieskring's layout is unchecked
