"""Write EML_NL 510b/c/d and 520 files that validate against the v1.2.2 schema.

Strings are assembled directly (not through an lxml tree): the output is a fixed shape, this is ~5× faster for
a national 510, and escaping is done in one place. The layout follows what OSV2020 and Abacus write (one line,
default namespace for EML core, `kr:`/`xal:`/`xnl:`/`ds:` prefixes); the bytes are what gets hashed and
printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.domain.election import Candidate, District, Election
from shared.domain.tally import Tally
from shared.errors import InputError
from shared.formats.eml.model import (
    ADMISSION_CODES,
    EXPLANATION_CODES,
    INVESTIGATION_CODES,
    MAX_INVESTIGATIONS,
    STANDARD_EXPLANATIONS,
    Count510,
    ElectionIdentifier,
    ListLayout,
    ResultInput,
    UnitVotes,
)
from shared.formats.eml.xml import C14N_WITH_COMMENTS, DS_NS, EML_NS, KR_NS, XAL_NS, XNL_NS

_NS_DECL = f'xmlns="{EML_NS}" xmlns:ds="{DS_NS}" xmlns:kr="{KR_NS}" xmlns:xal="{XAL_NS}" xmlns:xnl="{XNL_NS}"'
_DOMAIN_ID = re.compile(r"\d{4}|[12]?[0-9]")
_COUNT_IDS = ("510a", "510b", "510c", "510d", "510q", "510r", "510s")


def esc(s: str) -> str:
    """Escape for element text and double-quoted attributes."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def layout_of(district: District) -> tuple[ListLayout, ...]:
    """The 510 selection layout of a district's lists (all candidates, in list order)."""
    return tuple(
        ListLayout(lst.number, lst.name, tuple(c.position for c in lst.candidates)) for lst in district.lists
    )


def unit_votes(unit_id: str, name: str, tally: Tally) -> UnitVotes:
    """A `UnitVotes` for a computed tally: TotalCounted is the sum of the list votes, as it must be."""
    return UnitVotes(id=unit_id, name=name, tally=tally, total_counted=tally.votes_on_lists)


def identifier_of(election: Election) -> ElectionIdentifier:
    """The `ElectionIdentifier` of an election as 510/520 write it (no nomination date there)."""
    domain_id = domain_name = None
    if election.domain:
        if _DOMAIN_ID.fullmatch(election.domain):
            domain_id = election.domain
            names = [m.name for m in election.municipalities if m.code == election.domain]
            domain_name = names[0] if names else None
        else:
            domain_name = election.domain
    return ElectionIdentifier(
        id=election.id,
        name=election.name,
        category=election.category,
        subcategory=election.subcategory,
        date=election.date,
        domain_id=domain_id,
        domain_name=domain_name,
    )


def _header(message_id: str, authority_id: str, authority_name: str, created: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<EML {_NS_DECL} Id="{message_id}" SchemaVersion="5">'
        f"<TransactionId>1</TransactionId><ManagingAuthority>"
        f'<AuthorityIdentifier Id="{esc(authority_id)}">{esc(authority_name)}</AuthorityIdentifier>'
        f"<AuthorityAddress/></ManagingAuthority>"
        f"<kr:CreationDateTime>{esc(created)}</kr:CreationDateTime>"
        f'<ds:CanonicalizationMethod Algorithm="{C14N_WITH_COMMENTS}"/>'
    )


def _election_identifier(eid: ElectionIdentifier) -> str:
    out = [f'<ElectionIdentifier Id="{esc(eid.id)}">']
    if eid.name:
        out.append(f"<ElectionName>{esc(eid.name)}</ElectionName>")
    out.append(f"<ElectionCategory>{esc(eid.category)}</ElectionCategory>")
    if eid.subcategory:
        out.append(f"<kr:ElectionSubcategory>{esc(eid.subcategory)}</kr:ElectionSubcategory>")
    if eid.domain_id is not None or eid.domain_name is not None:
        id_attr = f' Id="{esc(eid.domain_id)}"' if eid.domain_id is not None else ""
        out.append(f"<kr:ElectionDomain{id_attr}>{esc(eid.domain_name or '')}</kr:ElectionDomain>")
    if eid.date is not None:
        out.append(f"<kr:ElectionDate>{esc(eid.date)}</kr:ElectionDate>")
    out.append("</ElectionIdentifier>")
    return "".join(out)


def _contest_identifier(contest_id: str, contest_name: str | None) -> str:
    if contest_name:
        return (
            f'<ContestIdentifier Id="{esc(contest_id)}"><ContestName>{esc(contest_name)}</ContestName>'
            "</ContestIdentifier>"
        )
    return f'<ContestIdentifier Id="{esc(contest_id)}"/>'


def _votes_body(
    unit: UnitVotes, layout: tuple[ListLayout, ...], names: list[str], where: str
) -> Iterable[str]:
    t = unit.tally
    if len(t.lists) != len(layout):
        raise InputError(f"has {len(t.lists)} lists, the layout has {len(layout)}", where=where)
    for lst, lay, name in zip(t.lists, layout, names, strict=True):
        if lst.number != lay.number or len(lst.candidate_votes) != len(lay.positions):
            raise InputError(
                f"list {lst.number} with {len(lst.candidate_votes)} candidates does not match the layout "
                f"(list {lay.number} with {len(lay.positions)} candidates)",
                where=where,
            )
        yield (
            f'<Selection><AffiliationIdentifier Id="{lst.number}"><RegisteredName>{name}</RegisteredName>'
            f"</AffiliationIdentifier><ValidVotes>{lst.votes}</ValidVotes></Selection>"
        )
        yield "".join(
            f"<Selection><Candidate><CandidateIdentifier{_candidate_attributes(p, code)}/></Candidate>"
            f"<ValidVotes>{v}</ValidVotes></Selection>"
            for (p, code), v in zip(lay.candidate_keys(), lst.candidate_votes, strict=True)
        )
    yield (
        f"<Cast>{t.eligible_voters}</Cast><TotalCounted>{unit.total_counted}</TotalCounted>"
        f'<RejectedVotes ReasonCode="ongeldig">{t.invalid}</RejectedVotes>'
        f'<RejectedVotes ReasonCode="blanco">{t.blank}</RejectedVotes>'
    )
    if unit.has_admissions:
        for code, field in ADMISSION_CODES:
            if code not in unit.missing_admissions:
                yield f'<UncountedVotes ReasonCode="{code}">{getattr(t, field)}</UncountedVotes>'
        explanations = dict(t.explanations)
        unknown = set(explanations) - set(EXPLANATION_CODES)
        if unknown:
            raise InputError(f"unknown explanation code(s) {sorted(unknown)}", where=where)
        for code in EXPLANATION_CODES:
            if code in explanations or code in STANDARD_EXPLANATIONS:
                yield f'<UncountedVotes ReasonCode="{code}">{explanations.get(code, 0)}</UncountedVotes>'
    elif t.explanations or any(getattr(t, field) for _, field in ADMISSION_CODES):
        raise InputError(
            "has admission counts (A-D, I, J, explanations) but has_admissions is False: they would be lost",
            where=where,
        )
    yield from _investigations(unit.investigations, where)


def _investigations(flags: tuple[tuple[str, bool], ...], where: str) -> Iterable[str]:
    """`kr:ReportingUnitInvestigations` after the vote group, where the v1.2.2 510 schema puts it."""
    if not flags:
        return
    codes = [code for code, _ in flags]
    if len(flags) > MAX_INVESTIGATIONS or len(set(codes)) != len(codes):
        raise InputError(f"at most {MAX_INVESTIGATIONS} different investigation flags per unit", where=where)
    unknown = set(codes) - set(INVESTIGATION_CODES)
    if unknown:
        raise InputError(f"unknown investigation code(s) {sorted(unknown)}", where=where)
    yield "<kr:ReportingUnitInvestigations>"
    for code, value in flags:
        yield f'<kr:Investigation ReasonCode="{code}">{"true" if value else "false"}</kr:Investigation>'
    yield "</kr:ReportingUnitInvestigations>"


def _candidate_attributes(position: int, short_code: str) -> str:
    """`Id` (position 0: none, the national 510d form) and `ShortCode` when the layout has one."""
    out = f' Id="{position}"' if position else ""
    return out + (f' ShortCode="{esc(short_code)}"' if short_code else "")


def _check_against_district(count: Count510, district: District) -> None:
    expected = layout_of(district)
    got = [(lay.number, lay.positions) for lay in count.lists]
    if got != [(lay.number, lay.positions) for lay in expected]:
        raise InputError(
            f"the count's lists and candidates differ from those of district {district.id} in the election",
            where=f"510 {count.contest_id}",
        )


def write_510(count: Count510, election: Election | None = None) -> bytes:
    """The EML 510 bytes of a count; with an election, its lists must match the count's district exactly."""
    if count.message_id not in _COUNT_IDS:
        raise InputError(f"message id {count.message_id!r} is not a 510 type ({', '.join(_COUNT_IDS)})")
    if not count.created:
        raise InputError("the creation time (kr:CreationDateTime) is required", where=count.message_id)
    names = [esc(lay.name) for lay in count.lists]
    if election is not None:
        try:
            district = election.district(count.contest_id)
        except KeyError:
            raise InputError(f"district {count.contest_id} is not in election {election.id}") from None
        _check_against_district(count, district)
        names = [esc(lst.name) for lst in district.lists]
    parts = [
        _header(count.message_id, count.authority_id, count.authority_name, count.created),
        "<Count><EventIdentifier/><Election>",
        _election_identifier(count.election),
        "<Contests><Contest>",
        _contest_identifier(count.contest_id, count.contest_name),
        "<TotalVotes>",
    ]
    parts.extend(_votes_body(count.total, count.lists, names, "TotalVotes"))
    parts.append("</TotalVotes>")
    seen: set[str] = set()
    for unit in count.units:
        if unit.id in seen:
            raise InputError(f"reporting unit {unit.id} occurs twice")
        seen.add(unit.id)
        parts.append(
            f'<ReportingUnitVotes><ReportingUnitIdentifier Id="{esc(unit.id)}">{esc(unit.name)}'
            "</ReportingUnitIdentifier>"
        )
        if unit.layout is None:
            parts.extend(_votes_body(unit, count.lists, names, unit.id))
        else:
            parts.extend(_votes_body(unit, unit.layout, [esc(lay.name) for lay in unit.layout], unit.id))
        parts.append("</ReportingUnitVotes>")
    parts.append("</Contest></Contests></Election></Count></EML>\n")
    return "".join(parts).encode("utf-8")


def _person(c: Candidate) -> str:
    out = ["<CandidateFullName><xnl:PersonName>"]
    if c.initials:
        out.append(f'<xnl:NameLine NameType="Initials">{esc(c.initials)}</xnl:NameLine>')
    if c.first_name:
        out.append(f"<xnl:FirstName>{esc(c.first_name)}</xnl:FirstName>")
    if c.prefix:
        out.append(f"<xnl:NamePrefix>{esc(c.prefix)}</xnl:NamePrefix>")
    out.append(f"<xnl:LastName>{esc(c.last_name)}</xnl:LastName></xnl:PersonName></CandidateFullName>")
    if c.gender:
        out.append(f"<Gender>{esc(c.gender)}</Gender>")
    locality = f"<xal:Locality><xal:LocalityName>{esc(c.locality or '')}</xal:LocalityName></xal:Locality>"
    if c.country:
        out.append(
            f"<QualifyingAddress><xal:Country><xal:CountryNameCode>{esc(c.country)}</xal:CountryNameCode>"
            f"{locality}</xal:Country></QualifyingAddress>"
        )
    else:
        out.append(f"<QualifyingAddress>{locality}</QualifyingAddress>")
    return "".join(out)


def write_520(result: ResultInput, election: Election, identifier: ElectionIdentifier | None = None) -> bytes:
    """The EML 520 of one contest: every list with seats, then its elected candidates in the order given.

    Kieswet P 19/P 22: the central polling office records the seats per list and the elected candidates; the
    520 lists only elected lists and candidates (Elected is fixed to "yes" in the schema), so the number of
    elected candidates of a list must equal its seats.
    """
    try:
        district = election.district(result.district_id)
    except KeyError:
        raise InputError(f"district {result.district_id} is not in election {election.id}") from None
    seats = dict(result.seats)
    if len(seats) != len(result.seats):
        raise InputError("a list occurs twice in the seats")
    if not result.elected:
        raise InputError("a 520 lists at least one elected candidate")
    if not result.created:
        raise InputError("the creation time (kr:CreationDateTime) is required", where="520")
    per_list: dict[int, list[tuple[Candidate, int | None, int]]] = {}
    seen: set[tuple[int, int]] = set()
    for el in result.elected:
        lst = district.list_by_number(el.list_number)
        if lst is None:
            raise InputError(
                f"elected candidate on list {el.list_number}, which is not in district {district.id}"
            )
        cand = next((c for c in lst.candidates if c.position == el.position), None)
        if cand is None:
            raise InputError(f"list {el.list_number} has no candidate {el.position}")
        if (el.list_number, el.position) in seen:
            raise InputError(f"candidate {el.position} of list {el.list_number} is elected twice")
        if el.ranking not in (None, 1, 2):
            raise InputError(f"Ranking must be 1 or 2 (EML_NL 520), found {el.ranking}")
        seen.add((el.list_number, el.position))
        per_list.setdefault(el.list_number, []).append((cand, el.ranking, el.candidate_id or cand.position))
    for number in set(seats) | set(per_list):
        if district.list_by_number(number) is None:
            raise InputError(f"list {number} is not in district {district.id}")
        if seats.get(number, 0) != len(per_list.get(number, [])):
            raise InputError(
                f"list {number} has {seats.get(number, 0)} seats "
                f"but {len(per_list.get(number, []))} elected candidates"
            )
    parts = [
        _header("520", result.authority_id, result.authority_name, result.created),
        "<Result><Election>",
        _election_identifier(identifier or identifier_of(election)),
        "<Contest>",
        _contest_identifier(district.id, district.name),
    ]
    for lst in district.lists:
        if not seats.get(lst.number):
            continue
        parts.append(
            f'<Selection><AffiliationIdentifier Id="{lst.number}">'
            f"<RegisteredName>{esc(lst.name)}</RegisteredName>"
            "</AffiliationIdentifier><Elected>yes</Elected></Selection>"
        )
        for cand, ranking, cid in per_list[lst.number]:
            rank = f"<Ranking>{ranking}</Ranking>" if ranking is not None else ""
            ident = _candidate_attributes(cid, cand.short_code or "")
            parts.append(
                f"<Selection><Candidate><CandidateIdentifier{ident}/>"
                f"{_person(cand)}</Candidate>"
                f"{rank}<Elected>yes</Elected></Selection>"
            )
    parts.append("</Contest></Election></Result></EML>\n")
    return "".join(parts).encode("utf-8")
