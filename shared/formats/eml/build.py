"""Assemble the domain `Election` from the definition (110a), candidate lists (230b) and stations (110b).

110a alone gives seats, threshold, category and the tree (districts and municipalities, without lists); the
230b files add the lists per district; 110b files add each municipality's stations. Files of another election
are refused, since mixing them would silently produce a wrong result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from shared.domain.election import (
    District,
    DistrictId,
    Election,
    ElectionId,
    Municipality,
    MunicipalityCode,
)
from shared.errors import EmlError
from shared.formats.eml.model import CandidateLists230b, Definition110a, PollingStations110b, Region
from shared.formats.eml.rules import definition_problems, matches_definition, require


def _code(number: str) -> MunicipalityCode:
    return MunicipalityCode(number.zfill(4) if number.isdigit() else number)


def _number(region: Region) -> str:
    """The RegionNumber of a kieskring or gemeente; `definition_problems` refused a definition without one."""
    if region.number is None:
        raise EmlError(f"the {region.category} region {region.name} has no RegionNumber", where="110a")
    return region.number


def build_election(
    definition: Definition110a,
    candidate_lists: Iterable[CandidateLists230b] = (),
    polling_stations: Iterable[PollingStations110b] = (),
) -> Election:
    """The `Election` described by a 110a, with lists from 230b files and stations from 110b files."""
    eid = definition.election
    require(definition_problems(definition), "110a")
    kieskringen = [r for r in definition.regions if r.category == "KIESKRING"]
    multi = len(kieskringen) > 1
    if multi:
        districts = {
            DistrictId(_number(r)): District(id=DistrictId(_number(r)), name=r.name, lists=())
            for r in kieskringen
        }
    else:
        only = DistrictId(definition.contest_id)
        districts = {only: District(id=only, name=kieskringen[0].name if kieskringen else None, lists=())}
    for cl in candidate_lists:
        require(matches_definition(cl.election, definition, "230b"), "230b")
        for d in cl.districts:
            if d.id not in districts:
                raise EmlError(
                    f"contest {d.id} is not a district of {eid.id} ({', '.join(districts)})", where="230b"
                )
            if districts[d.id].lists:
                raise EmlError(f"contest {d.id} has candidate lists in two files", where="230b")
            districts[d.id] = District(id=d.id, name=d.name or districts[d.id].name, lists=d.lists)
    stations: dict[MunicipalityCode, PollingStations110b] = {}
    for ps in polling_stations:
        require(matches_definition(ps.election, definition, "110b"), "110b")
        stations[_code(ps.municipality_id)] = ps
    municipalities: list[Municipality] = []
    default_district = next(iter(districts))
    for r in definition.regions:
        if r.category != "GEMEENTE":
            continue
        code = _code(_number(r))
        if not multi and eid.domain_id and eid.category in ("GR", "ER"):
            code = MunicipalityCode(eid.domain_id)  # a council election's tree numbers its one region oddly
        district = (
            DistrictId(r.superior_number)
            if multi and r.superior_category == "KIESKRING" and r.superior_number is not None
            else default_district
        )
        found = stations.pop(code, None)
        municipalities.append(
            Municipality(
                code=code,
                name=r.name,
                district_id=district,
                stations=found.stations if found else (),
                electorate=found.max_votes if found else None,
            )
        )
    if stations:
        raise EmlError(
            f"polling stations for municipality {sorted(stations)[0]}, which is not in the election tree"
        )
    return Election(
        id=ElectionId(eid.id),
        name=eid.name or eid.id,
        category=eid.category,
        subcategory=eid.subcategory,
        date=eid.date or "",
        seats=definition.seats,
        preference_threshold=definition.preference_threshold,
        districts=tuple(districts.values()),
        municipalities=tuple(municipalities),
        domain=eid.domain_id or eid.domain_name,
        nomination_date=eid.nomination_date,
    )


@contextmanager
def naming_files(names: Mapping[str, str]) -> Iterator[None]:
    """Errors of `build_election` say which kind of file ("230b"); the caller knows its name: this puts the
    file's name in their place (kind → file name), so every error names the file."""
    try:
        yield
    except EmlError as exc:
        name = names.get(exc.where or "")
        if name is None:
            raise
        raise EmlError(exc.message, where=name) from None
