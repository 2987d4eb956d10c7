"""Seat apportionment (zetelverdeling) as Kieswet chapter P prescribes, with every step kept as data.

The central polling office must print *why* each list got its seats (model P 22), so the computation records
its steps (quota, full seats, each residual seat with the value that won it, P 9 and P 10 changes,
lots) as msgspec Structs instead of logging them. Arithmetic is exact (`fractions.Fraction`): real elections
tie exactly (Roermond 2026: 1851/3 = 617/1) and a float would silently pick a winner.

A lot is never drawn here. When more lists tie than seats remain, the computation stops with a `LotRequest`
(the options and what the lot decides); the caller draws physically and runs again with the outcomes in the
order they were asked (`lots=`). `Lots` is the cursor over those outcomes that the other seat modules share.

Fractions in steps are texts `"numerator/denominator"` in their natural, unreduced form (quota
`total/seats`, remainder over `seats`, average `votes/(seats + 1)`), as the PV prints them; `mixed()` writes
the mixed number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Literal

import msgspec

from shared.errors import InputError

#: From this number of seats on, residual seats go by largest averages (P 7); below it by P 8.
LARGE_BODY_SEATS = 19

Rule = Literal["largest_averages", "largest_remainders", "one_per_list_averages", "plain_averages"]
Status = Literal["complete", "lot_required"]


# --------------------------------------------------------------------------------------------------- lots
class LotRequest(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A lot that must be drawn before the computation can go on: the options and what it decides."""

    kind: Literal["residual_seat", "absolute_majority", "group_split", "candidate"]
    options: tuple[int, ...]
    reason: str
    list_number: int | None = None


class LotRequired(Exception):
    """Internal stop signal: the next lot outcome is not known yet (turned into a `lot_required` status)."""

    def __init__(self, request: LotRequest) -> None:
        super().__init__(request.reason)
        self.request = request


class Lots:
    """The lot outcomes supplied by the caller, consumed in the order the computation asks for them."""

    def __init__(self, outcomes: Sequence[int]) -> None:
        self.outcomes = tuple(outcomes)
        self.used = 0

    def draw(self, request: LotRequest) -> int:
        """The outcome of the next lot; stop with `LotRequired` when it has not been supplied yet."""
        if self.used >= len(self.outcomes):
            raise LotRequired(request)
        outcome = self.outcomes[self.used]
        if outcome not in request.options:
            raise InputError(
                f"lot outcome {outcome} is not among the options {list(request.options)} ({request.reason})",
                where=f"lots[{self.used}]",
            )
        self.used += 1
        return outcome

    def check_all_used(self) -> None:
        """Refuse outcomes nobody asked for: a stray lot outcome is a mistake, never silently ignored."""
        if self.used < len(self.outcomes):
            raise InputError(
                f"{len(self.outcomes)} lot outcome(s) given but only {self.used} lot(s) needed",
                where=f"lots[{self.used}]",
            )


# --------------------------------------------------------------------------------------------------- steps
class LotStep(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="step", tag="lot"):
    """A lot that was drawn (outcome supplied by the caller) and what it decided."""

    kind: str
    options: tuple[int, ...]
    outcome: int
    reason: str
    list_number: int | None = None


class QuotaStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="quota"):
    """The quota (kiesdeler): votes on lists / seats (Kieswet P 5)."""

    total_votes: int
    seats: int
    quota: str
    article: str = "P 5"


class ListFullSeats(msgspec.Struct, frozen=True, kw_only=True):
    """One list after the full seats: floor(votes / quota) and the remainder (overschot)."""

    list_number: int
    votes: int
    full_seats: int
    remainder: str


class FullSeatsStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="full_seats"):
    """Full seats of every list (Kieswet P 6) and how many residual seats are left."""

    lists: tuple[ListFullSeats, ...]
    full_seats: int
    residual_seats: int
    article: str = "P 6"


class ResidualSeatStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="residual_seat"):
    """One residual seat: which list got it, by which rule, with which value, among which tied lists."""

    seat: int
    list_number: int
    rule: Rule
    value: str
    options: tuple[int, ...]
    by_lot: bool
    article: str


class AbsoluteMajorityStep(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="absolute_majority"
):
    """Kieswet P 9: the last residual seat moves to the list with more than half of the votes."""

    from_list: int
    to_list: int
    by_lot: bool
    article: str = "P 9"


class ExhaustionStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="list_exhaustion"):
    """Kieswet P 10: a seat taken from a list that has fewer (living) candidates than seats."""

    list_number: int
    candidates: int
    full_seat: bool
    article: str = "P 10"


class UnassignedStep(msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="seats_unassigned"):
    """Seats no list can take (all lists exhausted or without votes); they stay empty (P 10, W 4 lid 2)."""

    seats: int
    article: str = "P 10"


Step = (
    LotStep
    | QuotaStep
    | FullSeatsStep
    | ResidualSeatStep
    | AbsoluteMajorityStep
    | ExhaustionStep
    | UnassignedStep
)


class ListSeats(msgspec.Struct, frozen=True, kw_only=True):
    """The final seats of one list."""

    list_number: int
    votes: int
    full_seats: int
    residual_seats: int

    @property
    def seats(self) -> int:
        return self.full_seats + self.residual_seats


class Apportionment(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The outcome of `apportion`: final seats (when complete), the steps, or the lot that is needed."""

    status: Status
    seats: int
    total_votes: int
    quota: str
    steps: tuple[Step, ...]
    lists: tuple[ListSeats, ...] = ()
    unassigned: int = 0
    lot: LotRequest | None = None
    lots_used: int = 0

    def seats_of(self, list_number: int) -> int:
        for lst in self.lists:
            if lst.list_number == list_number:
                return lst.seats
        raise KeyError(list_number)


# --------------------------------------------------------------------------------------------------- text
def fraction_text(numerator: int, denominator: int) -> str:
    """'n/d' without reducing, as printed on the PV (the quota keeps its denominator = seats)."""
    return f"{numerator}/{denominator}"


def parse_fraction(text: str) -> Fraction:
    num, _, den = text.partition("/")
    return Fraction(int(num), int(den or "1"))


def mixed(text: str) -> str:
    """'69485102/150' -> '69485 102/150': the Kiesraad's way of writing a quota or an average."""
    num, _, den = text.partition("/")
    n, d = int(num), int(den or "1")
    whole, rest = divmod(n, d)
    return f"{whole}" if rest == 0 else f"{whole} {rest}/{d}"


# --------------------------------------------------------------------------------------------------- engine
class _Standing:
    """Mutable working state of one list during the computation (never leaves this module)."""

    __slots__ = (
        "candidates",
        "full",
        "lr_seats",
        "meets_quota",
        "meets_three_quarters",
        "number",
        "remainder",
        "residual",
        "uha_seats",
        "votes",
    )

    def __init__(self, number: int, votes: int, total_votes: int, seats: int, candidates: int | None) -> None:
        # quota = total_votes / seats, exact; the comparisons below are that fraction cross-multiplied
        self.number = number
        self.votes = votes
        self.candidates = candidates
        self.full = votes * seats // total_votes if votes > 0 else 0  # P 6: floor(votes / quota)
        self.remainder = Fraction(votes * seats - self.full * total_votes, seats)
        self.meets_quota = votes > 0 and votes * seats >= total_votes  # votes >= quota (P 7 lid 2)
        self.meets_three_quarters = votes > 0 and 4 * votes * seats >= 3 * total_votes  # >= 3/4 quota (P 8)
        self.residual = 0
        self.lr_seats = 0  # residual seats held from the largest-remainders round (P 8)
        self.uha_seats = 0  # residual seats held from the one-per-list averages round (P 8)

    @property
    def total(self) -> int:
        return self.full + self.residual

    def exhausted(self) -> bool:
        return self.candidates is not None and self.total >= self.candidates


class _Engine:
    def __init__(
        self,
        seats: int,
        votes: Sequence[tuple[int, int]],
        candidates: Mapping[int, int | None],
        quota_threshold: bool,
        lots: Lots,
    ) -> None:
        self.seats = seats
        self.total_votes = sum(v for _, v in votes)
        self.quota_threshold = quota_threshold
        self.lots = lots
        self.standings = [_Standing(n, v, self.total_votes, seats, candidates.get(n)) for n, v in votes]
        self.steps: list[Step] = []
        self.residual_number = 0
        self.last_group: list[int] = []  # lists that got the last residual value at the same time (ties)
        self.last_key: tuple[str, Fraction] | None = None
        self.unassigned = 0
        self._last_rule: Rule | None = None

    def _remainder_text(self, s: _Standing) -> str:
        return fraction_text(s.votes * self.seats - s.full * self.total_votes, self.seats)

    def _eligible(self, check_exhaustion: bool) -> list[_Standing]:
        """Lists that may take a residual seat at all (P 7 lid 2 threshold, votes > 0, P 10 exhaustion)."""
        out = []
        for s in self.standings:
            if s.votes <= 0 or (self.quota_threshold and not s.meets_quota):
                continue
            if check_exhaustion and s.exhausted():
                continue
            out.append(s)
        return out

    def _pick_rule(self, base: list[_Standing]) -> tuple[Rule, list[tuple[_Standing, Fraction]], str]:
        """The rule for the next residual seat and each competing list's value.

        19 seats or more: largest averages, votes / (seats + 1) (Kieswet P 7). Fewer: first largest
        remainders for lists with at least 3/4 of the quota, one seat per list (P 8 lid 1); then largest
        averages, one seat per list, without the 3/4 threshold (P 8 lid 2); then plain largest averages — a
        case the law does not foresee (it arises with P 10), handled as Abacus does.
        """
        if self.seats >= LARGE_BODY_SEATS:
            return "largest_averages", [(s, Fraction(s.votes, s.total + 1)) for s in base], "P 7"
        lr = [s for s in base if s.meets_three_quarters and s.lr_seats == 0]
        if lr:
            return "largest_remainders", [(s, s.remainder) for s in lr], "P 8"
        uha = [s for s in base if s.uha_seats == 0]
        if uha:
            return "one_per_list_averages", [(s, Fraction(s.votes, s.total + 1)) for s in uha], "P 8"
        return "plain_averages", [(s, Fraction(s.votes, s.total + 1)) for s in base], "P 8"

    def assign_residual(self, count: int, *, check_exhaustion: bool) -> None:
        """Give `count` residual seats one at a time (Kieswet P 7 / P 8); seats nobody can take stay empty.

        Equal values: when there are seats for every tied list each gets one, in list order; when there are
        fewer, "beslist het lot" (P 7 lid 1, P 8 lid 3) — one lot per seat, asked from the caller.
        """
        for done in range(count):
            base = self._eligible(check_exhaustion)
            if not base:
                left = count - done
                self.unassigned += left
                self.steps.append(UnassignedStep(seats=left))
                return
            remaining = count - done
            rule, values, article = self._pick_rule(base)
            best = max(v for _, v in values)
            tied = [s for s, v in values if v == best]
            self.residual_number += 1
            options = tuple(s.number for s in tied)
            by_lot = len(tied) > remaining
            if by_lot:
                request = LotRequest(
                    kind="residual_seat",
                    options=options,
                    reason=f"residual seat {self.residual_number}: lists {list(options)} tie "
                    f"({rule.replace('_', ' ')}, value {best}) for {remaining} remaining seat(s)",
                )
                drawn = self.lots.draw(request)
                self.steps.append(
                    LotStep(kind=request.kind, options=options, outcome=drawn, reason=request.reason)
                )
                winner = next(s for s in tied if s.number == drawn)
            else:
                winner = tied[0]
            value_text = (
                self._remainder_text(winner)
                if rule == "largest_remainders"
                else fraction_text(winner.votes, winner.total + 1)
            )
            key = (rule, best)
            if key == self.last_key and self.last_group:
                self.last_group.append(winner.number)
            else:
                self.last_group = [winner.number]
            self.last_key = key
            winner.residual += 1
            if rule == "largest_remainders":
                winner.lr_seats += 1
            elif rule == "one_per_list_averages":
                winner.uha_seats += 1
            self._last_rule = rule
            self.steps.append(
                ResidualSeatStep(
                    seat=self.residual_number,
                    list_number=winner.number,
                    rule=rule,
                    value=value_text,
                    options=options,
                    by_lot=by_lot,
                    article=article,
                )
            )

    def absolute_majority(self) -> None:
        """Kieswet P 9: a list with more than half of the votes gets more than half of the seats.

        If it holds half of the seats or fewer after the residual seats, the seat assigned last in the
        residual procedure moves to it; if that last value went to several tied lists at once, a lot says
        which list loses it. Only when residual seats were assigned (the article speaks of "restzetels").
        """
        if self.residual_number == 0 or not self.last_group:
            return
        majority = next((s for s in self.standings if 2 * s.votes > self.total_votes), None)
        if majority is None or 2 * majority.total > self.seats:
            return
        group = self.last_group
        by_lot = len(group) > 1
        if by_lot:
            request = LotRequest(
                kind="absolute_majority",
                options=tuple(group),
                reason=f"P 9: which of lists {group} (last residual seats, tied) gives a seat to list "
                f"{majority.number}",
            )
            loser_number = self.lots.draw(request)
            self.steps.append(
                LotStep(
                    kind=request.kind, options=request.options, outcome=loser_number, reason=request.reason
                )
            )
        else:
            loser_number = group[0]
        loser = next(s for s in self.standings if s.number == loser_number)
        loser.residual -= 1
        # The lost seat came from the round of the last residual seat: the list may compete there again.
        if self._last_rule == "largest_remainders":
            loser.lr_seats -= 1
        elif self._last_rule == "one_per_list_averages":
            loser.uha_seats -= 1
        majority.residual += 1
        self.steps.append(
            AbsoluteMajorityStep(from_list=loser_number, to_list=majority.number, by_lot=by_lot)
        )

    def list_exhaustion(self) -> None:
        """Kieswet P 10: a list keeps no more seats than it has (living) candidates; the rest is reassigned.

        Residual seats go first, then full seats; the freed seats are given by the same residual procedure,
        continuing where it left off, with exhausted lists left out. Seats no list can take stay empty.
        """
        freed = 0
        for s in self.standings:
            if s.candidates is None:
                continue
            while s.total > s.candidates:
                full_seat = s.residual == 0
                if full_seat:
                    s.full -= 1
                else:
                    s.residual -= 1
                freed += 1
                self.steps.append(
                    ExhaustionStep(list_number=s.number, candidates=s.candidates, full_seat=full_seat)
                )
        if freed:
            self.last_key = None
            self.assign_residual(freed, check_exhaustion=True)


def apportion(
    seats: int,
    votes: Sequence[tuple[int, int]],
    *,
    candidates: Mapping[int, int | None] | None = None,
    quota_threshold: bool = False,
    lots: Sequence[int] | Lots = (),
) -> Apportionment:
    """Apportion `seats` over the lists `(number, votes)` (Kieswet P 5–P 10).

    `candidates` maps a list number to its number of living candidates (deceased already removed, P 10);
    a list missing from it has no limit. `quota_threshold` applies P 7 lid 2 (TK, EP: no residual seat for a
    list below one full quota). `lots` are lot outcomes in the order asked; pass a `Lots` to share the cursor.
    """
    _check_votes(seats, votes)
    cursor = lots if isinstance(lots, Lots) else Lots(lots)
    start = cursor.used
    engine = _Engine(seats, votes, candidates or {}, quota_threshold, cursor)
    quota_text = fraction_text(engine.total_votes, seats)
    engine.steps.append(QuotaStep(total_votes=engine.total_votes, seats=seats, quota=quota_text))
    full = sum(s.full for s in engine.standings)
    engine.steps.append(
        FullSeatsStep(
            lists=tuple(
                ListFullSeats(
                    list_number=s.number,
                    votes=s.votes,
                    full_seats=s.full,
                    remainder=engine._remainder_text(s),
                )
                for s in engine.standings
            ),
            full_seats=full,
            residual_seats=seats - full,
        )
    )
    try:
        engine.assign_residual(seats - full, check_exhaustion=False)
        engine.absolute_majority()
        engine.list_exhaustion()
    except LotRequired as stop:
        return Apportionment(
            status="lot_required",
            seats=seats,
            total_votes=engine.total_votes,
            quota=quota_text,
            steps=tuple(engine.steps),
            lot=stop.request,
            lots_used=cursor.used - start,
        )
    return Apportionment(
        status="complete",
        seats=seats,
        total_votes=engine.total_votes,
        quota=quota_text,
        steps=tuple(engine.steps),
        lists=tuple(
            ListSeats(list_number=s.number, votes=s.votes, full_seats=s.full, residual_seats=s.residual)
            for s in engine.standings
        ),
        unassigned=engine.unassigned,
        lots_used=cursor.used - start,
    )


def _check_votes(seats: int, votes: Sequence[tuple[int, int]]) -> None:
    if seats < 1:
        raise InputError(f"the number of seats must be at least 1, got {seats}", where="seats")
    seen: set[int] = set()
    for i, (number, count) in enumerate(votes):
        if number in seen:
            raise InputError(f"list number {number} occurs twice", where=f"lists[{i}].number")
        seen.add(number)
        if count < 0:
            raise InputError(f"votes must not be negative, got {count}", where=f"lists[{i}].votes")


# --------------------------------------------------------------------------------------------------- P 12
class GroupListSeats(msgspec.Struct, frozen=True, kw_only=True):
    """One list of a list group after the split: full seats within the group and the remainder seat."""

    list_id: int
    votes: int
    full_seats: int
    remainder: str
    remainder_seat: bool

    @property
    def seats(self) -> int:
        return self.full_seats + int(self.remainder_seat)


class GroupSplit(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The seats of a list group split over its lists (Kieswet P 12), or the lot that is needed first."""

    status: Status
    group_seats: int
    group_votes: int
    group_quota: str
    steps: tuple[LotStep, ...] = ()
    lists: tuple[GroupListSeats, ...] = ()
    lot: LotRequest | None = None
    lots_used: int = 0


def split_group_seats(
    group_seats: int, lists: Sequence[tuple[int, int]], *, lots: Sequence[int] | Lots = ()
) -> GroupSplit:
    """Split a list group's seats over its lists (Kieswet P 12; same text as U 12 for the Eerste Kamer).

    Group quota = group votes / group seats; each list gets floor(votes / group quota); the seats left go by
    largest remainders, one per list, no threshold, a zero remainder counting as the smallest; when more lists
    tie than seats remain, a lot decides. `lists` are (list id, e.g. district number, votes).
    """
    if group_seats < 0:
        raise InputError(f"group seats must not be negative, got {group_seats}", where="group_seats")
    _check_votes(max(group_seats, 1), lists)
    cursor = lots if isinstance(lots, Lots) else Lots(lots)
    start = cursor.used
    total = sum(v for _, v in lists)
    if group_seats > 0 and total == 0:
        raise InputError("a list group without votes cannot hold seats", where="group_seats")
    if group_seats == 0:
        return GroupSplit(
            status="complete",
            group_seats=0,
            group_votes=total,
            group_quota=fraction_text(total, 1),
            lists=tuple(
                GroupListSeats(
                    list_id=i, votes=v, full_seats=0, remainder=fraction_text(v, 1), remainder_seat=False
                )
                for i, v in lists
            ),
        )
    quota = Fraction(total, group_seats)
    full = {i: int(v // quota) for i, v in lists}
    remainder = {i: v - full[i] * quota for i, v in lists}
    left = group_seats - sum(full.values())
    pool = [i for i, _ in lists]
    winners: list[int] = []
    steps: list[LotStep] = []
    try:
        while left > 0:
            best = max(remainder[i] for i in pool)
            tied = [i for i in pool if remainder[i] == best]
            if len(tied) > left:
                request = LotRequest(
                    kind="group_split",
                    options=tuple(tied),
                    reason=f"P 12: lists {tied} of the group tie with remainder {best} for {left} seat(s)",
                )
                drawn = cursor.draw(request)
                steps.append(
                    LotStep(kind=request.kind, options=request.options, outcome=drawn, reason=request.reason)
                )
                tied = [drawn]
            for i in tied[:left]:
                winners.append(i)
                pool.remove(i)
                left -= 1
    except LotRequired as stop:
        return GroupSplit(
            status="lot_required",
            group_seats=group_seats,
            group_votes=total,
            group_quota=fraction_text(total, group_seats),
            steps=tuple(steps),
            lot=stop.request,
            lots_used=cursor.used - start,
        )
    return GroupSplit(
        status="complete",
        group_seats=group_seats,
        group_votes=total,
        group_quota=fraction_text(total, group_seats),
        steps=tuple(steps),
        lists=tuple(
            GroupListSeats(
                list_id=i,
                votes=v,
                full_seats=full[i],
                remainder=fraction_text(v * group_seats - full[i] * total, group_seats),
                remainder_seat=i in winners,
            )
            for i, v in lists
        ),
        lots_used=cursor.used - start,
    )
