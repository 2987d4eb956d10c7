"""The election definition: what is being elected, where, and who stands.

Built from EML 110a (definition), 230b (candidate lists) and 110b (polling stations) by `shared.formats.eml`,
or generated for the demo. Immutable values; identifiers are the EML_NL ones so that files and domain agree:
election `TK2025` / `GR2022_WestMaasenWaal`, district (contest) `geen` or `1`..`20`, municipality `0668`,
station `0668::SB1`.
"""

from __future__ import annotations

from typing import NewType

import msgspec

from shared.errors import InputError

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
    """A municipality (gemeentelijk stembureau) and its stations; `district_id` is its contest.

    `electorate` is the municipality's number of eligible voters (Z, kiesgerechtigden on the Na 31-2, `Cast`
    of the 510b's total): the 110b's MaxVotes, or what the municipality entered at init. It is kept apart
    from the stations' numbers because the official files keep it apart: in a Tweede Kamer 510b every
    station has `Cast` 0 (a voter may vote at any station) and only the municipality has the electorate.
    """

    code: MunicipalityCode
    name: str
    district_id: DistrictId
    stations: tuple[Station, ...] = ()
    electorate: int | None = None

    def eligible_voters(self) -> int:
        """Z of the municipality: its electorate when known, else the sum of the stations' numbers."""
        if self.electorate is not None:
            return self.electorate
        return sum(s.eligible_voters or 0 for s in self.stations)

    def with_electorate(self, electorate: int) -> tuple[Municipality, int | None]:
        """This municipality with `electorate`, and the stations' sum when it had to be dropped.

        A 510b's units add up to its total in every field, `Cast` included, unless every station has 0
        (`eml.check`). Stations whose numbers add up to something else lose them, so they are written with
        `Cast` 0 as in a Tweede Kamer 510b; the caller says so (the Abacus manual's Juinen 110b has stations
        1, 2 and 3 and a MaxVotes of 3,353)."""
        if electorate < 0:
            raise InputError(f"the electorate cannot be negative ({electorate})", where="electorate")
        station_sum = sum(s.eligible_voters or 0 for s in self.stations)
        if station_sum in (0, electorate):
            return msgspec.structs.replace(self, electorate=electorate), None
        stations = tuple(msgspec.structs.replace(s, eligible_voters=None) for s in self.stations)
        return msgspec.structs.replace(self, electorate=electorate, stations=stations), station_sum


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

    def with_municipality(self, municipality: Municipality) -> Election:
        """This election with the municipality of the same code replaced."""
        self.municipality(municipality.code)
        others = tuple(municipality if m.code == municipality.code else m for m in self.municipalities)
        return msgspec.structs.replace(self, municipalities=others)

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
