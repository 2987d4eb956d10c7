"""Aggregation: adding tallies preserves every sum; a check names exactly the unit and field that is off."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.tally import (
    SCALAR_FIELDS,
    ListTally,
    Tally,
    add_tallies,
    check_internal,
    check_sum,
    compare_tallies,
)
from shared.errors import InputError

SHAPE = ((1, 3), (2, 1), (4, 2))  # list numbers with their candidate counts; list 3 withdrew
counts = st.integers(min_value=0, max_value=10**6)


@st.composite
def tallies(draw: st.DrawFn) -> Tally:
    lists = tuple(
        ListTally(number, 0, tuple(draw(st.lists(counts, min_size=n, max_size=n)))) for number, n in SHAPE
    )
    lists = tuple(ListTally(lst.number, sum(lst.candidate_votes), lst.candidate_votes) for lst in lists)
    scalars = {name: draw(counts) for name, _ in SCALAR_FIELDS}
    expl = draw(st.dictionaries(st.sampled_from(["geen verklaring", "meegenomen stembiljetten"]), counts))
    return Tally(**scalars, lists=lists, explanations=tuple(sorted(expl.items())))


parts_strategy = st.lists(tallies(), min_size=1, max_size=8)


@given(parts_strategy)
def test_adding_preserves_every_sum(parts: list[Tally]) -> None:
    total = add_tallies((f"SB{i}", t) for i, t in enumerate(parts))
    for name, _ in SCALAR_FIELDS:
        assert getattr(total, name) == sum(getattr(t, name) for t in parts)
    for i, (number, n) in enumerate(SHAPE):
        assert total.lists[i].number == number
        assert total.lists[i].votes == sum(t.lists[i].votes for t in parts)
        for j in range(n):
            assert total.lists[i].candidate_votes[j] == sum(t.lists[i].candidate_votes[j] for t in parts)
    assert total.votes_on_lists == sum(t.votes_on_lists for t in parts)
    assert total.ballots_cast == sum(t.ballots_cast for t in parts)
    assert check_sum("0668", total, {f"SB{i}": t for i, t in enumerate(parts)}) == []


@given(parts_strategy, st.integers(min_value=0, max_value=7))
def test_adding_in_groups_gives_the_same_total(parts: list[Tally], cut: int) -> None:
    """Municipality → district → nation: adding subtotals equals adding everything at once."""
    cut = min(cut, len(parts))
    left = add_tallies((str(i), t) for i, t in enumerate(parts[:cut]))
    right = add_tallies((str(i), t) for i, t in enumerate(parts[cut:]))
    groups = [(name, t) for name, t in (("left", left), ("right", right)) if t.lists]
    assert add_tallies(groups) == add_tallies((str(i), t) for i, t in enumerate(parts))


@given(parts_strategy, st.data())
def test_one_changed_number_is_named(parts: list[Tally], data: st.DataObject) -> None:
    named = {f"SB{i}": t for i, t in enumerate(parts)}
    total = add_tallies(named.items())
    which = data.draw(st.sampled_from([*(name for name, _ in SCALAR_FIELDS), "list", "candidate"]))
    if which == "list":
        lists = list(total.lists)
        lists[2] = ListTally(4, lists[2].votes + 1, lists[2].candidate_votes)
        changed = msgspec.structs.replace(total, lists=tuple(lists))
        field = "E.4 (list 4 votes)"
    elif which == "candidate":
        lists = list(total.lists)
        cv = list(lists[0].candidate_votes)
        cv[1] += 1
        lists[0] = ListTally(1, lists[0].votes, tuple(cv))
        changed = msgspec.structs.replace(total, lists=tuple(lists))
        field = "list 1 candidate 2"
    else:
        changed = msgspec.structs.replace(total, **{which: getattr(total, which) + 1})
        field = f"{dict(SCALAR_FIELDS)[which]} ({which})"
    problems = check_sum("0668", changed, named)
    assert [(p.unit, p.field) for p in problems] == [("0668", field)]
    assert problems[0].found == problems[0].expected + 1


def test_parts_with_other_lists_are_refused_by_name() -> None:
    a = Tally(lists=(ListTally(1, 5, (5,)),))
    b = Tally(lists=(ListTally(1, 5, (2, 3)),))
    with pytest.raises(InputError, match="0668/SB2"):
        add_tallies([("SB1", a), ("SB2", b)], unit="0668")


def test_missing_list_is_reported() -> None:
    a = Tally(lists=(ListTally(1, 5, (5,)), ListTally(2, 1, (1,))))
    b = Tally(lists=(ListTally(1, 5, (5,)),))
    assert [p.field for p in compare_tallies("HSB1", a, b)] == ["list 2"]


def test_internal_identities() -> None:
    good = Tally(
        poll_cards=10,
        proxy_certificates=2,
        admitted_voters=12,
        blank=1,
        invalid=0,
        fewer_ballots=1,
        lists=(ListTally(1, 10, (7, 3)),),
    )
    assert check_internal("SB1", good) == []
    bad = msgspec.structs.replace(good, admitted_voters=13, lists=(ListTally(1, 10, (7, 2)),))
    fields = [p.field for p in check_internal("SB1", bad)]
    assert fields == [
        "D (admitted_voters) = A + B + C",
        "E.1 = sum of candidate votes",
        "H (ballots cast) = D + I − J",
    ]
