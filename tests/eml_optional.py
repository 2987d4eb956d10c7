"""What the EML_NL XSDs let a file leave out, found with the XSDs themselves, and files that leave it out.

Reading the schema text for `minOccurs="0"` and attributes without `use="required"` misses what types,
groups, choices and restrictions decide (an element optional in one type is required in another). So this
asks the validator: for a base file of each message type (a generated one and small real ones), every distinct
element path and attribute is removed everywhere it occurs; when the file is still valid against the v1.2.2
XSD, that part is optional there, and our reader must read the file without it. `tests/test_eml_optional.py`
runs every such file through the readers; `python -m tests.eml_optional` prints the list kept in docs/eml.md.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.domain.generate import generate_municipal
from shared.domain.tally import add_tallies
from shared.formats.eml.definition_writer import write_110a, write_110b, write_230b
from shared.formats.eml.model import Count510, ElectedCandidate, ResultInput
from shared.formats.eml.schema import validate_root
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510, write_520
from shared.formats.eml.xml import Element, local_name
from tests.conftest import EML_SAMPLES, SHARED_DATA

CREATED = "2026-03-01T09:00:00.000"

#: Small real files per message type (the generated ones are added by `base_files`).
REAL_BASES: dict[str, tuple[Path, ...]] = {
    "110a": (
        EML_SAMPLES / "juinen" / "eml110a_verkiezingsdefinitie-juinen.eml.xml",
        EML_SAMPLES / "definitions" / "Verkiezingsdefinitie_PS2023_Drenthe.eml.xml",
    ),
    "110b": (EML_SAMPLES / "juinen" / "eml110b_stembureaulijst-juinen.eml.xml",),
    "230b": (
        EML_SAMPLES / "juinen" / "eml230b_kandidatenlijsten-juinen.eml.xml",
        EML_SAMPLES / "abacus" / "eml230b_test.eml.xml",
    ),
    "510": (
        EML_SAMPLES / "rust-eml-nl" / "deserialize_eml510b_test.eml.xml",
        EML_SAMPLES / "rust-eml-nl" / "deserialize_eml510d_test.eml.xml",
    ),
    "520": (
        EML_SAMPLES / "rust-eml-nl" / "eml520_test.eml.xml",
        SHARED_DATA / "eml" / "tk2021" / "Resultaat_TK2021.eml.xml",
    ),
}


@dataclass(frozen=True)
class Omission:
    """One optional part left out of one base file: `part` is `/EML/…/Name` or `/EML/…/Name/@Attr`."""

    kind: str
    base: str
    part: str
    data: bytes


@cache
def generated_files() -> dict[str, tuple[str, bytes]]:
    """One generated file per message type, as the generator writes them for the tests."""
    g = generate_municipal(random.Random(7), stations=3, lists=3)
    election = g.election
    municipality = election.municipalities[0]
    district = election.districts[0]
    tallies = g.station_tallies(municipality.code)
    total = add_tallies([(str(sid), t) for sid, t in tallies])
    count = Count510(
        message_id="510b",
        election=identifier_of(election),
        contest_id=district.id,
        contest_name=district.name,
        authority_id=municipality.code,
        authority_name=municipality.name,
        created=CREATED,
        lists=layout_of(district),
        total=unit_votes(municipality.code, municipality.name, total),
        units=tuple(unit_votes(str(sid), str(sid), t) for sid, t in tallies),
    )
    first = district.lists[0]
    result = ResultInput(
        district_id=district.id,
        authority_id="CSB",
        authority_name=municipality.name,
        created=CREATED,
        seats=((first.number, 1),),
        elected=(
            ElectedCandidate(list_number=first.number, position=first.candidates[0].position, ranking=1),
        ),
    )
    return {
        "110a": ("generated 110a", write_110a(election, created=CREATED)),
        "110b": ("generated 110b", write_110b(election, municipality, created=CREATED)),
        "230b": ("generated 230b", write_230b(election, created=CREATED)),
        "510": ("generated 510b", write_510(count, election)),
        "520": ("generated 520", write_520(result, election)),
    }


#: The national 510d, cut to what makes its form (see `small_510d`).
TOTAAL = SHARED_DATA / "eml" / "tk2021" / "Totaaltelling_TK2021.eml.xml"


def small_510d(data: bytes, lists: int = 2, units: int = 2) -> bytes:
    """The Kiesraad's national 510d cut to its first `lists` lists in TotalVotes and in its first `units`
    kieskringen: the national form (ShortCodes only in TotalVotes, Id and ShortCode per kieskring) in a file
    small enough to validate a hundred times."""
    root = etree.fromstring(data)
    contest = next(el for el in root.iter() if isinstance(el.tag, str) and local_name(el.tag) == "Contest")
    for k, body in enumerate(b for b in contest if local_name(b.tag) in ("TotalVotes", "ReportingUnitVotes")):
        if k > units:
            contest.remove(body)
            continue
        seen = 0
        for sel in [c for c in body if local_name(c.tag) == "Selection"]:
            if any(local_name(c.tag) == "AffiliationIdentifier" for c in sel):
                seen += 1
            if seen > lists:
                body.remove(sel)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


def base_files(kind: str) -> list[tuple[str, bytes]]:
    out = [generated_files()[kind]]
    out.extend((p.name, p.read_bytes()) for p in REAL_BASES[kind] if p.is_file())
    if kind == "510" and TOTAAL.is_file():
        out.append((f"{TOTAAL.name} (2 lists, 2 kieskringen)", small_510d(TOTAAL.read_bytes())))
    return out


def _path(el: Element) -> str:
    parts: list[str] = []
    node: Element | None = el
    while node is not None:
        parts.append(local_name(node.tag))
        node = node.getparent()
    return "/" + "/".join(reversed(parts))


def _parts(root: Element) -> list[str]:
    seen: dict[str, None] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        path = _path(el)
        if el is not root:
            seen[path] = None
        for name in el.attrib:
            seen[f"{path}/@{local_name(name)}"] = None
    return list(seen)


def _without(data: bytes, part: str) -> Element:
    root = etree.fromstring(data)
    element_path, _, attribute = part.partition("/@")
    for el in [el for el in root.iter() if isinstance(el.tag, str) and _path(el) == element_path]:
        if attribute:
            for name in list(el.attrib):
                if local_name(name) == attribute:
                    del el.attrib[name]
        else:
            el.getparent().remove(el)
    return root


def omissions(kind: str) -> Iterator[Omission]:
    """Every base file of `kind` without one optional part, still valid against the XSD."""
    for base, data in base_files(kind):
        root = etree.fromstring(data)
        message_id = (root.get("Id") or "").strip()
        for part in _parts(root):
            reduced = _without(data, part)
            if not validate_root(reduced, message_id):
                yield Omission(
                    kind, base, part, etree.tostring(reduced, xml_declaration=True, encoding="UTF-8")
                )


def main() -> None:
    """The optional parts per message type as a Markdown list (for docs/eml.md)."""
    for kind in REAL_BASES:
        parts = sorted({o.part for o in omissions(kind)})
        sys.stdout.write(f"- **{kind}** ({len(parts)}): " + ", ".join(f"`{p[5:]}`" for p in parts) + "\n")


if __name__ == "__main__":
    main()
