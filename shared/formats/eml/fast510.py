"""The fast paths for the body of a 510: a raw scan of the bytes, else one XSLT pass over the tree.

The raw path (`split_body`, `read_body`) is described below, where it starts; it reads a national 510b about
8× faster than the XSLT pass, because it does not even build the tree of the Selections.

The XSLT path: one pass in C turns all selections into tab-separated lines.

Walking ~13,000 selections of a TK municipality file through lxml element proxies costs ~80 ms of Python;
libxslt does the same walk in one pass in C and leaves Python a split per line (measured: also faster than a
set of compiled XPath queries, which each walk the tree again). The stylesheet matches by namespace URI, so
prefixes do not matter, and `normalize-space` is the schema's own xs:token rule for names and numbers. It only
extracts: a Selection that is not exactly (list with Id | candidate with only an Id, ValidVotes) becomes an
`X` line (so a ShortCode, as in the national 510d, takes the element walk, which keeps it), and any line
that is not exactly what the reader expects makes that unit None, so the caller re-reads it on the element
path, which raises the precise error (line, element, rule).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.domain.tally import ListTally
from shared.formats.eml.model import (
    ADMISSION_CODES,
    EXPLANATION_CODES,
    INVESTIGATION_CODES,
    ListLayout,
    UnitVotes,
    missing_admissions,
    tally_of,
)
from shared.formats.eml.xml import EML_NS, MAX_DIGITS, Element, is_number

_XSL = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:e="{EML_NS}">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/">
<xsl:for-each select="/e:EML/e:Count/e:Election/e:Contests/e:Contest[1]/*
  [self::e:TotalVotes or self::e:ReportingUnitVotes]">
<xsl:text>U&#9;</xsl:text><xsl:value-of select="normalize-space(e:ReportingUnitIdentifier/@Id)"/>
<xsl:text>&#9;</xsl:text><xsl:value-of select="normalize-space(e:ReportingUnitIdentifier)"/>
<xsl:text>&#10;</xsl:text>
<xsl:for-each select="*">
<xsl:choose>
<xsl:when test="self::e:Selection[count(*) = 2 and e:ValidVotes and e:AffiliationIdentifier]">
<xsl:text>A&#9;</xsl:text><xsl:value-of select="normalize-space(e:AffiliationIdentifier/@Id)"/>
<xsl:text>&#9;</xsl:text><xsl:value-of select="normalize-space(e:ValidVotes)"/>
<xsl:text>&#9;</xsl:text><xsl:value-of select="normalize-space(e:AffiliationIdentifier/e:RegisteredName)"/>
<xsl:text>&#10;</xsl:text></xsl:when>
<xsl:when test="self::e:Selection[count(*) = 2 and e:ValidVotes
  and e:Candidate/e:CandidateIdentifier[@Id and not(@ShortCode) and not(*)]]">
<xsl:text>C&#9;</xsl:text><xsl:value-of select="normalize-space(e:Candidate/e:CandidateIdentifier/@Id)"/>
<xsl:text>&#9;</xsl:text><xsl:value-of select="normalize-space(e:ValidVotes)"/>
<xsl:text>&#10;</xsl:text></xsl:when>
<xsl:when test="self::e:Selection or local-name() = 'ReportingUnitInvestigations'"><xsl:text>X&#10;</xsl:text>
</xsl:when>
<xsl:when test="self::e:Cast"><xsl:text>K&#9;</xsl:text><xsl:value-of select="normalize-space(.)"/>
<xsl:text>&#10;</xsl:text></xsl:when>
<xsl:when test="self::e:TotalCounted"><xsl:text>N&#9;</xsl:text><xsl:value-of select="normalize-space(.)"/>
<xsl:text>&#10;</xsl:text></xsl:when>
<xsl:when test="self::e:RejectedVotes"><xsl:text>R&#9;</xsl:text>
<xsl:value-of select="normalize-space(@ReasonCode)"/><xsl:text>&#9;</xsl:text>
<xsl:value-of select="normalize-space(.)"/><xsl:text>&#10;</xsl:text></xsl:when>
<xsl:when test="self::e:UncountedVotes"><xsl:text>Q&#9;</xsl:text>
<xsl:value-of select="normalize-space(@ReasonCode)"/><xsl:text>&#9;</xsl:text>
<xsl:value-of select="normalize-space(.)"/><xsl:text>&#10;</xsl:text></xsl:when>
</xsl:choose>
</xsl:for-each>
</xsl:for-each>
</xsl:template>
</xsl:stylesheet>"""

_transform: Any = None
_ADMISSION = dict(ADMISSION_CODES)
_EXPLANATION = frozenset(EXPLANATION_CODES)
_INVESTIGATION = frozenset(INVESTIGATION_CODES)

UnitRead = tuple[UnitVotes, list[ListLayout]]


def _get_transform() -> Any:
    global _transform
    if _transform is None:
        _transform = etree.XSLT(etree.XML(_XSL.encode()), access_control=etree.XSLTAccessControl.DENY_ALL)
    return _transform


def _nat(s: str) -> int | None:
    return int(s) if is_number(s) else None


def extract_units(root: Element, total_id: str, total_name: str) -> list[UnitRead | None]:
    """One entry per TotalVotes/ReportingUnitVotes of the first Contest, in order; None: read it slowly."""
    out_text = str(_get_transform()(root.getroottree()))
    results: list[UnitRead | None] = []
    for block in ("\n" + out_text).split("\nU\t")[1:]:
        results.append(_unit(block, total_id, total_name, first=not results))
    return results


def _unit(block: str, total_id: str, total_name: str, *, first: bool) -> UnitRead | None:
    lines = block.split("\n")
    head = lines[0].split("\t")
    if len(head) != 2:
        return None
    uid, uname = head[0], " ".join(head[1].split())  # xs:token as `xml.text` applies it (NBSP, NEL too)
    if first and not uid:
        uid, uname = total_id, total_name
    elif not uid:
        return None
    layout: list[ListLayout] = []
    tallies: list[ListTally] = []
    number = -1
    name = ""
    list_votes = 0
    positions: list[int] = []
    votes: list[int] = []
    cast: int | None = None
    counted: int | None = None
    rejected: dict[str, int] = {}
    uncounted: dict[str, int] = {}
    for line in lines[1:]:
        if not line:
            continue
        f = line.split("\t")
        kind = f[0]
        if kind == "C":
            if number < 0 or len(f) != 3:
                return None
            ps, vs = f[1], f[2]
            if not (is_number(ps) and is_number(vs)):
                return None
            positions.append(int(ps))
            votes.append(int(vs))
        elif kind == "A":
            if len(f) != 4:
                return None
            n, v = _nat(f[1]), _nat(f[2])
            if n is None or v is None:
                return None
            if number >= 0:
                layout.append(ListLayout(number, name, tuple(positions)))
                tallies.append(ListTally(number, list_votes, tuple(votes)))
            number, list_votes, name, positions, votes = n, v, " ".join(f[3].split()), [], []
        elif kind in ("K", "N"):
            if len(f) != 2 or (cast if kind == "K" else counted) is not None:
                return None
            value = _nat(f[1])
            if value is None:
                return None
            if kind == "K":
                cast = value
            else:
                counted = value
        elif kind in ("R", "Q"):
            if len(f) != 3:
                return None
            code, amount = f[1], _nat(f[2])
            target = rejected if kind == "R" else uncounted
            if amount is None or code in target:
                return None
            if kind == "R" and code not in ("blanco", "ongeldig"):
                return None
            if kind == "Q" and code not in _ADMISSION and code not in _EXPLANATION:
                return None
            target[code] = amount
        else:
            return None
    if number >= 0:
        layout.append(ListLayout(number, name, tuple(positions)))
        tallies.append(ListTally(number, list_votes, tuple(votes)))
    if cast is None or counted is None or len(rejected) != 2:
        return None
    tally = tally_of(cast, rejected, uncounted, tuple(tallies))
    unit = UnitVotes(
        id=uid,
        name=uname,
        tally=tally,
        total_counted=counted,
        has_admissions=any(code in uncounted for code in _ADMISSION),
        missing_admissions=missing_admissions(uncounted),
    )
    return unit, layout


# ---------------------------------------------------------------- the raw path: no tree for the body at all
#
# A national 510b is ~1 GB of Selections; building the lxml tree alone costs more than reading the numbers.
# For the form every writer we know produces (ours and the Kiesraad's: unprefixed tags, no comments, CDATA,
# processing instructions or character references), the body of the Contest is cut out of the bytes, checked
# against a strict grammar that covers every byte of it, and read with a few C-level regex scans; the rest of
# the file (header, election, contest identifier) is parsed by lxml as before. Why that is the same document:
#   - with no `<!` and no `<?` but the XML declaration, every `<` in the file starts a tag (text and attribute
#     values cannot hold one), so the only `</ContestIdentifier>` and the only `</Contest>` are end tags of
#     elements named exactly so;
#   - the reader checks in the tree of the rest (`skeleton_holds`) that these are the one Contest (unprefixed,
#     in the EML namespace, UTF-8) and its only child, its ContestIdentifier, so the cut lies inside that
#     Contest, right after its identifier;
#   - the grammar admits only unprefixed tags without namespace declarations — and, at the end of a unit, the
#     `kr:ReportingUnitInvestigations` flags, read only when the reader has checked that the Contest binds
#     `kr` to the Kiesraad's namespace — properly nested, and text
#     without `<`, `>` or `&` but the five predefined entities, so the body is well-formed content in the EML
#     namespace, and the values read are the ones the element walk reads (same strip / xs:token rules).
# Anything else (another order, an unknown element, a comment, a layout that differs, a unit twice …) gives
# None, and the file is read on the tree paths, which also name any error precisely.

_W = rb"[ \t\r\n]*+"
_NUM = rb"[0-9]++"
_TEXT = rb"(?:[^<&>\x00-\x08\x0b\x0c\x0e-\x1f]|&(?:amp|lt|gt|quot|apos);)*+"
_ATTR = rb'[^"<&\t\r\n]*+'


def _counter(tag: bytes, attribute: bytes = b"") -> bytes:
    return b"<" + tag + attribute + b">" + _W + _NUM + _W + b"</" + tag + b">" + _W


_VOTES = _counter(b"ValidVotes")
_CANDIDATE = (
    b"<Selection>" + _W + b"<Candidate>" + _W + b'<CandidateIdentifier Id="' + _NUM + b'"' + _W
    + b"(?:/>|></CandidateIdentifier>)" + _W + b"</Candidate>" + _W + _VOTES + b"</Selection>" + _W
)  # fmt: skip
_LIST = (
    b"<Selection>" + _W + b'<AffiliationIdentifier Id="' + _NUM + b'"' + _W + b">" + _W + b"<RegisteredName>"
    + _TEXT + b"</RegisteredName>" + _W + b"</AffiliationIdentifier>" + _W + _VOTES + b"</Selection>" + _W
)  # fmt: skip
_UNIT_BODY = (
    b"(?:" + _LIST + b"(?:" + _CANDIDATE + b")*+)*+" + _counter(b"Cast") + _counter(b"TotalCounted")
    + _counter(b"RejectedVotes", b' ReasonCode="(?:blanco|ongeldig)"') * 2
    + b"(?:" + _counter(b"UncountedVotes", b' ReasonCode="[a-z ]++"') + b")*+"
)  # fmt: skip
#: A unit's investigation flags, where the v1.2.2 XSD puts them (docs/eml.md): up to three booleans.
_INVESTIGATIONS = (
    b"(?:<kr:ReportingUnitInvestigations>" + _W
    + b'(?:<kr:Investigation ReasonCode="[a-z ]++">' + _W + b"(?:true|false)" + _W
    + b"</kr:Investigation>" + _W + b"){0,3}+</kr:ReportingUnitInvestigations>" + _W + b")?+"
)  # fmt: skip
_BODY = re.compile(
    _W + b"<TotalVotes>" + _W + _UNIT_BODY + b"</TotalVotes>" + _W
    + b"(?:<ReportingUnitVotes>" + _W + b'<ReportingUnitIdentifier Id="' + _ATTR + b'"' + _W + b">" + _TEXT
    + b"</ReportingUnitIdentifier>" + _W + _UNIT_BODY + _INVESTIGATIONS + b"</ReportingUnitVotes>" + _W
    + b")*+"
)  # fmt: skip
_FLAG = re.compile(rb'<kr:Investigation ReasonCode="([a-z ]+)">[ \t\r\n]*(true|false)')
#: Where a body holds flags, the prefix they use (the reader checks what the Contest binds it to).
FLAG_PREFIX = b"<kr:"
# Once a body matched _BODY, these plain scans cannot be fooled: each token is only where the grammar put it.
_UNIT_START = b"<ReportingUnitVotes>"
_IDENT = re.compile(_W + b'<ReportingUnitIdentifier Id="(' + _ATTR + b')"' + _W + b">(" + _TEXT + b")<")
_IDS = re.compile(rb'<(?:Affiliation|Candidate)Identifier Id="[0-9]+"')
_LIST_ID, _CANDIDATE_ID = len(b'<AffiliationIdentifier Id="'), len(b'<CandidateIdentifier Id="')
_VV = re.compile(rb"<ValidVotes>[ \t\r\n]*([0-9]+)")
_NAMES = re.compile(b"<RegisteredName>(" + _TEXT + b")</RegisteredName>")
_TAIL = re.compile(
    rb'<(Cast|TotalCounted|RejectedVotes|UncountedVotes)(?: ReasonCode="([a-z ]+)")?>[ \t\r\n]*([0-9]+)'
)
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_DIGITS + 1))
_END_IDENT, _END_CONTEST = b"</ContestIdentifier>", b"</Contest>"
_ENTITIES = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"), (b"&amp;", b"&"))
_XML_SPACE = (b" ", b"\t", b"\r", b"\n")
_END_SELECTION = b"</Selection>"


def split_body(data: bytes) -> tuple[bytes, bytes] | None:
    """(the file without the body of its Contest, that body) when the raw path may apply, else None.

    The caller parses the first part and must check `skeleton_holds` on its tree, and `read_body` the body
    against the grammar, before reading anything from it. Only the two small parts around the body are
    scanned here for `<!`, `<?` and the markers: the grammar admits none of them inside the body."""
    a = data.find(_END_IDENT)
    b = data.rfind(_END_CONTEST)
    if a < 0 or b < a:
        return None
    i = a + len(_END_IDENT)
    head, tail = data[:i], data[b:]
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if b"<!" in head or b"<!" in tail or b"<?" in tail or _END_CONTEST in head:
        return None  # a comment, CDATA section, DOCTYPE or processing instruction: leave it to the parser
    declarations = head.count(b"<?")
    if declarations > 1 or (
        declarations == 1
        and not (head.startswith(b"<?xml", start) and head[start + 5 : start + 6] in _XML_SPACE)
    ):
        return None
    if tail.find(_END_IDENT) >= 0:
        return None  # the first `</ContestIdentifier>` is data.find's, so only the tail may hold another
    return head + tail, data[i:b]


def skeleton_holds(root: Element, contest: Element) -> bool:
    """The cut of `split_body` lies in `contest`, right after its identifier, in a UTF-8 document.

    `contest` must be the only element named `Contest` and its only child the only one named
    `ContestIdentifier` (both unprefixed, so the markers are their end tags)."""
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    if encoding.upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        return False
    if contest.prefix is not None or contest.tag != f"{{{EML_NS}}}Contest" or len(contest) != 1:
        return False
    ident = contest[0]
    if ident.prefix is not None or ident.tag != f"{{{EML_NS}}}ContestIdentifier":
        return False
    named = 0
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and el.prefix is None and tag.rsplit("}", 1)[-1] in _MARKED:
            named += 1
    return named == 2


_MARKED = frozenset(("Contest", "ContestIdentifier"))


def _decode(raw: bytes) -> str | None:
    """Text or attribute bytes as the parser gives them: UTF-8, the five entities replaced."""
    if b"&" in raw:
        for entity, char in _ENTITIES:
            raw = raw.replace(entity, char)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _token(value: str) -> str:
    """xs:token as `xml.text` applies it."""
    return " ".join(value.split())


def read_body(body: bytes, total_id: str, total_name: str) -> list[UnitRead] | None:
    """The units (TotalVotes first) of a body cut out by `split_body`, or None: read the file on a tree."""
    if _BODY.fullmatch(body) is None or _LONG_NUMBER.search(body):
        return None  # a number longer than MAX_DIGITS: the tree path refuses it by name
    if not body.isascii():
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if "\ufffe" in decoded or "\uffff" in decoded:
            return None  # not XML characters
    parts = body.split(_UNIT_START)
    signature = _IDS.findall(parts[0])
    names = _NAMES.findall(parts[0])
    starts = [k for k, s in enumerate(signature) if s[1] == 65]  # b"<A…": a list's own selection
    if len(starts) != len(names):
        return None
    ends = [*starts[1:], len(signature)]
    layout: list[ListLayout] = []
    for start, end, raw_name in zip(starts, ends, names, strict=True):
        name = _decode(raw_name)
        if name is None:
            return None
        positions = tuple(int(s[_CANDIDATE_ID:-1]) for s in signature[start + 1 : end])
        layout.append(ListLayout(int(signature[start][_LIST_ID:-1]), _token(name), positions))
    spans = [(lst.number, start, end) for lst, start, end in zip(layout, starts, ends, strict=True)]
    results: list[UnitRead] = []
    seen: set[str] = set()
    for index, part in enumerate(parts):
        if index == 0:
            uid, uname = total_id, total_name
        else:
            if _IDS.findall(part) != signature:
                return None  # another layout: the tree path names the difference
            head = _IDENT.match(part)
            if head is None:
                return None
            raw_id, raw_uname = _decode(head[1]), _decode(head[2])
            if raw_id is None or raw_uname is None:
                return None
            uid, uname = raw_id.strip(), _token(raw_uname)
            if uid in seen or not uid:
                return None
            seen.add(uid)
        unit = _unit_votes(part, uid, uname, spans, len(signature))
        if unit is None:
            return None
        results.append((unit, layout))
    return results


def _unit_votes(
    part: bytes, uid: str, uname: str, spans: list[tuple[int, int, int]], selections: int
) -> UnitVotes | None:
    votes = list(map(int, _VV.findall(part)))
    if len(votes) != selections:
        return None
    lists = tuple(
        ListTally(number, votes[start], tuple(votes[start + 1 : end])) for number, start, end in spans
    )
    tail = part[part.rfind(_END_SELECTION) + len(_END_SELECTION) :] if selections else part
    cast: int | None = None
    counted: int | None = None
    rejected: dict[str, int] = {}
    uncounted: dict[str, int] = {}
    for tag, raw_code, raw_value in _TAIL.findall(tail):
        value = int(raw_value)
        if tag == b"Cast":
            cast = value
        elif tag == b"TotalCounted":
            counted = value
        else:
            code = raw_code.decode("ascii")
            target = rejected if tag == b"RejectedVotes" else uncounted
            if code in target or (
                target is uncounted and code not in _ADMISSION and code not in _EXPLANATION
            ):
                return None
            target[code] = value
    if cast is None or counted is None or len(rejected) != 2:
        return None
    flags = tuple((code.decode("ascii"), value == b"true") for code, value in _FLAG.findall(tail))
    codes = [code for code, _ in flags]
    if len(set(codes)) != len(codes) or not set(codes) <= _INVESTIGATION:
        return None  # the element walk names the rule
    tally = tally_of(cast, rejected, uncounted, lists)
    return UnitVotes(
        id=uid,
        name=uname,
        tally=tally,
        total_counted=counted,
        has_admissions=any(code in uncounted for code in _ADMISSION),
        missing_admissions=missing_admissions(uncounted),
        investigations=flags,
    )
