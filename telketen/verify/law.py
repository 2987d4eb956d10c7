"""Verify's own reading of Kieswet chapter P: seats (P 5–P 10) and elected candidates (P 15–P 17, P 19a).

Why a second implementation: `verify` exists to catch the central office's mistakes, and a check that runs
the central office's own code (`shared.domain.apportionment`, `candidates`, `seats`) cannot see an error in
that code — it would show in both. So this module shares nothing with it (tests/test_architecture.py keeps it
that way) and is written to be read beside the law, one article at a time, not to be fast or to print steps.
Property tests hold the two to the same seats, elected candidates and lots (tests/test_verify_law.py), and
both reproduce every official result in ../shared/data/oracle.

Lots are never drawn: `draws` are the outcomes printed in the P 22 report, taken in the order the law asks
for them (residual seats, then P 9, then candidates list by list); when one is missing the result says which
lot is needed instead of picking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from shared.errors import InputError

#: P 7 / P 8 / P 15: bodies of 19 seats or more use largest averages and a 25 % preference threshold.
NINETEEN = 19
#: P 7 lid 2 (Tweede Kamer, European Parliament): no residual seat for a list below one full quota.
QUOTA_FLOOR_BODIES = frozenset({"TK", "EP"})


@dataclass(frozen=True)
class Lot:
    """A lot the law asks for: what it decides (`kind`) and between which lists or candidates."""

    kind: str
    options: tuple[int, ...]
    list_number: int | None = None


class LotMissing(Exception):
    """The next lot outcome was not supplied: the computation cannot go on (becomes `Outcome.lot`)."""

    def __init__(self, lot: Lot) -> None:
        super().__init__(f"lot needed: {lot.kind} between {list(lot.options)}")
        self.lot = lot


class Draws:
    """The lot outcomes in the order they were drawn; a drawn option must be one of the tied ones."""

    def __init__(self, outcomes: Sequence[int]) -> None:
        self.outcomes = list(outcomes)
        self.taken = 0

    def take(self, lot: Lot) -> int:
        if self.taken == len(self.outcomes):
            raise LotMissing(lot)
        outcome = self.outcomes[self.taken]
        if outcome not in lot.options:
            raise InputError(
                f"lot outcome {outcome} is not one of {list(lot.options)} ({lot.kind})",
                where=f"lots[{self.taken}]",
            )
        self.taken += 1
        return outcome

    def all_taken(self) -> None:
        if self.taken != len(self.outcomes):
            raise InputError(
                f"{len(self.outcomes)} lot outcome(s) given, {self.taken} needed", where=f"lots[{self.taken}]"
            )


@dataclass(frozen=True)
class Party:
    """One list (or list group) as P 5–P 10 see it: number, votes, living candidates (None: no limit)."""

    number: int
    votes: int
    candidates: int | None = None


@dataclass
class _Holding:
    """What one list holds while the residual seats are handed out."""

    party: Party
    full: int
    remainder: Fraction
    residual: int = 0
    won_by_remainder: int = 0
    won_by_average_once: int = 0

    @property
    def seats(self) -> int:
        return self.full + self.residual

    def average(self) -> Fraction:
        return Fraction(self.party.votes, self.seats + 1)

    def full_list(self) -> bool:
        return self.party.candidates is not None and self.seats >= self.party.candidates


@dataclass
class SeatOutcome:
    """Seats per list number, and the seats no list could take (P 10, W 4 lid 2)."""

    seats: dict[int, int]
    empty: int = 0


def apportion(body_seats: int, parties: Sequence[Party], *, quota_floor: bool, draws: Draws) -> SeatOutcome:
    """Kieswet P 5–P 10 on `parties` (in ballot order); raises `LotMissing` when a lot is needed."""
    total = sum(p.votes for p in parties)
    # P 5: the quota (kiesdeler) is the votes on all lists divided by the seats.
    quota = Fraction(total, body_seats)
    holdings: list[_Holding] = []
    for p in parties:
        # P 6: a list gets as many seats as the quota fits in its votes; the rest is its remainder.
        full = int(p.votes // quota) if p.votes > 0 else 0
        holdings.append(_Holding(p, full, p.votes - full * quota if p.votes > 0 else Fraction(0)))
    free = body_seats - sum(h.full for h in holdings)
    awarded: list[tuple[str, Fraction, _Holding]] = []

    def may_compete(h: _Holding, after_p10: bool) -> bool:
        if h.party.votes == 0:
            return False
        if quota_floor and h.party.votes < quota:  # P 7 lid 2
            return False
        return not (after_p10 and h.full_list())

    def hand_out(count: int, after_p10: bool) -> int:
        """Give `count` residual seats one by one (P 7, P 8); return how many nobody could take."""
        for given in range(count):
            left = count - given
            field_ = [h for h in holdings if may_compete(h, after_p10)]
            if not field_:
                return left
            if body_seats >= NINETEEN:
                # P 7: the highest average votes / (seats + 1), as often as a list keeps winning.
                rule, scored = "average", [(h, h.average()) for h in field_]
            else:
                # P 8 lid 1: largest remainders, one seat each, for lists with at least 3/4 of the quota.
                by_rem = [h for h in field_ if h.party.votes * 4 >= quota * 3 and h.won_by_remainder == 0]
                # P 8 lid 2: then highest averages, one seat each, every list with votes.
                once = [h for h in field_ if h.won_by_average_once == 0]
                if by_rem:
                    rule, scored = "remainder", [(h, h.remainder) for h in by_rem]
                elif once:
                    rule, scored = "average_once", [(h, h.average()) for h in once]
                else:  # not in the law's text: only after P 10; averages without the limit, as Abacus does
                    rule, scored = "average_again", [(h, h.average()) for h in field_]
            top = max(value for _, value in scored)
            tied = [h for h, value in scored if value == top]
            winner = tied[0]
            if len(tied) > left:  # P 7 lid 1 / P 8 lid 3: "beslist het lot"
                drawn = draws.take(Lot("residual_seat", tuple(h.party.number for h in tied)))
                winner = next(h for h in tied if h.party.number == drawn)
            winner.residual += 1
            if rule == "remainder":
                winner.won_by_remainder += 1
            elif rule == "average_once":
                winner.won_by_average_once += 1
            awarded.append((rule, top, winner))
        return 0

    empty = hand_out(free, after_p10=False)
    _absolute_majority(holdings, awarded, total, body_seats, draws)
    # P 10: no list holds more seats than it has candidates; residual seats go back first.
    freed = 0
    for h in holdings:
        while h.party.candidates is not None and h.seats > h.party.candidates:
            if h.residual > 0:
                h.residual -= 1
            else:
                h.full -= 1
            freed += 1
    if freed:
        empty += hand_out(freed, after_p10=True)
    return SeatOutcome({h.party.number: h.seats for h in holdings}, empty)


def _absolute_majority(
    holdings: list[_Holding],
    awarded: list[tuple[str, Fraction, _Holding]],
    total: int,
    body_seats: int,
    draws: Draws,
) -> None:
    """P 9: a list with more than half of the votes that holds half of the seats or fewer gets the last
    residual seat; if that seat went out together with others at the same value, a lot says who gives it."""
    if not awarded:
        return
    majority = next((h for h in holdings if h.party.votes * 2 > total), None)
    if majority is None or majority.seats * 2 > body_seats:
        return
    rule, value, _ = awarded[-1]
    same_round: list[_Holding] = []
    for r, v, h in reversed(awarded):
        if (r, v) != (rule, value):
            break
        same_round.insert(0, h)
    giver = same_round[0]
    if len(same_round) > 1:
        drawn = draws.take(Lot("absolute_majority", tuple(h.party.number for h in same_round)))
        giver = next(h for h in same_round if h.party.number == drawn)
    giver.residual -= 1
    if rule == "remainder":
        giver.won_by_remainder -= 1
    elif rule == "average_once":
        giver.won_by_average_once -= 1
    majority.residual += 1


def preference_threshold(body_seats: int, total_votes: int) -> Fraction:
    """P 15 lid 1: more than 25 % of the quota (50 % in a body of fewer than 19 seats)."""
    share = Fraction(25 if body_seats >= NINETEEN else 50, 100)
    return share * Fraction(total_votes, body_seats)


@dataclass
class Chosen:
    """The elected candidates of one list, in the order they were elected, and who by preference."""

    elected: list[int] = field(default_factory=list)
    by_preference: list[int] = field(default_factory=list)


def choose(
    list_number: int,
    seats: int,
    votes: Sequence[int],
    *,
    threshold: Fraction,
    deceased: frozenset[int] = frozenset(),
    draws: Draws,
) -> Chosen:
    """P 15–P 17 on one list: candidates `1..len(votes)`, deceased ones left out (P 19a)."""
    alive = [(pos, v) for pos, v in enumerate(votes, start=1) if pos not in deceased]
    # P 15/P 16: above the threshold, in order of votes; equal votes keep the list order unless too few seats.
    waiting = sorted((c for c in alive if c[1] > threshold), key=lambda c: c[1], reverse=True)
    out = Chosen()
    while waiting and len(out.elected) < seats:
        level = [c for c in waiting if c[1] == waiting[0][1]]
        pick = level[0]
        if len(level) > seats - len(out.elected):
            drawn = draws.take(Lot("candidate", tuple(pos for pos, _ in level), list_number))
            pick = next(c for c in level if c[0] == drawn)
        waiting.remove(pick)
        out.elected.append(pick[0])
        out.by_preference.append(pick[0])
    # P 17: the seats left go to the others in list order.
    for pos, _ in alive:
        if len(out.elected) == seats:
            break
        if pos not in out.elected:
            out.elected.append(pos)
    return out


@dataclass(frozen=True)
class ListVotes:
    """One list of a single-district election: ballot number, votes, each candidate's votes, deceased."""

    number: int
    votes: int
    candidate_votes: tuple[int, ...] | None = None
    candidates: int | None = None
    deceased: frozenset[int] = frozenset()


@dataclass
class Outcome:
    """Seats and elected candidates, or the lot that must be drawn first."""

    seats: dict[int, int] | None = None
    elected: dict[int, Chosen] | None = None
    empty: int = 0
    lot: Lot | None = None


def compute(category: str, body_seats: int, lists: Sequence[ListVotes], lots: Sequence[int] = ()) -> Outcome:
    """Seats (P 5–P 10) and, for lists with candidate votes, the elected candidates (P 15–P 17)."""
    draws = Draws(lots)
    parties = []
    for lst in lists:
        living = len(lst.candidate_votes) if lst.candidate_votes is not None else lst.candidates
        parties.append(Party(lst.number, lst.votes, None if living is None else living - len(lst.deceased)))
    try:
        seats = apportion(body_seats, parties, quota_floor=category in QUOTA_FLOOR_BODIES, draws=draws)
        threshold = preference_threshold(body_seats, sum(p.votes for p in parties))
        elected = {
            lst.number: choose(
                lst.number,
                seats.seats[lst.number],
                lst.candidate_votes,
                threshold=threshold,
                deceased=lst.deceased,
                draws=draws,
            )
            for lst in lists
            if lst.candidate_votes is not None
        }
    except LotMissing as stop:
        return Outcome(lot=stop.lot)
    draws.all_taken()
    return Outcome(seats=seats.seats, elected=elected or None, empty=seats.empty)
