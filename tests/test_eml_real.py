"""The Kiesraad's own files as the field has them: the TK2021 result set, the national forms of the 110a and
the 510d (candidates named by ShortCode, lists per kieskring)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import msgspec
import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.domain.generate import generate_national
from shared.errors import EmlError
from shared.formats.eml import read_510, read_eml
from shared.formats.eml.build import build_election
from shared.formats.eml.check import check_count
from shared.formats.eml.definition_writer import write_110a
from shared.formats.eml.model import CandidateLists230b, Count510, PollingStations110b
from shared.formats.eml.read import read_110a, read_520
from shared.formats.eml.rules import definition_problems, message_problems
from shared.formats.eml.schema import validate
from shared.formats.eml.write import write_510
from tests.conftest import SHARED_DATA, needs_shared, reference_params

pytestmark = needs_shared

TK2021 = SHARED_DATA / "eml" / "tk2021"
TOTAAL = TK2021 / "Totaaltelling_TK2021.eml.xml"
DEFINITION = TK2021 / "Verkiezingsdefinitie_TK2021.eml.xml"


@pytest.fixture(scope="module")
def totaal() -> Count510:
    return read_510(TOTAAL.read_bytes(), TOTAAL.name)


def test_national_510d_names_candidates_by_short_code(totaal: Count510) -> None:
    assert (totaal.message_id, totaal.contest_id, len(totaal.lists), len(totaal.units)) == (
        "510d",
        "alle",
        37,
        20,
    )
    vvd = totaal.lists[0]
    assert (vvd.number, vvd.name) == (1, "VVD")
    # The national total has no positions (they differ per kieskring), only ShortCodes.
    assert set(vvd.positions) == {0}
    assert vvd.short_codes[:2] == ("RutteM", "ArkT")
    assert totaal.total.tally.lists[0].votes == 2279130
    assert totaal.total.tally.lists[0].candidate_votes[:2] == (1977651, 73125)


def test_national_510d_kieskring_has_its_own_lists(totaal: Count510) -> None:
    groningen = totaal.units[0]
    assert (groningen.id, groningen.name) == ("HSB1", "Kieskring Groningen")
    assert groningen.layout is not None and len(groningen.layout) == 31
    vvd = groningen.layout[0]
    assert vvd.positions[:2] == (1, 2) and vvd.short_codes[:2] == ("RutteM", "ArkT")
    assert groningen.tally.lists[0].votes == 53539
    # Every kieskring's list is a list of the national total, every candidate one of its candidates.
    whole = {lst.number: set(lst.short_codes) for lst in totaal.lists}
    for unit in totaal.units:
        for lst in totaal.layout_of(unit):
            assert set(lst.short_codes) <= whole[lst.number]


def test_national_510d_writes_back_the_same(totaal: Count510) -> None:
    again = write_510(totaal)
    assert b'<CandidateIdentifier ShortCode="RutteM"/>' in again
    assert b'<CandidateIdentifier Id="1" ShortCode="RutteM"/>' in again
    assert read_510(again, "again") == totaal


def _edit_unit(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace in the first ReportingUnitVotes only."""
    start = data.index(b"<ReportingUnitVotes>")
    end = data.index(b"</ReportingUnitVotes>", start)
    return data[:start] + data[start:end].replace(old, new, 1) + data[end:]


def test_kieskring_list_not_in_the_total_is_refused() -> None:
    data = _edit_unit(
        TOTAAL.read_bytes(), b'<AffiliationIdentifier Id="1">', b'<AffiliationIdentifier Id="99">'
    )
    with pytest.raises(
        EmlError, match=r"Totaaltelling_TK2021.eml.xml:1: .*HSB1: list 99 is not in TotalVotes"
    ):
        read_510(data, TOTAAL.name)


def test_kieskring_candidate_not_in_the_total_is_refused() -> None:
    data = _edit_unit(TOTAAL.read_bytes(), b'ShortCode="ArkT"', b'ShortCode="NobodyX"')
    with pytest.raises(EmlError, match=r"HSB1: candidate NobodyX of list 1 is not in TotalVotes"):
        read_510(data, TOTAAL.name)


def test_own_lists_per_unit_only_in_a_510d() -> None:
    data = TOTAAL.read_bytes().replace(b'Id="510d"', b'Id="510c"', 1)
    with pytest.raises(EmlError, match=r"reporting unit HSB1: .*TotalVotes"):
        read_510(data, TOTAAL.name)


@pytest.mark.parametrize("blank", [b"<CandidateIdentifier>", b'<CandidateIdentifier ShortCode="  ">'])
def test_candidate_without_id_or_short_code_is_refused(blank: bytes) -> None:
    data = TOTAAL.read_bytes().replace(b'<CandidateIdentifier ShortCode="ArkT">', blank, 1)
    with pytest.raises(
        EmlError, match=r"CandidateIdentifier: a CandidateIdentifier needs an Id .* or a ShortCode"
    ):
        read_510(data, TOTAAL.name)


def test_result_520_of_tk2021() -> None:
    path = TK2021 / "Resultaat_TK2021.eml.xml"
    result = read_520(path.read_bytes(), path.name)
    assert len(result.elected) == 150
    assert result.elected[0].candidate.short_code == "RutteM"
    assert sum(result.seats().values()) == 150


def test_national_region_without_number() -> None:
    """The real TK2025 110a has no RegionNumber on its STAAT region (optional in the XSD)."""
    data = DEFINITION.read_bytes()
    without = re.sub(
        rb'<kr:Region RegionNumber="1" RegionCategory="STAAT">', b'<kr:Region RegionCategory="STAAT">', data
    )
    assert without != data
    definition = read_110a(without, DEFINITION.name)
    staat = next(r for r in definition.regions if r.category == "STAAT")
    assert staat.number is None
    election = build_election(definition)
    assert len(election.districts) == 20 and election.municipalities


def test_kieskring_without_number_is_refused_by_name() -> None:
    data = DEFINITION.read_bytes()
    without = data.replace(b'RegionNumber="3" RegionCategory="KIESKRING"', b'RegionCategory="KIESKRING"', 1)
    definition = read_110a(without, DEFINITION.name)
    assert "the KIESKRING region Assen has no RegionNumber" in definition_problems(definition)[0]
    with pytest.raises(EmlError, match=r"the KIESKRING region Assen has no RegionNumber"):
        build_election(definition)


EML_DIR = SHARED_DATA / "eml"
#: Files that are meant to be broken have one of these words in their name.
INVALID_WORDS = ("invalid", "empty", "not_matching")
#: The election definition the invalid abacus/rust-eml-nl samples belong to (for files only another refuses).
ABACUS_110A = EML_DIR / "samples" / "abacus" / "eml110a_test.eml.xml"


def _real_files() -> list[Path]:
    return sorted(p for p in EML_DIR.rglob("*.xml") if "schemas" not in p.parts)


def _refusal(path: Path) -> str | None:
    """The one-line error that refuses a file: reading it, its rules, or matching it to its definition."""
    try:
        msg = read_eml(path.read_bytes(), path.name)
    except EmlError as exc:
        return str(exc)
    problems = message_problems(msg)
    if problems:
        return f"{path.name}: {problems[0]}"
    definition = read_110a(ABACUS_110A.read_bytes(), ABACUS_110A.name)
    try:
        if isinstance(msg, PollingStations110b):
            build_election(definition, polling_stations=[msg])
        elif isinstance(msg, CandidateLists230b):
            build_election(definition, candidate_lists=[msg])
    except EmlError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("path", reference_params(_real_files), ids=lambda p: str(p.relative_to(EML_DIR)))
def test_every_file_in_shared_eml(path: Path) -> None:
    """Every real file reads; every deliberately invalid sample is refused with one line."""
    if any(word in path.name for word in INVALID_WORDS):
        error = _refusal(path)
        assert error is not None and "\n" not in error
    else:
        msg = read_eml(path.read_bytes(), path.name)
        assert msg.election.id and msg.election.category in ("GR", "TK", "EP", "PS", "AB")


_DECLARATION = re.compile(rb"\A(\xef\xbb\xbf)?<\?xml[^>]*\?>\s*")


@pytest.mark.parametrize(
    "path",
    reference_params(
        lambda: [
            p
            for p in _real_files()
            if p.stat().st_size < 2_000_000 and not any(w in p.name for w in INVALID_WORDS)
        ]
    ),
    ids=lambda p: str(p.relative_to(EML_DIR)),
)
def test_with_and_without_declaration(path: Path) -> None:
    data = path.read_bytes()
    bare = _DECLARATION.sub(b"", data, count=1)
    declared = b'<?xml version="1.0" encoding="UTF-8"?>\n' + bare
    assert read_eml(bare, path.name) == read_eml(declared, path.name) == read_eml(data, path.name)


def test_errors_name_the_file() -> None:
    """`110a:24` is not enough: the file's own name leads every error."""
    data = DEFINITION.read_bytes().replace(b"<kr:NumberOfSeats>", b"<kr:NumberOfSeats>x", 1)
    with pytest.raises(EmlError, match=r"^Verkiezingsdefinitie_TK2021\.eml\.xml:\d+: .*NumberOfSeats"):
        read_110a(data, DEFINITION.name)


def test_build_errors_name_the_file(tmp_path: Path) -> None:
    """A 230b of another election is refused naming the 230b file, not just "230b"."""
    from municipality.setup import election_from_files

    juinen = EML_DIR / "samples" / "juinen"
    paths = {
        "110a": DEFINITION,
        "230b": juinen / "eml230b_kandidatenlijsten-juinen.eml.xml",
        "110b": juinen / "eml110b_stembureaulijst-juinen.eml.xml",
    }
    files = {kind: (path, path.read_bytes()) for kind, path in paths.items()}
    with pytest.raises(EmlError, match=r"^eml230b_kandidatenlijsten-juinen\.eml\.xml: ElectionIdentifier Id"):
        election_from_files(files)


TK2021_COUNTS = sorted(TK2021.glob("T*.eml.xml")) if TK2021.is_dir() else []


@pytest.mark.parametrize("path", TK2021_COUNTS, ids=lambda p: p.name)
def test_tk2021_counts_add_up_and_write_back(path: Path) -> None:
    """The 510c files carry kiezerspassen and volmachtbewijzen, no stempassen or toegelaten kiezers: what is
    there adds up, and writing a file back keeps exactly the codes it had."""
    count = read_510(path.read_bytes(), path.name)
    assert check_count(count) == []
    assert "toegelaten kiezers" in count.total.missing_admissions
    if path.stat().st_size > 1_500_000:
        return  # writing back: the small ones suffice
    again = write_510(count)
    assert b"toegelaten kiezers" not in again and b"geldige volmachtbewijzen" in again
    assert read_510(again, "again") == count


def test_510d_kieskringen_add_up_by_short_code(totaal: Count510) -> None:
    """A candidate's national votes are the sum of its votes in every kieskring, matched by ShortCode."""
    data = _edit_unit(
        TOTAAL.read_bytes(),
        b'<CandidateIdentifier Id="2" ShortCode="ArkT"></CandidateIdentifier></Candidate><ValidVotes>1517<',
        b'<CandidateIdentifier Id="2" ShortCode="ArkT"></CandidateIdentifier></Candidate><ValidVotes>1518<',
    )
    tampered = read_510(data, TOTAAL.name)
    found = [(m.unit, m.field, m.expected, m.found) for m in check_count(tampered)]
    assert ("TotalVotes (CSB Nederland)", "list 1 candidate ArkT", 73126, 73125) in found
    assert ("HSB1", "E.1 = sum of candidate votes", 53540, 53539) in found  # inside the kieskring too
    assert check_count(totaal) == []


def test_510d_short_codes_link_to_kieskring_positions(totaal: Count510) -> None:
    """Every candidate of the national total is, in at least one kieskring, at a position on that kieskring's
    list: the 510d itself links its ShortCodes to the 230b's candidates (the 230b has no ShortCodes)."""
    linked = {
        (lay.number, code)
        for unit in totaal.units
        for lay in totaal.layout_of(unit)
        for position, code in lay.candidate_keys()
        if position and code
    }
    national = {(lay.number, code) for lay in totaal.lists for _, code in lay.candidate_keys()}
    assert len(national) == 1582 and national <= linked


def test_generator_writes_the_real_national_tree() -> None:
    """The generated Tweede Kamer 110a has the real form: a STAAT region without number, whose CSB is the
    Kiesraad, kieskringen that name their superior by category only, municipalities under a kieskring."""
    g = generate_national(
        random.Random(5), districts=20, municipalities=24, stations=40, lists=3, candidates=20
    )
    data = write_110a(g.election, created="2029-01-05T10:00:00.000")
    assert validate(data) == []
    root = etree.fromstring(data)
    kinds = {
        (r.get("RegionCategory"), tuple(sorted(r.attrib)))
        for r in root.iter("{http://www.kiesraad.nl/extensions}Region")
    }
    assert kinds == {
        ("STAAT", ("RegionCategory",)),
        ("KIESKRING", ("RegionCategory", "RegionNumber", "SuperiorRegionCategory")),
        ("GEMEENTE", ("RegionCategory", "RegionNumber", "SuperiorRegionCategory", "SuperiorRegionNumber")),
    }
    assert b'<kr:Committee CommitteeCategory="CSB" CommitteeName="De Kiesraad"/>' in data
    assert build_election(read_110a(data, "generated 110a")) == msgspec.structs.replace(
        g.election,
        districts=tuple(msgspec.structs.replace(d, lists=()) for d in g.election.districts),
        municipalities=tuple(
            msgspec.structs.replace(m, stations=(), electorate=None) for m in g.election.municipalities
        ),
    )
