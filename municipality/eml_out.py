"""The municipality's EML files: its 510b (totals + one unit per station) and the osv4-3 CSV derived from it.

A thin edge over shared.formats.eml: it names the reporting units the way the Kiesraad's software does
(`0668::SB1`, "Stembureau ‹naam› (postcode: ‹pc›)") so that our 510b reads like the official ones, and it
reads the written bytes back, so that what is hashed and signed is checked as the file the world will see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from municipality.investigation import Investigation
from municipality.report import StationResult
from shared.domain.election import Election, Municipality, Station, StationId
from shared.domain.tally import Tally
from shared.formats.eml import csv
from shared.formats.eml.model import Count510
from shared.formats.eml.read import read_510
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510


def unit_label(station: Station) -> str:
    """The ReportingUnitIdentifier text of a station, as OSV and Abacus write it."""
    label = f"Stembureau {station.name}"
    return f"{label} (postcode: {station.postal_code})" if station.postal_code else label


def investigation_flags(
    result: StationResult, inv: Investigation | None, *, ticks: bool = True
) -> tuple[tuple[str, bool], ...]:
    """The station's `kr:Investigation` flags (docs/eml.md): an investigation of a next session says that
    it was investigated and whether the result was corrected (P 2a); otherwise the three Na 31-2 rubric 1.2.1
    ticks, when any is set. Nothing for a station nobody investigated, as in the official files."""
    if inv is not None:
        return (("onderzocht vanwege andere reden", True), ("uitslag gecorrigeerd", bool(inv.corrected)))
    f = result.flags
    if not ticks or not (f.readmitted or f.investigated or f.recounted):
        return ()
    return (
        ("toegelaten kiezers opnieuw vastgesteld", f.readmitted),
        ("onderzocht vanwege andere reden", f.investigated),
        ("stembiljetten deels herteld", f.recounted),
    )


def write_510b(
    election: Election,
    municipality: Municipality,
    stations: Sequence[StationResult],
    totals: Tally,
    *,
    created: str,
    investigations: Mapping[StationId, Investigation] | None = None,
    ticks: bool = True,
) -> bytes:
    district = election.district(municipality.district_id)
    count = Count510(
        message_id="510b",
        election=identifier_of(election),
        contest_id=district.id,
        contest_name=district.name,
        authority_id=municipality.code,
        authority_name=municipality.name,
        created=created,
        lists=layout_of(district),
        total=unit_votes(municipality.code, municipality.name, totals),
        units=tuple(
            msgspec.structs.replace(
                unit_votes(s.station.id, unit_label(s.station), s.tally),
                investigations=investigation_flags(s, (investigations or {}).get(s.station.id), ticks=ticks),
            )
            for s in stations
        ),
    )
    return write_510(count, election)


def read_back(data: bytes) -> Count510:
    """The 510b as written, read once: its TotalVotes is checked against the stations and the CSV is made from
    it, so both describe the published bytes, not the structs they were written from."""
    return read_510(data, where="510b (as written)")


def osv43_csv(election: Election, written: Count510) -> bytes:
    """The osv4-3 CSV of the 510b as written (`read_back`), with candidate names from the election."""
    return csv.osv43_csv(written, election)
