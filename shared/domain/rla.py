"""A risk-limiting audit of the seat apportionment: which polling stations to recount by hand so that, if the
reported seats per list were wrong, the audit would find out with probability at least 1 − α.

The method (docs/audit.md has the statistics and its sources):
- **Assertions** (Stark & Teague 2014, "Verifiable European Elections: Risk-limiting Audits for D'Hondt and
  Its Relatives"): the reported apportionment is right if a set of linear inequalities in the true list totals
  holds. For the largest-averages method (Kieswet P 6–P 7, councils of 19 seats or more, which is D'Hondt):
  every list A that won sA seats beats every other list B's next seat, (sB + 1)·vA − sA·vB > 0; with the
  quota threshold of P 7 lid 2 (TK, EP) a list without a seat stays below the quota (V − S·vB > 0) and a list
  with a seat reaches it (S·vA − V ≥ 0); and no list without more than half of the seats gets more than half
  of the votes, so the majority rule of P 9 stays out of play.
- **Batch comparison with PPEB sampling and the Kaplan–Markov P-value** (Stark 2009, "Risk-limiting
  post-election audits: P-values from common probability inequalities"; MACRO, Stark 2008): a station's error
  bound u is the largest share of any assertion's margin its reported counts could overstate; stations are
  drawn with replacement with probability u/U; after n draws with taints t (observed overstatement / u) the
  P-value is Π (1 − 1/U) / (1 − t). The audit confirms the outcome when P ≤ α, and otherwise recounts more,
  ending in a full hand count.
- **Sampling from a public seed** with SHA-256 (as Rivest's `sampler.py` and the Colorado RLA tool do): draw k
  takes the first 256 bits of SHA-256("<seed>,<k>") as a uniform number, so anyone can redraw the sample.

Pure: counts and a seed in, a plan and an evaluation out. Margins and bounds are exact fractions; the
P-value is a probability (a float).
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import accumulate

import msgspec

from shared.errors import InputError


class Batch(msgspec.Struct, frozen=True, kw_only=True):
    """A polling station as reported: votes per list (in the contest's list order) and ballots counted (H),
    which bounds what a recount could find in it."""

    unit: str
    municipality: str
    votes: tuple[int, ...]
    ballots: int


class Contest(msgspec.Struct, frozen=True, kw_only=True):
    """What was elected and reported: seats, list numbers, seats per list, the P 7 lid 2 threshold."""

    seats: int
    lists: tuple[int, ...]
    reported_seats: tuple[int, ...]
    quota_threshold: bool


class Assertion(msgspec.Struct, frozen=True, kw_only=True):
    """Σ weights·(true list totals) > 0 (or ≥ 0 when `strict` is False) implies the reported seats.

    `winner`/`loser` are list positions; `kind` is `largest_averages` (P 7), `below_quota` or `reaches_quota`
    (P 7 lid 2) or `no_majority` (P 9). `margin` is the reported value of the sum; `votes_to_change` the
    fewest votes moved from winner to loser that would change a seat."""

    kind: str
    winner: int
    loser: int
    weights: tuple[int, ...]
    margin: int
    votes_to_change: int
    strict: bool = True


class Unsupported(msgspec.Struct, frozen=True):
    """Why no sample can limit the risk: the plan is then a full hand count."""

    reason: str


def largest_averages(totals: Sequence[int], seats: int, eligible: Sequence[bool]) -> tuple[int, ...] | None:
    """D'Hondt by exact comparison among the eligible lists; None when a tie for the last seat needs a lot."""
    won = [0] * len(totals)
    for _ in range(seats):
        best: list[int] = []
        for j, v in enumerate(totals):
            if not eligible[j] or v == 0:
                continue
            if not best or v * (won[best[0]] + 1) > totals[best[0]] * (won[j] + 1):
                best = [j]
            elif v * (won[best[0]] + 1) == totals[best[0]] * (won[j] + 1):
                best.append(j)
        if not best:
            break
        if len(best) > 1:
            return None
        won[best[0]] += 1
    return tuple(won)


def assertions(contest: Contest, totals: Sequence[int]) -> list[Assertion] | Unsupported:
    """The assertions that imply the reported seats, or why the method does not cover this result."""
    seats, won = contest.seats, contest.reported_seats
    if seats < 19:
        return Unsupported(
            "minder dan 19 zetels: de grootste-overschottenmethode (Kieswet P 8) valt buiten deze steekproef"
        )
    total = sum(totals)
    if total == 0:
        return Unsupported("geen stemmen op lijsten")
    eligible = [not contest.quota_threshold or v * seats >= total for v in totals]
    if largest_averages(totals, seats, eligible) != tuple(won):
        return Unsupported(
            "de gemelde zetels volgen niet uit de grootste gemiddelden alleen (loting, absolute meerderheid "
            "P 9 of lijstuitputting P 10)"
        )
    out: list[Assertion] = []
    n = len(totals)
    for a in range(n):
        if won[a] == 0:
            continue
        for b in range(n):
            if b == a or (contest.quota_threshold and not eligible[b]):
                continue
            weights = tuple((won[b] + 1) if j == a else (-won[a] if j == b else 0) for j in range(n))
            margin = (won[b] + 1) * totals[a] - won[a] * totals[b]
            out.append(
                Assertion(
                    kind="largest_averages",
                    winner=a,
                    loser=b,
                    weights=weights,
                    margin=margin,
                    votes_to_change=-(-margin // (won[a] + won[b] + 1)),
                )
            )
        if contest.quota_threshold:
            margin = seats * totals[a] - total
            out.append(
                Assertion(
                    kind="reaches_quota",
                    winner=a,
                    loser=a,
                    weights=tuple(seats - 1 if j == a else -1 for j in range(n)),
                    margin=margin,
                    votes_to_change=margin // seats + 1,
                    strict=False,
                )
            )
    if contest.quota_threshold:
        for b in range(n):
            if eligible[b] or totals[b] == 0:
                continue
            margin = total - seats * totals[b]
            out.append(
                Assertion(
                    kind="below_quota",
                    winner=b,
                    loser=b,
                    weights=tuple(1 - seats if j == b else 1 for j in range(n)),
                    margin=margin,
                    votes_to_change=-(-margin // seats),
                )
            )
    # P 9: a list with more than half of the votes gets more than half of the seats. The reported seats are
    # the plain largest averages, so P 9 did not act; it stays so while no list holding half the seats or
    # fewer gets more than half of the votes (V − 2·vB ≥ 0; each vote moved to B lowers it by 2).
    for b in range(n):
        if 2 * won[b] > seats or totals[b] == 0:
            continue
        margin = total - 2 * totals[b]
        out.append(
            Assertion(
                kind="no_majority",
                winner=b,
                loser=b,
                weights=tuple(-1 if j == b else 1 for j in range(n)),
                margin=margin,
                votes_to_change=margin // 2 + 1,
                strict=False,
            )
        )
    if any(x.margin <= 0 for x in out):
        return Unsupported("een zetel hangt af van een gelijke stand of van precies de kiesdeler: marge 0")
    return out


def error_bound(batch: Batch, claims: Sequence[Assertion]) -> Fraction:
    """u: the largest fraction of any assertion's margin this station's counts could overstate — if every
    ballot counted there truly belonged to the list that hurts the assertion most (MACRO, Stark 2008)."""
    best = Fraction(0)
    for claim in claims:
        if claim.margin == 0:
            continue
        reported = sum(w * v for w, v in zip(claim.weights, batch.votes, strict=True))
        worst = batch.ballots * min(0, *claim.weights)
        best = max(best, Fraction(reported - worst, claim.margin))
    return best


def overstatement(batch: Batch, recount: Sequence[int], claims: Sequence[Assertion]) -> Fraction:
    """e: the largest fraction of any assertion's margin by which the reported counts overstate the hand
    count (negative when the recount favours the reported outcome)."""
    worst = Fraction(-(10**18))
    for claim in claims:
        if claim.margin == 0:
            continue
        delta = sum(w * (r - t) for w, r, t in zip(claim.weights, batch.votes, recount, strict=True))
        worst = max(worst, Fraction(delta, claim.margin))
    return worst


def draw(seed: str, index: int) -> Fraction:
    """Draw `index` (0-based) of the public seed as a uniform number in [0, 1): SHA-256("seed,index")."""
    digest = hashlib.sha256(f"{seed},{index + 1}".encode()).digest()
    return Fraction(int.from_bytes(digest, "big"), 1 << 256)


class Sampler:
    """PPEB draws from a public seed: draw k is the station whose share of U covers SHA-256("seed,k+1").
    The sequence is endless and fixed by the seed, so an escalation continues it rather than starting anew."""

    def __init__(self, seed: str, bounds: Sequence[Fraction]) -> None:
        self.seed = seed
        self.cumulative = list(accumulate(bounds))
        self.total = self.cumulative[-1] if self.cumulative else Fraction(0)

    def at(self, index: int) -> int:
        return bisect_right(self.cumulative, draw(self.seed, index) * self.total)

    def take(self, start: int, count: int) -> list[int]:
        return [self.at(k) for k in range(start, start + count)]


def draws_needed(total_bound: Fraction, risk_limit: Fraction, p_value: float = 1.0) -> int | None:
    """Further draws without any overstatement that bring the Kaplan–Markov P-value to the risk limit;
    None when no number of draws can (U ≤ 1: the error bound is less than the margin itself)."""
    if p_value <= risk_limit:
        return 0
    if total_bound <= 1:
        return None
    step = math.log(1.0 - 1.0 / float(total_bound))
    return max(1, math.ceil((math.log(float(risk_limit)) - math.log(p_value)) / step - 1e-9))


def kaplan_markov(total_bound: Fraction, taints: Sequence[Fraction]) -> float:
    """P-value after draws with these taints (t = e/u): Π (1 − 1/U) / (1 − t); 1 once a taint reaches 1."""
    p = 1.0
    factor = 1.0 - 1.0 / float(total_bound)
    for taint in taints:
        if taint >= 1:
            return 1.0
        p *= factor / (1.0 - float(taint))
    return min(p, 1.0)


def expected_distinct(bounds: Sequence[Fraction], draws: int) -> float:
    """Expected number of different stations among `draws` PPEB draws with replacement."""
    total = float(sum(bounds))
    return sum(1.0 - (1.0 - float(u) / total) ** draws for u in bounds)


def check_risk_limit(risk_limit: Fraction) -> None:
    if not 0 < risk_limit < 1:
        raise InputError(f"risk limit must be between 0 and 1, got {risk_limit}", where="--risk-limit")


class Margin(msgspec.Struct, frozen=True, kw_only=True):
    """The closest call: the fewest votes moved between two lists that would change a seat, and which."""

    votes: int
    kind: str
    winner: int
    loser: int
    winner_seats: int
    loser_seats: int


class PlannedBatch(msgspec.Struct, frozen=True, kw_only=True):
    """A station in the plan: what was reported and its error bound u (an exact fraction as 'p/q')."""

    unit: str
    municipality: str
    votes: tuple[int, ...]
    ballots: int
    bound: str


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """Everything needed to evaluate the recounts later without the published folder, and to redraw the
    sample: the assertions, every station with its bound, the public seed and the draws made so far."""

    risk_limit: str
    seed: str
    seats: int
    lists: tuple[int, ...]
    reported_seats: tuple[int, ...]
    margin: Margin | None
    full_hand_count: bool
    reason: str | None
    assertions: tuple[Assertion, ...]
    total_bound: str
    draws: tuple[int, ...]
    batches: tuple[PlannedBatch, ...]

    def stations(self) -> list[int]:
        """Batch positions to recount, in the order of their first draw (every station for a full count)."""
        if self.full_hand_count:
            return list(range(len(self.batches)))
        return list(dict.fromkeys(self.draws))


def make_plan(contest: Contest, batches: Sequence[Batch], seed: str, risk_limit: Fraction) -> Plan:
    """The initial sample: as many draws as make P ≤ α if the recounts find no overstatement at all."""
    check_risk_limit(risk_limit)
    if not seed.strip():
        raise InputError("the seed must come from a public dice roll; it is empty", where="--seed")
    totals = [sum(b.votes[j] for b in batches) for j in range(len(contest.lists))]
    claims = assertions(contest, totals)
    full, reason = isinstance(claims, Unsupported), claims.reason if isinstance(claims, Unsupported) else None
    found = [] if isinstance(claims, Unsupported) else claims
    bounds = [error_bound(b, found) for b in batches]
    total = sum(bounds, Fraction(0))
    draws: list[int] = []
    if not full:
        needed = draws_needed(total, risk_limit)
        if needed is None:
            full, reason = True, "de marge is kleiner dan wat één stembureau kan veranderen"
        else:
            draws = Sampler(seed, bounds).take(0, needed)
            if len(set(draws)) >= len(batches):
                full, reason = True, "de marge is zo klein dat de steekproef alle stembureaus omvat"
    closest = min(found, key=lambda c: c.votes_to_change, default=None)
    return Plan(
        risk_limit=str(risk_limit),
        seed=seed,
        seats=contest.seats,
        lists=contest.lists,
        reported_seats=contest.reported_seats,
        margin=None
        if closest is None
        else Margin(
            votes=closest.votes_to_change,
            kind=closest.kind,
            winner=contest.lists[closest.winner],
            loser=contest.lists[closest.loser],
            winner_seats=contest.reported_seats[closest.winner],
            loser_seats=contest.reported_seats[closest.loser],
        ),
        full_hand_count=full,
        reason=reason,
        assertions=tuple(found),
        total_bound=str(total),
        draws=tuple(draws),
        batches=tuple(
            PlannedBatch(
                unit=b.unit, municipality=b.municipality, votes=b.votes, ballots=b.ballots, bound=str(u)
            )
            for b, u in zip(batches, bounds, strict=True)
        ),
    )


class Discrepancy(msgspec.Struct, frozen=True, kw_only=True):
    """A recounted station whose hand count differs from what was reported."""

    unit: str
    overstatement: float
    differences: tuple[tuple[int, int], ...]


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    """The audit's verdict after the recounts so far: confirmed at the risk limit, or what to recount next."""

    confirmed: bool
    p_value: float
    risk_limit: str
    draws_evaluated: int
    discrepancies: tuple[Discrepancy, ...]
    further_draws: tuple[int, ...]
    full_hand_count: bool
    reason: str | None


def evaluate(plan: Plan, recounts: dict[str, tuple[int, ...]]) -> Evaluation:
    """Walk the draws in order while their stations have been recounted; P-value; escalate if needed.

    An escalation adds the draws that would bring P to the risk limit if no further overstatement were
    found; once they would cover every station, or an overstatement reaches a station's whole error bound,
    only a full hand count settles the result (Kieswet: the hand count is the result).
    """
    risk_limit = Fraction(plan.risk_limit)
    found = {b.unit: k for k, b in enumerate(plan.batches)}
    for unit in recounts:
        if unit not in found:
            raise InputError(f"{unit} is not a polling station of this plan", where="recounts")
    if plan.full_hand_count:
        missing = [b.unit for b in plan.batches if b.unit not in recounts]
        return Evaluation(
            confirmed=not missing and _hand_count_agrees(plan, recounts),
            p_value=0.0 if not missing else 1.0,
            risk_limit=plan.risk_limit,
            draws_evaluated=0,
            discrepancies=_discrepancies(plan, recounts, range(len(plan.batches))),
            further_draws=(),
            full_hand_count=True,
            reason=plan.reason,
        )
    claims = plan.assertions
    total = Fraction(plan.total_bound)
    sampler = Sampler(plan.seed, [Fraction(b.bound) for b in plan.batches])
    # Walk the seed's draws while their stations have been recounted: the planned draws first, then those an
    # earlier evaluation asked for. Stop at the first station not recounted yet, or once P ≤ α (the
    # Kaplan–Markov bound holds at every step, so stopping there keeps the risk limit).
    taints: list[Fraction] = []
    p = 1.0
    cap = len(plan.draws) + 100 * len(plan.batches)
    index = 0
    while index < cap:
        batch = plan.batches[sampler.at(index)]
        if batch.unit not in recounts:
            break
        bound = Fraction(batch.bound)
        e = overstatement(_as_batch(batch), recounts[batch.unit], claims)
        taints.append(e / bound if bound > 0 else Fraction(0))
        p = kaplan_markov(total, taints)
        index += 1
        if p <= risk_limit:
            break
    evaluated = len(taints)
    recounted = (k for k, b in enumerate(plan.batches) if b.unit in recounts)
    confirmed = p <= risk_limit
    further: tuple[int, ...] = ()
    full = False
    if not confirmed:
        more = draws_needed(total, risk_limit, p)
        full = more is None or p >= 1.0 or index >= cap
        if more is not None and not full:
            upto = max(evaluated + more, len(plan.draws))
            further = tuple(sampler.take(evaluated, upto - evaluated))
            full = len(set(sampler.take(0, evaluated)) | set(further)) >= len(plan.batches)
        if full:
            further = ()
    return Evaluation(
        confirmed=confirmed,
        p_value=p,
        risk_limit=plan.risk_limit,
        draws_evaluated=evaluated,
        discrepancies=_discrepancies(plan, recounts, recounted),
        further_draws=further,
        full_hand_count=full,
        reason="de steekproef kan de uitslag niet meer bevestigen: alle stembureaus met de hand hertellen"
        if full
        else None,
    )


def _as_batch(planned: PlannedBatch) -> Batch:
    return Batch(
        unit=planned.unit, municipality=planned.municipality, votes=planned.votes, ballots=planned.ballots
    )


def _discrepancies(
    plan: Plan, recounts: dict[str, tuple[int, ...]], positions: Iterable[int]
) -> tuple[Discrepancy, ...]:
    out = []
    for k in positions:
        batch = plan.batches[k]
        counted = recounts.get(batch.unit)
        if counted is None or counted == batch.votes:
            continue
        diff = tuple(
            (number, c - r) for number, r, c in zip(plan.lists, batch.votes, counted, strict=True) if c != r
        )
        e = overstatement(_as_batch(batch), counted, plan.assertions) if plan.assertions else Fraction(0)
        out.append(Discrepancy(unit=batch.unit, overstatement=float(e), differences=diff))
    return tuple(out)


def _hand_count_agrees(plan: Plan, recounts: dict[str, tuple[int, ...]]) -> bool:
    """After a full hand count: do the hand-counted totals still imply the reported seats? With assertions,
    they must all hold on the hand count; without (a method outside the sample), only a hand count equal to
    the reported one confirms — otherwise the hand count is the result and the seats must be recomputed."""
    totals = [sum(recounts[b.unit][j] for b in plan.batches) for j in range(len(plan.lists))]
    if plan.assertions:
        return all(
            sum(w * v for w, v in zip(c.weights, totals, strict=True)) > (0 if c.strict else -1)
            for c in plan.assertions
        )
    return tuple(totals) == tuple(sum(b.votes[j] for b in plan.batches) for j in range(len(plan.lists)))
