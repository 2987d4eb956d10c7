"""The stable contract for seats: one election in (`SeatsInput`), seats and elected out (`SeatsResult`).

The central tier app and `telketen seats` both call `compute(inp)`; `compute_batch` runs many in one go and
`decode_input(data)` reads the JSON form (one object or an array) with strict types, so a wrong field is
reported with its path (`$[3].lists[0].votes`).

    SeatsInput   {"id", "category", "seats", "lists": [{"number", "name", "votes", "candidates" |
                  "candidate_votes", "deceased"}], "lots"}
    SeatsResult  {"id", "status": "complete" | "lot_required", "quota": "total/seats", "total_votes",
                  "seats": {"1": 37}, "unassigned", "elected": {"1": [1, 2, 5]}, "ranking": {...},
                  "lot": {"kind", "options", "reason", "list_number"}, "steps": [{"step": "quota", ...}, ...]}

Lower level, each returning its steps as data (see their modules):
    shared.domain.apportionment.apportion(seats, votes, *, candidates, quota_threshold, lots) -> Apportionment
    shared.domain.apportionment.split_group_seats(group_seats, lists, *, lots) -> GroupSplit        (P 12)
    shared.domain.candidates.assign_candidates(body_seats, total_votes, lists, *, lots) -> CandidateAssignment

`elected` lists each list's candidates in order of election (preference-elected first, then list order);
`seats` is present only when the apportionment is complete; `lot` only when a lot must be drawn. Lot outcomes
(`lots`) are consumed in the order the computation asks for them — list lots first, then candidate lots — and
an outcome that is not among the options, or that nobody asked for, is an `InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Annotated, Literal

import msgspec

from shared.domain.apportionment import LotRequest, LotRequired, Lots, Status, Step, apportion, fraction_text
from shared.domain.candidates import (
    CandidateStep,
    ListCandidateInput,
    PreferenceThresholdStep,
    assign_candidates,
    threshold_percentage,
)
from shared.domain.election import QUOTA_THRESHOLD_CATEGORIES
from shared.domain.groups import GroupOutcome, ListGroup, assign_group
from shared.errors import InputError

Category = Literal["TK", "EK", "EP", "PS", "AB", "GR", "ER"]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]
Positive = Annotated[int, msgspec.Meta(ge=1)]
#: No body has more than a few hundred seats; the bound keeps a typo from running a seat loop for hours.
SeatCount = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
#: The most lists one election may have. The most ever on a Dutch ballot is 37 (TK2021); the bound keeps an
#: input of 10,000 lists (142 s) from tying up the machine, while 100 lists and 10,000 seats take about 2 s.
MAX_LISTS = 100


class ListInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """One list: ballot number, votes, and either its number of candidates or each candidate's votes."""

    number: Positive
    votes: NonNegative
    name: str = ""
    candidates: NonNegative | None = None
    candidate_votes: tuple[NonNegative, ...] | None = None
    deceased: tuple[Positive, ...] = ()


class SeatsInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """One election to apportion; `lots` are lot outcomes in the order they are asked."""

    id: str
    category: Category
    seats: SeatCount
    lists: Annotated[tuple[ListInput, ...], msgspec.Meta(max_length=MAX_LISTS)]
    lots: tuple[Positive, ...] = ()


class SeatsResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The outcome of one election: seats per list, elected candidates, or the lot that is needed."""

    id: str
    status: Status
    quota: str
    total_votes: int
    seats: dict[str, int] = {}
    unassigned: int = 0
    elected: dict[str, list[int]] | None = None
    ranking: dict[str, list[int]] | None = None
    lot: LotRequest | None = None
    steps: list[Step | CandidateStep] = []
    groups: list[GroupOutcome] = []


def living_candidates(lst: ListInput, where: str) -> int | None:
    """The number of living candidates of a list (P 10 counts only those), or None when unknown (no limit)."""
    count = lst.candidates
    if lst.candidate_votes is not None:
        n = len(lst.candidate_votes)
        if count is not None and count != n:
            raise InputError(f"candidates is {count} but candidate_votes has {n} entries", where=where)
        count = n
        total = sum(lst.candidate_votes)
        if total != lst.votes:
            raise InputError(
                f"candidate votes add up to {total}, the list has {lst.votes} votes", where=where
            )
    if lst.deceased:
        if count is None:
            raise InputError("deceased candidates need candidates or candidate_votes", where=where)
        if len(set(lst.deceased)) != len(lst.deceased):
            raise InputError("a deceased candidate is named twice", where=where)
        bad = [p for p in lst.deceased if p > count]
        if bad:
            raise InputError(f"deceased candidate {bad[0]} is not on the list (1..{count})", where=where)
        count -= len(lst.deceased)
    return count


def compute(inp: SeatsInput) -> SeatsResult:
    """Seats (P 5–P 10) and, for lists with candidate votes, the elected candidates (P 15–P 19)."""
    prefix = f"{inp.id}: " if inp.id else ""
    seen: set[int] = set()
    candidates: dict[int, int | None] = {}
    for i, lst in enumerate(inp.lists):
        where = f"{prefix}lists[{i}]"
        if lst.number in seen:
            raise InputError(f"list number {lst.number} occurs twice", where=f"{where}.number")
        seen.add(lst.number)
        candidates[lst.number] = living_candidates(lst, where)
    lots = Lots(inp.lots)
    try:
        app = apportion(
            inp.seats,
            [(lst.number, lst.votes) for lst in inp.lists],
            candidates=candidates,
            quota_threshold=inp.category in QUOTA_THRESHOLD_CATEGORIES,
            lots=lots,
        )
    except InputError as exc:
        raise InputError(exc.message, where=f"{prefix}{exc.where}" if exc.where else inp.id or None) from None
    steps: list[Step | CandidateStep] = list(app.steps)
    if app.status == "lot_required":
        return SeatsResult(
            id=inp.id,
            status=app.status,
            quota=app.quota,
            total_votes=app.total_votes,
            lot=app.lot,
            steps=steps,
        )
    seats = {str(lst.list_number): lst.seats for lst in app.lists}
    with_votes = [lst for lst in inp.lists if lst.candidate_votes is not None]
    elected: dict[str, list[int]] | None = None
    ranking: dict[str, list[int]] | None = None
    status: Status = "complete"
    lot: LotRequest | None = None
    if with_votes:
        try:
            cand = assign_candidates(
                inp.seats,
                app.total_votes,
                [
                    ListCandidateInput(
                        list_number=lst.number,
                        seats=app.seats_of(lst.number),
                        candidate_votes=lst.candidate_votes or (),
                        deceased=lst.deceased,
                    )
                    for lst in with_votes
                ],
                lots=lots,
            )
        except InputError as exc:
            raise InputError(
                exc.message, where=f"{prefix}{exc.where}" if exc.where else inp.id or None
            ) from None
        steps.extend(cand.steps)
        if cand.status == "lot_required":
            status, lot = "lot_required", cand.lot
        else:
            elected = {str(c.list_number): list(c.elected) for c in cand.lists}
            ranking = {str(c.list_number): list(c.ranking) for c in cand.lists}
    if status == "complete":
        try:
            lots.check_all_used()
        except InputError as exc:
            raise InputError(exc.message, where=f"{prefix}{exc.where}") from None
    return SeatsResult(
        id=inp.id,
        status=status,
        quota=app.quota,
        total_votes=app.total_votes,
        seats=seats,
        unassigned=app.unassigned,
        elected=elected,
        ranking=ranking,
        lot=lot,
        steps=steps,
    )


def compute_groups(
    election_id: str, category: Category, seats: int, groups: Sequence[ListGroup], lots: Sequence[int] = ()
) -> SeatsResult:
    """Seats and elected candidates when lists differ per kieskring (Kieswet P 1, P 5–P 18).

    Each list group competes as one list (P 5–P 10; P 10 counts its candidates once each); its seats are then
    split over its lists and its candidates elected (`shared.domain.groups.assign_group`: P 12, P 13,
    P 15–P 18). `elected` holds positions in each group's candidate order; lots are asked list lots first,
    then each group's in group order.
    """
    cursor = Lots(lots)
    app = apportion(
        seats,
        [(g.number, g.votes) for g in groups],
        candidates={g.number: len(g.candidates) for g in groups},
        quota_threshold=category in QUOTA_THRESHOLD_CATEGORIES,
        lots=cursor,
    )
    steps: list[Step | CandidateStep] = list(app.steps)
    if app.status == "lot_required":
        return SeatsResult(
            id=election_id, status=app.status, quota=app.quota, total_votes=app.total_votes, lot=app.lot,
            steps=steps,
        )  # fmt: skip
    pct = threshold_percentage(seats)
    threshold = Fraction(app.total_votes * pct, seats * 100)
    steps.append(
        PreferenceThresholdStep(percentage=pct, threshold=fraction_text(app.total_votes * pct, seats * 100))
    )
    outcomes: list[GroupOutcome] = []
    try:
        for g in groups:
            outcomes.append(assign_group(g, app.seats_of(g.number), threshold, cursor))
    except LotRequired as stop:
        return SeatsResult(
            id=election_id, status="lot_required", quota=app.quota, total_votes=app.total_votes,
            lot=stop.request, steps=steps, groups=outcomes,
        )  # fmt: skip
    cursor.check_all_used()
    return SeatsResult(
        id=election_id,
        status="complete",
        quota=app.quota,
        total_votes=app.total_votes,
        seats={str(lst.list_number): lst.seats for lst in app.lists},
        unassigned=app.unassigned,
        elected={str(o.number): list(o.elected) for o in outcomes},
        steps=steps,
        groups=outcomes,
    )


def compute_batch(inputs: Iterable[SeatsInput]) -> list[SeatsResult]:
    """`compute` for each election, in order (one process for a whole batch, e.g. all municipalities)."""
    return [compute(inp) for inp in inputs]


_DECODER = msgspec.json.Decoder(SeatsInput | list[SeatsInput])
_ENCODER = msgspec.json.Encoder()


def decode_input(data: bytes, *, where: str = "input") -> SeatsInput | list[SeatsInput]:
    """Read one election object or an array of them; field errors name their JSON path."""
    try:
        decoded: SeatsInput | list[SeatsInput] = _DECODER.decode(data)
        return decoded
    except msgspec.ValidationError as exc:
        raise InputError(f"invalid seats input: {exc}", where=where) from None
    except msgspec.DecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", where=where) from None


def encode_results(results: SeatsResult | list[SeatsResult]) -> bytes:
    return _ENCODER.encode(results)
