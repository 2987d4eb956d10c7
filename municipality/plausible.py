"""Plausibility at the coordinator's dashboard: the definitive stations compared with each other, before the
municipality finalises (issue 16 part 1).

Double entry proves the typists typed the paper; it cannot tell that the paper itself has two lists' rows
swapped or a dropped digit. This advice says which stations to hold against their paper once more. It never
blocks finalising and changes no number (docs/plausibility.md)."""

from __future__ import annotations

from municipality.service import Service
from shared.formats.plausibility import Advice, advise_units, named_lists, unit_of


def station_advice(svc: Service) -> list[Advice]:
    """The advice on the stations that are definitive now, by station number and name."""
    done = [r.station for r in svc.status() if r.state == "definitive"]
    district = svc.election.district(svc.municipality.district_id)
    names = {cl.number: cl.name for cl in district.lists}
    numbers = sorted(names)
    units = []
    for station in done:
        tally = svc.definitive_report(station).to_tally(station.eligible_voters or 0)
        units.append(
            unit_of(f"{station.number}", f"stembureau {station.number} {station.name}", tally, numbers)
        )
    return advise_units(units, named_lists(names), stations=True)
