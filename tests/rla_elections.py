"""The elections the risk-limiting audit is tried on, shared by tests/test_rla.py and bench/rla.py: one true
result a sample can confirm, and the same stations reported wrongly enough to move a seat."""

from __future__ import annotations

import random

from shared.domain.rla import Batch, Contest, largest_averages


def _contest(batches: list[Batch]) -> Contest:
    totals = [sum(b.votes[j] for b in batches) for j in range(4)]
    won = largest_averages(totals, 19, [True] * 4)
    assert won is not None
    return Contest(seats=19, lists=(1, 2, 3, 4), reported_seats=won, quota_threshold=False)


def comfortable_election(seed: int = 5) -> tuple[Contest, list[Batch]]:
    """400 stations of 600–1,400 voters, 4 lists, 19 seats, a closest seat of about 2 % of the votes."""
    rng = random.Random(seed)
    shares = (0.2157, 0.4650, 0.0036, 0.3157)
    batches = []
    for k in range(400):
        n = rng.randrange(600, 1400)
        votes = tuple(max(0, round(n * p + rng.gauss(0, (n * p) ** 0.5))) for p in shares)
        batches.append(
            Batch(unit=f"0999::SB{k + 1}", municipality="Proefdam", votes=votes, ballots=sum(votes) + 5)
        )
    return _contest(batches), batches


def wrongly_reported(truth: list[Batch]) -> tuple[Contest, list[Batch]]:
    """The same stations, every tenth with 250 votes of list 1 reported for list 2: list 2 wins a seat."""
    reported = list(truth)
    for k in range(0, len(reported), 10):
        b = reported[k]
        votes = (b.votes[0] - 250, b.votes[1] + 250, b.votes[2], b.votes[3])
        reported[k] = Batch(unit=b.unit, municipality=b.municipality, votes=votes, ballots=b.ballots)
    return _contest(reported), reported
