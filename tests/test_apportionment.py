"""Every worked example of docs/spec/apportionment.md §4, plus steps, lots, P 9, P 10 and P 12 in detail."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shared.domain.apportionment import (
    AbsoluteMajorityStep,
    Apportionment,
    ExhaustionStep,
    FullSeatsStep,
    LotStep,
    QuotaStep,
    ResidualSeatStep,
    UnassignedStep,
    apportion,
    mixed,
    parse_fraction,
    split_group_seats,
)
from shared.errors import InputError


def run(
    seats: int,
    votes: list[int],
    *,
    candidates: list[int] | None = None,
    lots: tuple[int, ...] = (),
    quota_threshold: bool = False,
) -> Apportionment:
    cands = None if candidates is None else dict(enumerate(candidates, 1))
    return apportion(
        seats, list(enumerate(votes, 1)), candidates=cands, lots=lots, quota_threshold=quota_threshold
    )


def seats_of(result: Apportionment) -> list[int]:
    assert result.status == "complete", result.lot
    return [lst.seats for lst in result.lists]


def residual_steps(result: Apportionment) -> list[ResidualSeatStep]:
    return [s for s in result.steps if isinstance(s, ResidualSeatStep)]


# §4, one entry per example: (seats, votes, candidates or None, lots, expected seats)
WORKED = [
    pytest.param(
        15, [480, 160, 160, 160, 80, 80, 80], None, (), [6, 2, 2, 2, 1, 1, 1], id="lt19-no-residual"
    ),
    pytest.param(
        15, [540, 160, 160, 80, 80, 80, 60, 40], None, (), [7, 2, 2, 1, 1, 1, 1, 0], id="lt19-lr-3/4-exact"
    ),
    pytest.param(
        15, [808, 59, 58, 57, 56, 55, 54, 53], None, (), [12, 1, 1, 1, 0, 0, 0, 0], id="lt19-one-per-list"
    ),
    pytest.param(
        15, [480, 240, 240, 55, 50, 45, 45, 45], None, (), [7, 4, 4, 0, 0, 0, 0, 0], id="lt19-zero-remainder"
    ),
    pytest.param(
        3, [8, 7, 6, 5, 4, 3, 2, 1, 1, 1], None, (), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], id="lt19-none-meets-3/4"
    ),
    pytest.param(10, [0, 3, 5, 6, 7, 79], None, (), [0, 0, 0, 0, 1, 9], id="lt19-zero-votes-list"),
    pytest.param(10, [0, 0, 0, 0, 0], None, (), [0, 0, 0, 0, 0], id="no-votes-at-all"),
    pytest.param(15, [2571, 977, 567, 536, 453], None, (), [8, 3, 2, 1, 1], id="P9-reusel"),
    pytest.param(15, [2552, 987, 570, 539, 456], None, (), [7, 3, 2, 2, 1], id="P9-exactly-half-not"),
    pytest.param(15, [2552, 511, 511, 511, 509, 509], None, (3,), [8, 2, 1, 2, 1, 1], id="P9-lot-drawn-3"),
    pytest.param(
        15, [540, 160, 160, 80, 80, 80, 55, 45], None, (6,), [7, 2, 2, 1, 1, 2, 0, 0], id="lot-remainder-0"
    ),
    pytest.param(15, [500, 140, 140, 140, 140, 140], None, (2, 3, 4, 5), [6, 2, 2, 2, 2, 1], id="four-lots"),
    pytest.param(15, [2000, 1600, 1200, 800, 400], [4, 4, 3, 2, 2], (), [4, 4, 3, 2, 2], id="P10-cand"),
    pytest.param(15, [610, 520, 370], [5, 50, 50], (), [5, 6, 4], id="P10-deceased"),
    pytest.param(6, [5, 5, 50], [2, 2, 2], (), [2, 2, 2], id="P10-capped-then-averages"),
    pytest.param(25, [576, 288, 96, 96, 96, 48], None, (), [12, 6, 2, 2, 2, 1], id="ge19-a"),
    pytest.param(23, [600, 302, 98, 99, 101], None, (), [12, 6, 1, 2, 2], id="ge19-b"),
    pytest.param(
        19, [808, 57, 56, 55, 54, 53, 52, 51, 14], None, (), [15, 1, 1, 1, 1, 0, 0, 0, 0], id="ge19-c"
    ),
    pytest.param(
        24, [7501, 1249, 1249, 1249, 1249, 1249, 1248, 7], None, (), [13, 2, 2, 2, 2, 2, 1, 0], id="ge19-P9"
    ),
    pytest.param(20, [810, 620, 570], [7, 50, 50], (), [7, 7, 6], id="ge19-deceased-P10"),
]


@pytest.mark.parametrize(("seats", "votes", "candidates", "lots", "expected"), WORKED)
def test_worked_example(
    seats: int, votes: list[int], candidates: list[int] | None, lots: tuple[int, ...], expected: list[int]
) -> None:
    result = run(seats, votes, candidates=candidates, lots=lots)
    assert seats_of(result) == expected
    assert result.lots_used == len(lots)


def test_no_votes_leaves_every_seat_empty() -> None:
    result = run(10, [0, 0, 0, 0, 0])
    assert result.unassigned == 10
    assert [s for s in result.steps if isinstance(s, UnassignedStep)] == [UnassignedStep(seats=10)]


def test_quota_and_full_seats_steps() -> None:
    result = run(15, [540, 160, 160, 80, 80, 80, 60, 40])
    quota, full = result.steps[0], result.steps[1]
    assert quota == QuotaStep(total_votes=1200, seats=15, quota="1200/15")
    assert isinstance(full, FullSeatsStep)
    assert [x.full_seats for x in full.lists] == [6, 2, 2, 1, 1, 1, 0, 0]
    assert [parse_fraction(x.remainder) for x in full.lists] == [60, 0, 0, 0, 0, 0, 60, 40]
    assert (full.full_seats, full.residual_seats) == (13, 2)
    lr = residual_steps(result)
    assert [(s.list_number, s.rule, parse_fraction(s.value)) for s in lr] == [
        (1, "largest_remainders", Fraction(60)),
        (7, "largest_remainders", Fraction(60)),
    ]
    # the two lists tie at 60 with two seats left: both get one, no lot
    assert lr[0].options == (1, 7) and not lr[0].by_lot


def test_one_per_list_averages_order() -> None:
    """808/12 = 67 4/12 wins the first averages seat, then lists 2, 3, 4 (spec §4)."""
    steps = residual_steps(run(15, [808, 59, 58, 57, 56, 55, 54, 53]))
    assert [(s.list_number, s.rule) for s in steps] == [
        (1, "largest_remainders"),
        (1, "one_per_list_averages"),
        (2, "one_per_list_averages"),
        (3, "one_per_list_averages"),
        (4, "one_per_list_averages"),
    ]
    assert steps[1].value == "808/12" and mixed(steps[1].value) == "67 4/12"


def test_plain_averages_after_every_list_had_one() -> None:
    steps = residual_steps(run(6, [5, 5, 50], candidates=[2, 2, 2]))
    assert [s.rule for s in steps] == [
        "largest_remainders",
        "one_per_list_averages",
        "one_per_list_averages",
        "plain_averages",
        "plain_averages",
    ]


def test_lot_required_lists_options_and_reason() -> None:
    result = run(15, [540, 160, 160, 80, 80, 80, 55, 45])
    assert result.status == "lot_required"
    assert result.lot is not None
    assert result.lot.kind == "residual_seat"
    assert result.lot.options == (2, 3, 4, 5, 6)
    assert "residual seat 2" in result.lot.reason
    assert result.lists == ()


def test_successive_lots_shrink_the_options() -> None:
    asked = []
    lots: tuple[int, ...] = ()
    while True:
        result = run(15, [500, 140, 140, 140, 140, 140], lots=lots)
        if result.status == "complete":
            break
        assert result.lot is not None
        asked.append(result.lot.options)
        lots = (*lots, result.lot.options[-1])
    assert asked == [(2, 3, 4, 5, 6), (2, 3, 4, 5), (2, 3, 4), (2, 3)]
    assert seats_of(result) == [6, 1, 2, 2, 2, 2]
    assert [s.outcome for s in result.steps if isinstance(s, LotStep)] == [6, 5, 4, 3]


def test_lot_outcome_not_among_options_is_refused() -> None:
    with pytest.raises(InputError, match=r"not among the options \[2, 3, 4, 5, 6\]"):
        run(15, [540, 160, 160, 80, 80, 80, 55, 45], lots=(7,))


def test_p9_lot_decides_which_list_loses() -> None:
    first = run(15, [2552, 511, 511, 511, 509, 509])
    assert first.lot is not None
    assert first.lot.kind == "absolute_majority"
    assert first.lot.options == (2, 3, 4)
    done = run(15, [2552, 511, 511, 511, 509, 509], lots=(4,))
    assert seats_of(done) == [8, 2, 2, 1, 1, 1]
    assert AbsoluteMajorityStep(from_list=4, to_list=1, by_lot=True) in done.steps


def test_p9_moves_the_last_residual_seat() -> None:
    result = run(15, [2571, 977, 567, 536, 453])
    assert [s.list_number for s in residual_steps(result)] == [2, 3, 4]
    assert result.steps[-1] == AbsoluteMajorityStep(from_list=4, to_list=1, by_lot=False)


def test_p9_not_without_residual_seats() -> None:
    # 3 of 4 quotas exactly, no residual seat: no P 9 although the list has > 50 % of the votes
    result = run(4, [31, 9])
    assert not any(isinstance(s, AbsoluteMajorityStep) for s in result.steps)


def test_p9_ge19() -> None:
    result = run(24, [7501, 1249, 1249, 1249, 1249, 1249, 1248, 7])
    last = residual_steps(result)[-1]
    assert (last.list_number, last.value) == (7, "1248/2")
    assert result.steps[-1] == AbsoluteMajorityStep(from_list=7, to_list=1, by_lot=False)


def test_p10_removes_and_reassigns_with_steps() -> None:
    result = run(20, [810, 620, 570], candidates=[7, 50, 50])
    exhaustion = [s for s in result.steps if isinstance(s, ExhaustionStep)]
    assert exhaustion == [ExhaustionStep(list_number=1, candidates=7, full_seat=True)]
    assert residual_steps(result)[-1].list_number == 2


def test_p10_seats_stay_empty_when_every_list_is_exhausted() -> None:
    result = run(10, [500, 300, 200], candidates=[3, 2, 1])
    assert seats_of(result) == [3, 2, 1]
    assert result.unassigned == 4
    assert isinstance(result.steps[-1], UnassignedStep) and result.steps[-1].seats == 4


def test_p10_after_p9_can_undo_it() -> None:
    # list 1 wins the P 9 seat but has only 7 candidates: P 10 takes it away again
    result = run(15, [2571, 977, 567, 536, 453], candidates=[7, 50, 50, 50, 50])
    assert seats_of(result)[0] == 7
    assert sum(seats_of(result)) == 15
    tags = [type(s).__name__ for s in result.steps]
    assert tags.index("AbsoluteMajorityStep") < tags.index("ExhaustionStep")


def test_quota_threshold_tk() -> None:
    """P 7 lid 2: below one full quota, no residual seat (TK/EP), although its average would win it."""
    votes = [176, 632, 800, 959, 595, 529]  # 19 seats, quota 3691/19 = 194 5/19: list 1 is below it
    assert seats_of(run(19, votes)) == [1, 3, 4, 5, 3, 3]
    assert seats_of(run(19, votes, quota_threshold=True)) == [0, 3, 5, 5, 3, 3]


def test_three_quarter_threshold_is_inclusive() -> None:
    # 15 seats, quota 80: 60 votes is exactly 3/4 of the quota and competes for a remainder seat
    assert seats_of(run(15, [540, 165, 160, 80, 80, 80, 60, 35])) == [7, 2, 2, 1, 1, 1, 1, 0]
    assert seats_of(run(15, [540, 165, 160, 80, 80, 80, 59, 36])) == [7, 3, 2, 1, 1, 1, 0, 0]


def test_exact_tie_is_not_decided_by_float() -> None:
    """Roermond 2026: 1851/3 and 617/1 are equal; a float-free engine must see the tie."""
    result = run(33, [8268, 4892, 1851, 2586, 1074, 1852, 1337, 573, 617])
    assert result.lot is not None and result.lot.options == (3, 9)


def test_bad_input() -> None:
    with pytest.raises(InputError, match="at least 1"):
        apportion(0, [(1, 10)])
    with pytest.raises(InputError, match="twice"):
        apportion(5, [(1, 10), (1, 5)])
    with pytest.raises(InputError, match="negative"):
        apportion(5, [(1, 10), (2, -5)])
    with pytest.raises(InputError, match="only 1 lot"):
        from shared.domain.apportionment import Lots

        cursor = Lots([6, 2])
        apportion(15, list(enumerate([540, 160, 160, 80, 80, 80, 55, 45], 1)), lots=cursor)
        cursor.check_all_used()


def test_mixed_numbers() -> None:
    assert mixed("10422852/150") == "69485 102/150"
    assert mixed("617/1") == "617"
    assert parse_fraction("1851/3") == Fraction(617)


# --------------------------------------------------------------------------------------------------- P 12
def test_group_split_largest_remainders() -> None:
    split = split_group_seats(10, [(1, 500), (2, 300), (3, 200), (4, 40)])
    assert split.status == "complete"
    assert split.group_quota == "1040/10"
    # quotas 4.81, 2.88, 1.92, 0.38: full 4, 2, 1, 0 and three remainder seats to lists 2, 3, 1
    assert [(x.full_seats, x.remainder_seat) for x in split.lists] == [
        (4, True),
        (2, True),
        (1, True),
        (0, False),
    ]
    assert sum(x.seats for x in split.lists) == 10


def test_group_split_tie_needs_lot() -> None:
    first = split_group_seats(3, [(1, 100), (2, 100), (3, 100), (4, 100)])
    assert first.status == "lot_required" and first.lot is not None
    assert first.lot.kind == "group_split" and first.lot.options == (1, 2, 3, 4)
    done = split_group_seats(3, [(1, 100), (2, 100), (3, 100), (4, 100)], lots=(2, 4, 1))
    assert [x.seats for x in done.lists] == [1, 1, 0, 1]
    assert [s.outcome for s in done.steps] == [2, 4, 1]


def test_group_split_zero_seats_and_errors() -> None:
    assert [x.seats for x in split_group_seats(0, [(1, 5), (2, 7)]).lists] == [0, 0]
    with pytest.raises(InputError, match="without votes"):
        split_group_seats(2, [(1, 0), (2, 0)])
