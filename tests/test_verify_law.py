"""Verify's own seat law (telketen/verify/law.py) against the central office's code and the official results.

The two implementations share no code (tests/test_architecture.py); here they must agree on every input
hypothesis finds — the same seats, the same empty seats, the same elected candidates in the same order, and
the same lots asked in the same order (each drawn lot's outcome is chosen by hypothesis and fed to both) —
and verify's must reproduce every result in ../shared/data/oracle on its own.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.seats import ListInput, SeatsInput, SeatsResult
from shared.domain.seats import compute as central_compute
from shared.errors import InputError
from telketen.verify import law
from tests.conftest import ORACLE, needs_oracle


@st.composite
def elections(draw: st.DrawFn) -> tuple[str, int, list[law.ListVotes]]:
    category = draw(st.sampled_from(["TK", "GR", "PS", "EP"]))
    seats = draw(st.one_of(st.integers(1, 18), st.integers(19, 45)))
    lists: list[law.ListVotes] = []
    for number in range(1, draw(st.integers(1, 8)) + 1):
        kind = draw(st.sampled_from(["candidates", "count", "unlimited"]))
        if kind == "candidates":
            # small vote values make ties (residual seats, P 9 groups, preference votes) common
            cand = tuple(draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, 8, 40, 120]), min_size=1, max_size=7)))
            dead = frozenset(draw(st.sets(st.integers(1, len(cand)), max_size=min(2, len(cand) - 1))))
            lists.append(law.ListVotes(number, sum(cand), candidate_votes=cand, deceased=dead))
        else:
            votes = draw(st.one_of(st.sampled_from([0, 4, 10, 30, 60, 90, 300, 1000]), st.integers(0, 3000)))
            limit = draw(st.integers(1, 6)) if kind == "count" else None
            lists.append(law.ListVotes(number, votes, candidates=limit))
    return category, seats, lists


def central_input(category: str, seats: int, lists: list[law.ListVotes], lots: list[int]) -> SeatsInput:
    return SeatsInput(
        id="x",
        category=category,  # type: ignore[arg-type]
        seats=seats,
        lots=tuple(lots),
        lists=tuple(
            ListInput(
                number=lst.number,
                votes=lst.votes,
                candidates=lst.candidates,
                candidate_votes=lst.candidate_votes,
                deceased=tuple(sorted(lst.deceased)),
            )
            for lst in lists
        ),
    )


def same(verify: law.Outcome, central: SeatsResult) -> None:
    if central.status == "lot_required":
        assert central.lot is not None and verify.lot is not None, (verify, central.lot)
        assert (verify.lot.kind, verify.lot.options, verify.lot.list_number) == (
            central.lot.kind,
            central.lot.options,
            central.lot.list_number,
        )
        return
    assert verify.lot is None and verify.seats is not None
    assert {str(k): v for k, v in verify.seats.items()} == central.seats
    assert verify.empty == central.unassigned
    mine = {str(k): c.elected for k, c in (verify.elected or {}).items()}
    assert mine == (central.elected or {})


@settings(max_examples=400, deadline=None)
@given(elections(), st.data())
def test_verify_and_the_central_office_agree_on_seats_elected_and_lots(
    election: tuple[str, int, list[law.ListVotes]], data: st.DataObject
) -> None:
    category, seats, lists = election
    lots: list[int] = []
    for _ in range(40):
        verify = law.compute(category, seats, lists, lots)
        central = central_compute(central_input(category, seats, lists, lots))
        same(verify, central)
        if verify.lot is None:
            return
        lots.append(data.draw(st.sampled_from(verify.lot.options)))
    raise AssertionError("more than 40 lots")


def test_a_lot_is_asked_not_drawn_and_a_wrong_outcome_is_refused() -> None:
    """15 seats, five lists of 140 behind one of 500: four successive lots among the 140-lists (spec §4)."""
    lists = [law.ListVotes(n, v) for n, v in enumerate([500, 140, 140, 140, 140, 140], 1)]
    first = law.compute("GR", 15, lists)
    assert first.lot == law.Lot("residual_seat", (2, 3, 4, 5, 6)) and first.seats is None
    done = law.compute("GR", 15, lists, [6, 5, 4, 3])
    assert done.seats == {1: 6, 2: 1, 3: 2, 4: 2, 5: 2, 6: 2}  # list 2 lost all four lots
    with pytest.raises(InputError, match="not one of"):
        law.compute("GR", 15, lists, [1])
    with pytest.raises(InputError, match="5 lot outcome"):
        law.compute("GR", 15, lists, [6, 5, 4, 3, 2])


#: Spec §4 (Abacus' worked examples): seats, votes, the seats the law gives — each is a rule's edge case.
SPEC_EXAMPLES = [
    (15, [540, 160, 160, 80, 80, 80, 60, 40], [7, 2, 2, 1, 1, 1, 1, 0]),  # 60 is exactly 3/4 of the quota
    (15, [808, 59, 58, 57, 56, 55, 54, 53], [12, 1, 1, 1, 0, 0, 0, 0]),  # then one-per-list averages
    (15, [480, 240, 240, 55, 50, 45, 45, 45], [7, 4, 4, 0, 0, 0, 0, 0]),  # a zero remainder still competes
    (15, [2571, 977, 567, 536, 453], [8, 3, 2, 1, 1]),  # P 9 (Reusel-De Mierden)
    (15, [2552, 987, 570, 539, 456], [7, 3, 2, 2, 1]),  # exactly half: no P 9
    (24, [7501, 1249, 1249, 1249, 1249, 1249, 1248, 7], [13, 2, 2, 2, 2, 2, 1, 0]),  # P 9 with averages
    (23, [600, 302, 98, 99, 101], [12, 6, 1, 2, 2]),
]


@pytest.mark.parametrize(("seats", "votes", "expected"), SPEC_EXAMPLES)
def test_the_worked_examples_of_the_spec(seats: int, votes: list[int], expected: list[int]) -> None:
    lists = [law.ListVotes(n, v) for n, v in enumerate(votes, 1)]
    outcome = law.compute("GR", seats, lists)
    assert outcome.seats == dict(enumerate(expected, 1))
    same(outcome, central_compute(central_input("GR", seats, lists, [])))


def load(name: str) -> Any:
    return json.loads((ORACLE / f"{name}.json").read_text(encoding="utf-8"))


def plain(lists: list[dict[str, Any]]) -> list[law.ListVotes]:
    return [
        law.ListVotes(i, lst["votes"], candidates=lst.get("number_of_candidates"))
        for i, lst in enumerate(lists, 1)
    ]


@needs_oracle
@pytest.mark.parametrize("name", ["TK20170315", "TK20210317", "TK20231122", "TK20251029"])
def test_every_tweede_kamer_in_the_oracle(name: str) -> None:
    data = load(name)
    outcome = law.compute("TK", data["number_of_seats"], plain(data["lists"]))
    assert outcome.seats == {i: lst["seats"] for i, lst in enumerate(data["lists"], 1)}


@needs_oracle
@pytest.mark.parametrize("name", ["GR20180321_municipalities", "GR20220316_municipalities"])
def test_every_municipal_council_in_the_oracle(name: str) -> None:
    wrong = []
    municipalities = load(name)["municipalities"]
    for m in municipalities:
        outcome = law.compute("GR", m["number_of_seats"], plain(m["lists"]))
        if outcome.seats != {i: lst["seats"] for i, lst in enumerate(m["lists"], 1)}:
            wrong.append(m["municipality"])
    assert wrong == [] and len(municipalities) > 330


def abacus(name: str) -> tuple[list[law.ListVotes], list[dict[str, Any]], int]:
    data = load(name)
    lists = [
        law.ListVotes(
            lst["list_number_in_test"],
            lst["votes"],
            candidate_votes=tuple(c["votes"] for c in lst["candidate_votes"]),
        )
        for lst in data["lists"]
    ]
    return lists, data["lists"], data["number_of_seats"]


@needs_oracle
@pytest.mark.parametrize("name", ["GR2022_Reusel-De_Mierden_P9_abacus", "GR2022_Enkhuizen_P10_abacus"])
def test_p9_and_p10_cases_with_their_candidates(name: str) -> None:
    lists, official, seats = abacus(name)
    outcome = law.compute("GR", seats, lists)
    assert outcome.seats == {x["list_number_in_test"]: x["seats"] for x in official}
    assert outcome.elected is not None
    for x in official:
        if "elected_by_preference" in x:
            chosen = outcome.elected[x["list_number_in_test"]]
            assert chosen.by_preference == x["elected_by_preference"]
            assert chosen.elected == x["elected_by_preference"] + x["elected_other"]


@needs_oracle
def test_roermond_asks_for_the_lot_and_follows_it() -> None:
    lists, official, seats = abacus("GR2026_Roermond_lot_abacus")
    asked = law.compute("GR", seats, lists)
    assert asked.lot is not None and asked.lot.kind == "residual_seat" and asked.seats is None
    winner = next(x["list_number_in_test"] for x in official if x["votes"] == 617)
    assert winner in asked.lot.options
    outcome = law.compute("GR", seats, lists, [winner])
    assert outcome.seats == {x["list_number_in_test"]: x["seats"] for x in official}
