"""The risk-limiting audit by simulation: a true result is confirmed with the expected workload, a wrong one
escalates at least 1 − α of the time, measured over many seeded audits in the same run.

    python bench/rla.py [--runs 200] [--risk-limit 0.05]

The election: 400 polling stations of 600–1,400 voters, 4 lists, 19 seats (largest averages), with a closest
seat margin of about 2 % of the votes — the kind of result a sample can confirm. The wrong result: the
reported counts move 250 votes from list 1 to list 2 in 40 stations, which wins list 2 a seat it did not win.
Each audit recounts what it is asked (the hand count is the truth), escalating until it confirms or calls for
a full hand count. Baseline: the number of draws the same margin needs in a ballot-level comparison audit
(Kaplan–Markov, zero discrepancies), computed here and, where the PyPI package `rlacalc` is installed, by it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.domain.rla import Batch, Contest, evaluate, make_plan
from tests.rla_elections import comfortable_election, wrongly_reported


def audit(
    contest: Contest, reported: list[Batch], truth: dict[str, tuple[int, ...]], seed: str, alpha: Fraction
) -> tuple[bool, int]:
    """One audit to its end: (confirmed, stations recounted)."""
    plan = make_plan(contest, reported, seed, alpha)
    recounts: dict[str, tuple[int, ...]] = {}
    asked = [plan.batches[k].unit for k in plan.stations()]
    while True:
        recounts.update({u: truth[u] for u in asked})
        outcome = evaluate(plan, recounts)
        if outcome.confirmed:
            return True, len(recounts)
        if outcome.full_hand_count:
            return False, len(reported)
        asked = [plan.batches[k].unit for k in outcome.further_draws]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--risk-limit", default="0.05")
    args = parser.parse_args()
    alpha = Fraction(args.risk_limit)
    contest, batches = comfortable_election()
    truth = {b.unit: b.votes for b in batches}
    plan = make_plan(contest, batches, "0", alpha)
    assert plan.margin is not None
    total_votes = sum(sum(b.votes) for b in batches)
    print(f"election: {len(batches)} stations, {total_votes:,} votes, seats {contest.reported_seats}")
    print(f"closest seat: {plan.margin.votes:,} votes ({plan.margin.votes / total_votes:.2%} of the votes)")

    diluted = 2 * plan.margin.votes / total_votes
    ballot_level = math.ceil(math.log(float(alpha)) / math.log(1 - diluted / 2))
    print(f"baseline: a ballot-level comparison audit of the same margin needs {ballot_level:,} ballots")
    try:
        import rlacalc  # type: ignore[import-not-found]

        gamma = 1.03905  # rlacalc's default error inflation; it refuses gamma = 1
        figure = rlacalc.nmin(float(alpha), gamma, diluted)
        print(f"          rlacalc {rlacalc.__version__} nmin (gamma {gamma}): {figure:,.0f} ballots")
    except ImportError:
        print("          (rlacalc not installed: its figure skipped; pip install rlacalc to compare)")

    started = time.perf_counter()
    results = [audit(contest, batches, truth, f"run {k}", alpha) for k in range(args.runs)]
    confirmed = sum(c for c, _ in results)
    stations = [n for _, n in results]
    print(f"\ntrue result, {args.runs} seeded audits ({time.perf_counter() - started:.1f} s):")
    print(
        f"  confirmed {confirmed}/{args.runs}; stations recounted: mean {sum(stations) / len(stations):.1f}, "
        f"max {max(stations)} of {len(batches)} (plan: {len(plan.stations())} for seed '0')"
    )
    ballots = sum(b.ballots for b in batches) / len(batches) * sum(stations) / len(stations)
    print(f"  = about {ballots:,.0f} ballots, {ballots / ballot_level:.1f}× the ballot-level baseline")

    wrong_contest, reported = wrongly_reported(batches)
    started = time.perf_counter()
    results = [audit(wrong_contest, reported, truth, f"run {k}", alpha) for k in range(args.runs)]
    wrongly = sum(c for c, _ in results)
    stations = [n for _, n in results]
    print(
        f"\nwrong result (seats {wrong_contest.reported_seats}), {args.runs} seeded audits "
        f"({time.perf_counter() - started:.1f} s):"
    )
    print(
        f"  confirmed the wrong seats {wrongly}/{args.runs} ({wrongly / args.runs:.1%}; the risk limit "
        f"allows {float(alpha):.0%}); escalated to a full hand count {args.runs - wrongly}/{args.runs}"
    )
    print(f"  stations recounted: mean {sum(stations) / len(stations):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
