"""How fast a station report of national size is checked while typing (validate, W.001, double entry).

A Tweede Kamer station report has ~26 lists and ~1,100 candidates; the terminal form validates after every
box, so validation must stay far below a keystroke. Baseline, measured in the same run: one plain Python pass
adding up every number of the report (the least any check must do). Run: `python bench/validation.py`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from shared.domain.double_entry import Actor, DataEntry, claim, finalise, save
from shared.domain.station_report import StationReport, empty_report, report_from_tally
from shared.domain.tally import ListTally, Tally
from shared.domain.validation import ValidationContext, copy_report, differing_fields, validate


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
    findings = validate(report, ctx).codes()
    print(f"station report: {len(report.lists)} lists, {candidates} candidates; findings: {findings}")
    print(f"{'baseline: plain sum of every number':45s} {baseline * 1e6:9.1f} µs   1.0×")
    for name, seconds in rows:
        print(f"{name:45s} {seconds * 1e6:9.1f} µs {seconds / baseline:6.1f}×")


if __name__ == "__main__":
    main()
