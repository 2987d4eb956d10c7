"""The blank forms of a decentral count (reports.md §2 N 10-1 and its insert, §4 Na 31-1 insert), printed from
the real Juinen files through the command line of a municipality initialised with `--counting decentral`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from municipality.service import Service
from telketen.cli import main
from tests.conftest import needs_shared
from tests.test_forms import N10_2_HEADINGS, pages_text
from tests.test_municipality_cli import env, init_args  # noqa: F401  (env is a fixture)

#: The N 10-1 is the N 10-2 with the count per candidate (rubric 2.4) instead of 2.2.1's count per list.
N10_1_HEADINGS = (
    *(h for h in N10_2_HEADINGS if "N 10-2" not in h and not h.startswith("2.2.1")),
    "Verslag en telresultaten per lijst en kandidaat – Model N 10-1",
    "gekozen voor decentrale stemopneming",
    "tel de stemmen per kandidaat (rubriek 2.4)",
    "D en H zijn gelijk → Ga door naar 2.4",
    "2.4 Stemmen per lijst en per kandidaat",
    "Neem dit totaal over in rubriek 2.2 bij de juiste lijst.",
    "Proces-verbaal van een stembureau Model N 10-1 decentrale stemopneming (versie 2027)",
)
INSERT_PHRASES = (
    "Controles en correcties",
    "Op eigen initiatief van het gemeentelijk stembureau",
    "Waarom heeft het gemeentelijk stembureau de telresultaten onderzocht?",
    "Vanwege een onverklaard verschil",
    "Vanwege (het vermoeden van) een andere fout",
    "Op verzoek van het centraal stembureau",
    "Nee, de oorspronkelijke telresultaten waren correct",
    "Opgesteld door het gemeentelijk stembureau",
    "Model N 10-1 decentrale stemopneming (versie 2027)",
    "Later ingevoegde pagina",
)


@needs_shared
def test_cli_prints_the_n10_1_and_its_insert_of_a_real_station(env: Path) -> None:  # noqa: F811
    assert main([*init_args(), "--counting", "decentral"]) == 0
    assert main(["municipality", "forms", "--state", "st", "--station", "1", "-o", "forms.pdf"]) == 0
    pages = pages_text((env / "forms.pdf").read_bytes())
    text = " ".join(pages)
    svc = Service.open(env / "st", at="2026-03-18T21:00:00+01:00")
    station = svc.station(1)
    assert f"{svc.municipality.name} Stembureau 1 {station.name}" in text
    for heading in N10_1_HEADINGS:
        assert heading in text, heading
    for lst in svc.district.lists:
        assert f"Totaal lijst {lst.number} - {lst.name}" in text
        assert f"Lijst {lst.number} {lst.name}" in text
        for c in lst.candidates:
            assert c.display_name in text, c.display_name
    # rubric 2.4's heading opens the page of its first list, never ends the page before it
    assert any("2.4 Stemmen per lijst en per kandidaat" in p and "Lijst 1 " in p for p in pages)
    # no Na 31-2 Bijlage 1: under decentral counting the station counted the candidates itself (reports.md §4)
    assert "Bijlage 1" not in text and "Model N 10-2" not in text and "Na 31-2" not in text
    assert "vingerafdruk" not in text and "Datum:" not in text  # blank: no figures, hash or date
    # the N 10-1 counts its own pages; the insert that follows it has none (reports.md §1.1)
    *n10, insert = pages
    footers = [re.search(r"Pagina (\d+) van (\d+)", p).groups() for p in n10]  # type: ignore[union-attr]
    assert footers[0] == ("1", str(len(n10))) and footers[-1] == (str(len(n10)), str(len(n10)))
    for phrase in INSERT_PHRASES:
        assert phrase in insert, phrase
    assert "Stembureau 1" in insert and "Pagina" not in insert


@needs_shared
def test_cli_prints_the_na31_1_insert(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main([*init_args(), "--counting", "decentral"]) == 0
    assert "counting   decentral (decentrale stemopneming)" in capsys.readouterr().out
    assert main(["municipality", "status", "--state", "st"]) == 0
    assert "decentrale stemopneming" in capsys.readouterr().out  # the method in the status table's title
    assert main(["municipality", "forms", "--state", "st", "--insert", "-o", "insert.pdf"]) == 0
    assert "Na 31-1 insert" in capsys.readouterr().out
    (page,) = pages_text((env / "insert.pdf").read_bytes())
    for phrase in (
        "Controles in opdracht van het centraal stembureau",
        "voorpagina van het oorspronkelijke proces-verbaal (Na 31-1)",
        "Model Na 31-1 decentrale stemopneming (versie 2027)",
        "Later ingevoegde pagina",
    ):
        assert phrase in page, phrase
    assert "Na 31-2" not in page


NA14_1_HEADINGS = (
    "Gecorrigeerde telresultaten per lijst en kandidaat – Model Na 14-1",
    "Details van het stembureau",
    "Corrigendum",
    "gekozen voor decentrale stemopneming",
    "Deel 1 - Onderzoek naar telresultaten",
    "1.1 Aantallen kiezers en stemmen",
    "1.2 Hertelling door het gemeentelijk stembureau",
    "1.3 Lijsten met verschillen",
    "Deel 2 - Telresultaten",
    "2.1 Toegelaten kiezers",
    "2.2 Uitgebrachte stemmen",
    "2.3 Verschillen tussen aantal kiezers en uitgebrachte stemmen",
    "2.3.2 Geef als dat mogelijk is, een toelichting op het nog niet verklaarde verschil",
    "2.4 Stemmen per lijst en per kandidaat",
    "Deel 3 - Ondertekening",
    # signed by the gemeentelijk stembureau: 3 members at a local election (reports.md §1.5)
    "alle aanwezige leden van het gemeentelijk stembureau, met een minimum van 3",
    "Voorzitter van het gemeentelijk stembureau:",
    "Corrigendum van een proces-verbaal van een stembureau Model Na 14-1 decentrale stemopneming",
)


@needs_shared
def test_cli_prints_the_blank_na14_1_of_a_station(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main([*init_args(), "--counting", "decentral"]) == 0
    forms = ["municipality", "forms", "--state", "st", "--corrigendum"]
    assert main([*forms, "--station", "2", "-o", "na14.pdf"]) == 0
    na14 = pages_text((env / "na14.pdf").read_bytes())
    assert any("2.4 Stemmen per lijst en per kandidaat" in p and "Lijst 1 " in p for p in na14)
    text = " ".join(na14)
    for heading in NA14_1_HEADINGS:
        assert heading in text, heading
    svc = Service.open(env / "st", at="2026-03-18T21:00:00+01:00")
    for c in svc.district.lists[0].candidates:
        assert c.display_name in text, c.display_name
    assert "vingerafdruk" not in text and "Datum:" not in text  # blank: no figures, hash or date
    capsys.readouterr()
    assert main([*forms, "--insert", "-o", "x.pdf"]) == 2
    assert "--corrigendum" in capsys.readouterr().err and not (env / "x.pdf").exists()


@needs_shared
def test_a_central_count_has_no_na14_1(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(init_args()) == 0
    assert main(["municipality", "forms", "--state", "st", "--corrigendum", "-o", "x.pdf"]) == 2
    err = capsys.readouterr().err
    assert "under central counting" in err and len(err.strip().splitlines()) == 1
    assert not (env / "x.pdf").exists()
