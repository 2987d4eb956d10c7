"""The municipalities' osv4-3 CSVs: each must be the one its 510b makes, byte for byte.

Why check it: the CSV is the file journalists and parties open, but only the 510b is signed. A CSV that says
something else than the 510b beside it would mislead without breaking any signature, so it is made again here
from that 510b and the candidate names of the definition (`shared.formats.eml.csv`, the municipality's own
writer) and compared.
"""

from __future__ import annotations

from shared.domain.election import Election
from shared.errors import TelketenError
from shared.formats.eml.csv import osv43_csv
from shared.formats.eml.model import Count510
from telketen.verify.collect import Published
from telketen.verify.findings import Report

FIELD = "osv4-3 CSV"


def check_csvs(published: Published, election: Election, report: Report) -> None:
    """Every CSV against the one 510b in its folder (the published layout puts them together)."""
    for blob in published.csvs:
        beside = [
            e
            for e in published.of_type(Count510)
            if e.folder == blob.folder and isinstance(e.message, Count510) and e.message.message_id == "510b"
        ]
        if len(beside) != 1:
            report.add("file", blob.file, "-", FIELD, "one 510b beside it", f"{len(beside)} 510b files")
            continue
        source = beside[0]
        assert isinstance(source.message, Count510)
        try:
            expected = osv43_csv(source.message, election)
        except TelketenError as exc:
            report.add("file", blob.file, "-", FIELD, f"made from {source.file}", exc.message)
            continue
        report.count("csv")
        if blob.data != expected:
            difference = _first_difference(blob.data, expected)
            report.add("file", blob.file, "-", FIELD, f"made from {source.file}", difference)


def _first_difference(found: bytes, expected: bytes) -> str:
    """Where the CSV departs from the one the 510b makes: line and the two cells' text."""
    for number, (a, b) in enumerate(zip(found.split(b"\n"), expected.split(b"\n"), strict=False), 1):
        if a != b:
            return f"line {number} differs: {a[:60].decode('utf-8', 'replace')!r}"
    return f"{len(found)} bytes instead of {len(expected)}"
