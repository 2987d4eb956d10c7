"""How fast a station report of national size is checked while typing (validate, W.001, double entry).

A Tweede Kamer station report has ~26 lists and ~1,100 candidates; the terminal form validates after every
box, so validation must stay far below a keystroke. Baseline, measured in the same run: one plain Python pass
adding up every number of the report (the least any check must do).

The entry path of one station (two typists, each claim, save with findings, finalise, as
`municipality.service` calls the state machine) is also timed with the generic leaf-by-leaf walker that
validation used before (tests/validation_reference.py, swapped in for that one measurement): about 10× less
time with the part-by-part comparison and the list-at-a-time range check. Run: `python bench/validation.py`.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: `tests.validation_reference`

from shared.domain import validation
from shared.domain.double_entry import Actor, DataEntry, claim, entry_results, finalise, save
from shared.domain.station_report import StationReport, empty_report, report_from_tally
from shared.domain.tally import ListTally, Tally
from shared.domain.validation import ValidationContext, copy_report, differing_fields, validate
from tests.validation_reference import reference_leaf_paths


def national_report(seed: int = 1) -> tuple[StationReport, ValidationContext]:
    rng = random.Random(seed)
    lists = []
    for number in range(1, 27):
        votes = tuple(rng.randint(0, 40) for _ in range(42))
        lists.append(ListTally(number, sum(votes), votes))
    on_lists = sum(lst.votes for lst in lists)
    tally = Tally(
        poll_cards=on_lists - 20,
        proxy_certificates=15,
        voter_cards=10,
        admitted_voters=on_lists + 5,
        blank=3,
        invalid=2,
        lists=tuple(lists),
    )
    ctx = ValidationContext(
        lists=tuple((lst.number, len(lst.candidate_votes)) for lst in lists), voter_cards=True
    )
    return report_from_tally("cso_first", tally, with_voter_cards=True), ctx


@contextmanager
def reference_walker() -> Iterator[None]:
    """Validation as it was: each range check and comparison walks every leaf of the report(s), naming it."""
    saved = validation.leaf_paths, validation._counts_in_range, validation._differing_leaves
    validation.leaf_paths = reference_leaf_paths
    validation._counts_in_range = _no_quick_range_check  # so the leaf-by-leaf range scan runs
    validation._differing_leaves = _no_quick_comparison  # so W.001 comes from both full leaf lists
    try:
        yield
    finally:
        validation.leaf_paths, validation._counts_in_range, validation._differing_leaves = saved


def _no_quick_range_check(obj: msgspec.Struct) -> bool:
    return False


def _no_quick_comparison(a: msgspec.Struct, b: msgspec.Struct, prefix: str, out: list[str]) -> bool:
    return False


def per_call(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    report, ctx = national_report()
    other = copy_report(report)
    other.lists[7].candidate_votes[3] += 1
    candidates = sum(len(lst.candidate_votes) for lst in report.lists)
    blank = empty_report("cso_first", list(ctx.lists), with_voter_cards=True)
    anna, bob = Actor("anna", "typist"), Actor("bob", "typist")

    def double_entry() -> None:
        entry, _ = claim(DataEntry(), anna, blank)
        entry = finalise(save(entry, anna, report, ctx, 100), anna, ctx)
        entry, _ = claim(entry, bob, blank)
        finalise(save(entry, bob, report, ctx, 100), bob, ctx)

    def station_entry() -> None:
        """One station as the municipality's service drives it: findings shown after each save."""
        entry = DataEntry()
        for typist in (anna, bob):
            entry, _ = claim(entry, typist, blank)
            entry = save(entry, typist, report, ctx, 100)
            entry_results(entry, typist, ctx)
            entry = finalise(entry, typist, ctx, accept_warnings=True)
        assert entry.state == "definitive"

    def station_entry_before() -> None:
        with reference_walker():
            station_entry()

    def plain_sum() -> int:
        return sum(sum(lst.candidate_votes) + lst.total for lst in report.lists) + sum(
            report.votes.list_votes
        )

    repeat = 300
    baseline = per_call(plain_sum, repeat)
    rows = [
        ("validate (all rules, shape check)", per_call(lambda: validate(report, ctx), repeat)),
        ("differing_fields (W.001)", per_call(lambda: differing_fields(report, other), repeat)),
        ("double entry: two typists to definitive", per_call(double_entry, repeat // 10)),
    ]
    before = per_call(station_entry_before, repeat // 10)
    after = per_call(station_entry, repeat // 10)
    rows += [("entry path per station, before (leaf walker)", before), ("entry path per station, now", after)]
    findings = validate(report, ctx).codes()
    print(f"station report: {len(report.lists)} lists, {candidates} candidates; findings: {findings}")
    print(f"{'baseline: plain sum of every number':45s} {baseline * 1e6:9.1f} µs   1.0×")
    for name, seconds in rows:
        print(f"{name:45s} {seconds * 1e6:9.1f} µs {seconds / baseline:6.1f}×")
    print(f"{'entry path per station: before / now':45s} {before / after:9.1f}×")


if __name__ == "__main__":
    main()
