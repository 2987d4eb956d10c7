"""The election as this office needs it, from the imported 110a (definition) and 230b (candidate lists).

The 110a gives the seats and the election tree (which municipality counts for which kieskring); the 230b the
numbered lists per kieskring. Both must be about the same election, or nothing else can be trusted.
"""

from __future__ import annotations

from shared.domain.election import DistrictId, Election, ElectionId, Municipality, MunicipalityCode
from shared.errors import EmlError
from shared.formats.eml.read import read_110a, read_230b


def election_from_eml(a110: bytes, b230: bytes, *, where: tuple[str, str] = ("110a", "230b")) -> Election:
    """Combine a 110a and a 230b into one `Election`; refuses files of different elections."""
    definition = read_110a(a110, where[0])
    lists = read_230b(b230, where[1])
    if lists.election.id != definition.election.id:
        raise EmlError(
            f"the candidate lists are for election {lists.election.id}, the definition for "
            f"{definition.election.id}",
            where=where[1],
        )
    districts = lists.districts
    single = districts[0].id if len(districts) == 1 else None
    municipalities = []
    for region in definition.regions:
        if region.category != "GEMEENTE":
            continue
        if region.superior_category == "KIESKRING" and region.superior_number:
            district_id = region.superior_number
        elif single is not None:
            district_id = single
        else:
            continue
        municipalities.append(
            Municipality(
                code=MunicipalityCode(
                    f"{int(region.number):04d}" if region.number.isdigit() else region.number
                ),
                name=region.name,
                district_id=DistrictId(district_id),
            )
        )
    e = definition.election
    return Election(
        id=ElectionId(e.id),
        name=e.name or e.id,
        category=e.category,
        subcategory=e.subcategory,
        date=e.date,
        seats=definition.seats,
        preference_threshold=definition.preference_threshold,
        districts=districts,
        municipalities=tuple(municipalities),
        domain=e.domain_id,
        nomination_date=e.nomination_date,
    )
