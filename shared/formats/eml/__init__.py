"""EML_NL in and out: read 110a/110b/230b/510/520, write 510 and 520, hash codes, the osv4-3 CSV, checks.

An adapter between the Kiesraad's XML files and the domain; functions take and return bytes and values, the
command line (`telketen eml`) does the file handling.
"""

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
from shared.formats.eml.read import read_110a, read_110b, read_230b, read_510, read_520, read_eml, read_path
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510, write_520

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
