"""A 230b read once per process: the same bytes give the same (frozen) result, other bytes are read anew.

The cache is keyed by the SHA-256 of the exact bytes, so it can never answer for a file that differs in any
byte, and a file that does not read is never kept (the error is raised again, every time).
"""

from __future__ import annotations

import pytest

from shared.errors import EmlError
from shared.formats.eml import read as read_module
from shared.formats.eml.definition_writer import write_230b
from shared.formats.eml.read import read_230b, read_eml
from tests.municipality_helpers import small_election


def test_same_bytes_read_once_by_either_entry_point() -> None:
    data = write_230b(small_election(), created="2029-03-21T21:00:00")
    first = read_230b(data, "a.xml")
    assert read_230b(bytes(data), "b.xml") is first
    assert read_eml(data, "c.xml") is first


def test_other_bytes_are_read_anew_and_give_their_own_result() -> None:
    data = write_230b(small_election(), created="2029-03-21T21:00:00")
    other = data.replace(b"2029-03-21T21:00:00", b"2029-03-22T21:00:00", 1)
    assert other != data
    assert read_230b(other).header.created != read_230b(data).header.created
    assert read_eml(other) == read_230b(other)


def test_a_broken_file_is_refused_every_time() -> None:
    data = write_230b(small_election(), created="2029-03-21T21:00:00")
    broken = data.replace(b"<CandidateList>", b"<CandidateLijst>", 1).replace(
        b"</CandidateList>", b"</CandidateLijst>", 1
    )
    for _ in range(2):
        with pytest.raises(EmlError):
            read_230b(broken)
    assert len(read_module._READ_230B) <= read_module._KEEP_230B
