"""Every official result in ../shared/data/oracle reproduced exactly through the public contract (`compute`).

The oracle has no list numbers: lists are numbered 1..n in source order (see its README). Candidate counts are
only known where given (Enkhuizen's one-candidate list); elsewhere lists have no limit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.domain.apportionment import AbsoluteMajorityStep, ExhaustionStep, ResidualSeatStep
from shared.domain.seats import ListInput, SeatsInput, SeatsResult, compute, compute_batch
from tests.conftest import ORACLE, needs_oracle

pytestmark = needs_oracle

TK_FILES = ["TK20170315", "TK20210317", "TK20231122", "TK20251029"]
GR_FILES = ["GR20180321_municipalities", "GR20220316_municipalities"]


def load(name: str) -> Any:
    return json.loads((ORACLE / f"{name}.json").read_text(encoding="utf-8"))


def simple_input(eid: str, category: str, seats: int, lists: list[dict[str, Any]]) -> SeatsInput:
    return SeatsInput(
        id=eid,
        category=category,  # type: ignore[arg-type]
        seats=seats,
        lists=tuple(
            ListInput(
                number=i, name=lst["name"], votes=lst["votes"], candidates=lst.get("number_of_candidates")
            )
            for i, lst in enumerate(lists, 1)
        ),
    )


def official(lists: list[dict[str, Any]]) -> dict[str, int]:
    return {str(i): lst["seats"] for i, lst in enumerate(lists, 1)}


def abacus_input(name: str, lots: tuple[int, ...] = ()) -> tuple[SeatsInput, list[dict[str, Any]]]:
    data = load(name)
    lists = data["lists"]
    inp = SeatsInput(
        id=name,
        category="GR",
        seats=data["number_of_seats"],
        lots=lots,
        lists=tuple(
            ListInput(
                number=lst["list_number_in_test"],
                votes=lst["votes"],
                candidate_votes=tuple(c["votes"] for c in lst["candidate_votes"]),
            )
            for lst in lists
        ),
    )
    return inp, lists


def residual_order(result: SeatsResult) -> list[str]:
    out = []
    for step in result.steps:
        if isinstance(step, ResidualSeatStep):
            out.append(f"seat:{step.list_number}")
        elif isinstance(step, AbsoluteMajorityStep):
            out.append(f"P9:{step.from_list}->{step.to_list}")
        elif isinstance(step, ExhaustionStep):
            out.append(f"P10:-{step.list_number}")
    return out


@pytest.mark.parametrize("name", TK_FILES)
def test_tweede_kamer(name: str) -> None:
    data = load(name)
    result = compute(simple_input(name, "TK", data["number_of_seats"], data["lists"]))
    assert result.status == "complete"
    assert result.quota == f"{data['total_votes_on_lists']}/150"
    assert result.seats == official(data["lists"])


@pytest.mark.parametrize("name", GR_FILES)
def test_every_municipal_council(name: str) -> None:
    data = load(name)
    municipalities = data["municipalities"]
    inputs = [simple_input(m["municipality"], "GR", m["number_of_seats"], m["lists"]) for m in municipalities]
    results = compute_batch(inputs)
    wrong = [
        (m["municipality"], r.status, r.seats)
        for m, r in zip(municipalities, results, strict=True)
        if r.status != "complete" or r.seats != official(m["lists"])
    ]
    assert wrong == []
    assert len(results) == len(municipalities) > 330
    assert sum(m["number_of_seats"] < 19 for m in municipalities) >= 70  # both methods are covered


def test_quota_threshold_would_break_municipal_councils() -> None:
    """P 7 lid 2 is TK/EP only: applied to GR2022 it gives wrong seats (so the category switch matters)."""
    data = load("GR20220316_municipalities")
    inputs = [
        simple_input(m["municipality"], "TK", m["number_of_seats"], m["lists"])
        for m in data["municipalities"]
    ]
    results = compute_batch(inputs)
    wrong = sum(r.seats != official(m["lists"]) for m, r in zip(data["municipalities"], results, strict=True))
    assert wrong > 50


def test_reusel_de_mierden_p9() -> None:
    inp, lists = abacus_input("GR2022_Reusel-De_Mierden_P9_abacus")
    result = compute(inp)
    assert result.seats == {str(x["list_number_in_test"]): x["seats"] for x in lists}
    assert residual_order(result) == ["seat:2", "seat:3", "seat:4", "P9:4->1"]
    assert result.elected == {
        str(x["list_number_in_test"]): x["elected_by_preference"] + x["elected_other"] for x in lists
    }
    assert result.ranking is not None
    assert result.ranking["1"] == [1, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]


def test_enkhuizen_p10() -> None:
    inp, lists = abacus_input("GR2022_Enkhuizen_P10_abacus")
    result = compute(inp)
    assert result.seats == {str(x["list_number_in_test"]): x["seats"] for x in lists}
    assert residual_order(result) == [
        "seat:3",
        "seat:11",
        "seat:9",
        "seat:10",
        "seat:1",
        "seat:4",
        "P10:-10",
        "seat:6",
    ]
    assert result.elected is not None and result.elected["10"] == [1]


def test_enkhuizen_in_the_municipal_file_uses_its_candidate_count() -> None:
    data = load("GR20220316_municipalities")
    (m,) = [m for m in data["municipalities"] if m["municipality"] == "Enkhuizen"]
    result = compute(simple_input("Enkhuizen", "GR", m["number_of_seats"], m["lists"]))
    assert any(isinstance(s, ExhaustionStep) for s in result.steps)
    assert result.seats == official(m["lists"])


def test_roermond_lot() -> None:
    inp, lists = abacus_input("GR2026_Roermond_lot_abacus")
    first = compute(inp)
    assert first.status == "lot_required"
    assert first.lot is not None and first.lot.options == (3, 9) and first.lot.kind == "residual_seat"
    assert first.seats == {} and first.elected is None
    assert residual_order(first) == ["seat:1", "seat:7", "seat:4", "seat:1", "seat:6"]

    inp_lot, _ = abacus_input("GR2026_Roermond_lot_abacus", lots=(9,))
    done = compute(inp_lot)
    assert done.status == "complete"
    assert done.seats == {str(x["list_number_in_test"]): x["seats"] for x in lists}
    assert done.elected == {
        str(x["list_number_in_test"]): x["elected_by_preference"] + x["elected_other"] for x in lists
    }


def test_roermond_other_outcome_gives_the_other_result() -> None:
    inp, _ = abacus_input("GR2026_Roermond_lot_abacus", lots=(3,))
    result = compute(inp)
    assert (result.seats["3"], result.seats["9"]) == (3, 0)


def test_oracle_dir_is_outside_the_repo() -> None:
    assert Path(__file__).resolve().parents[1] not in ORACLE.resolve().parents
