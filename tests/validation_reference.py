"""Validation's field walks as they were: a plain recursive walk over every leaf of a report.

The package now compares entries part by part and checks counts a list at a time; this is the reference
those fast paths must agree with (tests/test_validation_fast_paths.py) and the baseline bench/validation.py
measures them against. It lives here, not in the package.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from shared.domain.station_report import MAX_COUNT, StationReport
from shared.domain.validation import Leaf


def reference_walk(obj: object, prefix: str) -> Iterator[tuple[str, Leaf]]:
    if isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            if name in ("model", "number"):
                continue
            value = getattr(obj, name)
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield from reference_walk(item, f"{path}[{i}]")
            elif isinstance(value, msgspec.Struct):
                yield from reference_walk(value, path)
            elif value is not None:
                yield path, value
    else:
        yield prefix, obj  # type: ignore[misc]


def reference_leaf_paths(report: StationReport) -> list[tuple[str, Leaf]]:
    return list(reference_walk(report, ""))


def reference_differing_fields(first: StationReport, second: StationReport) -> list[str]:
    first_leaves, second_leaves = reference_leaf_paths(first), reference_leaf_paths(second)
    a, b = dict(first_leaves), dict(second_leaves)
    order = [p for p, _ in first_leaves] + [p for p, _ in second_leaves if p not in a]
    return [p for p in order if a.get(p, "absent") != b.get(p, "absent")]


def reference_out_of_range(report: StationReport) -> tuple[str, int] | None:
    for path, value in reference_leaf_paths(report):
        if isinstance(value, bool) or value is None:
            continue
        if not 0 <= value <= MAX_COUNT:
            return path, value
    return None
