"""Model Na 14-2 Bijlage 1, blank, for one investigated station (reports.md §5.1).

Why blank: the gemeentelijk stembureau fills it in during the next session — findings by hand, the corrected
numbers next to the originals — and, when the result was corrected, the typists enter that paper twice. So it
is printed from the investigation screen before anything is typed, prefilled with the reason recorded and the
station's definitive figures of the earlier session (letter_rows and list_tables with the original as the
value, so the "gecorrigeerd" column stays empty).
"""

from __future__ import annotations

from typing import Any

from municipality.investigation import Investigation
from municipality.report import authority_of, letter_rows, list_tables, render_report
from shared.domain.election import Election, Municipality, Station
from shared.domain.tally import Tally


def na14_2_b1_data(
    election: Election, municipality: Municipality, station: Station, inv: Investigation, earlier: Tally
) -> dict[str, Any]:
    local = election.category in ("GR", "ER")
    names = {cl.number: cl.name for cl in election.district(municipality.district_id).lists}
    voters, votes = letter_rows(earlier, names, local=local, station=True, original=earlier)
    return {
        "title": f"Model Na 14-2 Bijlage 1 {municipality.code} {municipality.name} "
        f"stembureau {station.number}",
        "authority": authority_of(municipality),
        "station": {"number": station.number, "name": station.name},
        "reason": inv.reason,
        "rows_voters": voters,
        "rows_votes": votes,
        "lists": list_tables(election, municipality.district_id, earlier, earlier),
    }


def render_na14_2_b1(data: dict[str, Any]) -> bytes:
    return render_report("na14_2_b1.typ", data)
