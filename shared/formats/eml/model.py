"""EML-level values: what an EML_NL message says, before (or instead of) mapping it onto the election domain.

These are immutable msgspec structs, so they can be compared, hashed into tests and sent between modules
without copying. Counts reuse the domain's `Tally`; names of lists and candidates live in the election (230b),
since a 510 carries only list names and candidate positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from shared.domain.election import Candidate, District, Station
from shared.domain.tally import ListTally, Tally

#: UncountedVotes reason codes mapped onto `Tally` fields (A, B, C, D, I, J); the other codes are
#: explanations.
ADMISSION_CODES: tuple[tuple[str, str], ...] = (
    ("geldige stempassen", "poll_cards"),
    ("geldige volmachtbewijzen", "proxy_certificates"),
    ("geldige kiezerspassen", "voter_cards"),
    ("toegelaten kiezers", "admitted_voters"),
    ("meer getelde stembiljetten", "more_ballots"),
    ("minder getelde stembiljetten", "fewer_ballots"),
)

#: The remaining UncountedVotes reason codes of the v1.2.2 510 schema, in schema order (the order we write).
EXPLANATION_CODES: tuple[str, ...] = (
    "meegenomen stembiljetten",
    "te weinig uitgereikte stembiljetten",
    "te veel uitgereikte stembiljetten",
    "geen briefstembiljetten",
    "te veel briefstembiljetten",
    "kwijtgeraakte stembiljetten",
    "geen verklaring",
    "andere verklaring",
)
_EXPLANATION_SET = frozenset(EXPLANATION_CODES)


def tally_of(
    cast: int, rejected: Mapping[str, int], uncounted: Mapping[str, int], lists: tuple[ListTally, ...]
) -> Tally:
    """The tally of one 510 `TotalVotes`/`ReportingUnitVotes` body, as read: `Cast`, the two RejectedVotes
    (blanco, ongeldig: both present), the UncountedVotes by reason code, and the list selections."""
    admissions: dict[str, Any] = {field: uncounted.get(code, 0) for code, field in ADMISSION_CODES}
    return Tally(
        eligible_voters=cast,
        blank=rejected["blanco"],
        invalid=rejected["ongeldig"],
        lists=lists,
        explanations=tuple(sorted((code, n) for code, n in uncounted.items() if code in _EXPLANATION_SET)),
        **admissions,
    )


def missing_admissions(uncounted: Mapping[str, int]) -> tuple[str, ...]:
    """The admission codes a unit leaves out when it carries some (none when it carries none or all)."""
    missing = tuple(code for code, _ in ADMISSION_CODES if code not in uncounted)
    return () if len(missing) == len(ADMISSION_CODES) else missing


#: The `kr:Investigation` reason codes of the v1.2.2 510 schema (kiesraad-eml-extensions.xsd), at most three
#: per unit: the DSO ones, the outcome, and the central-count (CSO) ones of Na 31-2 rubric 1.2.1.
INVESTIGATION_CODES: tuple[str, ...] = (
    "onderzocht vanwege onverklaard verschil",
    "onderzocht vanwege andere fout",
    "uitslag gecorrigeerd",
    "toegelaten kiezers opnieuw vastgesteld",
    "onderzocht vanwege andere reden",
    "stembiljetten deels herteld",
)
#: How many `kr:Investigation` flags one `kr:ReportingUnitInvestigations` may hold (the XSD's maxOccurs).
MAX_INVESTIGATIONS = 3

#: Explanation codes every real 510 carries (with 0 when nothing happened); we always write these.
STANDARD_EXPLANATIONS: tuple[str, ...] = (
    "meegenomen stembiljetten",
    "te weinig uitgereikte stembiljetten",
    "te veel uitgereikte stembiljetten",
    "geen verklaring",
    "andere verklaring",
)


class ElectionIdentifier(msgspec.Struct, frozen=True, kw_only=True):
    """`ElectionIdentifier` of any message: `TK2025`, `GR2022_WestMaasenWaal`, …"""

    id: str
    name: str | None
    category: str
    subcategory: str | None
    date: str | None
    domain_id: str | None = None
    domain_name: str | None = None
    nomination_date: str | None = None


class Header(msgspec.Struct, frozen=True, kw_only=True):
    """The common message header: message id (`510b`), issuing authority and creation time as written."""

    message_id: str
    authority_id: str | None
    authority_name: str | None
    created: str | None
    issue_date: str | None = None


class Region(msgspec.Struct, frozen=True, kw_only=True):
    """A `kr:Region` of the 110a election tree (GEMEENTE, KIESKRING, PROVINCIE, …) with its committees.

    `number` is None where the file gives no RegionNumber (optional in the XSD): the real TK2025 110a has
    none on its national STAAT region, which nothing refers to by number."""

    number: str | None
    category: str
    name: str
    superior_number: str | None = None
    superior_category: str | None = None
    committees: tuple[str, ...] = ()


class Definition110a(msgspec.Struct, frozen=True, kw_only=True):
    """EML 110a: what is elected (seats, preference threshold, election tree, registered parties)."""

    header: Header
    election: ElectionIdentifier
    contest_id: str
    seats: int
    preference_threshold: int
    regions: tuple[Region, ...]
    registered_parties: tuple[str, ...] = ()
    voting_method: str | None = None


class PollingStations110b(msgspec.Struct, frozen=True, kw_only=True):
    """EML 110b: one municipality's polling stations with their eligible voters."""

    header: Header
    election: ElectionIdentifier
    contest_id: str
    municipality_id: str
    municipality_name: str
    max_votes: int | None
    stations: tuple[Station, ...]


class CandidateLists230b(msgspec.Struct, frozen=True, kw_only=True):
    """EML 230b: the numbered candidate lists, one domain `District` per contest (kieskring)."""

    header: Header
    election: ElectionIdentifier
    districts: tuple[District, ...]


class ListLayout(msgspec.Struct, frozen=True, array_like=True):
    """A list as a 510 lays it out: number, registered name, and the candidate positions in file order.

    A candidate is identified by its CandidateIdentifier `Id` (its position on the list) or by its
    `ShortCode`: the Kiesraad's national 510d names candidates by ShortCode only (`RutteM`), since a
    candidate's position differs per kieskring. `positions` holds 0 for a candidate without `Id`;
    `short_codes` holds each candidate's ShortCode ("" where it has none), or is empty when the file writes
    no ShortCode for the list at all (every 510a/b/c).
    """

    number: int
    name: str
    positions: tuple[int, ...]
    short_codes: tuple[str, ...] = ()

    def candidate_keys(self) -> tuple[tuple[int, str], ...]:
        """(position, ShortCode) of each candidate: what identifies it, whichever form the file uses."""
        codes = self.short_codes or ("",) * len(self.positions)
        return tuple(zip(self.positions, codes, strict=True))


class UnitVotes(msgspec.Struct, frozen=True, kw_only=True):
    """The counts of one reporting unit (or the TotalVotes): a Tally plus what the file said raw.

    `total_counted` is kept as written so a check can catch a file whose TotalCounted is not the sum of its
    list votes. `has_admissions` is False when the file carries no UncountedVotes at all (some synthetic 510d
    files), so the admitted-voters identities are not checked against zeros that were never written.
    `missing_admissions` names the admission codes (A–D, I, J) a file with some of them leaves out: the
    Kiesraad's TK2021 510c/510d carry volmachtbewijzen and kiezerspassen but no stempassen and no toegelaten
    kiezers, so D = A + B + C and H = D + I − J cannot be checked there, and are not written back.
    `layout` is None when the unit has the lists of its `Count510` (every 510a/b/c); a unit of a national 510d
    (a kieskring) carries its own, since lists and candidates differ per kieskring (Kieswet P 1, E 1).
    """

    id: str
    name: str
    tally: Tally
    total_counted: int
    has_admissions: bool = True
    layout: tuple[ListLayout, ...] | None = None
    missing_admissions: tuple[str, ...] = ()
    #: The unit's `kr:ReportingUnitInvestigations` flags as (reason code, value), in file order.
    investigations: tuple[tuple[str, bool], ...] = ()


class Count510(msgspec.Struct, frozen=True, kw_only=True):
    """EML 510a/b/c/d: the totals of the issuing authority and one `UnitVotes` per sub-unit.

    `lists` is the selection layout of the total, shared by every unit without a `layout` of its own (list
    numbers, names, candidate positions); the tallies hold the counts in that order.
    """

    message_id: str
    election: ElectionIdentifier
    contest_id: str
    contest_name: str | None
    authority_id: str
    authority_name: str
    created: str
    lists: tuple[ListLayout, ...]
    total: UnitVotes
    units: tuple[UnitVotes, ...] = ()

    def layout_of(self, unit: UnitVotes) -> tuple[ListLayout, ...]:
        """The lists of one unit, in the order of its tally."""
        return self.lists if unit.layout is None else unit.layout


class ElectedCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """One elected candidate for a 520: list number, position on the list, and the EML `Ranking`.

    The v1.2.2 schema only allows Ranking 1 or 2 (or none); the central tier decides what it passes.
    """

    list_number: int
    position: int
    ranking: int | None = None
    #: the `CandidateIdentifier Id` when it is not the position: the Kiesraad's national 520 numbers a list
    #: group's elected candidates 1, 2, … in order of election, since they stand on different lists
    candidate_id: int | None = None


class ResultInput(msgspec.Struct, frozen=True, kw_only=True):
    """What the central tier hands to `write_520`: seats per list and elected candidates of one contest."""

    district_id: str
    authority_id: str
    authority_name: str
    created: str
    seats: tuple[tuple[int, int], ...]
    elected: tuple[ElectedCandidate, ...]


class Elected520(msgspec.Struct, frozen=True, kw_only=True):
    """An elected candidate as read from a 520, with the person as the file describes them."""

    list_number: int
    candidate: Candidate
    ranking: int | None = None


class Result520(msgspec.Struct, frozen=True, kw_only=True):
    """EML 520: the elected lists and candidates of each contest (seats = number of elected per list)."""

    header: Header
    election: ElectionIdentifier
    contest_id: str
    contest_name: str | None
    lists: tuple[tuple[int, str], ...]
    elected: tuple[Elected520, ...]

    def seats(self) -> dict[int, int]:
        out = {number: 0 for number, _ in self.lists}
        for el in self.elected:
            out[el.list_number] = out.get(el.list_number, 0) + 1
        return out
