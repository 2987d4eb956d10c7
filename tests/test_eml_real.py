"""The Kiesraad's own files as the field has them: the TK2021 result set, the national forms of the 110a and
the 510d (candidates named by ShortCode, lists per kieskring)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.errors import EmlError
from shared.formats.eml import read_510, read_eml
from shared.formats.eml.build import build_election
from shared.formats.eml.model import Count510
from shared.formats.eml.read import read_110a, read_520
from shared.formats.eml.write import write_510
from tests.conftest import SHARED_DATA, needs_shared

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


def test_candidate_without_id_or_short_code_is_refused() -> None:
    data = TOTAAL.read_bytes().replace(b'<CandidateIdentifier ShortCode="ArkT">', b"<CandidateIdentifier>", 1)
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
    with pytest.raises(EmlError, match=r"the KIESKRING region .* has no RegionNumber"):
        build_election(definition)


@pytest.mark.parametrize("path", sorted(TK2021.glob("*.xml")), ids=lambda p: p.name)
def test_every_tk2021_file_reads(path: Path) -> None:
    msg = read_eml(path.read_bytes(), path.name)
    assert msg.election.id == "TK2021"
