"""Elected candidates per list (aanwijzing gekozenen, Kieswet P 15–P 19), with the steps as data.

After the seats per list are known, each list's seats go first to candidates whose personal (preference) votes
exceed the preference threshold, in order of their votes, and then to the others in list order. Deceased
candidates are skipped everywhere. Ties between candidates that compete for fewer seats than there are of them
are decided by lot: the computation stops with a `LotRequest` (options are candidate numbers, `list_number`
says which list) and the caller supplies the outcome, as for lists (`shared.domain.apportionment.Lots`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

import msgspec

from shared.domain.apportionment import (
    LARGE_BODY_SEATS,
    LotRequest,
    LotRequired,
    Lots,
    LotStep,
    Status,
    fraction_text,
)
from shared.errors import InputError


class PreferenceThresholdStep(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="preference_threshold"
):
    """Kieswet P 15: the preference threshold, a percentage of the quota (25 %, or 50 % below 19 seats)."""

    percentage: int
    threshold: str
    article: str = "P 15"


class CandidateElectedStep(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="step", tag="candidate_elected"
):
    """One candidate declared elected: by preference votes (P 15/P 16) or in list order (P 17)."""

    list_number: int
    candidate: int
    votes: int | None
    rule: Literal["preference", "list_order"]
    by_lot: bool
    article: str


CandidateStep = LotStep | PreferenceThresholdStep | CandidateElectedStep


class ListCandidates(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The outcome for one list: who is elected (in order of election) and the new ranking (P 19)."""

    list_number: int
    seats: int
    elected: tuple[int, ...]
    by_preference: tuple[int, ...]
    ranking: tuple[int, ...]
    unfilled: int = 0


class CandidateAssignment(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The outcome of `assign_candidates`: per list, or the candidate lot that is needed first."""

    status: Status
    percentage: int
    threshold: str
    steps: tuple[CandidateStep, ...]
    lists: tuple[ListCandidates, ...] = ()
    lot: LotRequest | None = None
    lots_used: int = 0


class ListCandidateInput(msgspec.Struct, frozen=True, kw_only=True):
    """One list's input: its seats, the votes of each candidate in list order, the deceased positions."""

    list_number: int
    seats: int
    candidate_votes: tuple[int, ...]
    deceased: tuple[int, ...] = ()


def threshold_percentage(body_seats: int) -> int:
    """Kieswet P 15 lid 1: 25 % of the quota, or 50 % when fewer than 19 seats are elected."""
    return 25 if body_seats >= LARGE_BODY_SEATS else 50


def assign_list(
    lst: ListCandidateInput,
    threshold: Fraction,
    *,
    large_body: bool,
    lots: Lots,
    steps: list[CandidateStep],
) -> ListCandidates:
    """Elect the candidates of one list (Kieswet P 15–P 17) and rank the rest anew (P 19).

    Qualifying means *strictly more* votes than the threshold (P 15: "groter is dan"). Qualified candidates
    take the seats in order of votes, equal votes in list order when there are seats for all of them, by lot
    when not (P 16). Remaining seats go in list order (P 17).
    """
    dead = set(lst.deceased)
    living = [(pos, v) for pos, v in enumerate(lst.candidate_votes, start=1) if pos not in dead]
    qualified = sorted((c for c in living if c[1] > threshold), key=lambda c: -c[1])
    elected: list[int] = []
    by_pref: list[int] = []
    pool = list(qualified)
    while pool and len(elected) < lst.seats:
        top = pool[0][1]
        tied = [c for c in pool if c[1] == top]
        slots = lst.seats - len(elected)
        by_lot = len(tied) > slots
        if by_lot:
            options = tuple(pos for pos, _ in tied)
            request = LotRequest(
                kind="candidate",
                options=options,
                list_number=lst.list_number,
                reason=f"list {lst.list_number}: candidates {list(options)} tie with {top} preference votes "
                f"for {slots} remaining seat(s)",
            )
            drawn = lots.draw(request)
            steps.append(
                LotStep(
                    kind=request.kind,
                    options=options,
                    outcome=drawn,
                    reason=request.reason,
                    list_number=lst.list_number,
                )
            )
            chosen = next(c for c in tied if c[0] == drawn)
        else:
            chosen = tied[0]
        pool.remove(chosen)
        elected.append(chosen[0])
        by_pref.append(chosen[0])
        steps.append(
            CandidateElectedStep(
                list_number=lst.list_number,
                candidate=chosen[0],
                votes=chosen[1],
                rule="preference",
                by_lot=by_lot,
                article="P 16" if by_lot else "P 15",
            )
        )
    for pos, v in living:
        if len(elected) >= lst.seats:
            break
        if pos in elected:
            continue
        elected.append(pos)
        steps.append(
            CandidateElectedStep(
                list_number=lst.list_number,
                candidate=pos,
                votes=v,
                rule="list_order",
                by_lot=False,
                article="P 17",
            )
        )
    ranking = _new_ranking(living, by_pref, pool, threshold, lst.seats, large_body)
    return ListCandidates(
        list_number=lst.list_number,
        seats=lst.seats,
        elected=tuple(elected),
        by_preference=tuple(by_pref),
        ranking=ranking,
        unfilled=lst.seats - len(elected),
    )


def _new_ranking(
    living: list[tuple[int, int]],
    by_pref: list[int],
    other_qualified: list[tuple[int, int]],
    threshold: Fraction,
    seats: int,
    large_body: bool,
) -> tuple[int, ...]:
    """Kieswet P 19: the order for later vacancies.

    Preference-elected first (as elected), then the other qualified candidates by votes, then the rest in list
    order. The list order stays as it was when nobody passed the threshold, or (19 seats or more) when the
    list got no seat — as Abacus does.
    """
    original = tuple(pos for pos, _ in living)
    if not by_pref and not other_qualified:
        return original
    if large_body and seats == 0:
        return original
    head = [*by_pref, *(pos for pos, _ in other_qualified)]
    rest = [pos for pos, v in living if not v > threshold]
    return (*head, *rest)


def assign_candidates(
    body_seats: int,
    total_votes: int,
    lists: Sequence[ListCandidateInput],
    *,
    lots: Sequence[int] | Lots = (),
) -> CandidateAssignment:
    """Elect candidates on every list, given the seats of the body and each list's seats (P 15–P 19).

    The threshold is a percentage of the quota `total_votes / body_seats` (exact). Lists are handled in the
    order given; candidate lots are asked in that order.
    """
    cursor = lots if isinstance(lots, Lots) else Lots(lots)
    start = cursor.used
    pct = threshold_percentage(body_seats)
    threshold = Fraction(total_votes * pct, body_seats * 100)
    threshold_text = fraction_text(total_votes * pct, body_seats * 100)
    steps: list[CandidateStep] = [PreferenceThresholdStep(percentage=pct, threshold=threshold_text)]
    done: list[ListCandidates] = []
    try:
        for lst in lists:
            _check_list(lst)
            done.append(
                assign_list(
                    lst, threshold, large_body=body_seats >= LARGE_BODY_SEATS, lots=cursor, steps=steps
                )
            )
    except LotRequired as stop:
        return CandidateAssignment(
            status="lot_required",
            percentage=pct,
            threshold=threshold_text,
            steps=tuple(steps),
            lot=stop.request,
            lots_used=cursor.used - start,
        )
    return CandidateAssignment(
        status="complete",
        percentage=pct,
        threshold=threshold_text,
        steps=tuple(steps),
        lists=tuple(done),
        lots_used=cursor.used - start,
    )


def _check_list(lst: ListCandidateInput) -> None:
    where = f"list {lst.list_number}"
    if any(v < 0 for v in lst.candidate_votes):
        raise InputError("candidate votes must not be negative", where=where)
    n = len(lst.candidate_votes)
    for pos in lst.deceased:
        if not 1 <= pos <= n:
            raise InputError(f"deceased candidate {pos} is not on the list (1..{n})", where=where)
    if len(set(lst.deceased)) != len(lst.deceased):
        raise InputError("a deceased candidate is named twice", where=where)
