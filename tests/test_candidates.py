"""Elected candidates (Kieswet P 15–P 19): threshold, preference and list order, lots, deceased, ranking."""

from __future__ import annotations

import pytest

from shared.domain.apportionment import Lots, LotStep
from shared.domain.candidates import (
    CandidateAssignment,
    CandidateElectedStep,
    ListCandidateInput,
    PreferenceThresholdStep,
    assign_candidates,
    threshold_percentage,
)
from shared.errors import InputError


def one_list(
    body_seats: int,
    total_votes: int,
    list_seats: int,
    votes: list[int],
    *,
    deceased: tuple[int, ...] = (),
    lots: tuple[int, ...] = (),
) -> CandidateAssignment:
    lst = ListCandidateInput(list_number=4, seats=list_seats, candidate_votes=tuple(votes), deceased=deceased)
    return assign_candidates(body_seats, total_votes, [lst], lots=lots)


def test_threshold_percentages() -> None:
    assert threshold_percentage(18) == 50
    assert threshold_percentage(19) == 25
    result = one_list(15, 1500, 0, [1])
    assert result.steps[0] == PreferenceThresholdStep(percentage=50, threshold="75000/1500")
    assert one_list(20, 2000, 0, [1]).threshold == "50000/2000"


def test_exactly_the_threshold_does_not_qualify() -> None:
    # 15 seats, 1500 votes: quota 100, threshold 50 (50 %). 50 votes is not "more than" the threshold.
    result = one_list(15, 1500, 3, [100, 10, 50, 51, 0])
    (lst,) = result.lists
    assert lst.by_preference == (1, 4)
    assert lst.elected == (1, 4, 2)
    assert lst.ranking == (1, 4, 2, 3, 5)
    rules = [(s.candidate, s.rule, s.article) for s in result.steps if isinstance(s, CandidateElectedStep)]
    assert rules == [(1, "preference", "P 15"), (4, "preference", "P 15"), (2, "list_order", "P 17")]


def test_twenty_five_percent_from_19_seats() -> None:
    # 20 seats, 2000 votes: quota 100, threshold 25; 26 qualifies, 25 does not
    (lst,) = one_list(20, 2000, 2, [5, 25, 26, 5]).lists
    assert lst.elected == (3, 1)


def test_more_qualified_than_seats_by_votes() -> None:
    (lst,) = one_list(15, 1500, 2, [60, 90, 70, 80]).lists
    assert lst.elected == (2, 4)
    # P 19: elected first, then the other qualified by votes, then the rest in list order
    assert lst.ranking == (2, 4, 3, 1)


def test_equal_votes_with_seats_for_all_need_no_lot() -> None:
    result = one_list(15, 1500, 3, [10, 70, 70, 5])
    assert result.status == "complete"
    assert result.lists[0].elected == (2, 3, 1)


def test_candidate_tie_needs_a_lot() -> None:
    first = one_list(15, 1500, 2, [100, 70, 70, 70])
    assert first.status == "lot_required" and first.lot is not None
    assert (first.lot.kind, first.lot.options, first.lot.list_number) == ("candidate", (2, 3, 4), 4)
    assert "list 4" in first.lot.reason
    done = one_list(15, 1500, 2, [100, 70, 70, 70], lots=(3,))
    assert done.lists[0].elected == (1, 3)
    assert done.lists[0].ranking == (1, 3, 2, 4)
    assert LotStep(
        kind="candidate", options=(2, 3, 4), outcome=3, reason=first.lot.reason, list_number=4
    ) in (done.steps)
    elected = [s for s in done.steps if isinstance(s, CandidateElectedStep)]
    assert elected[1].by_lot and elected[1].article == "P 16"


def test_candidate_lot_outside_options_is_refused() -> None:
    with pytest.raises(InputError, match="not among the options"):
        one_list(15, 1500, 2, [100, 70, 70, 70], lots=(1,))


def test_deceased_is_skipped_everywhere() -> None:
    (lst,) = one_list(15, 1500, 2, [200, 10, 5, 1], deceased=(1,)).lists
    assert lst.elected == (2, 3)
    assert 1 not in lst.ranking
    assert lst.ranking == (2, 3, 4)


def test_ranking_unchanged_without_qualified_or_ge19_zero_seats() -> None:
    assert one_list(15, 1500, 1, [10, 20, 30]).lists[0].ranking == (1, 2, 3)
    # 19+ seats and the list got no seat: order stays although candidate 3 passed the threshold
    assert one_list(20, 2000, 0, [10, 20, 30]).lists[0].ranking == (1, 2, 3)
    # below 19 seats the ranking changes even without a seat
    assert one_list(15, 1500, 0, [10, 20, 60]).lists[0].ranking == (3, 1, 2)


def test_more_seats_than_candidates_leaves_seats_unfilled() -> None:
    (lst,) = one_list(15, 1500, 3, [10, 20]).lists
    assert lst.elected == (1, 2) and lst.unfilled == 1


def test_reusel_de_mierden_ranking() -> None:
    """GR2022 Reusel-De Mierden list 1 (P 9 case): Abacus' updated ranking 1, 3, 2, 4, 5, … 12."""
    votes = [1069, 303, 321, 210, 36, 101, 79, 121, 150, 149, 15, 17]
    (lst,) = one_list(15, 5104, 8, votes).lists
    assert lst.by_preference == (1, 3, 2, 4)
    assert lst.elected == (1, 3, 2, 4, 5, 6, 7, 8)
    assert lst.ranking == (1, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12)


def test_lots_are_shared_across_lists() -> None:
    cursor = Lots([2, 5])
    lists = [
        ListCandidateInput(list_number=1, seats=1, candidate_votes=(0, 90, 90)),
        ListCandidateInput(list_number=2, seats=1, candidate_votes=(0, 0, 0, 90, 90)),
    ]
    result = assign_candidates(15, 1500, lists, lots=cursor)
    assert [x.elected for x in result.lists] == [(2,), (5,)]
    assert result.lots_used == 2 and cursor.used == 2


def test_bad_candidate_input() -> None:
    with pytest.raises(InputError, match="not on the list"):
        one_list(15, 1500, 1, [10, 20], deceased=(3,))
    with pytest.raises(InputError, match="twice"):
        one_list(15, 1500, 1, [10, 20], deceased=(1, 1))
    with pytest.raises(InputError, match="negative"):
        one_list(15, 1500, 1, [10, -20])
