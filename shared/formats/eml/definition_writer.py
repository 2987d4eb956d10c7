"""Write the election definition files (EML 110a, 230b, 110b) for an `Election`, e.g. a generated one.

Why: every tier starts by importing 110a + 230b (and the municipality its 110b) with a typed hash check,
so the demo must hand them real files — as the Kiesraad would publish them, valid against the EML_NL v1.2.2
schema and read back by `shared.formats.eml.read` to the same election. The layout follows the real files
in `shared/data/eml/samples` (Juinen for a municipal council, PS2023 Gelderland for a tree with
kieskringen): namespaces declared once on the root with the Kiesraad's prefixes, two-space indentation,
UTF-8 with an XML declaration.

Bytes are deterministic: the creation time is passed in (never read from the clock), so the same election and
time give the same file and the same hash code.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from shared.domain.election import Candidate, Election, Municipality
from shared.formats.eml.xml import C14N_WITH_COMMENTS, DS_NS, EML_NS, KR_NS, XAL_NS, XNL_NS, e, kr, xal, xnl

Element = ET.Element

#: The prefixes the Kiesraad writes; EML core is the default namespace. Declared once, on the root.
_PREFIX = {EML_NS: "", DS_NS: "ds:", KR_NS: "kr:", XAL_NS: "xal:", XNL_NS: "xnl:"}
_DECLARATIONS = (
    f' xmlns="{EML_NS}" xmlns:ds="{DS_NS}" xmlns:kr="{KR_NS}" xmlns:xal="{XAL_NS}" xmlns:xnl="{XNL_NS}"'
)
#: The Kiesraad (the central polling office for the Tweede Kamer and the European Parliament).
KIESRAAD = ("CSB", "De Kiesraad")


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _root(message_id: str) -> Element:
    return ET.Element(e("EML"), {"Id": message_id, "SchemaVersion": "5"})


def _qname(tag: str) -> str:
    uri, _, local = tag[1:].partition("}")
    return _PREFIX[uri] + local


def _write(el: Element, depth: int, out: list[str]) -> None:
    """Serialise with the Kiesraad's prefixes (ElementTree can't mix a default namespace, bare attributes)."""
    name = _qname(el.tag)
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in el.attrib.items())
    if depth == 0:
        attrs = _DECLARATIONS + attrs
    pad = "  " * depth
    if len(el):
        out.append(f"{pad}<{name}{attrs}>\n")
        for c in el:
            _write(c, depth + 1, out)
        out.append(f"{pad}</{name}>\n")
    elif el.text:
        out.append(f"{pad}<{name}{attrs}>{escape(el.text)}</{name}>\n")
    else:
        out.append(f"{pad}<{name}{attrs}/>\n")


def _serialise(root: Element) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, 0, out)
    return "".join(out).encode("utf-8")


def _authority(election: Election) -> tuple[str, str]:
    """The body that issues the definition: the municipality for its council (GR), else the Kiesraad."""
    if election.category == "GR" and election.municipalities:
        m = election.municipalities[0]
        return m.code, m.name
    return KIESRAAD


def _header(
    root: Element, *, authority: tuple[str, str] | None, issue_date: str | None, created: str
) -> None:
    _sub(root, e("TransactionId"), "1")
    if authority is not None:
        ma = _sub(root, e("ManagingAuthority"))
        _sub(ma, e("AuthorityIdentifier"), authority[1], Id=authority[0])
        _sub(ma, e("AuthorityAddress"))
    if issue_date is not None:
        _sub(root, e("IssueDate"), issue_date)
    _sub(root, kr("CreationDateTime"), created)


def _canonicalization(root: Element) -> None:
    _sub(root, f"{{{DS_NS}}}CanonicalizationMethod", Algorithm=C14N_WITH_COMMENTS)


def _domain_name(election: Election) -> str:
    if election.category == "GR" and election.municipalities:
        return election.municipalities[0].name
    return election.domain or ""


def _election_identifier(
    parent: Element, election: Election, *, name: bool = True, domain: bool = True, nomination: bool = True
) -> None:
    ident = _sub(parent, e("ElectionIdentifier"), Id=election.id)
    if name:
        _sub(ident, e("ElectionName"), election.name)
    _sub(ident, e("ElectionCategory"), election.category)
    if election.subcategory:
        _sub(ident, kr("ElectionSubcategory"), election.subcategory)
    if domain and election.domain:
        _sub(ident, kr("ElectionDomain"), _domain_name(election), Id=election.domain)
    _sub(ident, kr("ElectionDate"), election.date)
    if nomination and election.nomination_date:
        _sub(ident, kr("NominationDate"), election.nomination_date)


def _region_number(code: str) -> str:
    """CBS municipality code without leading zeros, as the 110a election tree writes it (0668 → 668)."""
    return str(int(code))


def write_110a(election: Election, *, created: str, issue_date: str | None = None) -> bytes:
    """The election definition: seats, preference threshold, election tree and registered parties.

    The tree holds one GEMEENTE region for a municipal council (with its CSB and HSB committees), or the state
    with its kieskringen (each with an HSB) and their municipalities for a national election.
    """
    root = _root("110a")
    _header(root, authority=None, issue_date=issue_date or election.date, created=created)
    event = _sub(root, e("ElectionEvent"))
    _sub(event, e("EventIdentifier"))
    el = _sub(event, e("Election"))
    _election_identifier(el, election)
    contest = _sub(el, e("Contest"))
    single = len(election.districts) == 1
    _sub(contest, e("ContestIdentifier"), Id=election.districts[0].id if single else "alle")
    _sub(contest, e("VotingMethod"), "SPV")
    _sub(contest, e("MaxVotes"), "")
    _sub(el, kr("NumberOfSeats"), str(election.seats))
    _sub(el, kr("PreferenceThreshold"), str(election.preference_threshold))
    tree = _sub(el, kr("ElectionTree"))
    if election.category == "GR":
        for m in election.municipalities:
            region = _sub(tree, kr("Region"), RegionNumber=_region_number(m.code), RegionCategory="GEMEENTE")
            _sub(region, kr("RegionName"), m.name)
            _sub(region, kr("Committee"), CommitteeCategory="CSB")
            _sub(region, kr("Committee"), CommitteeCategory="HSB")
    else:
        # The real form (TK2025, and the Kiesraad's libraries): the state has no RegionNumber, so a kieskring
        # names its superior by category only.
        state = _sub(tree, kr("Region"), RegionCategory="STAAT")
        _sub(state, kr("RegionName"), "Nederland")
        _sub(state, kr("Committee"), CommitteeCategory="CSB", CommitteeName="De Kiesraad")
        for d in election.districts:
            region = _sub(
                tree,
                kr("Region"),
                RegionNumber=d.id,
                RegionCategory="KIESKRING",
                SuperiorRegionCategory="STAAT",
            )
            _sub(region, kr("RegionName"), d.name or d.id)
            _sub(region, kr("Committee"), CommitteeCategory="HSB")
        for m in election.municipalities:
            region = _sub(
                tree,
                kr("Region"),
                RegionNumber=_region_number(m.code),
                RegionCategory="GEMEENTE",
                SuperiorRegionNumber=m.district_id,
                SuperiorRegionCategory="KIESKRING",
            )
            _sub(region, kr("RegionName"), m.name)
    parties = _sub(el, kr("RegisteredParties"))
    seen: set[str] = set()
    for d in election.districts:
        for lst in d.lists:
            if lst.name and lst.name not in seen:
                seen.add(lst.name)
                _sub(_sub(parties, kr("RegisteredParty")), kr("RegisteredAppellation"), lst.name)
    return _serialise(root)


def _candidate(parent: Element, c: Candidate) -> None:
    el = _sub(parent, e("Candidate"))
    _sub(el, e("CandidateIdentifier"), Id=str(c.position))
    person = _sub(_sub(el, e("CandidateFullName")), xnl("PersonName"))
    _sub(person, xnl("NameLine"), c.initials, NameType="Initials")
    if c.first_name:
        _sub(person, xnl("FirstName"), c.first_name)
    if c.prefix:
        _sub(person, xnl("NamePrefix"), c.prefix)
    _sub(person, xnl("LastName"), c.last_name)
    if c.gender:
        _sub(el, e("Gender"), c.gender)
    if c.locality:
        address = _sub(el, e("QualifyingAddress"))
        if c.country:
            country = _sub(address, xal("Country"))
            _sub(country, xal("CountryNameCode"), c.country)
            _sub(_sub(country, xal("Locality")), xal("LocalityName"), c.locality)
        else:
            _sub(_sub(address, xal("Locality")), xal("LocalityName"), c.locality)


def write_230b(
    election: Election, *, created: str, issue_date: str | None = None, district_id: str | None = None
) -> bytes:
    """The candidate lists: a Contest per district (or only `district_id`), lists and candidates in order."""
    root = _root("230b")
    _header(root, authority=_authority(election), issue_date=issue_date or election.date, created=created)
    _canonicalization(root)
    el = _sub(_sub(root, e("CandidateList")), e("Election"))
    _election_identifier(el, election)
    for d in election.districts:
        if district_id is not None and d.id != district_id:
            continue
        contest = _sub(el, e("Contest"))
        cid = _sub(contest, e("ContestIdentifier"), Id=d.id)
        if d.name:
            _sub(cid, e("ContestName"), d.name)
        for lst in d.lists:
            aff = _sub(contest, e("Affiliation"))
            aid = _sub(aff, e("AffiliationIdentifier"), Id=str(lst.number))
            _sub(aid, e("RegisteredName"), lst.name)
            _sub(aff, e("Type"), lst.list_type or "op zichzelf staande lijst")
            _sub(aff, kr("ListData"), PublicationLanguage="nl", PublishGender="true")
            for c in lst.candidates:
                _candidate(aff, c)
    return _serialise(root)


def write_110b(election: Election, municipality: Municipality | str, *, created: str) -> bytes:
    """A municipality's polling stations with their eligible voters; MaxVotes is the municipal electorate."""
    m = election.municipality(municipality) if isinstance(municipality, str) else municipality
    root = _root("110b")
    _header(root, authority=(m.code, m.name), issue_date=None, created=created)
    _canonicalization(root)
    event = _sub(root, e("ElectionEvent"))
    _sub(event, e("EventIdentifier"))
    el = _sub(event, e("Election"))
    _election_identifier(el, election, domain=False, nomination=False)
    contest = _sub(el, e("Contest"))
    _sub(contest, e("ContestIdentifier"), Id="geen")  # the 110b schema fixes it; the tree names the district
    _sub(_sub(contest, e("ReportingUnit")), e("ReportingUnitIdentifier"), m.name, Id=m.code)
    _sub(contest, e("VotingMethod"), "SPV")
    _sub(contest, e("MaxVotes"), str(m.eligible_voters()))
    for s in m.stations:
        place = _sub(contest, e("PollingPlace"), Channel="polling")
        location = _sub(place, e("PhysicalLocation"))
        locality = _sub(_sub(location, e("Address")), e("Locality"))
        _sub(locality, xal("LocalityName"), s.name)
        if s.postal_code:
            _sub(_sub(locality, xal("PostalCode")), xal("PostalCodeNumber"), s.postal_code)
        # The XSD wants digits here: a station without its own number is written 0, as a TK 510b has it.
        _sub(location, e("PollingStation"), str(s.eligible_voters or 0), Id=str(s.number))
    return _serialise(root)
