"""Investigations of a next session (Kieswet art. P 2a): findings, corrected yes/no, P 2a, 510b, summary.

The small election of tests/municipality_helpers.py (three stations): session 1 is finalised, session 2
investigates station 1 (not corrected: no entry) and station 2 (corrected: entered twice with a changed
number). Every rule OZ.1–OZ.6 has its case here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality import setup
from municipality.investigation import parse_corrected
from municipality.service import Service
from shared.adapters import audit
from shared.errors import InputError, StateError
from shared.formats.eml.read import read_510
from shared.formats.signing import open_signed
from shared.formats.summary import INVESTIGATIONS_VERSION, StationInvestigation
from tests.conftest import needs_shared
from tests.municipality_helpers import good_report
from tests.test_eml_write import assert_valid
from tests.test_municipality_service import AT, World, template  # noqa: F401  (the fixture)


@pytest.fixture
def session2(tmp_path: Path, template: tuple[Path, Ed25519PrivateKey]) -> Iterator[World]:  # noqa: F811
    """Session 1 entered and finalised, session 2 open (one module-scoped template copied per test)."""
    shutil.copytree(template[0], tmp_path / "state")
    svc = Service.open(tmp_path / "state", at="t")
    w = World(svc, template[1], tmp_path)
    w.enter_all()
    setup.finalise(svc, w.coord, tmp_path / "out1", w.key, at=AT)
    svc.new_session(w.coord, at="t")
    yield w
    svc.close()


def _re_enter(w: World, station: str, *, change: bool = True) -> None:
    """Both typists enter the station's corrected report; `change` moves two votes between candidates."""
    claimed = w.svc.claim(w.anna, station, at="t")
    report = msgspec.structs.replace(claimed.report)
    if change:
        report.lists[0].candidate_votes = [
            report.lists[0].candidate_votes[0] - 2,
            report.lists[0].candidate_votes[1] + 2,
            *report.lists[0].candidate_votes[2:],
        ]
    report.differences.equal = True
    for user in (w.anna, w.bert):
        if user is w.bert:
            w.svc.claim(user, station, at="t")
        w.svc.save(user, station, report, progress=100, at="t")
        w.svc.finalise_entry(user, station, at="t")


def _finalise(w: World, name: str = "out2") -> Path:
    setup.finalise(w.svc, w.coord, w.root / name, w.key, at=AT)
    return w.root / name


def test_not_corrected_needs_no_entry_and_corrected_is_entered_twice(session2: World) -> None:
    w = session2
    w.svc.investigate(w.coord, "1", "Stembiljetten van lijst 1 natellen (verzoek CSB)", at="t")
    w.svc.investigate(w.coord, "2", "Verschil tussen D en H onderzoeken", at="t")
    w.svc.close_investigation(w.coord, "1", "Geen fouten gevonden", False, at="t")
    assert [s.station.number for s in w.svc.status()] == [2]  # station 1 is not typed again
    with pytest.raises(StateError, match="not under investigation"):
        w.svc.claim(w.anna, "1", at="t")  # nor can it be: its earlier report stands
    _re_enter(w, "2")
    w.svc.close_investigation(w.coord, "2", "Twee stemmen bij de verkeerde kandidaat", True, at="t")
    out = _finalise(w)
    names = sorted(p.name for p in out.iterdir())
    assert "Model_P2a_GR2026_Proefdorp_9999.pdf" in names
    assert "Model_Na14-2_GR2026_Proefdorp_9999.pdf" in names
    signed = (out / "summary.tks").read_bytes()
    _, summary = open_signed(signed, lambda kid: w.key.public_key())
    assert summary.version == INVESTIGATIONS_VERSION
    assert summary.investigations == [
        StationInvestigation("9999::SB1", False),
        StationInvestigation("9999::SB2", True),
    ]
    # station 1 keeps its session-1 numbers, station 2 has the corrected ones
    count = read_510((out / "Telling_GR2026_Proefdorp.eml.xml").read_bytes())
    first = read_510((w.root / "out1" / "Telling_GR2026_Proefdorp.eml.xml").read_bytes())
    assert count.units[0].tally == first.units[0].tally
    assert (
        count.units[1].tally.lists[0].candidate_votes[:2] != first.units[1].tally.lists[0].candidate_votes[:2]
    )
    assert count.units[0].investigations == (
        ("onderzocht vanwege andere reden", True),
        ("uitslag gecorrigeerd", False),
    )
    assert count.units[1].investigations[-1] == ("uitslag gecorrigeerd", True)
    assert count.units[2].investigations == ()
    assert audit.verify_audit(w.svc.conn) == []
    events = [r[0] for r in w.svc.conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert events.count("investigate-close") == 2


@needs_shared
def test_the_510b_with_investigation_flags_validates_against_the_xsd(session2: World) -> None:
    w = session2
    w.svc.investigate(w.coord, "3", "Controle op verzoek van het CSB", at="t")
    w.svc.close_investigation(w.coord, "3", "Alles klopt", False, at="t")
    data = (_finalise(w) / "Telling_GR2026_Proefdorp.eml.xml").read_bytes()
    assert b"<kr:ReportingUnitInvestigations>" in data
    assert_valid(data)


def test_close_refuses_an_unknown_or_closed_investigation(session2: World) -> None:
    w = session2
    with pytest.raises(StateError, match=r"OZ\.1"):
        w.svc.close_investigation(w.coord, "1", "niets", False, at="t")
    w.svc.investigate(w.coord, "1", "Controle", at="t")
    w.svc.close_investigation(w.coord, "1", "Alles klopt", False, at="t")
    with pytest.raises(StateError, match=r"OZ\.2"):
        w.svc.close_investigation(w.coord, "1", "nogmaals", True, at="t")
    w.svc.investigate(w.coord, "2", "Controle", at="t")
    with pytest.raises(InputError, match="findings"):
        w.svc.close_investigation(w.coord, "2", "   ", True, at="t")
    with pytest.raises(StateError, match="coordinator"):
        w.svc.close_investigation(w.anna, "2", "x", True, at="t")


def test_finalise_refuses_an_open_investigation(session2: World) -> None:
    w = session2
    w.svc.investigate(w.coord, "1", "Controle", at="t")
    with pytest.raises(StateError, match=r"OZ\.3"):
        _finalise(w)
    assert not w.svc.session_finalised(2)


def test_corrected_without_the_re_entry_is_refused_at_finalise(session2: World) -> None:
    w = session2
    w.svc.investigate(w.coord, "2", "Hertelling", at="t")
    w.svc.close_investigation(w.coord, "2", "Fout gevonden", True, at="t")
    with pytest.raises(StateError, match=r"OZ\.4.*entered twice"):
        _finalise(w)
    assert not (w.root / "out2").exists()


def test_corrected_with_the_same_numbers_is_refused_at_finalise(session2: World) -> None:
    w = session2
    w.svc.investigate(w.coord, "2", "Hertelling", at="t")
    _re_enter(w, "2", change=False)
    w.svc.close_investigation(w.coord, "2", "Fout gevonden", True, at="t")
    with pytest.raises(StateError, match=r"OZ\.5"):
        _finalise(w)


def test_not_corrected_is_refused_once_typists_started(session2: World) -> None:
    w = session2
    w.svc.investigate(w.coord, "2", "Hertelling", at="t")
    w.svc.claim(w.anna, "2", at="t")
    with pytest.raises(StateError, match=r"OZ\.6"):
        w.svc.close_investigation(w.coord, "2", "Niets gevonden", False, at="t")
    w.svc.reset(w.coord, "2", at="t")
    assert w.svc.close_investigation(w.coord, "2", "Niets gevonden", False, at="t").corrected is False


def test_parse_corrected_accepts_english_and_dutch_only() -> None:
    assert parse_corrected("yes") and parse_corrected(" JA ")
    assert not parse_corrected("no") and not parse_corrected("nee")
    with pytest.raises(InputError, match="yes or no"):
        parse_corrected("maybe")


def test_the_blank_annex_carries_the_reason_and_the_original_figures(session2: World) -> None:
    """Na 14-2 Bijlage 1, printed from the investigation screen: reason prefilled, originals in grey, the
    corrected column and the findings empty, no hash; refused for a station not under investigation."""
    import pypdfium2 as pdfium

    from municipality.web_investigations import blank_annex

    w = session2
    with pytest.raises(InputError, match="not under investigation"):
        blank_annex(w.svc, "2")
    w.svc.investigate(w.coord, "2", "Hertel lijst 1 op verzoek van het CSB", at="t")
    pdf, name = blank_annex(w.svc, "2")
    assert name == "Model_Na14-2_GR2026_Proefdorp_Stembureau_2_Bijlage_1.pdf"
    doc = pdfium.PdfDocument(pdf)
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Hertel lijst 1 op verzoek van het CSB" in text and "Bevindingen" in text
    assert "B1 - 2" in text and "Model Na 14-2 (versie 2027)" in text
    earlier = good_report(2)
    assert str(earlier.voters.poll_cards) in text  # the original figure, prefilled
    assert "vingerafdruk" not in text.lower()  # a blank form carries no hash
