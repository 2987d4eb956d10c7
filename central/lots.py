"""Lot outcomes recorded before `finalise`: the coordinator's lot page (the software never draws a lot).

Why recorded: the law lets the lot decide a tie (Kieswet P 7/P 8 residual seats, P 9 absolute majority,
P 12/P 13 within a list group, P 16 candidates) and the chair draws it in public. On the command line
`finalise` stops and asks for the outcome (or takes `--lot`); in the browser the coordinator sees the tie the
computation reports — computed from the totals in, exactly as `finalise` will — and records the outcome drawn.
Each recorded lot keeps the tie it answered (its reason and options), so `finalise` replays them in order and
refuses one whose tie is no longer the one asked (a corrigendum came in since): an outcome is never applied
to another tie than the one it was drawn for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from central.office import Office
from shared.domain.apportionment import LotRequest
from shared.domain.seats import SeatsResult
from shared.errors import InputError, StateError

AskLot = Callable[[LotRequest], int]


class RecordedLot(msgspec.Struct, frozen=True, kw_only=True):
    """A lot drawn in public and recorded: the tie it answered and the outcome."""

    seq: int
    kind: str
    reason: str
    options: tuple[int, ...]
    outcome: int
    recorded_at: str
    recorded_by: str

    def answers(self, request: LotRequest) -> bool:
        return (request.kind, request.reason, tuple(request.options)) == (
            self.kind,
            self.reason,
            self.options,
        )


class LotState(msgspec.Struct, frozen=True, kw_only=True):
    """What the lot page shows: the lots recorded, and the next tie (None when the computation completes)."""

    recorded: tuple[RecordedLot, ...]
    pending: LotRequest | None
    stale: RecordedLot | None = None  # a recorded lot whose tie is no longer the one the computation asks


def recorded_lots(office: Office) -> list[RecordedLot]:
    rows = office.conn.execute(
        "SELECT seq, kind, reason, options, outcome, recorded_at, recorded_by FROM lots ORDER BY seq"
    ).fetchall()
    return [
        RecordedLot(
            seq=r[0],
            kind=r[1],
            reason=r[2],
            options=tuple(msgspec.json.decode(r[3], type=list[int])),
            outcome=r[4],
            recorded_at=r[5],
            recorded_by=r[6],
        )
        for r in rows
    ]


def replay(run: Callable[[tuple[int, ...]], SeatsResult], recorded: Sequence[RecordedLot]) -> LotState:
    """Run the computation with the recorded outcomes, each checked against the tie it is asked for."""
    outcomes: list[int] = []
    for lot in recorded:
        result = run(tuple(outcomes))
        if result.status == "complete" or result.lot is None or not lot.answers(result.lot):
            return LotState(recorded=tuple(recorded), pending=None, stale=lot)
        outcomes.append(lot.outcome)
    result = run(tuple(outcomes))
    return LotState(recorded=tuple(recorded), pending=None if result.status == "complete" else result.lot)


def check_recorded(office: Office, run: Callable[[tuple[int, ...]], SeatsResult]) -> None:
    """Refuse when a recorded lot no longer answers the tie the computation asks at its turn, or is left
    over when the computation completes without it: it was drawn for a tie that is gone."""
    stale = replay(run, recorded_lots(office)).stale
    if stale is not None:
        raise StateError(
            f"recorded lot {stale.seq} ({stale.reason}) no longer answers a tie of the computation; "
            "withdraw it on the lot page and record the lots asked now",
            where="lot",
            code="lot.stale",
            params={"seq": stale.seq},
        )


def lot_state(office: Office) -> LotState:
    """The recorded lots and the next tie of the totals in now (refused while an authority is missing)."""
    from central.finalise import complete_parts, national_total, seat_run

    parts = complete_parts(office)
    run = seat_run(office, parts, national_total(office.election, parts))
    return replay(run, recorded_lots(office))


def record_lot(office: Office, outcome: int) -> RecordedLot:
    """Record the outcome of the lot the computation asks for now; refuses an outcome not among its options
    and a record while an earlier recorded lot no longer fits (withdraw that one first)."""
    state = lot_state(office)
    if state.stale is not None:
        raise StateError(
            f"recorded lot {state.stale.seq} no longer answers the tie the computation asks; "
            "withdraw it first",
            where="lot",
            code="lot.stale",
            params={"seq": state.stale.seq},
        )
    request = state.pending
    if request is None:
        raise StateError(
            "no lot is needed: the computation completes with the lots recorded",
            where="lot",
            code="lot.not_needed",
        )
    if outcome not in request.options:
        raise InputError(
            f"{outcome} is not one of the options {list(request.options)}",
            where="lot",
            code="lot.not_an_option",
            params={"outcome": outcome, "options": ", ".join(map(str, request.options))},
        )
    at = office.now()
    with office.transaction():
        cur = office.conn.execute(
            "INSERT INTO lots (kind, reason, options, outcome, recorded_at, recorded_by) "
            "VALUES (?,?,?,?,?,?)",
            (
                request.kind,
                request.reason,
                msgspec.json.encode(list(request.options)).decode(),
                outcome,
                at.isoformat(),
                office.user,
            ),
        )
        seq = int(cur.lastrowid or 0)
        office.log(
            "lot-recorded",
            {"n": seq, "kind": request.kind, "reason": request.reason, "options": list(request.options),
             "outcome": outcome},
            at,
        )  # fmt: skip
    return recorded_lots(office)[-1]


def withdraw_last(office: Office) -> RecordedLot:
    """Take back the last recorded lot (typed wrong, or its tie changed); the withdrawal is audited."""
    recorded = recorded_lots(office)
    if not recorded:
        raise StateError("no lot has been recorded", where="lot", code="lot.none_recorded")
    last = recorded[-1]
    at = office.now()
    with office.transaction():
        office.conn.execute("DELETE FROM lots WHERE seq = ?", (last.seq,))
        office.log("lot-withdrawn", {"n": last.seq, "reason": last.reason, "outcome": last.outcome}, at)
    return last


def recorded_first(office: Office, given: Sequence[int], ask: AskLot | None) -> AskLot | None:
    """`finalise`'s way of asking: first the recorded lots in order (each checked against the tie asked),
    then `ask` (the operator at a terminal). `--lot` and recorded lots together are refused: two sources for
    one outcome would be ambiguous."""
    recorded = recorded_lots(office)
    if not recorded:
        return ask
    if given:
        raise InputError(
            f"{len(recorded)} lot(s) were recorded in the browser; finalise without --lot, or withdraw them",
            where="--lot",
        )
    queue = list(recorded)

    def answer(request: LotRequest) -> int:
        if queue:
            lot = queue.pop(0)
            if not lot.answers(request):
                raise StateError(
                    f"recorded lot {lot.seq} was drawn for another tie ({lot.reason}); the computation now "
                    f"asks: {request.reason}. Withdraw it and record the lot again",
                    where="lot",
                )
            return lot.outcome
        if ask is None:
            raise StateError(
                f"a lot must be drawn: {request.reason}; options {list(request.options)}. Draw it physically "
                "and record it on the lot page (or at a terminal)",
                where="finalise",
            )
        return ask(request)

    return answer
