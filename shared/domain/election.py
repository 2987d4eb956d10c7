"""The election definition: what is being elected, where, and who stands.

Built from EML 110a (definition), 230b (candidate lists) and 110b (polling stations) by `shared.formats.eml`,
or generated for the demo. Immutable values; identifiers are the EML_NL ones so that files and domain agree:
election `TK2025` / `GR2022_WestMaasenWaal`, district (contest) `geen` or `1`..`20`, municipality `0668`,
station `0668::SB1`.
"""

from __future__ import annotations

from typing import NewType

import msgspec

ElectionId = NewType("ElectionId", str)
DistrictId = NewType("DistrictId", str)
MunicipalityCode = NewType("MunicipalityCode", str)
StationId = NewType("StationId", str)

#: Categories of EML `ElectionCategory` that elect a body by list proportional representation.
CATEGORIES = ("TK", "EK", "EP", "PS", "AB", "GR", "ER")

#: Bodies for which Kieswet P 7 lid 2 denies residual seats to lists below one full quota (EP by P 7
#: via Y 26). Municipal, provincial and water-board elections do not have it.
QUOTA_THRESHOLD_CATEGORIES = frozenset({"TK", "EP"})


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """A candidate on a list; `position` is the number on the list (1-based), the EML CandidateIdentifier."""

    position: int
    last_name: str
    initials: str = ""
    first_name: str | None = None
    prefix: str | None = None
    gender: str | None = None
    locality: str | None = None
    country: str | None = None
    short_code: str | None = None

    @property
    def display_name(self) -> str:
        """Name as printed on the PV: 'Last, I. (First)' with the prefix after the initials."""
        name = self.last_name
        initials = " ".join(p for p in (self.initials, self.prefix) if p)
        if initials:
            name += f", {initials}"
        if self.first_name:
            name += f" ({self.first_name})"
        return name


class CandidateList(msgspec.Struct, frozen=True, kw_only=True):
    """A list (lijst) in one district: its number on the ballot, registered name and candidates in order."""

    number: int
    name: str
    candidates: tuple[Candidate, ...]
    list_type: str | None = None


class District(msgspec.Struct, frozen=True, kw_only=True):
    """A district (kieskring; EML contest). Single-district elections use the id `geen`."""

    id: DistrictId
    name: str | None
    lists: tuple[CandidateList, ...]

    def list_by_number(self, number: int) -> CandidateList | None:
        for lst in self.lists:
            if lst.number == number:
                return lst
        return None


class Station(msgspec.Struct, frozen=True, kw_only=True):
    """A polling station (stembureau) with its eligible voters (Z; None when the 110b leaves it empty)."""

    id: StationId
    number: int
    name: str
    postal_code: str | None = None
    eligible_voters: int | None = None


class Municipality(msgspec.Struct, frozen=True, kw_only=True):
    """A municipality (gemeentelijk stembureau) and its stations; `district_id` is its contest."""

    code: MunicipalityCode
    name: str
    district_id: DistrictId
    stations: tuple[Station, ...] = ()


class Election(msgspec.Struct, frozen=True, kw_only=True):
    """One election: the seats, the threshold, the districts with their lists, the municipalities."""

    id: ElectionId
    name: str
    category: str
    subcategory: str | None
    date: str
    seats: int
    preference_threshold: int
    districts: tuple[District, ...]
    municipalities: tuple[Municipality, ...] = ()
    domain: str | None = None
    nomination_date: str | None = None

    def district(self, district_id: str) -> District:
        for d in self.districts:
            if d.id == district_id:
                return d
        raise KeyError(district_id)

    def municipality(self, code: str) -> Municipality:
        for m in self.municipalities:
            if m.code == code:
                return m
        raise KeyError(code)

    @property
    def quota_threshold(self) -> bool:
        """Whether lists below one full quota are denied residual seats (P 7 lid 2)."""
        return self.category in QUOTA_THRESHOLD_CATEGORIES


def list_groups(election: Election) -> dict[str, dict[DistrictId, int]]:
    """The list groups (lijstengroepen, P 3 / P 6): lists with the same registered name across districts.

    Returns group name → {district id → list number in that district}. A party that stands in one district
    only forms a group of one list.
    """
    groups: dict[str, dict[DistrictId, int]] = {}
    for district in election.districts:
        for lst in district.lists:
            groups.setdefault(lst.name or f"lijst {lst.number}", {})[district.id] = lst.number
    return groups
