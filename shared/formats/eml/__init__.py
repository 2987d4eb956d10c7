"""EML_NL in and out: read 110a/110b/230b/510/520, write 510 and 520, hash codes, the osv4-3 CSV, checks.

An adapter between the Kiesraad's XML files and the domain; functions take and return bytes and values, the
command line (`telketen eml`) does the file handling.

Imports are lazy (PEP 562): `telketen eml csv` needs the reader and the CSV, not the writers, the schema or
the checks, and a whole-process run is mostly import time. The names below resolve on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.formats.eml.build import build_election
    from shared.formats.eml.check import check_count
    from shared.formats.eml.csv import osv43_csv
    from shared.formats.eml.hashcode import blanked_groups, check_typed_groups, hash_code
    from shared.formats.eml.model import (
        CandidateLists230b,
        Count510,
        Definition110a,
        ElectedCandidate,
        ElectionIdentifier,
        ListLayout,
        PollingStations110b,
        Result520,
        ResultInput,
        UnitVotes,
    )
    from shared.formats.eml.read import (
        read_110a,
        read_110b,
        read_230b,
        read_510,
        read_520,
        read_eml,
        read_path,
    )
    from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510, write_520

_MODULES = {
    "build": ("build_election",),
    "check": ("check_count",),
    "csv": ("osv43_csv",),
    "hashcode": ("blanked_groups", "check_typed_groups", "hash_code"),
    "model": (
        "CandidateLists230b",
        "Count510",
        "Definition110a",
        "ElectedCandidate",
        "ElectionIdentifier",
        "ListLayout",
        "PollingStations110b",
        "Result520",
        "ResultInput",
        "UnitVotes",
    ),
    "read": ("read_110a", "read_110b", "read_230b", "read_510", "read_520", "read_eml", "read_path"),
    "write": ("identifier_of", "layout_of", "unit_votes", "write_510", "write_520"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "CandidateLists230b",
    "Count510",
    "Definition110a",
    "ElectedCandidate",
    "ElectionIdentifier",
    "ListLayout",
    "PollingStations110b",
    "Result520",
    "ResultInput",
    "UnitVotes",
    "blanked_groups",
    "build_election",
    "check_count",
    "check_typed_groups",
    "hash_code",
    "identifier_of",
    "layout_of",
    "osv43_csv",
    "read_110a",
    "read_110b",
    "read_230b",
    "read_510",
    "read_520",
    "read_eml",
    "read_path",
    "unit_votes",
    "write_510",
    "write_520",
]
