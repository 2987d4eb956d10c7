"""Small election and reports shared by the municipality tests (not a test module itself)."""

from __future__ import annotations

from shared.domain.election import (
    Candidate,
    CandidateList,
    District,
    DistrictId,
    Election,
    ElectionId,
    Municipality,
    MunicipalityCode,
    Station,
    StationId,
)
from shared.domain.station_report import StationReport, report_from_tally
from shared.domain.tally import ListTally, Tally


def small_election() -> Election:
    lists = tuple(
        CandidateList(
            number=n,
            name=f"Partij {n}",
            candidates=tuple(
                Candidate(position=i + 1, last_name=f"Kandidaat{n}{i}", initials="A.") for i in range(k)
            ),
        )
        for n, k in ((1, 3), (2, 2))
    )
    stations = tuple(
        Station(
            id=StationId(f"9999::SB{i}"),
            number=i,
            name=f"Buurthuis {i}",
            postal_code="1234 AB",
            eligible_voters=900,
        )
        for i in (1, 2, 3)
    )
    return Election(
        id=ElectionId("GR2026_Proefdorp"),
        name="Gemeenteraad Proefdorp 2026",
        category="GR",
        subcategory="GR1",
        date="2026-03-18",
        seats=11,
        preference_threshold=50,
        districts=(District(id=DistrictId("geen"), name=None, lists=lists),),
        municipalities=(
            Municipality(
                code=MunicipalityCode("9999"),
                name="Proefdorp",
                district_id=DistrictId("geen"),
                stations=stations,
            ),
        ),
        domain="9999",
    )


def good_report(seed: int = 0) -> StationReport:
    lists = (ListTally(1, 60 + seed, (30 + seed, 20, 10)), ListTally(2, 40, (25, 15)))
    t = Tally(
        poll_cards=95 + seed,
        proxy_certificates=10,
        admitted_voters=105 + seed,
        blank=2,
        invalid=3,
        lists=lists,
    )
    return report_from_tally("cso_first", t, with_voter_cards=False)
