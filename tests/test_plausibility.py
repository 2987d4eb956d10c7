"""Plausibility advice: each check finds the error it exists for, and stays quiet on real, clean counts."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.plausibility import STATION_BALLOTS_MAX, Unit, check_units, digit_edits
from shared.formats.eml.read import read_510, read_path
from shared.formats.plausibility import advise
from tests.conftest import SHARED_DATA, needs_shared

EML = SHARED_DATA / "eml"
SHARES = (0.22, 0.18, 0.14, 0.11, 0.09, 0.08, 0.06, 0.05, 0.04, 0.03)


def stations(count: int = 14, seed: int = 7) -> list[Unit]:
    """Polling stations of one municipality: the same party shares with binomial-sized noise."""
    rng = random.Random(seed)
    units = []
    for k in range(count):
        n = rng.randrange(700, 1600)
        votes = tuple(max(0, round(n * p + rng.gauss(0, (n * p) ** 0.5 * 1.5))) for p in SHARES)
        units.append(
            Unit(
                id=f"0999::SB{k + 1}",
                name=f"Stembureau {k + 1}",
                list_votes=votes,
                blank=rng.randrange(2, 8),
                invalid=rng.randrange(1, 8),
                eligible=0,
            )
        )
    return units


def replaced(units: list[Unit], k: int, **changes: object) -> list[Unit]:
    from msgspec.structs import replace

    out = list(units)
    out[k] = replace(units[k], **changes)
    return out


def kinds_of(units: list[Unit], unit_id: str, *, at_stations: bool = True) -> list[str]:
    return [f.kind for f in check_units(units, stations=at_stations) if f.unit == unit_id]


def test_clean_generated_stations_give_no_advice() -> None:
    assert check_units(stations(), stations=True) == []


def test_two_swapped_lists_are_named() -> None:
    units = stations()
    votes = list(units[3].list_votes)
    votes[0], votes[3] = votes[3], votes[0]
    findings = check_units(replaced(units, 3, list_votes=tuple(votes)), stations=True)
    assert [(f.unit, f.kind, f.lists) for f in findings] == [("0999::SB4", "swap", (0, 3))]


def test_votes_counted_for_the_neighbouring_list_are_a_shift() -> None:
    units = stations()
    votes = list(units[5].list_votes)
    votes[2] += votes[1]
    votes[1] = 0
    findings = check_units(replaced(units, 5, list_votes=tuple(votes)), stations=True)
    assert [(f.unit, f.kind, f.lists) for f in findings] == [("0999::SB6", "shift", (1, 2))]


def test_a_dropped_digit_is_a_cell_finding_that_proposes_the_written_number() -> None:
    units = stations()
    votes = list(units[2].list_votes)
    original = votes[0]
    votes[0] = int(str(original)[:-1])  # 312 written as 31
    findings = check_units(replaced(units, 2, list_votes=tuple(votes)), stations=True)
    assert [(f.unit, f.kind, f.lists) for f in findings] == [("0999::SB3", "cell", (0,))]
    assert int(str(original)[:-1]) in (int(f.observed[0]) for f in findings)
    assert original in digit_edits(votes[0]) or abs(findings[0].expected[0] - original) < 10


@needs_shared
def test_an_impossible_station_size_and_turnout() -> None:
    """The Kiesraad's own fake Dordrecht file: one unit of 72,100 voters with 99.99 % turnout adds up."""
    path = EML / "samples" / "hcp" / "Fake_test_data_Telling_TK2023_gemeente_Dordrecht.eml.xml"
    kinds = {a.kind for a in advise(read_510(read_path(path), str(path)))}
    assert kinds == {"size", "turnout_limit"}


def test_size_bound_is_strict() -> None:
    units = stations(count=1)
    just = replaced(units, 0, list_votes=(STATION_BALLOTS_MAX - 10,), blank=10, invalid=0)
    over = replaced(units, 0, list_votes=(STATION_BALLOTS_MAX - 10,), blank=11, invalid=0)
    assert kinds_of(just, "0999::SB1") == []
    assert kinds_of(over, "0999::SB1") == ["size"]


def test_blank_and_invalid_far_above_the_peers() -> None:
    units = stations()
    assert kinds_of(replaced(units, 4, blank=90), "0999::SB5") == ["blank"]
    assert kinds_of(replaced(units, 4, invalid=90), "0999::SB5") == ["invalid"]


def test_turnout_against_peers_only_where_the_electorate_is_known() -> None:
    municipalities = [
        Unit(
            id=f"HSB1::{k:04}",
            name=f"Gemeente {k}",
            list_votes=u.list_votes,
            blank=u.blank,
            invalid=u.invalid,
            eligible=round(sum(u.list_votes) / (0.74 + 0.004 * (k % 5))),
        )
        for k, u in enumerate(stations())
    ]
    low = replaced(municipalities, 6, eligible=sum(municipalities[6].list_votes) * 3)
    assert kinds_of(low, "HSB1::0006", at_stations=False) == ["turnout"]
    # At polling stations voters may come from anywhere in the municipality: no turnout advice there.
    assert kinds_of(low, "HSB1::0006", at_stations=True) == []
    missing = replaced(municipalities, 6, eligible=0)
    assert kinds_of(missing, "HSB1::0006", at_stations=False) == ["electorate"]


@needs_shared
def test_real_station_counts_are_quiet() -> None:
    """The official West Maas en Waal TK2025 count (11 stations, 24 lists) gives no advice at all."""
    path = EML / "samples" / "tk2025_westmaasenwaal" / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
    assert advise(read_510(read_path(path), str(path))) == []


@needs_shared
def test_a_swap_planted_in_a_real_count_is_found_with_names() -> None:
    path = EML / "samples" / "tk2025_westmaasenwaal" / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
    count = read_510(read_path(path), str(path))
    from msgspec.structs import replace

    unit = count.units[0]
    lists = list(unit.tally.lists)
    lists[0], lists[1] = replace(lists[0], votes=lists[1].votes), replace(lists[1], votes=lists[0].votes)
    tampered = replace(
        count, units=(replace(unit, tally=replace(unit.tally, lists=tuple(lists))), *count.units[1:])
    )
    advice = advise(tampered)
    assert [(a.unit, a.kind) for a in advice] == [(unit.id, "swap")]
    assert "lijken verwisseld" in advice[0].detail and count.lists[0].name in advice[0].detail


def _one_slip(a: str, b: str) -> bool:
    """Optimal-string-alignment distance ≤ 1: an independent statement of what `digit_edits` promises."""
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(long[:k] + long[k + 1 :] == short for k in range(len(long)))


@given(st.integers(min_value=0, max_value=10**7))
def test_digit_edits_are_exactly_the_counts_one_slip_away(value: int) -> None:
    s = str(value)
    edits = digit_edits(value)
    assert value not in edits
    for edit in edits:  # leading zeros are not written: 102 without its 1 is 2 (written "02")
        assert any(_one_slip(s, str(edit).zfill(width)) for width in (len(s) - 1, len(s), len(s) + 1))
    for k in range(len(s)):  # complete: every dropped digit and every changed digit is there
        dropped = s[:k] + s[k + 1 :]
        if dropped and int(dropped) != value:
            assert int(dropped) in edits
        assert all(int(s[:k] + d + s[k + 1 :]) in edits for d in "0123456789" if d != s[k])


@settings(max_examples=25, deadline=None)  # each example re-fits 14 stations
@given(st.permutations(range(14)))
def test_findings_do_not_depend_on_the_order_of_units(order: list[int]) -> None:
    units = stations()
    votes = list(units[3].list_votes)
    votes[0], votes[3] = votes[3], votes[0]
    planted = replaced(units, 3, list_votes=tuple(votes))
    shuffled = [planted[k] for k in order]
    assert check_units(shuffled, stations=True) == check_units(planted, stations=True)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telketen", "plausibility", *args], capture_output=True, text=True, timeout=120
    )


@needs_shared
def test_cli_json_contract_and_exit_codes(tmp_path: Path) -> None:
    path = EML / "samples" / "hcp" / "Fake_test_data_Telling_TK2023_gemeente_Dordrecht.eml.xml"
    done = run("--json", str(path))
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert {f["kind"] for f in findings} == {"size", "turnout_limit"}
    assert all({"unit", "kind", "score", "detail"} <= set(f) for f in findings)
    assert all(f["unit"] == "0505::SB1" and isinstance(f["score"], float) for f in findings)
    not_a_count = tmp_path / "notes.xml"
    not_a_count.write_text("<a/>")
    failed = run(str(not_a_count))
    assert failed.returncode == 2
    assert failed.stderr.startswith("telketen: error:") and "notes.xml" in failed.stderr
    assert "Traceback" not in failed.stderr
