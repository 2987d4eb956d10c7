"""EML_NL rules beyond the XSD: what a file must say to describe a real Dutch election consistently.

Each function returns the problems as one-line strings (empty when the file is fine) so `eml check` can list
them all; `require(...)` turns the first into an `EmlError` for importers that must refuse the file.
"""

from __future__ import annotations

import re
from datetime import date

from shared.errors import EmlError
from shared.formats.eml.model import (
    CandidateLists230b,
    Count510,
    Definition110a,
    ElectionIdentifier,
    PollingStations110b,
    Result520,
)

_ID = re.compile(r"(EP|EK|TK|GR|BC|GC|ER|PS|AB|NR|PR|LR|IR)(2\d\d\d)(\d\d\d\d)?(_[\w_-]*)?")
_SUBCATEGORIES = {
    "GR": ("GR1", "GR2"),
    "PS": ("PS1", "PS2"),
    "AB": ("AB1", "AB2"),
    "TK": ("TK",),
    "EK": ("EK",),
    "EP": ("EP",),
    "ER": ("ER1",),
}
#: Categories whose elected body belongs to a domain (municipality, province, water board, island).
_DOMAIN_CATEGORIES = frozenset({"GR", "PS", "AB", "ER"})
#: Bodies with a fixed or bounded size: Grondwet art. 51 (TK 150, EK 75); Gemeentewet art. 8 (9..45 members).
_SEATS = {"TK": (150, 150), "EK": (75, 75), "GR": (9, 45)}
#: Kieswet E 1: the Tweede Kamer election has 20 kieskringen.
TK_DISTRICTS = 20


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def identifier_problems(
    eid: ElectionIdentifier, *, nomination_required: bool = False, domain_required: bool = False
) -> list[str]:
    """The ElectionIdentifier on its own: id pattern, category, subcategory, domain, dates."""
    out: list[str] = []
    m = _ID.fullmatch(eid.id)
    if m is None:
        out.append(f"ElectionIdentifier Id {eid.id!r} does not match <category><year>[_<domain>]")
    elif m.group(1) != eid.category:
        out.append(
            f"ElectionIdentifier Id {eid.id} is a {m.group(1)} id, but ElectionCategory is {eid.category}"
        )
    allowed = _SUBCATEGORIES.get(eid.category)
    if eid.subcategory is None:
        if nomination_required:
            out.append("kr:ElectionSubcategory is missing")
    elif allowed is not None and eid.subcategory not in allowed:
        out.append(f"kr:ElectionSubcategory {eid.subcategory} does not belong to category {eid.category}")
    if (
        domain_required
        and eid.category in _DOMAIN_CATEGORIES
        and eid.domain_id is None
        and eid.domain_name is None
    ):
        out.append(f"kr:ElectionDomain is missing: a {eid.category} election is held in a domain")
    day = _date(eid.date)
    if eid.date is None:
        if nomination_required:  # a definition: the election is set up for its day
            out.append("kr:ElectionDate is missing")
    elif day is None:
        out.append(f"kr:ElectionDate {eid.date!r} is not a date (YYYY-MM-DD)")
    elif m is not None and int(m.group(2)) != day.year:
        out.append(
            f"ElectionIdentifier Id {eid.id} names year {m.group(2)}, but kr:ElectionDate is {eid.date}"
        )
    if eid.nomination_date is None:
        if nomination_required:
            out.append("kr:NominationDate is missing")
    else:
        nomination = _date(eid.nomination_date)
        if nomination is None:
            out.append(f"kr:NominationDate {eid.nomination_date!r} is not a date (YYYY-MM-DD)")
        elif day is not None and nomination >= day:
            out.append(
                f"kr:ElectionDate {eid.date} is not after kr:NominationDate {eid.nomination_date} "
                "(Kieswet J 1: voting follows nomination)"
            )
    return out


def definition_problems(d: Definition110a) -> list[str]:
    """A 110a: identifier, seats, preference threshold (Kieswet P 15), a tree fit for the category."""
    eid = d.election
    out = identifier_problems(eid, nomination_required=True, domain_required=True)
    if d.voting_method is not None and d.voting_method != "SPV":
        out.append(f"VotingMethod {d.voting_method} is not SPV (single preferential vote, Kieswet J 20)")
    low, high = _SEATS.get(eid.category, (1, 150))
    if not low <= d.seats <= high:
        out.append(f"kr:NumberOfSeats {d.seats} is outside {low}..{high} for a {eid.category} election")
    # Kieswet P 15 lid 1: the preference threshold is 25 % of the quota, 50 % with fewer than 19 seats.
    expected = 50 if d.seats < 19 else 25
    if d.preference_threshold != expected:
        out.append(
            f"kr:PreferenceThreshold {d.preference_threshold} does not fit {d.seats} seats "
            f"(Kieswet P 15: {expected} %)"
        )
    if eid.category == "GR" and eid.subcategory in ("GR1", "GR2"):
        expected_sub = "GR1" if d.seats < 19 else "GR2"
        if eid.subcategory != expected_sub:
            out.append(
                f"kr:ElectionSubcategory {eid.subcategory} does not fit {d.seats} seats ({expected_sub})"
            )
    kieskringen = [r for r in d.regions if r.category == "KIESKRING"]
    if eid.category == "TK" and len(kieskringen) != TK_DISTRICTS:
        out.append(
            f"the election tree has {len(kieskringen)} KIESKRING regions; "
            f"the Tweede Kamer has {TK_DISTRICTS} "
            "(Kieswet E 1)"
        )
    for r in d.regions:
        if r.number is None and r.category in NUMBERED_REGIONS:
            out.append(
                f"the {r.category} region {r.name} has no RegionNumber (a district or municipality needs one)"
            )
            break
    if not any(r.category == "GEMEENTE" for r in d.regions) and eid.category != "EK":
        out.append("the election tree has no GEMEENTE region")
    return out


#: Regions the election is built from by number (kieskring → district, gemeente → municipality code); the
#: others (the national STAAT region, a PROVINCIE above its kieskringen) may go without one, as in the XSD.
NUMBERED_REGIONS = frozenset(("KIESKRING", "GEMEENTE"))


def matches_definition(eid: ElectionIdentifier, definition: Definition110a, what: str) -> list[str]:
    """A file of the same election as the definition: same id, category, date and domain."""
    ref = definition.election
    out: list[str] = []
    for label, mine, theirs in (
        ("ElectionIdentifier Id", eid.id, ref.id),
        ("ElectionCategory", eid.category, ref.category),
        ("kr:ElectionDate", eid.date, ref.date),
    ):
        if mine is not None and mine != theirs:
            out.append(f"{label} of this {what} is {mine}, the election definition says {theirs}")
    if eid.domain_id is not None and ref.domain_id is not None and eid.domain_id != ref.domain_id:
        out.append(
            f"kr:ElectionDomain of this {what} is {eid.domain_id}, "
            f"the election definition says {ref.domain_id}"
        )
    return out


def message_problems(
    msg: Definition110a | PollingStations110b | CandidateLists230b | Count510 | Result520,
) -> list[str]:
    """The rules for any message we read (the sums of a 510 are in `check.check_count`)."""
    if isinstance(msg, Definition110a):
        return definition_problems(msg)
    out = identifier_problems(msg.election, domain_required=isinstance(msg, CandidateLists230b))
    if isinstance(msg, CandidateLists230b | PollingStations110b | Result520) and not msg.header.authority_id:
        out.append("ManagingAuthority/AuthorityIdentifier is missing")
    return out


def require(problems: list[str], where: str) -> None:
    """Refuse a file with the first problem (importers), as an EmlError."""
    if problems:
        raise EmlError(problems[0], where=where)
