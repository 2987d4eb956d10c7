"""Every part the EML_NL XSDs make optional is optional in our readers (found by `tests.eml_optional`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.errors import EmlError
from shared.formats.eml import read_230b, read_510, read_eml
from shared.formats.eml.read import read_110a, read_110b, read_520
from tests.conftest import EML_SCHEMAS, needs_shared
from tests.eml_optional import REAL_BASES, Omission, omissions

pytestmark = [needs_shared, pytest.mark.skipif(not EML_SCHEMAS.is_dir(), reason="no EML_NL schemas")]

READERS: dict[str, Callable[[bytes, str], object]] = {
    "110a": read_110a,
    "110b": read_110b,
    "230b": read_230b,
    "510": read_510,
    "520": read_520,
}

#: Optional in the XSD but what votes are counted by: refused with this reason (keyed by the path's end).
REFUSED = {
    "Affiliation/AffiliationIdentifier/@Id": "the list number is what",  # 230b
    "Affiliation/Candidate/CandidateIdentifier/@Id": "the position on the list",  # 230b
    "Selection/Candidate/CandidateIdentifier/@Id": "or a ShortCode",  # 510, when there is no ShortCode
    "TotalVotes/Selection/Candidate/CandidateIdentifier/@ShortCode": "or a ShortCode",  # 510d: no Id there
}


def _expected_refusal(o: Omission) -> str | None:
    """The reason a reader must give for this omission, or None: it must read the file."""
    reason = next((why for end, why in REFUSED.items() if o.part.endswith(end)), None)
    if o.part.endswith("Selection/Candidate/CandidateIdentifier/@Id") and b"ShortCode=" in o.data:
        return None  # a 510 candidate with a ShortCode is still known without its Id
    return reason


#: Parts the real files leave out, or that the issue names: the search must find at least these.
MUST_FIND = {
    "110a": ("/EML/ElectionEvent/Election/ElectionTree/Region/@RegionNumber", "/EML/IssueDate"),
    "110b": (
        "/EML/ElectionEvent/Election/Contest/PollingPlace/PhysicalLocation/Address/Locality/PostalCode",
    ),
    "230b": ("/EML/CandidateList/Election/Contest/Affiliation/Candidate/Gender",),
    "510": (
        "/EML/Count/Election/Contests/Contest/ReportingUnitVotes",
        "/EML/Count/Election/Contests/Contest/TotalVotes/Selection/Candidate/CandidateIdentifier/@ShortCode",
    ),
    "520": ("/EML/Result/Election/Contest/Selection/Ranking",),
}


def _read(o: Omission) -> str | None:
    """None when both the type's reader and `read_eml` read the file, else the error of the first refusing."""
    for reader in (READERS[o.kind], read_eml):
        try:
            reader(o.data, o.base)
        except EmlError as exc:
            return str(exc)
    return None


@pytest.mark.parametrize("kind", list(REAL_BASES))
def test_reader_reads_files_without_each_optional_part(kind: str) -> None:
    found = list(omissions(kind))
    parts = {o.part for o in found}
    assert set(MUST_FIND[kind]) <= parts
    wrong: list[str] = []
    for o in found:
        error = _read(o)
        reason = _expected_refusal(o)
        if reason is None and error is not None:
            wrong.append(f"{o.base} without {o.part}: {error}")
        elif reason is not None and (error is None or reason not in error or not error.startswith(o.base)):
            wrong.append(f"{o.base} without {o.part}: expected a refusal naming {reason!r}, got {error!r}")
    assert not wrong, "\n".join(wrong)
