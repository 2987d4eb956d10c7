"""The blank forms per station (reports.md §2 N 10-2, §3.1 Na 31-2 Bijlage 1): printed from the real Juinen
files through the command line, every list and candidate and every section heading of the models on paper,
names with typst markup printed literally, and a national-size ballot in modest time."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest

from municipality.forms import render_forms
from municipality.service import Service
from shared.domain.election import Candidate, Election
from shared.domain.generate import generate_national
from telketen.cli import main
from tests.conftest import needs_shared
from tests.test_municipality_cli import env, init_args  # noqa: F401  (env is a fixture)

N10_2_HEADINGS = (
    "Verslag en telresultaten per lijst – Model N 10-2",
    "Details van het stembureau",
    "Proces-verbaal",
    "Inhoudsopgave",
    "Deel 1 - Verslag van de zitting",
    "1.1 Presentielijst",
    "Aanwezige leden van het stembureau",
    "1.2 Tijdens het stemmen",
    "1.2.1 Schrijf alle bezwaren van aanwezigen tijdens het stemmen op.",
    "1.2.2 Schrijf gedurende de dag alles op",
    "1.2.3 Andere bijzonderheden",
    "1.3 Tijdens het tellen",
    "1.3.1 Wanneer en waar zijn de stemmen geteld?",
    "1.3.2 Schrijf alle bezwaren van aanwezigen tijdens het tellen op",
    "1.3.3 Andere bijzonderheden",
    "Deel 2 - Telresultaten",
    "2.1 Toegelaten kiezers",
    "2.2 Uitgebrachte stemmen",
    "2.2.1 Beoordeel de stembiljetten",
    "2.3 Verschillen tussen aantal kiezers en uitgebrachte stemmen",
    "2.3.1 Vergelijk D (totaal toegelaten kiezers) en H (totaal uitgebrachte stemmen)",
    "2.3.2 Zijn er tijdens de stemming (rubriek 1.2.2)",
    "Deel 3 - Ondertekening",
    "3.1 Voorzitter en twee leden van het stembureau",
    "3.2 Ondertekening door andere aanwezige leden van het stembureau",
    "Proces-verbaal van een stembureau Model N 10-2 centrale stemopneming (versie 2027)",
)
B1_HEADINGS = (
    "Bijlage 1 Verslagen van tellingen van stembureaus",
    "Over deze bijlage",
    "B1 - 1 Extra onderzoek: opmerkingen gemeentelijk stembureau",
    "B1 - 2 Verschillen met telresultaten stembureau",
    "B1 - 2.1 Aantallen kiezers en stemmen",
    "B1 - 2.2 Tel de stembiljetten",
    "B1 - 2.3 Tellingen op lijstniveau",
    "B1 - 2.4 Lijsten met verschillen",
    "B1 - 3 Telresultaten",
    "B1 - 3.1 Toegelaten kiezers",
    "B1 - 3.2 Uitgebrachte stemmen",
    "B1 - 3.3 Verschillen tussen aantal kiezers en uitgebrachte stemmen",
    "B1 - 3.4 Verklaringen vanuit het stembureau",
    "B1 - 3.5 Stemmen per lijst en per kandidaat",
    "Proces-verbaal van een gemeentelijk stembureau Model Na 31-2 centrale stemopneming (versie 2027)",
)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with its whitespace folded, so phrases broken over lines still match."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


@needs_shared
def test_cli_prints_the_forms_of_a_real_station(env: Path) -> None:  # noqa: F811
    assert main(init_args()) == 0
    assert main(["municipality", "forms", "--state", "st", "--station", "1", "-o", "forms.pdf"]) == 0
    pages = pages_text((env / "forms.pdf").read_bytes())
    text = " ".join(pages)
    svc = Service.open(env / "st", at="2026-03-18T21:00:00+01:00")
    station = svc.station(1)
    assert f"{svc.municipality.name} Stembureau 1 {station.name}" in text
    assert f"Gemeente {svc.municipality.code} {svc.municipality.name} → Stembureau 1" in text
    for heading in (*N10_2_HEADINGS, *B1_HEADINGS):
        assert heading in text, heading
    for lst in svc.district.lists:
        assert f"Totaal lijst {lst.number} - {lst.name}" in text
        assert f"Lijst {lst.number} {lst.name}" in text
        for c in lst.candidates:
            assert c.display_name in text, c.display_name
    # a municipal election has no kiezerspassen: box C is struck on blank forms (reports.md §1.7)
    assert "Niet invullen" in text
    # blank: no figures, no hash, no date (reports.md §1.2)
    assert "vingerafdruk" not in text and "Datum:" not in text
    # each form counts its own pages: the N 10-2 ends on "7 van 7", the Bijlage 1 starts again at 1
    footers = [re.search(r"Pagina (\d+) van (\d+)", p).groups() for p in pages]  # type: ignore[union-attr]
    n10 = [f for f, p in zip(footers, pages, strict=True) if "Model N 10-2" in p]
    assert n10[0] == ("1", str(len(n10))) and n10[-1] == (str(len(n10)), str(len(n10)))
    b1 = footers[len(n10) :]
    assert b1[0] == ("1", str(len(b1))) and b1[-1] == (str(len(b1)), str(len(b1)))


@needs_shared
def test_cli_all_stations_and_an_unknown_station(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(init_args()) == 0
    assert main(["municipality", "forms", "--state", "st", "-o", "all.pdf"]) == 0
    text = " ".join(pages_text((env / "all.pdf").read_bytes()))
    svc = Service.open(env / "st", at="2026-03-18T21:00:00+01:00")
    for s in svc.municipality.stations:
        assert f"Stembureau {s.number} {s.name}" in text
    assert text.count("Verslag en telresultaten per lijst – Model N 10-2") == len(svc.municipality.stations)
    code = main(["municipality", "forms", "--state", "st", "--station", "999", "-o", "x.pdf"])
    assert code == 2 and not (env / "x.pdf").exists()
    assert "999" in capsys.readouterr().err


def _with_names(election: Election, list_name: str, candidate: str) -> Election:
    d = election.districts[0]
    first = d.lists[0]
    c0 = msgspec.structs.replace(first.candidates[0], last_name=candidate, initials="", prefix=None)
    lst = msgspec.structs.replace(first, name=list_name, candidates=(c0, *first.candidates[1:]))
    return msgspec.structs.replace(
        election, districts=(msgspec.structs.replace(d, lists=(lst, *d.lists[1:])), *election.districts[1:])
    )


def test_typst_markup_in_names_prints_literally() -> None:
    gen = generate_national(
        random.Random(3), districts=1, municipalities=1, stations=1, lists=2, candidates=6
    )
    evil_list = "#set text(size: 40pt) *Vet* _schuin_ [x] $y$ \\"
    evil_name = "O'Brien #1 *ster* _laag_ [haak]"
    election = _with_names(gen.election, evil_list, evil_name)
    muni = election.municipalities[0]
    text = " ".join(pages_text(render_forms(election, muni, muni.stations)))
    assert f"Lijst 1 {evil_list}" in text
    assert f"Totaal lijst 1 - {evil_list}" in text
    assert evil_name in text
    assert isinstance(election.districts[0].lists[0].candidates[0], Candidate)


def test_national_ballot_renders_in_modest_time() -> None:
    gen = generate_national(random.Random(7), districts=1, municipalities=1, stations=1, candidates=1100)
    muni = gen.election.municipalities[0]
    start = time.perf_counter()
    pdf = render_forms(gen.election, muni, muni.stations)
    elapsed = time.perf_counter() - start
    text = " ".join(pages_text(pdf))
    lists = gen.election.districts[0].lists
    assert sum(len(lst.candidates) for lst in lists) >= 1000
    for lst in lists:
        assert f"Lijst {lst.number} {lst.name}" in text
        for c in lst.candidates:
            assert c.display_name[:47] in text
    assert "Kiezerspassen" in text and "Niet invullen" not in text  # a national election has voter cards
    assert elapsed < 20, f"{elapsed:.1f} s for one station's forms at national size"


@needs_shared
def test_cli_prints_the_na31_2_insert(env: Path) -> None:  # noqa: F811
    assert main(init_args()) == 0
    assert main(["municipality", "forms", "--state", "st", "--insert", "-o", "insert.pdf"]) == 0
    pages = pages_text((env / "insert.pdf").read_bytes())
    assert len(pages) == 1
    text = pages[0]
    svc = Service.open(env / "st", at="2026-03-18T21:00:00+01:00")
    assert f"Gemeente {svc.municipality.code} {svc.municipality.name}" in text
    for phrase in (
        "Controles en correcties",
        "Controles in opdracht van het centraal stembureau",
        "Zijn er gecorrigeerde telresultaten?",
        "Nee, de oorspronkelijke telresultaten waren correct",
        "Ja, er zijn gecorrigeerde telresultaten (zie voor de correcties het corrigendum",
        "Opgesteld door het gemeentelijk stembureau",
        "Datum en tijd:",
        "Model Na 31-2 centrale stemopneming (versie 2027)",
    ):
        assert phrase in text, phrase
    # an insert goes into a report printed earlier: "Later ingevoegde pagina", never a page number (§1.1)
    assert "Later ingevoegde pagina" in text and "Pagina 1" not in text


def test_coordinator_downloads_the_forms_from_the_station_page(tmp_path: Path) -> None:
    from tests.test_web_municipality import client_for, login
    from tests.test_web_support import municipality_state

    state = municipality_state(tmp_path)
    with client_for(state) as coord, client_for(state) as typist:
        login(coord, "coord")
        page = coord.get("/coordinator/stembureau/1").text
        assert 'href="/coordinator/formulieren/1"' in page
        assert 'href="/coordinator/formulieren/inlegvel"' in page
        r = coord.get("/coordinator/formulieren/1")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert "Model N 10-2" in " ".join(pages_text(r.content))
        insert = pages_text(coord.get("/coordinator/formulieren/inlegvel").content)
        assert len(insert) == 1 and "Later ingevoegde pagina" in insert[0]
        # a typist has no business printing forms: the coordinator's pages only
        login(typist, "anna")
        r = typist.get("/coordinator/formulieren/1")
        assert not r.content.startswith(b"%PDF")


@pytest.mark.parametrize("lists", [1, 26])
def test_signatures_start_on_their_own_sheet(lists: int) -> None:
    """Deel 3 always starts on an odd page of the N 10-2, with a 'Deze pagina is expres leeg' filler page when
    Deel 2 ends on an odd page (reports.md §1.1): one list ends Deel 2 on page 5, 26 lists on page 6."""
    gen = generate_national(
        random.Random(3), districts=1, municipalities=1, stations=1, lists=lists, candidates=lists * 3
    )
    muni = gen.election.municipalities[0]
    n10 = [p for p in pages_text(render_forms(gen.election, muni, muni.stations)) if "Model N 10-2" in p]
    signing = [i + 1 for i, p in enumerate(n10) if "Voorzitter van het stembureau:" in p]
    fillers = [i + 1 for i, p in enumerate(n10) if "Deze pagina is expres leeg" in p]
    assert signing == [len(n10)] and len(n10) % 2 == 1
    assert fillers == ([len(n10) - 1] if lists == 1 else [])
