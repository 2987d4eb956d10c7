"""Verify's list-group articles (telketen/verify/groups.py) on cases built for each rule (Kieswet P 1, P 12,
P 15 with the group's votes summed, P 17, P 18). The Kiesraad's TK2021 set (test_verify_kiesraad.py) runs them
on real data; these cases make each rule decide something that set does not."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.domain.apportionment import LotRequired, Lots
from shared.domain.groups import GroupMember, ListGroup, assign_group
from telketen.verify import groups, law
from telketen.verify.law import Draws, Lot, LotMissing

NO_PREFERENCE = Fraction(10**9)


def test_identical_lists_are_one_stel_with_their_votes_added() -> None:
    lists = groups.gather(
        [(3, ("X", "Y"), 5, (4, 1)), (1, ("X", "Y"), 7, (6, 1)), (2, ("Y", "X"), 2, (1, 1))]
    )
    assert [(lst.districts, lst.candidates, lst.votes) for lst in lists] == [
        ([3, 1], ("X", "Y"), 12),
        ([2], ("Y", "X"), 2),
    ]
    assert lists[0].candidate_votes == {"X": 10, "Y": 2} and lists[0].first_district == 1


def test_p12_splits_by_group_quota_then_largest_remainder() -> None:
    # 5 seats, 100 votes: quota 20; 47 -> 2 (rem 7), 33 -> 1 (rem 13), 20 -> 1 (rem 0); the 5th seat to 33
    lists = groups.gather([(1, ("A",), 47, (47,)), (2, ("B",), 33, (33,)), (3, ("C",), 20, (20,))])
    groups.split(7, 5, lists, Draws([]))
    assert [lst.seats for lst in lists] == [2, 2, 1]


def test_p12_asks_a_lot_for_a_tie_and_follows_it() -> None:
    lists = groups.gather([(1, ("A",), 10, (10,)), (2, ("B",), 10, (10,))])
    with pytest.raises(LotMissing) as asked:
        groups.split(4, 1, lists, Draws([]))
    assert asked.value.lot == Lot("group_split", (1, 2), 4)
    groups.split(4, 1, lists, Draws([2]))
    assert [lst.seats for lst in lists] == [0, 1]


def test_p18_a_candidate_elected_on_two_lists_keeps_the_seat_where_he_got_most_votes() -> None:
    """X heads both lists; his votes are higher on the kieskring-2 list, so he is elected there and the
    kieskring-1 list's seat goes to its next candidate Y (not Z, the next of the kieskring-2 list)."""
    lists = groups.gather([(1, ("X", "Y"), 12, (12, 0)), (2, ("X", "Z"), 28, (28, 0))])
    groups.split(9, 2, lists, Draws([]))
    assert [lst.seats for lst in lists] == [1, 1]
    chosen = groups.elect(9, 2, lists, {"X": 40, "Y": 0, "Z": 0}, NO_PREFERENCE, Draws([]))
    assert [(e.candidate, e.list_district, e.by_preference) for e in chosen] == [
        ("X", 2, False),
        ("Y", 1, False),
    ]


def test_p15_counts_a_candidates_votes_on_all_lists_of_the_group() -> None:
    """Z has 6 + 6 votes on two lists: only the group sum (12) passes the threshold of 10; he is elected by
    preference on the list of the lowest kieskring (a tie in votes), ahead of X and Y in list order."""
    lists = groups.gather([(1, ("X", "Z"), 16, (10, 6)), (2, ("Y", "Z"), 16, (10, 6))])
    groups.split(5, 2, lists, Draws([]))
    chosen = groups.elect(5, 2, lists, {"X": 10, "Y": 10, "Z": 12}, Fraction(10), Draws([]))
    assert [(e.candidate, e.list_district, e.by_preference) for e in chosen] == [
        ("Z", 1, True),
        ("Y", 2, False),
    ]


@st.composite
def group_cases(draw: st.DrawFn) -> tuple[int, list[groups.GroupList], dict[str, int], Fraction]:
    """A group of 1–4 lists over a pool of 6 candidates; each list a random order of some of them."""
    pool = [f"C{i}" for i in range(6)]
    rows = []
    for district in range(1, draw(st.integers(1, 4)) + 1):
        keys = tuple(draw(st.permutations(pool))[: draw(st.integers(3, 6))])
        cand = tuple(draw(st.integers(0, 50)) for _ in keys)
        rows.append((district, keys, sum(cand), cand))
    lists = groups.gather(rows)
    national: dict[str, int] = {}
    for lst in lists:
        for key, v in lst.candidate_votes.items():
            national[key] = national.get(key, 0) + v
    seats = draw(st.integers(1, 3))
    threshold = Fraction(draw(st.integers(0, 120)))
    return seats, lists, national, threshold


@settings(max_examples=300, deadline=None)
@given(group_cases(), st.data())
def test_every_seat_of_a_group_goes_to_one_candidate_on_a_list_that_holds_it(
    case: tuple[int, list[groups.GroupList], dict[str, int], Fraction], data: st.DataObject
) -> None:
    seats, lists, national, threshold = case
    assume(sum(lst.votes for lst in lists) > 0)
    draws: list[int] = []
    for _ in range(20):
        try:
            for lst in lists:
                lst.seats = 0
            drawn = Draws(draws)  # one cursor: the split's lots first, then the candidates'
            groups.split(1, seats, lists, drawn)
            chosen = groups.elect(1, seats, lists, national, threshold, drawn)
            break
        except LotMissing as stop:
            draws.append(data.draw(st.sampled_from(stop.lot.options)))
    else:
        raise AssertionError("too many lots")
    assert sum(lst.seats for lst in lists) == seats  # P 12 hands out exactly the group's seats
    names = [e.candidate for e in chosen]
    assert len(names) == len(set(names))  # nobody elected twice (P 18)
    for lst in lists:
        here = [e for e in chosen if e.list_district == lst.first_district]
        assert len(here) <= lst.seats and all(e.candidate in lst.candidates for e in here)
    for e in chosen:
        assert not e.by_preference or national[e.candidate] > threshold
    # a seat stays empty only when every candidate of that list is elected already
    for lst in lists:
        if sum(e.list_district == lst.first_district for e in chosen) < lst.seats:
            assert set(lst.candidates) <= set(names)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=8),
    st.integers(0, 8),
    st.integers(0, 70),
    st.data(),
)
def test_a_group_of_one_list_elects_as_a_single_list_does(
    votes: list[int], seats: int, threshold: int, data: st.DataObject
) -> None:
    """A party with the same list everywhere (one stel, P 1) is one list: the group rules must then elect
    exactly whom P 15–P 17 elect on a single list (`law.choose`), in the same order, with the same lots."""
    seats = min(seats, len(votes))
    keys = tuple(f"K{i}" for i in range(1, len(votes) + 1))
    draws: list[int] = []
    for _ in range(20):
        lists = groups.gather([(1, keys, sum(votes), tuple(votes))])
        lists[0].seats = seats
        try:
            grouped = groups.elect(
                1, seats, lists, dict(zip(keys, votes, strict=True)), Fraction(threshold), Draws(draws)
            )
            single = law.choose(1, seats, votes, threshold=Fraction(threshold), draws=Draws(draws))
            break
        except LotMissing as stop:
            assert stop.lot.kind == "candidate"
            draws.append(data.draw(st.sampled_from(stop.lot.options)))
    else:
        raise AssertionError("too many lots")
    assert [e.candidate for e in grouped] == [keys[p - 1] for p in single.elected]
    assert [e.candidate for e in grouped if e.by_preference] == [keys[p - 1] for p in single.by_preference]


@settings(max_examples=300, deadline=None)
@given(group_cases())
def test_verify_and_the_central_office_elect_the_same_in_a_group(
    case: tuple[int, list[groups.GroupList], dict[str, int], Fraction],
) -> None:
    """Against `shared.domain.groups.assign_group` (the central office's P 12–P 18): the same seats per list,
    the same candidates elected on each, the same by preference. Cases that need a lot, or P 13 (a list
    with more seats than it can fill, which verify does not move within the group yet), are left out."""
    seats, lists, national, threshold = case
    assume(sum(lst.votes for lst in lists) > 0)
    try:
        groups.split(1, seats, lists, Draws([]))
        mine = groups.elect(1, seats, lists, national, threshold, Draws([]))
    except LotMissing:
        assume(False)
        return
    assume(len(mine) == seats)  # every seat filled: P 13 played no part
    order = list(dict.fromkeys(k for lst in lists for k in lst.candidates))
    group = ListGroup(
        number=1,
        name="x",
        members=tuple(
            GroupMember(
                districts=tuple(str(d) for d in sorted(lst.districts)),
                candidates=tuple((k,) for k in lst.candidates),
                candidate_votes=tuple(lst.candidate_votes[k] for k in lst.candidates),
            )
            for lst in lists
        ),
        candidates=tuple((k,) for k in order),
    )
    try:
        central = assign_group(group, seats, threshold, Lots([]))
    except LotRequired:
        assume(False)
        return
    assert [m.seats for m in central.members] == [lst.seats for lst in lists]
    assert [order[p - 1] for p in central.by_preference] == [e.candidate for e in mine if e.by_preference]
    for member, lst in zip(central.members, lists, strict=True):
        theirs = sorted(order[p - 1] for p in member.elected)
        assert theirs == sorted(e.candidate for e in mine if e.list_district == lst.first_district)
