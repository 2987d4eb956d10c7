"""Read EML_NL messages (110a, 110b, 230b, 510a–d, 520) into the structs of `model`.

lxml builds the tree once with `fromstring` (measured on the TK2025 510b: iterparse needs ~1.5× the time of
`fromstring` just to stream the ValidVotes values, before any structure). A 510 in the plain form every known
writer produces is read on the raw path (`fast510.split_body`): lxml parses the file without the Contest's
body, and the body is checked and read from the bytes, never built as a tree. Otherwise the 510 bodies are
extracted in one XSLT pass (`fast510`); this module's element walk is the exact path that names every
departure from what the reader relies on with file, line, element path and rule (`EmlError`). Nothing is
guessed. The candidates of a 230b are read by `fast230.fast_candidate` (one loop over the children, ~3.5×
faster); `_candidate` reads any candidate it declines and names the error. A read 230b is kept by the SHA-256
of its bytes: in one process the same national file (~22,000 candidates, ~0.5 s) is read by several stages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import msgspec

from shared.adapters.files import read_input
from shared.domain.election import Candidate, CandidateList, District, DistrictId, Station, StationId
from shared.domain.tally import ListTally
from shared.errors import EmlError
from shared.formats.eml.fast230 import fast_candidate
from shared.formats.eml.fast510 import FLAG_PREFIX, extract_units, read_body, skeleton_holds, split_body
from shared.formats.eml.model import (
    ADMISSION_CODES,
    EXPLANATION_CODES,
    INVESTIGATION_CODES,
    MAX_INVESTIGATIONS,
    CandidateLists230b,
    Count510,
    Definition110a,
    Elected520,
    ElectionIdentifier,
    Header,
    ListLayout,
    PollingStations110b,
    Region,
    Result520,
    UnitVotes,
    missing_admissions,
    tally_of,
)
from shared.formats.eml.xml import (
    EML_NS,
    KR_NS,
    Element,
    attr,
    child,
    e,
    fail,
    int_text,
    int_value,
    is_number,
    kr,
    local_name,
    opt_text,
    parse_xml,
    text,
    xal,
    xnl,
)

EmlMessage = Definition110a | PollingStations110b | CandidateLists230b | Count510 | Result520

_SEL, _AFF, _CAND, _CID = e("Selection"), e("AffiliationIdentifier"), e("Candidate"), e("CandidateIdentifier")
_VV, _RN, _CAST, _TC = e("ValidVotes"), e("RegisteredName"), e("Cast"), e("TotalCounted")
_REJ, _UNC, _RUI = e("RejectedVotes"), e("UncountedVotes"), e("ReportingUnitIdentifier")
_REF = e("ReferendumOptionIdentifier")
_RUINV, _INV = kr("ReportingUnitInvestigations"), kr("Investigation")
_ADMISSION = dict(ADMISSION_CODES)
_EXPLANATION = frozenset(EXPLANATION_CODES)


def read_path(path: str | Path) -> bytes:
    """The exact bytes of a file (the hash is over these); a missing or unreadable file is an InputError."""
    return read_input(path)


def _root(data: bytes, where: str, expected: tuple[str, ...] | None = None) -> tuple[Element, str]:
    root = parse_xml(data, where)
    if root.tag != e("EML"):
        ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else "no namespace"
        raise EmlError(
            f"not an EML_NL file: root element is {local_name(root.tag)} ({ns}), expected EML in {EML_NS}",
            where=where,
        )
    message_id = root.get("Id")
    if not message_id:
        fail(where, root, "missing required attribute Id (the message type, e.g. 510b)")
    message_id = message_id.strip()
    if expected is not None and message_id not in expected:
        fail(where, root, f"message type {message_id} where {' or '.join(expected)} was expected")
    return root, message_id


_BODIES = {
    "ElectionEvent": "110a/110b",
    "CandidateList": "230b",
    "Count": "510",
    "Result": "520",
}


def _body(root: Element, name: str, message_id: str, where: str) -> Element:
    """The message body; a body of another message type is named, since that is the usual mistake."""
    found = root.find(e(name))
    if found is not None:
        return found
    for other, kind in _BODIES.items():
        if other != name and root.find(e(other)) is not None:
            fail(where, root, f"Id says {message_id}, but the body is {other} (a {kind} message)")
    fail(where, root, f"missing required element {name} (the body of a {message_id} message)")


def _header(root: Element, message_id: str) -> Header:
    auth = root.find(f"{e('ManagingAuthority')}/{e('AuthorityIdentifier')}")
    return Header(
        message_id=message_id,
        authority_id=auth.get("Id") if auth is not None else None,
        authority_name=opt_text(auth),
        created=opt_text(root.find(kr("CreationDateTime"))),
        issue_date=opt_text(root.find(e("IssueDate"))),
    )


def _election_id(el: Element, where: str) -> ElectionIdentifier:
    date = el.find(kr("ElectionDate"))
    category = el.find(e("ElectionCategory"))
    if category is None or not text(category):
        fail(where, el, "missing required element ElectionCategory")
    domain = el.find(kr("ElectionDomain"))
    return ElectionIdentifier(
        id=attr(el, "Id", where),
        name=opt_text(el.find(e("ElectionName"))),
        category=text(category),
        subcategory=opt_text(el.find(kr("ElectionSubcategory"))),
        date=opt_text(date),
        domain_id=domain.get("Id") if domain is not None else None,
        domain_name=opt_text(domain),
        nomination_date=opt_text(el.find(kr("NominationDate"))),
    )


# ---------------------------------------------------------------- 510


def _read_votes(el: Element, uid: str, uname: str, where: str) -> tuple[UnitVotes, list[ListLayout]]:
    """One TotalVotes / ReportingUnitVotes body: selections, Cast, TotalCounted, Rejected, Uncounted."""
    layout: list[ListLayout] = []
    list_tallies: list[ListTally] = []
    cur_number = -1
    cur_name = ""
    cur_votes = 0
    positions: list[int] = []
    codes: list[str] = []
    cand_votes: list[int] = []
    cast: int | None = None
    counted: int | None = None
    rejected: dict[str, int] = {}
    uncounted: dict[str, int] = {}
    investigations: tuple[tuple[str, bool], ...] = ()

    def close_list() -> None:
        if cur_number >= 0:
            short_codes = tuple(codes) if any(codes) else ()
            layout.append(ListLayout(cur_number, cur_name, tuple(positions), short_codes))
            list_tallies.append(ListTally(cur_number, cur_votes, tuple(cand_votes)))

    for c in el:
        tag = c.tag
        if tag == _SEL:
            # Fast path: <Selection><X/><ValidVotes>n</ValidVotes></Selection>, exactly as every real file.
            if len(c) == 2:
                kind, vv = c[0], c[1]
                t = vv.text
                if vv.tag == _VV and t is not None and is_number(t):
                    votes = int(t)
                    ktag = kind.tag
                    if ktag == _CAND and len(kind) and kind[0].tag == _CID:
                        cid = kind[0]
                        pid = cid.get("Id")
                        if (
                            cur_number >= 0
                            and pid is not None
                            and is_number(pid)
                            and not len(cid)
                            and cid.get("ShortCode") is None
                        ):
                            positions.append(int(pid))
                            codes.append("")
                            cand_votes.append(votes)
                            continue
                    elif ktag == _AFF:
                        aid = kind.get("Id")
                        if aid is not None and is_number(aid):
                            close_list()
                            cur_number = int(aid)
                            cur_name = text(kind.find(_RN))
                            cur_votes = votes
                            positions = []
                            codes = []
                            cand_votes = []
                            continue
            # Slow path: anything unusual, with a precise error when it breaks a rule.
            found: Element | None = None
            found_votes: int | None = None
            for s in c:
                st = s.tag
                if st == _VV:
                    found_votes = int_text(s, where)
                elif st in (_AFF, _CAND):
                    found = s
                elif st == _REF:
                    fail(where, s, "referendum selections are not supported (Telketen counts list elections)")
            if found is None:
                fail(where, c, "a Selection needs an AffiliationIdentifier or a Candidate")
            if found_votes is None:
                fail(where, c, "missing required element ValidVotes")
            if found.tag == _AFF:
                close_list()
                cur_number = int_value(attr(found, "Id", where), found, "AffiliationIdentifier Id", where)
                cur_name = text(found.find(_RN))
                cur_votes = found_votes
                positions = []
                codes = []
                cand_votes = []
            else:
                if cur_number < 0:
                    fail(where, c, "a candidate Selection before any list (AffiliationIdentifier) Selection")
                position, code = _candidate_key(found, where)
                positions.append(position)
                codes.append(code)
                cand_votes.append(found_votes)
        elif tag == _CAST:
            cast = int_text(c, where)
        elif tag == _TC:
            counted = int_text(c, where)
        elif tag == _REJ:
            code = attr(c, "ReasonCode", where)
            if code not in ("blanco", "ongeldig"):
                fail(where, c, f"RejectedVotes ReasonCode must be 'blanco' or 'ongeldig', found {code!r}")
            if code in rejected:
                fail(where, c, f"RejectedVotes '{code}' occurs twice")
            rejected[code] = int_text(c, where)
        elif tag == _UNC:
            code = attr(c, "ReasonCode", where)
            if code not in _ADMISSION and code not in _EXPLANATION:
                fail(where, c, f"unknown UncountedVotes ReasonCode {code!r}")
            if code in uncounted:
                fail(where, c, f"UncountedVotes '{code}' occurs twice")
            uncounted[code] = int_text(c, where)
        elif tag == _RUINV:
            investigations = _read_investigations(c, where)
    close_list()
    if cast is None:
        fail(where, el, "missing required element Cast")
    if counted is None:
        fail(where, el, "missing required element TotalCounted")
    for code in ("ongeldig", "blanco"):
        if code not in rejected:
            fail(where, el, f"missing RejectedVotes with ReasonCode '{code}'")
    tally = tally_of(cast, rejected, uncounted, tuple(list_tallies))
    has_admissions = any(code in uncounted for code in _ADMISSION)
    return UnitVotes(
        id=uid,
        name=uname,
        tally=tally,
        total_counted=counted,
        has_admissions=has_admissions,
        missing_admissions=missing_admissions(uncounted),
        investigations=investigations,
    ), layout


def _read_investigations(el: Element, where: str) -> tuple[tuple[str, bool], ...]:
    """`kr:ReportingUnitInvestigations`: up to three `kr:Investigation ReasonCode=…` booleans.

    Read wherever it stands in the unit: v1.2.2 puts it after the vote group, the rust-eml-nl sample of the
    next release before it."""
    flags: list[tuple[str, bool]] = []
    for inv in el:
        if not isinstance(inv.tag, str):
            continue  # a comment
        if inv.tag != _INV:
            fail(where, inv, f"unexpected element {local_name(inv.tag)} in kr:ReportingUnitInvestigations")
        code = attr(inv, "ReasonCode", where)
        if code not in INVESTIGATION_CODES:
            fail(where, inv, f"unknown kr:Investigation ReasonCode {code!r}")
        if code in dict(flags):
            fail(where, inv, f"kr:Investigation '{code}' occurs twice")
        value = text(inv)
        if value not in ("true", "false", "1", "0"):
            fail(where, inv, f"kr:Investigation is a boolean (true/false), found {value!r}")
        flags.append((code, value in ("true", "1")))
    if len(flags) > MAX_INVESTIGATIONS:
        fail(where, el, f"more than {MAX_INVESTIGATIONS} kr:Investigation flags")
    return tuple(flags)


def _candidate_key(candidate: Element, where: str) -> tuple[int, str]:
    """(position, ShortCode) of a 510 candidate Selection: its `Id`, its ShortCode, or both (0 / "" absent).

    Both are optional in the XSD; the national 510d names candidates by ShortCode only. A candidate with
    neither cannot be matched to anyone, so that is refused."""
    cid = candidate.find(_CID)
    if cid is None:
        fail(where, candidate, "missing required element CandidateIdentifier")
    raw_id = cid.get("Id")
    code = (cid.get("ShortCode") or "").strip() or opt_text(cid.find(e("ShortCode"))) or ""
    if raw_id is None:
        if not code:
            fail(where, cid, "a CandidateIdentifier needs an Id (the position on the list) or a ShortCode")
        return 0, code
    return int_value(raw_id, cid, "CandidateIdentifier Id", where), code


def _check_district_layout(
    total: list[ListLayout], unit: list[ListLayout], el: Element, uid: str, where: str
) -> None:
    """A kieskring of a national 510d may have its own lists and candidates, but only the Total's: each of its
    lists is one of TotalVotes, and each candidate with a ShortCode is on that list in TotalVotes."""
    by_number = {lst.number: lst for lst in total}
    for lst in unit:
        whole = by_number.get(lst.number)
        if whole is None:
            fail(where, el, f"reporting unit {uid}: list {lst.number} is not in TotalVotes")
        known = set(whole.short_codes)
        strays = [code for code in lst.short_codes if code and known and code not in known]
        if strays:
            fail(
                where,
                el,
                f"reporting unit {uid}: candidate {strays[0]} of list {lst.number} is not in TotalVotes",
            )


def _describe_layout_difference(expected: list[ListLayout], found: list[ListLayout]) -> str:
    exp = {lst.number: lst for lst in expected}
    for lst in found:
        other = exp.get(lst.number)
        if other is None:
            return f"list {lst.number} is not in TotalVotes"
        if other.positions != lst.positions:
            theirs = _span(other.positions)
            return f"list {lst.number} has candidates {_span(lst.positions)}, TotalVotes has {theirs}"
        if other.candidate_keys() != lst.candidate_keys():
            return f"list {lst.number} names its candidates by other ShortCodes than TotalVotes"
    missing = sorted(set(exp) - {lst.number for lst in found})
    if missing:
        return f"list {missing[0]} of TotalVotes is missing"
    return "the lists are in a different order than in TotalVotes"


def _span(positions: tuple[int, ...]) -> str:
    if not positions:
        return "none"
    if positions == tuple(range(positions[0], positions[0] + len(positions))):
        return f"{positions[0]}..{positions[-1]}"
    return ",".join(str(p) for p in positions)


def read_510(data: bytes, where: str = "<510>") -> Count510:
    """A count message (510a/b/c/d/q/r/s) as a `Count510`; every unit must have the same selection layout."""
    fast = _read_510_raw(data, where)
    if fast is not None:
        return fast
    root, message_id = _root(data, where)
    return _read_510(root, message_id, where)


def _is_510(message_id: str) -> bool:
    return len(message_id) == 4 and message_id.startswith("510")


def _read_510_raw(data: bytes, where: str) -> Count510 | None:
    """The 510 read on the raw path (`fast510.split_body`), or None when it does not apply to these bytes.

    Any error on the way also gives None: the caller reads the whole file on the tree, which names the error
    with the line it has in the file (the lines of the cut file differ)."""
    if b'Id="510' not in data[:4096]:
        return None  # not a count (or an unusual root tag): not worth cutting
    split = split_body(data)
    if split is None:
        return None
    skeleton, body = split
    try:
        root, message_id = _root(skeleton, where)
        if not _is_510(message_id):
            return None
        header, eid, contest, cident = _contest(root, message_id, where)
    except EmlError:
        return None
    if not skeleton_holds(root, contest):
        return None
    if FLAG_PREFIX in body and contest.nsmap.get("kr") != KR_NS:
        return None  # `kr:` bound to another namespace (or not at all): the tree path reads what it means
    units = read_body(body, header.authority_id or "", header.authority_name or "")
    if units is None:
        return None
    cid = cident.get("Id")
    if cid is None:
        return None
    total, layout = units[0]
    return Count510(
        message_id=message_id,
        election=eid,
        contest_id=cid.strip(),
        contest_name=opt_text(cident.find(e("ContestName"))),
        authority_id=header.authority_id or "",
        authority_name=header.authority_name or "",
        created=header.created or "",
        lists=tuple(layout),
        total=total,
        units=tuple(unit for unit, _ in units[1:]),
    )


def _contest(
    root: Element, message_id: str, where: str
) -> tuple[Header, ElectionIdentifier, Element, Element]:
    """The header, election, the one Contest and its ContestIdentifier of a count message."""
    if not _is_510(message_id):
        fail(where, root, f"message type {message_id} where a 510 count was expected")
    header = _header(root, message_id)
    count = _body(root, "Count", message_id, where)
    election = child(count, e("Election"), where)
    eid = _election_id(child(election, e("ElectionIdentifier"), where), where)
    contests = child(election, e("Contests"), where).findall(e("Contest"))
    if not contests:
        fail(where, election, "missing required element Contests/Contest")
    if len(contests) > 1:
        fail(where, contests[1], "more than one Contest in a 510 is not supported: split it per contest")
    contest = contests[0]
    return header, eid, contest, child(contest, e("ContestIdentifier"), where)


def _read_510(root: Element, message_id: str, where: str) -> Count510:
    header, eid, contest, cident = _contest(root, message_id, where)
    authority_id = header.authority_id or ""
    authority_name = header.authority_name or ""
    total_el = contest.find(e("TotalVotes"))
    unit_els = contest.findall(e("ReportingUnitVotes"))
    if total_el is None and len(unit_els) != 1:
        fail(where, contest, "a Contest without TotalVotes must hold exactly one ReportingUnitVotes")
    bodies = ([total_el] if total_el is not None else []) + unit_els
    fast = extract_units(root, authority_id, authority_name)
    if len(fast) != len(bodies):
        fast = [None] * len(bodies)
    total_read = fast[0]
    if total_read is None:
        total_read = _read_votes(bodies[0], authority_id, authority_name, where)
    total, layout = total_read
    if total_el is None:
        # 510a style: the one ReportingUnitVotes is the authority's total.
        bodies, fast = bodies[:1], fast[:1]
    expected = [(lst.number, lst.candidate_keys()) for lst in layout]
    units: list[UnitVotes] = []
    seen: set[str] = set()
    for uel, unit_read in zip(bodies[1:], fast[1:], strict=True):
        if unit_read is None:
            ident = child(uel, _RUI, where)
            unit_read = _read_votes(uel, attr(ident, "Id", where), text(ident), where)
        unit, ulayout = unit_read
        if unit.id in seen:
            fail(where, uel, f"reporting unit {unit.id} occurs twice")
        seen.add(unit.id)
        if [(lst.number, lst.candidate_keys()) for lst in ulayout] != expected:
            if message_id != "510d":
                fail(where, uel, f"reporting unit {unit.id}: {_describe_layout_difference(layout, ulayout)}")
            _check_district_layout(layout, ulayout, uel, unit.id, where)
            unit = msgspec.structs.replace(unit, layout=tuple(ulayout))
        units.append(unit)
    return Count510(
        message_id=message_id,
        election=eid,
        contest_id=attr(cident, "Id", where),
        contest_name=opt_text(cident.find(e("ContestName"))),
        authority_id=authority_id,
        authority_name=authority_name,
        created=header.created or "",
        lists=tuple(layout),
        total=total,
        units=tuple(units),
    )


# ---------------------------------------------------------------- 230b / candidates


#: Optional in the XSD, but what a vote is counted by: a file without them cannot be used, so it is refused.
_NO_LIST_NUMBER = "AffiliationIdentifier without Id: the list number is what votes are counted by"
_NO_POSITION = "CandidateIdentifier without Id: the position on the list is what votes are counted by"


def _candidate(el: Element, where: str) -> Candidate:
    """A 230b/520 candidate. The name is optional in the 230b XSD: a candidate without CandidateFullName is
    read with an empty name (no report invents one); a PersonName present must have its xnl:LastName."""
    cid = child(el, _CID, where)
    raw_id = cid.get("Id")
    if raw_id is None:
        fail(where, cid, _NO_POSITION)
    position = int_value(raw_id, cid, "CandidateIdentifier Id", where)
    full_name = el.find(e("CandidateFullName"))
    person = full_name.find(xnl("PersonName")) if full_name is not None else None
    if person is None and full_name is not None:
        fail(where, full_name, "missing required element xnl:PersonName")
    initials = ""
    last = ""
    if person is not None:
        for line in person.iter(xnl("NameLine")):
            if line.get("NameType") == "Initials":
                initials = text(line)
        last = text(person.find(xnl("LastName")))
        if not last:
            fail(where, person, "missing or empty xnl:LastName")
    address = el.find(e("QualifyingAddress"))
    locality = country = None
    if address is not None:
        locality = opt_text(next(address.iter(xal("LocalityName")), None))
        country = opt_text(next(address.iter(xal("CountryNameCode")), None))
    short_code = cid.get("ShortCode") or opt_text(cid.find(e("ShortCode")))
    return Candidate(
        position=position,
        last_name=last,
        initials=initials,
        first_name=opt_text(person.find(xnl("FirstName"))) if person is not None else None,
        prefix=opt_text(person.find(xnl("NamePrefix"))) if person is not None else None,
        gender=opt_text(el.find(e("Gender"))),
        locality=locality,
        country=country,
        short_code=short_code,
    )


#: Read 230b files by the SHA-256 of their bytes (the struct is frozen, so sharing it is safe); a few at most.
_READ_230B: dict[bytes, CandidateLists230b] = {}
_KEEP_230B = 4


def _known_230b(data: bytes) -> tuple[bytes, CandidateLists230b | None]:
    key = hashlib.sha256(data).digest()
    return key, _READ_230B.get(key)


def _keep_230b(key: bytes, read: CandidateLists230b) -> CandidateLists230b:
    while len(_READ_230B) >= _KEEP_230B:
        del _READ_230B[next(iter(_READ_230B))]
    _READ_230B[key] = read
    return read


def read_230b(data: bytes, where: str = "<230b>") -> CandidateLists230b:
    """Candidate lists: one `District` per Contest, lists and candidates in file order."""
    key, known = _known_230b(data)
    if known is not None:
        return known
    root, message_id = _root(data, where, ("230b", "230c"))
    return _keep_230b(key, _read_230b(root, message_id, where))


def _read_230b(root: Element, message_id: str, where: str) -> CandidateLists230b:
    header = _header(root, message_id)
    cl = _body(root, "CandidateList", message_id, where)
    election = child(cl, e("Election"), where)
    eid = _election_id(child(election, e("ElectionIdentifier"), where), where)
    districts: list[District] = []
    for contest in election.findall(e("Contest")):
        cident = child(contest, e("ContestIdentifier"), where)
        lists: list[CandidateList] = []
        for aff in contest.findall(e("Affiliation")):
            aid = child(aff, _AFF, where)
            raw_number = aid.get("Id")
            if raw_number is None:
                fail(where, aid, _NO_LIST_NUMBER)
            number = int_value(raw_number, aid, "AffiliationIdentifier Id", where)
            if any(lst.number == number for lst in lists):
                fail(where, aid, f"list {number} occurs twice in this contest")
            candidates = tuple(fast_candidate(c) or _candidate(c, where) for c in aff.findall(_CAND))
            if not candidates:
                fail(where, aff, f"list {number} has no candidates")
            lists.append(
                CandidateList(
                    number=number,
                    name=text(aid.find(_RN)),
                    candidates=candidates,
                    list_type=opt_text(aff.find(e("Type"))),
                )
            )
        if not lists:
            fail(where, contest, "a contest without lists (Affiliation)")
        districts.append(
            District(
                id=DistrictId(attr(cident, "Id", where)),
                name=opt_text(cident.find(e("ContestName"))),
                lists=tuple(lists),
            )
        )
    if not districts:
        fail(where, election, "missing required element Contest")
    return CandidateLists230b(header=header, election=eid, districts=tuple(districts))


# ---------------------------------------------------------------- 110a / 110b


def read_110a(data: bytes, where: str = "<110a>") -> Definition110a:
    """Election definition: seats, preference threshold, the election tree and the registered parties."""
    root, message_id = _root(data, where, ("110a",))
    return _read_110a(root, message_id, where)


def _read_110a(root: Element, message_id: str, where: str) -> Definition110a:
    header = _header(root, message_id)
    election = child(_body(root, "ElectionEvent", message_id, where), e("Election"), where)
    eid = _election_id(child(election, e("ElectionIdentifier"), where), where)
    contest = child(election, e("Contest"), where)
    cident = child(contest, e("ContestIdentifier"), where)
    seats_el = child(election, kr("NumberOfSeats"), where)
    threshold_el = child(election, kr("PreferenceThreshold"), where)
    seats = int_text(seats_el, where)
    if seats < 1:
        fail(where, seats_el, "the number of seats must be at least 1")
    tree = child(election, kr("ElectionTree"), where)
    regions: list[Region] = []
    for r in tree.findall(kr("Region")):
        regions.append(
            Region(
                number=_opt_attr(r, "RegionNumber"),
                category=attr(r, "RegionCategory", where),
                name=text(r.find(kr("RegionName"))),
                superior_number=r.get("SuperiorRegionNumber"),
                superior_category=r.get("SuperiorRegionCategory"),
                committees=tuple(c.get("CommitteeCategory", "") for c in r.findall(kr("Committee"))),
            )
        )
    if not regions:
        fail(where, tree, "the election tree has no kr:Region")
    parties = tuple(text(p) for p in election.iter(kr("RegisteredAppellation")))
    return Definition110a(
        header=header,
        election=eid,
        contest_id=attr(cident, "Id", where),
        seats=seats,
        preference_threshold=int_text(threshold_el, where),
        regions=tuple(regions),
        registered_parties=parties,
        voting_method=opt_text(contest.find(e("VotingMethod"))),
    )


def _opt_attr(el: Element, name: str) -> str | None:
    """An optional attribute, stripped; None when absent or blank."""
    value: str | None = el.get(name)
    return value.strip() or None if value is not None else None


def read_110b(data: bytes, where: str = "<110b>") -> PollingStations110b:
    """Polling stations of one municipality, each with its eligible voters (None when left empty)."""
    root, message_id = _root(data, where, ("110b",))
    return _read_110b(root, message_id, where)


def _read_110b(root: Element, message_id: str, where: str) -> PollingStations110b:
    header = _header(root, message_id)
    election = child(_body(root, "ElectionEvent", message_id, where), e("Election"), where)
    eid = _election_id(child(election, e("ElectionIdentifier"), where), where)
    contest = child(election, e("Contest"), where)
    cident = child(contest, e("ContestIdentifier"), where)
    ru = child(child(contest, e("ReportingUnit"), where), _RUI, where)
    municipality = attr(ru, "Id", where)
    max_el = contest.find(e("MaxVotes"))
    max_votes = int_text(max_el, where) if max_el is not None and text(max_el) else None
    stations: list[Station] = []
    for place in contest.findall(e("PollingPlace")):
        ps = next(place.iter(e("PollingStation")), None)
        if ps is None:
            fail(where, place, "missing required element PollingStation")
        number = int_value(attr(ps, "Id", where), ps, "PollingStation Id", where)
        voters = int_text(ps, where) if text(ps) else None
        if any(s.number == number for s in stations):
            fail(where, ps, f"polling station {number} occurs twice")
        name = opt_text(next(place.iter(xal("LocalityName")), None))
        if name is None:
            fail(where, place, "missing xal:LocalityName (the station's name)")
        stations.append(
            Station(
                id=StationId(f"{municipality}::SB{number}"),
                number=number,
                name=name,
                postal_code=opt_text(next(place.iter(xal("PostalCodeNumber")), None)),
                eligible_voters=voters,
            )
        )
    if not stations:
        fail(where, contest, "no PollingPlace: a 110b lists at least one polling station")
    return PollingStations110b(
        header=header,
        election=eid,
        contest_id=attr(cident, "Id", where),
        municipality_id=municipality,
        municipality_name=text(ru),
        max_votes=max_votes,
        stations=tuple(stations),
    )


# ---------------------------------------------------------------- 520


def read_520(data: bytes, where: str = "<520>") -> Result520:
    """Result: the elected lists and candidates (with name, gender, locality) of the contest."""
    root, message_id = _root(data, where, ("520",))
    return _read_520(root, message_id, where)


def _read_520(root: Element, message_id: str, where: str) -> Result520:
    header = _header(root, message_id)
    election = child(_body(root, "Result", message_id, where), e("Election"), where)
    eid = _election_id(child(election, e("ElectionIdentifier"), where), where)
    contests = election.findall(e("Contest"))
    if len(contests) != 1:
        fail(where, election, f"expected one Contest, found {len(contests)}")
    contest = contests[0]
    cident = child(contest, e("ContestIdentifier"), where)
    lists: list[tuple[int, str]] = []
    elected: list[Elected520] = []
    for sel in contest.findall(_SEL):
        aff = sel.find(_AFF)
        ranking_el = sel.find(e("Ranking"))
        ranking = int_text(ranking_el, where) if ranking_el is not None else None
        if aff is not None:
            number = int_value(attr(aff, "Id", where), aff, "AffiliationIdentifier Id", where)
            lists.append((number, text(aff.find(_RN))))
            continue
        cand = sel.find(_CAND)
        if cand is None:
            fail(where, sel, "a Selection needs an AffiliationIdentifier or a Candidate")
        if not lists:
            fail(where, sel, "a candidate Selection before any list Selection")
        elected.append(
            Elected520(list_number=lists[-1][0], candidate=_candidate(cand, where), ranking=ranking)
        )
    return Result520(
        header=header,
        election=eid,
        contest_id=attr(cident, "Id", where),
        contest_name=opt_text(cident.find(e("ContestName"))),
        lists=tuple(lists),
        elected=tuple(elected),
    )


# ---------------------------------------------------------------- any


_READERS: dict[str, Callable[[Element, str, str], EmlMessage]] = {
    "110a": _read_110a,
    "110b": _read_110b,
    "230b": _read_230b,
    "230c": _read_230b,
    "520": _read_520,
}


def message_type(data: bytes, where: str = "<eml>") -> str:
    """The EML message id (`510b`, `230b`, …) of a file, after checking it is EML_NL at all."""
    return _root(data, where)[1]


def read_eml(data: bytes, where: str = "<eml>") -> EmlMessage:
    """Read any supported message, dispatching on the root's Id."""
    fast = _read_510_raw(data, where)
    if fast is not None:
        return fast
    key, known = _known_230b(data) if b'Id="230' in data[:4096] else (b"", None)
    if known is not None:
        return known
    root, mid = _root(data, where)
    if mid.startswith("510") and len(mid) == 4:
        return _read_510(root, mid, where)
    if key and mid in ("230b", "230c"):
        return _keep_230b(key, _read_230b(root, mid, where))
    reader = _READERS.get(mid)
    if reader is None:
        raise EmlError(
            f"EML message type {mid} is not supported (110a, 110b, 230b, 510a-d, 520)", where=where
        )
    return reader(root, mid, where)
