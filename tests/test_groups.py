"""List groups (Kieswet P 1, P 12, P 13, P 15–P 18): each rule on the smallest case that needs it.

Every test builds the situation its rule exists for; the anchor on real data (TK2021: CDA, D66, PvdA and CODE
ORANJE with twenty lists, SP with five sets) is `test_central_tk2021.py`. The property test checks that a
party with the same list everywhere comes out exactly as the single-list computation (P 15–P 17).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.apportionment import LotRequired, Lots
from shared.domain.election import Candidate, CandidateList, District, DistrictId, Election, ElectionId
from shared.domain.groups import (
    GroupExhaustionStep,
    GroupResidualStep,
    assign_group,
    build_groups,
    group_tally,
    list_label,
    national_view,
)
from shared.domain.seats import ListInput, SeatsInput, compute, compute_groups
from shared.domain.tally import Tally
from shared.errors import InputError


def person(name: str) -> Candidate:
    return Candidate(position=0, last_name=name, initials=f"{name[0]}.")


def numbered(number: int, names: str, name: str = "Partij") -> CandidateList:
    return CandidateList(
        number=number,
        name=name,
        candidates=tuple(
            Candidate(position=i, last_name=n, initials=f"{n[0]}.") for i, n in enumerate(names.split(), 1)
        ),
    )


def election(*districts: tuple[CandidateList, ...], seats: int = 10) -> Election:
    return Election(
        id=ElectionId("TK2099"),
        name="test",
        category="TK",
        subcategory=None,
        date="2099-03-17",
        seats=seats,
        preference_threshold=25,
        districts=tuple(
            District(id=DistrictId(str(i)), name=None, lists=lists) for i, lists in enumerate(districts, 1)
        ),
    )


def test_identical_lists_form_one_set_and_different_lists_each_a_list_of_the_group() -> None:
    """P 1: the same list in kieskringen 1 and 2 is one stel; a different list in 3 is a second group list."""
    same = numbered(1, "Anna Bert Cees")
    other = numbered(1, "Anna Dirk Cees")
    e = election((same,), (same,), (other,))
    votes = {"1": {1: (5, 1, 0)}, "2": {1: (3, 0, 1)}, "3": {1: (2, 2, 2)}}
    (group,) = build_groups(e, votes)
    assert [m.districts for m in group.members] == [("1", "2"), ("3",)]
    assert group.members[0].candidate_votes == (8, 1, 1)
    assert group.votes == 16
    assert [k[0] for k in group.candidates] == ["Anna", "Bert", "Cees", "Dirk"]
    assert group.candidate_votes()[group.candidates[0]] == 10  # Anna: both lists together (P 15)
    total = group_tally((group,), Tally())
    assert total.lists[0].candidate_votes == (10, 1, 3, 2)
    view = national_view(e, (group,), DistrictId("alle"))
    assert [c.position for c in view.lists[0].candidates] == [1, 2, 3, 4]


def test_group_seats_split_by_the_group_quota_and_largest_remainders() -> None:
    """P 12: group quota 1000/5 = 200; full seats 3, 1, 0; the last seat to the largest remainder (100)."""
    lists = [numbered(1, " ".join(f"{p}{i}" for i in range(6))) for p in "ABC"]
    e = election((lists[0],), (lists[1],), (lists[2],))
    votes = {"1": {1: (610, 0, 0, 0, 0, 0)}, "2": {1: (300, 0, 0, 0, 0, 0)}, "3": {1: (90, 0, 0, 0, 0, 0)}}
    (group,) = build_groups(e, votes)
    out = assign_group(group, 5, Fraction(10**9), Lots(()))
    assert out.group_quota == "1000/5"
    assert [(m.full_seats, m.remainder_seat, m.seats) for m in out.members] == [
        (3, False, 3),
        (1, True, 2),
        (0, False, 0),
    ]
    # nobody above the threshold: every seat in list order, each on its own list (P 17)
    assert [len(m.elected) for m in out.members] == [3, 2, 0]


def test_a_list_with_fewer_candidates_than_seats_passes_the_surplus_within_the_group() -> None:
    """P 13: kieskring 1's list has one candidate but earns 3 seats (P 12: quota 1110/5, full 2, 1, 0,
    remainder seats to lists 3 and 1); two move to the group's other lists by largest averages: list 2
    (300/2 = 150), then list 3 (210/2 = 105 against 300/3 = 100)."""
    e = election((numbered(1, "Anna"),), (numbered(1, "Bert Cees Dirk"),), (numbered(1, "Eva Frits"),))
    votes: dict[str, dict[int, tuple[int, ...]]] = {
        "1": {1: (600,)},
        "2": {1: (300, 0, 0)},
        "3": {1: (210, 0)},
    }
    (group,) = build_groups(e, votes)
    out = assign_group(group, 5, Fraction(10**9), Lots(()))
    assert [m.seats for m in out.members] == [1, 2, 2]
    moves = [s for s in out.steps if isinstance(s, GroupExhaustionStep)]
    assert [(s.member, s.seats) for s in moves] == [(1, 2)]
    assert [s.member for s in out.steps if isinstance(s, GroupResidualStep)] == [2, 3]
    assert sum(len(m.elected) for m in out.members) == 5


def test_a_tie_within_the_group_asks_for_a_lot_and_takes_its_outcome() -> None:
    """P 13 lid 2 on equal averages: the software never draws; each outcome is an input, in the order asked.
    Kieskring 1's list (one candidate) passes 5 of its 6 seats on; lists 2 and 3 tie at 100/2 first."""
    five = "Bert Cees Dirk Eva Frits"
    e = election((numbered(1, "Anna"),), (numbered(1, five),), (numbered(1, five.lower()),))
    votes: dict[str, dict[int, tuple[int, ...]]] = {
        "1": {1: (600,)},
        "2": {1: (100, 0, 0, 0, 0)},
        "3": {1: (100, 0, 0, 0, 0)},
    }
    (group,) = build_groups(e, votes)
    with pytest.raises(LotRequired) as asked:
        assign_group(group, 8, Fraction(10**9), Lots(()))
    assert asked.value.request.options == (2, 3)
    out = assign_group(group, 8, Fraction(10**9), Lots((3, 2, 3)))
    assert [m.seats for m in out.members] == [1, 3, 4]
    with pytest.raises(InputError, match="not among the options"):
        assign_group(group, 8, Fraction(10**9), Lots((1,)))


def test_preference_votes_count_over_the_group_and_the_seat_goes_where_most_were_cast() -> None:
    """P 15/P 16: Dirk has 50 + 60 votes on two lists; only together are they above the threshold (100). Both
    lists still have a free seat when his turn comes; he takes it on kieskring 2's list, where he got more."""
    e = election((numbered(1, "Anna Bert Dirk"),), (numbered(1, "Cees Eva Dirk"),))
    votes = {"1": {1: (300, 0, 50)}, "2": {1: (90, 200, 60)}}
    (group,) = build_groups(e, votes)
    out = assign_group(group, 4, Fraction(100), Lots(()))
    assert [k[0] for k in group.candidates] == ["Anna", "Bert", "Dirk", "Cees", "Eva"]
    assert out.by_preference == (1, 5, 3)  # Anna 300, Eva 200, Dirk 110 (Cees 90 is not above 100)
    assert out.members[1].elected == (5, 3)
    assert out.members[0].elected == (1, 2)  # Bert in list order (P 17)


def test_a_candidate_elected_on_two_lists_counts_on_the_one_with_most_votes() -> None:
    """P 18: Anna heads both lists and nobody reaches the threshold, so list order elects her twice; she
    counts on kieskring 2 (more votes for her there) and kieskring 1's seat goes down its list to Bert."""
    e = election((numbered(1, "Anna Bert"),), (numbered(1, "Anna Cees"),))
    votes = {"1": {1: (30, 20)}, "2": {1: (40, 10)}}
    (group,) = build_groups(e, votes)
    out = assign_group(group, 2, Fraction(10**9), Lots(()))
    assert out.members[1].elected == (1,)
    assert out.members[0].elected == (2,)  # Bert, second on kieskring 1's list


def test_equal_votes_on_two_lists_go_to_the_lowest_kieskring() -> None:
    """P 18 lid 1, second sentence: equal votes for the candidate → the list of the lowest kieskring."""
    e = election((numbered(1, "Anna Bert"),), (numbered(1, "Anna Cees"),))
    votes = {"1": {1: (30, 20)}, "2": {1: (30, 20)}}
    (group,) = build_groups(e, votes)
    out = assign_group(group, 2, Fraction(10**9), Lots(()))
    assert out.members[0].elected == (1,)
    assert out.members[1].elected == (3,)  # Cees


def test_a_blank_list_is_named_after_its_first_candidate() -> None:
    assert (
        list_label(CandidateList(number=30, name="", candidates=(person("Zeven"),))) == "Blanco (Zeven, Z.)"
    )
    assert list_label(numbered(1, "Anna", name="VVD")) == "VVD"


def test_counts_that_do_not_fit_the_list_are_refused() -> None:
    e = election((numbered(1, "Anna Bert"),), (numbered(1, "Anna Cees"),))
    with pytest.raises(InputError, match="2 candidates but 3 candidate counts"):
        build_groups(e, {"1": {1: (1, 2, 3)}})


@settings(max_examples=40, deadline=None)
@given(
    votes=st.lists(st.lists(st.integers(0, 400), min_size=4, max_size=4), min_size=2, max_size=4),
    seats=st.integers(19, 25),
)
def test_same_lists_everywhere_give_exactly_the_single_list_result(
    votes: list[list[int]], seats: int
) -> None:
    """With every party's list the same in all kieskringen the groups change nothing (P 15–P 17)."""
    parties = [numbered(n, "Anna Bert Cees Dirk", name=f"P{n}") for n in range(1, len(votes) + 1)]
    e = election(tuple(parties), tuple(parties), seats=seats)
    halves = {str(d): {n: tuple(v // 2 if d == 1 else v - v // 2 for v in vs) for n, vs in
                      enumerate(votes, 1)} for d in (1, 2)}  # fmt: skip
    groups = build_groups(e, halves)
    single = SeatsInput(
        id="x",
        category="TK",
        seats=seats,
        lists=tuple(
            ListInput(number=n, votes=sum(vs), candidate_votes=tuple(vs)) for n, vs in enumerate(votes, 1)
        ),
    )
    expected = compute(single)
    got = compute_groups("x", "TK", seats, groups)
    assert got.status == expected.status
    if expected.status == "complete":
        assert got.seats == expected.seats
        assert got.elected == expected.elected


@st.composite
def group_elections(draw: st.DrawFn) -> tuple[Election, dict[str, dict[int, tuple[int, ...]]]]:
    """Three kieskringen; each party's list in each a draw of 1–5 of its 6 candidates in some order."""
    parties = draw(st.integers(2, 4))
    pool = ["Anna", "Bert", "Cees", "Dirk", "Eva", "Frits"]
    districts = []
    votes: dict[str, dict[int, tuple[int, ...]]] = {}
    for d in range(1, 4):
        lists = []
        for n in range(1, parties + 1):
            names = draw(st.permutations(pool))[: draw(st.integers(1, 5))]
            lists.append(numbered(n, " ".join(f"{x}{n}" for x in names), name=f"P{n}"))
            counts = draw(st.lists(st.integers(0, 300), min_size=len(names), max_size=len(names)))
            votes.setdefault(str(d), {})[n] = tuple(counts)
        districts.append(tuple(lists))
    return election(*districts, seats=draw(st.integers(19, 30))), votes


@settings(max_examples=60, deadline=None)
@given(case=group_elections())
def test_every_group_seat_goes_to_one_candidate_on_a_list_that_has_him(
    case: tuple[Election, dict[str, dict[int, tuple[int, ...]]]],
) -> None:
    """Whatever the lists: a group's seats add up over its lists (P 12, P 13), no list holds more seats than
    candidates, each seat goes to a different candidate who stands on that list, and the preference-elected
    are exactly those above the threshold who found a free seat, in order of votes (P 15–P 18)."""
    e, votes = case
    groups = build_groups(e, votes)
    result = compute_groups("x", "TK", e.seats, groups)
    if result.status != "complete":
        return  # a lot is asked: covered by the tests above
    for g, out in zip(groups, result.groups, strict=True):
        assert sum(m.seats for m in out.members) == out.seats == result.seats[str(g.number)]
        assert len(out.elected) == len(set(out.elected)) == out.seats
        for member, seats in zip(g.members, out.members, strict=True):
            assert seats.seats <= len(member.candidates)
            assert len(seats.elected) == seats.seats
            assert all(g.candidates[p - 1] in member.candidates for p in seats.elected)
        totals = g.candidate_votes()
        pref = [totals[g.candidates[p - 1]] for p in out.by_preference]
        assert pref == sorted(pref, reverse=True)
        assert all(v > Fraction(result.total_votes * 25, e.seats * 100) for v in pref)
