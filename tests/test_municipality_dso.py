"""Decentral counting (DSO) in the municipality app: chosen at init, N 10-1 entry, Na 31-1, Na 14-1, 510b."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from pdf_structure import (
    listed_appendices,
    numbering_problems,
    pages,
    poppler_warnings,
    sheet_problems,
    stranded_headings,
)

from municipality import setup
from municipality.dso import parse_counting
from municipality.report import StationFlags
from municipality.service import Service, SourceFile, User
from shared.domain.station_report import StationReport, YesNo, report_from_tally
from shared.domain.tally import Tally
from shared.domain.validation import copy_report, validate
from shared.errors import InputError, IntegrityError
from shared.formats.eml.read import read_510
from shared.formats.signing import open_signed
from telketen.cli import main
from telketen.demo.municipal import station_paper
from tests.municipality_helpers import good_report, small_election
from tests.test_validation import GR, consistent_tallies

PW = "correct horse battery"
AT = datetime(2026, 3, 19, 22, 15, 0)
COORD, ANNA, BERT = User("coord", "coordinator"), User("anna", "typist"), User("bert", "typist")


def n10_1(seed: int) -> StationReport:
    """A consistent N 10-1 of the small election: the numbers of `good_report`, on the decentral paper."""
    tally = good_report(seed).to_tally()
    return report_from_tally("dso_first", tally, with_voter_cards=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ed25519PrivateKey]:
    root = tmp_path_factory.mktemp("dso")
    key = Ed25519PrivateKey.generate()
    setup.initialise(
        root / "state",
        small_election(),
        "9999",
        sources=[SourceFile(kind="110a", name="x.xml", sha256="0" * 64)],
        passphrase=b"passphrase for tests",
        at=AT,
        private_key=key,
        counting="decentral",
    )
    svc = Service.open(root / "state", at="t")
    svc.add_user("coord", "coordinator", PW, at="t", by="setup")
    for name in ("anna", "bert"):
        svc.add_user(name, "typist", PW, at="t", by="coord")
    svc.close()
    return root / "state", key


@pytest.fixture
def svc(tmp_path: Path, template: tuple[Path, Ed25519PrivateKey]) -> Iterator[Service]:
    shutil.copytree(template[0], tmp_path / "state")
    s = Service.open(tmp_path / "state", at="t")
    yield s
    s.close()


def enter(svc: Service, user: User, station: str, report: StationReport, *, accept: bool = False) -> str:
    svc.claim(user, station, at="t")
    svc.save(user, station, report, progress=100, at="t")
    return svc.finalise_entry(user, station, at="t", accept_warnings=accept).state


def text_of(pdf: bytes) -> str:
    """The PDF's text with its whitespace folded, so phrases broken over lines still match."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    finally:
        doc.close()


def report_problems(pdf: Path, model: str, sheet_bijlage: int, tmp: Path) -> list[str]:
    """What tests/pdf_structure.py finds wrong in a report, read back with poppler: page numbers, a heading at
    a page's foot, QR sheets without their Bijlage title, a Bijlage referred to but not listed, warnings."""
    texts = pages(pdf)
    listed, referred = listed_appendices(texts)
    return [
        *numbering_problems(texts),
        *stranded_headings(texts),
        *sheet_problems(texts, f"Bijlage {sheet_bijlage} bij Model {model}"),
        *(f"Bijlage {n} referred to, not listed" for n in sorted(referred - listed)),
        *poppler_warnings(pdf, tmp),
    ]


# ------------------------------------------------------------------------------------------ the choice


def test_the_method_is_stored_at_init_and_the_form_is_the_n10_1(svc: Service) -> None:
    assert svc.counting == "decentral"
    assert svc.model() == "dso_first"
    claimed = svc.claim(ANNA, "1", at="t")
    assert claimed.report.model == "dso_first"
    assert claimed.report.about_report is not None and claimed.report.checks_and_corrections is not None
    assert claimed.report.extra_investigation is None  # the Na 31-2 Bijlage 1's B1-1 is not on the N 10-1


def test_an_unknown_method_is_refused_naming_the_option(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown counting method 'decentraal'") as exc:
        Service.create(tmp_path, small_election(), "9999", sources=[], at="t", counting="decentraal")
    assert exc.value.where == "--counting"
    assert list(tmp_path.iterdir()) == []  # refused before the state file is made
    assert parse_counting("central") == "central"


def test_the_command_line_refuses_an_unknown_method_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["municipality", "init", "--state", str(tmp_path / "st"), "--definition", "a.xml"]
    assert main([*args, "--candidates", "b.xml", "--stations", "c.xml", "--counting", "both"]) == 2
    err = capsys.readouterr().err
    assert (
        "--counting" in err and "unknown counting method 'both'" in err and len(err.strip().splitlines()) == 1
    )
    assert not (tmp_path / "st").exists()  # refused before the files are even read


def test_a_state_file_without_a_method_is_central_and_one_with_a_strange_method_is_refused(
    svc: Service,
) -> None:
    svc.conn.execute("UPDATE meta SET value = 'both' WHERE key = 'counting'")
    with pytest.raises(IntegrityError, match="unknown counting method 'both'") as exc:
        svc.model()
    assert exc.value.where == str(svc.path)
    svc.conn.execute("DELETE FROM meta WHERE key = 'counting'")  # a state file from before the option
    assert svc.counting == "central" and svc.model() == "cso_first"


def test_the_paper_of_the_other_method_is_refused(svc: Service) -> None:
    svc.claim(ANNA, "1", at="t")
    with pytest.raises(InputError, match="this municipality keys dso_first") as exc:
        svc.save(ANNA, "1", good_report(1), progress=100, at="t")  # a Na 31-2 Bijlage 1
    assert exc.value.where == "model"


def test_a_central_municipality_keys_the_na31_2_bijlage_1(tmp_path: Path) -> None:
    svc = Service.create(tmp_path, small_election(), "9999", sources=[], at="t")
    assert svc.counting == "central" and svc.model() == "cso_first" and svc.model(2) == "cso_next"
    svc.close()


# ------------------------------------------------------------------------------------ double entry, rules


def test_two_typists_make_an_n10_1_definitive(svc: Service) -> None:
    assert enter(svc, ANNA, "1", n10_1(1)) == "first_entry_finalised"
    assert enter(svc, BERT, "1", n10_1(1)) == "definitive"
    assert svc.definitive_report(svc.station("1")) == n10_1(1)


def test_a_difference_between_the_two_n10_1_entries_goes_to_the_coordinator(svc: Service) -> None:
    enter(svc, ANNA, "2", n10_1(2))
    other = copy_report(n10_1(2))
    assert other.about_report is not None
    other.about_report.checks_page_present = YesNo(yes=True)  # a tick read differently from the paper
    other.checks_and_corrections = msgspec.structs.replace(
        other.checks_and_corrections, reason_other_error=True, corrected_own_initiative=YesNo(no=True)
    )
    assert enter(svc, BERT, "2", other, accept=True) == "entries_different"  # W.001 named the boxes
    entry = svc.entry("2")
    assert entry.first is not None and entry.second is not None
    assert entry.first.report != entry.second.report


def test_the_dso_rules_fire_on_an_n10_1_built_for_them(svc: Service) -> None:
    paper = copy_report(n10_1(3))
    paper.about_report = msgspec.structs.replace(paper.about_report, corrigendum_present=YesNo())  # F.121
    paper.voters.admitted_voters += 1  # D ≠ H, and the station says it is not explained
    paper.voters.poll_cards += 1
    paper.differences.equal = False
    paper.differences.fewer_counted = True
    paper.differences.fewer_ballots = 1
    paper.differences.explained_yes, paper.differences.explained_no = False, True  # F.311: no reason ticked
    svc.claim(ANNA, "3", at="t")
    found = svc.save(ANNA, "3", paper, progress=100, at="t")
    assert [r.code for r in found.errors] == ["F.121", "F.311"]
    assert svc.finalise_entry(ANNA, "3", at="t", accept_errors=True).state == "first_entry_has_errors"


# -------------------------------------------------------------------------------- Na 31-1, 510b, Na 14-1


@pytest.fixture
def finalised(svc: Service, template: tuple[Path, Ed25519PrivateKey], tmp_path: Path) -> Path:
    for i in ("1", "2", "3"):
        paper = n10_1(int(i))
        if i == "2":  # the municipality re-examined station 2 on its own initiative, nothing to correct
            assert paper.about_report is not None and paper.checks_and_corrections is not None
            paper.about_report.checks_page_present = YesNo(yes=True)
            paper.checks_and_corrections.reason_other_error = True
            paper.checks_and_corrections.corrected_own_initiative = YesNo(no=True)
        enter(svc, ANNA, i, paper)
        assert enter(svc, BERT, i, paper) == "definitive"
    setup.finalise(svc, COORD, tmp_path / "out1", template[1], at=AT)
    return tmp_path / "out1"


def test_finalise_writes_the_na31_1(finalised: Path) -> None:
    names = sorted(p.name for p in finalised.iterdir())
    assert "Model_Na31-1_GR2026_Proefdorp_9999.pdf" in names
    assert not any("Na31-2" in n for n in names)
    text = text_of((finalised / "Model_Na31-1_GR2026_Proefdorp_9999.pdf").read_bytes())
    for needle in (
        "Verslag en telresultaten per lijst en kandidaat - Model Na 31-1",
        "Model Na 31-1 decentrale stemopneming (versie 2027)",
        "gekozen voor decentrale stemopneming",
        "Processen-verbaal van alle stembureaus in de gemeente (Model N 10-1)",
        "1.2 Getelde stembureaus",
        "2.1 Aantal kiesgerechtigden",
        "2.4 Verschillen tussen aantal kiezers en uitgebrachte stemmen",
        "2.6 Stemmen per lijst en per kandidaat",
        "Deel 3 - Ondertekening",
    ):
        assert needle in text, needle
    assert "Na 31-2" not in text and " centrale stemopneming" not in text
    admitted = sum(106 + i for i in (0, 1, 2))  # D of the three stations: 105 + seed each
    assert f"{admitted}" in text


def test_the_na31_1_station_table_ticks_the_n10_1_insert() -> None:
    from municipality.finalise import flags_of

    paper = n10_1(2)
    assert flags_of(paper) == StationFlags()  # no insert: nothing ticked
    assert paper.checks_and_corrections is not None
    paper.checks_and_corrections.reason_other_error = True
    assert flags_of(paper) == StationFlags(investigated=True)
    paper.checks_and_corrections.reason_unexplained_difference = True
    paper.checks_and_corrections.corrected_own_initiative = YesNo(yes=True)
    assert flags_of(paper) == StationFlags(readmitted=True, investigated=True, recounted=True)


def test_the_dso_510b_is_valid_and_carries_the_station_sums(finalised: Path) -> None:
    from shared.formats.eml.schema import validate

    data = (finalised / "Telling_GR2026_Proefdorp.eml.xml").read_bytes()
    assert validate(data) == []
    count = read_510(data)
    assert count.total.tally.admitted_voters == sum(105 + i for i in (1, 2, 3))
    assert [u.tally.lists[0].candidate_votes for u in count.units] == [
        n10_1(i).to_tally().lists[0].candidate_votes for i in (1, 2, 3)
    ]


def test_a_next_session_keys_the_na14_1_and_prints_it(
    svc: Service, finalised: Path, template: tuple[Path, Ed25519PrivateKey], tmp_path: Path
) -> None:
    first = (finalised / "summary.tks").read_bytes()
    svc.new_session(COORD, at="t")
    svc.investigate(COORD, "2", "Hertel lijst 1 op verzoek van het centraal stembureau", at="t")
    claimed = svc.claim(ANNA, "2", at="t")
    assert claimed.report.model == "dso_next"
    assert claimed.report.voters == n10_1(2).voters  # pre-filled with the definitive N 10-1
    assert claimed.report.about_report is None and claimed.report.checks_and_corrections is None
    corrected = copy_report(claimed.report)
    corrected.lists[0].candidate_votes = [30, 22, 10]  # two votes moved from candidate 1 to candidate 2
    corrected.differences.equal = True
    svc.save(ANNA, "2", corrected, progress=100, at="t")
    svc.finalise_entry(ANNA, "2", at="t")
    assert enter(svc, BERT, "2", corrected) == "definitive"
    svc.close_investigation(COORD, "2", "Lijst 1 herteld: twee stemmen verschoven", True, at="t")
    setup.finalise(svc, COORD, tmp_path / "out2", template[1], at=AT)
    names = sorted(p.name for p in (tmp_path / "out2").iterdir())
    assert "Model_Na14-1_GR2026_Proefdorp_9999.pdf" in names and not any("Na14-2" in n for n in names)
    text = text_of((tmp_path / "out2" / "Model_Na14-1_GR2026_Proefdorp_9999.pdf").read_bytes())
    for needle in (
        "Gecorrigeerde telresultaten per lijst en kandidaat – Model Na 14-1",
        "Corrigendum van een proces-verbaal van een stembureau",
        "Model Na 14-1 decentrale stemopneming (versie 2027)",
        "1.1 Aanleiding van het onderzoek",
        "Hertel lijst 1 op verzoek van het centraal stembureau",
        "2.3.1 Vergelijk D (totaal toegelaten kiezers) en H (totaal uitgebrachte stemmen), na correctie",
        "D en H zijn gelijk: er is geen verschil.",
        "2.4 Stemmen per lijst en per kandidaat",
        "Lijst 1 Partij 1",
    ):
        assert needle in text, needle
    assert (
        report_problems(tmp_path / "out2" / "Model_Na14-1_GR2026_Proefdorp_9999.pdf", "Na 14-1", 1, tmp_path)
        == []
    )
    signed = (tmp_path / "out2" / "summary.tks").read_bytes()
    _, summary = open_signed(signed, lambda kid: template[1].public_key())
    _, before = open_signed(first, lambda kid: template[1].public_key())
    assert summary.phase == 1 and summary.counts.lists[0].candidate_votes == [31 + 30 + 33, 20 + 22 + 20, 30]
    assert before.counts.lists[0].candidate_votes == [31 + 32 + 33, 20 + 20 + 20, 30]


# ------------------------------------------------------------------------------------------------ the demo


@settings(max_examples=60, deadline=None)
@given(consistent_tallies(), st.booleans())
def test_the_demos_n10_1_is_a_paper_without_errors(tally: Tally, insert: bool) -> None:
    """What the demo's stations write (with or without the insert of a check that corrected nothing) passes
    every rule of the N 10-1, F.121–F.135 and F.311 included."""
    rng = random.Random(31 if insert else 0)  # 31 draws under INSERT_RATE first, 0 does not
    paper = station_paper(tally, "decentral", rng, voter_cards=False)
    assert paper.model == "dso_first"
    assert paper.about_report is not None and paper.about_report.checks_page_present.yes == insert
    assert validate(paper, GR).errors == ()


@pytest.mark.slow
def test_the_decentral_demo_is_verified_and_publishes_what_a_central_count_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`telketen demo --counting decentral`: the N 10-1 keyed, a Na 31-1 published, VERIFIED; and since the
    method changes the paper, not the numbers, every EML file and signed summary is byte for byte the one of a
    central count of the same election."""
    from shared.formats.eml.schema import validate

    assert main(["demo", "--out", str(tmp_path / "dso"), "--counting", "decentral", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert "decentral counting" in printed and "VERIFIED" in printed and "NOT VERIFIED" not in printed
    published = tmp_path / "dso" / "published"
    (report,) = published.glob("*/Model_Na31-*.pdf")
    assert report.name.startswith("Model_Na31-1_")
    assert "Model Na 31-1 decentrale stemopneming (versie 2027)" in text_of(report.read_bytes())
    assert report_problems(report, "Na 31-1", 3, tmp_path) == []
    (eml,) = published.glob("[0-9]*/Telling_*.eml.xml")
    assert validate(eml.read_bytes()) == []
    assert main(["demo", "--out", str(tmp_path / "cso"), "--seed", "3"]) == 0
    central = tmp_path / "cso" / "published"
    same = [p.relative_to(central) for p in central.rglob("*") if p.suffix in (".xml", ".tks", ".csv")]
    assert len(same) >= 9
    for rel in same:
        assert (published / rel).read_bytes() == (central / rel).read_bytes(), rel
