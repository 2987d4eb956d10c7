"""The fast field walkers of `shared.domain.validation` agree with a straightforward reference on any report.

The package compares entries part by part and checks counts a list at a time; the reference below is the
plain recursive walk over every leaf that the package used before (tests/validation_reference.py). Reports
of every model, with and without box C, any list shape, counts in and out of range, and pairs that differ
in a few boxes or in their very shape (box C, a part, a list length, the model) must give the same leaf
paths, the same W.001 fields in the same order and the same shape refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.station_report import (
    MAX_COUNT,
    CountingDifferences,
    ListEntry,
    ReportModel,
    StationReport,
    YesNo,
    empty_report,
)
from shared.domain.validation import (
    ValidationContext,
    check_shape,
    copy_report,
    differing_fields,
    leaf_paths,
)
from shared.errors import InputError
from tests.validation_reference import (
    reference_differing_fields,
    reference_leaf_paths,
    reference_out_of_range,
)

MODELS: list[ReportModel] = ["cso_first", "cso_next", "dso_first", "dso_next"]
#: `draw` of a composite strategy or `data.draw` of a test.
Draw = Callable[[st.SearchStrategy[Any]], Any]


def context_of(report: StationReport) -> ValidationContext:
    """The context whose shape checks this report passes, so that only the counts can be refused."""
    return ValidationContext(
        lists=tuple((e.number, len(e.candidate_votes)) for e in report.lists),
        voter_cards=report.voters.voter_cards is not None,
    )


counts = st.one_of(st.integers(min_value=0, max_value=60), st.just(MAX_COUNT))
wrong_counts = st.sampled_from([MAX_COUNT + 1, -1, -700])
shapes = st.lists(st.integers(min_value=0, max_value=5), max_size=4)


@st.composite
def reports(draw: st.DrawFn) -> StationReport:
    """Any report of any model and list shape, every count and tick drawn."""
    sizes = draw(shapes)
    report = empty_report(
        draw(st.sampled_from(MODELS)),
        [(number, n) for number, n in enumerate(sizes, start=1)],
        with_voter_cards=draw(st.booleans()),
    )
    fill(report, draw, counts)
    return report


def fill(obj: msgspec.Struct, draw: Draw, value: st.SearchStrategy[int]) -> None:
    """Draw every tick and count of the parts that exist (by field, so a new field is drawn too)."""
    for name in obj.__struct_fields__:
        current = getattr(obj, name)
        if name in ("model", "number") or current is None:
            continue
        if isinstance(current, bool):
            setattr(obj, name, draw(st.booleans()))
        elif isinstance(current, int):
            setattr(obj, name, draw(value))
        elif isinstance(current, list):
            for i, item in enumerate(current):
                if isinstance(item, msgspec.Struct):
                    fill(item, draw, value)
                else:
                    current[i] = draw(value)
        else:
            fill(current, draw, value)


def change_boxes(
    report: StationReport, draw: Draw, value: st.SearchStrategy[int] = counts, most: int = 4
) -> None:
    """Give a few leaves another value (the other entry's typing differences, or counts out of range)."""
    paths = [p for p, _ in reference_leaf_paths(report)]
    if paths:
        for path in draw(st.lists(st.sampled_from(paths), max_size=most)):
            fill_one(report, path, draw, value)


def fill_one(report: StationReport, path: str, draw: Draw, value: st.SearchStrategy[int]) -> None:
    """Draw a new value for the leaf at `path` (walking the reference's path syntax by hand)."""
    obj: object = report
    parts = path.split(".")
    for k, part in enumerate(parts):
        name, _, index = part.partition("[")
        last = k == len(parts) - 1
        current = getattr(obj, name)
        if index:
            i = int(index.rstrip("]"))
            if last:
                current[i] = draw(value)
                return
            obj = current[i]
        elif last:
            setattr(obj, name, draw(st.booleans()) if isinstance(current, bool) else draw(value))
            return
        else:
            obj = current


def change_shape(report: StationReport, draw: Draw) -> None:
    """A difference in the report's very shape: box C, a part, a list's length, the lists, the model."""
    kind = draw(
        st.sampled_from(["voter_cards", "part", "candidates", "lists", "list_votes", "model", "number"])
    )
    if kind == "voter_cards":
        report.voters.voter_cards = 3 if report.voters.voter_cards is None else None
    elif kind == "part":
        if report.counting_differences is None:
            report.counting_differences = CountingDifferences(list_totals_differ=YesNo(yes=True))
        else:
            report.counting_differences = None
    elif kind == "candidates" and report.lists:
        report.lists[draw(st.integers(0, len(report.lists) - 1))].candidate_votes.append(draw(counts))
    elif kind == "lists":
        if report.lists and draw(st.booleans()):
            report.lists.pop()
        else:
            report.lists.append(ListEntry(number=9, total=draw(counts), candidate_votes=[draw(counts)]))
    elif kind == "list_votes":
        report.votes.list_votes.append(draw(counts))
    elif kind == "model":
        report.model = draw(st.sampled_from(MODELS))
    elif report.lists:
        report.lists[0].number += 1


@settings(max_examples=200, deadline=None)
@given(reports())
def test_leaf_paths_match_the_reference(report: StationReport) -> None:
    assert leaf_paths(report) == reference_leaf_paths(report)


@settings(max_examples=200, deadline=None)
@given(reports(), st.data())
def test_differing_fields_match_the_reference(report: StationReport, data: st.DataObject) -> None:
    other = copy_report(report)
    change_boxes(other, data.draw, st.one_of(counts, wrong_counts))
    if data.draw(st.booleans()):
        change_shape(other, data.draw)
    first, second = (report, other) if data.draw(st.booleans()) else (other, report)
    assert differing_fields(first, second) == reference_differing_fields(first, second)


@settings(max_examples=200, deadline=None)
@given(reports(), st.data())
def test_equal_shaped_entries_differ_in_exactly_the_changed_boxes(
    report: StationReport, data: st.DataObject
) -> None:
    other = copy_report(report)
    change_boxes(other, data.draw)
    expected = reference_differing_fields(report, other)
    assert differing_fields(report, other) == expected
    assert differing_fields(other, report) == expected


@settings(max_examples=200, deadline=None)
@given(reports(), st.data())
def test_check_shape_refuses_the_same_first_count(report: StationReport, data: st.DataObject) -> None:
    change_boxes(report, data.draw, wrong_counts, most=2)
    wrong = reference_out_of_range(report)
    if wrong is None:
        check_shape(report, context_of(report))
        return
    path, value = wrong
    with pytest.raises(InputError) as err:
        check_shape(report, context_of(report))
    assert err.value.where == path
    assert str(err.value) == str(InputError(f"{value} is outside 0‥999 999 999", where=path))
