"""The reports of a demo, read back from their PDFs: true page counts, numbered and titled QR sheets, no
heading at a page's foot, contents that list every Bijlage referred to, no poppler warning, a real place.

One municipal demo (Na 31-2, P 22-2, the key sheets) runs once for the module; the O 3 is rendered from a
generated kieskring with its signed summary's QR sheets appended (the P 22-1 is checked on the real TK2021 set
in test_central_tk2021). Checked with poppler, as a reader opening the files would.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from pdf_structure import (
    listed_appendices,
    numbering_problems,
    page_count,
    pages,
    poppler_warnings,
    sheet_problems,
    stranded_headings,
)

from hoofdstembureau.report import o3_data, render_o3
from shared.domain.generate import generate_national
from shared.domain.tally import add_tallies
from shared.formats import dutch
from telketen.cli import main

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("structure") / "run"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--out", str(out), "--seed", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def o3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gen = generate_national(random.Random(3), districts=1, municipalities=4, stations=8, candidates=120)
    total = add_tallies(list(gen.tallies.items()), unit="kieskring")
    at = datetime(2029, 3, 22, 2, 0, 0)
    data = o3_data(
        gen.election, gen.election.districts[0].id, total, place="Groningen", at=at, eml_sha256="0" * 64,
        consumed=[], audit_head="regel 7, vingerafdruk " + " ".join(["f8bb"] * 16),
    )  # fmt: skip
    path = tmp_path_factory.mktemp("o3") / "Model_O3.pdf"
    signed = bytes(range(256)) * 40
    path.write_bytes(render_o3(data, signed, qr_title="Samenvatting O 3", qr_subtitle="s", at=at))
    return path


def _one(folder: Path, pattern: str) -> Path:
    (found,) = folder.rglob(pattern)
    return found


def reports(demo: Path) -> dict[str, Path]:
    published = demo / "published"
    return {"Na 31-2": _one(published, "Model_Na31-2_*.pdf"), "P 22-2": _one(published, "Model_P22-2_*.pdf")}


@pytest.mark.parametrize("model", ["Na 31-2", "P 22-2"])
def test_every_page_says_its_true_number_and_no_heading_ends_a_page(demo: Path, model: str) -> None:
    pdf = reports(demo)[model]
    texts = pages(pdf)
    assert len(texts) == page_count(pdf)
    assert numbering_problems(texts) == []
    assert stranded_headings(texts) == []


def test_the_na31_2_qr_sheets_are_its_numbered_bijlage_3_with_the_reports_fingerprint(demo: Path) -> None:
    texts = pages(reports(demo)["Na 31-2"])
    assert sheet_problems(texts, "Bijlage 3 bij Model Na 31-2") == []
    fingerprint = next(line for line in texts[0].splitlines() if "Digitale vingerafdruk" in line)
    hash_line = texts[0].splitlines()[texts[0].splitlines().index(fingerprint) + 1].strip()
    assert len(hash_line.split()) == 16
    assert hash_line in texts[-1]


@pytest.mark.parametrize("model", ["Na 31-2", "P 22-2"])
def test_the_contents_list_every_bijlage_the_report_refers_to(demo: Path, model: str) -> None:
    listed, referred = listed_appendices(pages(reports(demo)[model]))
    assert referred <= listed, f"referred to but not listed: {sorted(referred - listed)}"


def test_no_heading_ends_a_page_of_the_blank_forms(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """N 10-2 and Na 31-2 Bijlage 1 of one station: the B1 - 3.5 heading opens its first list's page. (The
    forms' questions end pages above ruled lines for handwriting, which pdftotext cannot see, so the general
    check of the reports does not apply.)"""
    monkeypatch.setenv("TELKETEN_PASSWORD", "demo-password-NOT-SECRET")
    state = _one(demo / "work", "*.telketen.sqlite").parent
    out = tmp_path / "forms.pdf"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["municipality", "forms", "--state", str(state), "--station", "1", "-o", str(out)]) == 0
    texts = pages(out)
    assert any("B1 - 3.5 Stemmen per lijst en per kandidaat" in t and "Lijst 1 " in t for t in texts)


def test_the_p22_2_signature_part_has_a_sheet_of_its_own(demo: Path) -> None:
    """Deel 3 starts on an odd page (the front of a sheet) and the page after it is left blank on purpose."""
    texts = pages(reports(demo)["P 22-2"])
    start = next(n for n, t in enumerate(texts, start=1) if n > 1 and "Deel 3 - Ondertekening" in t)
    assert start % 2 == 1
    assert "Deze pagina is expres leeg" in texts[start]  # the next page, 0-based


def test_the_o3_counts_its_qr_sheets_and_titles_them(o3: Path) -> None:
    texts = pages(o3)
    assert numbering_problems(texts) == []
    assert sheet_problems(texts, "Bijlage 2 bij Model O 3") == []
    assert stranded_headings(texts) == []
    assert " ".join(["f8bb"] * 16) in "\n".join(texts)  # the audit-log hash on one line, never wrapped


def test_every_key_sheet_page_carries_its_label_and_number(demo: Path) -> None:
    """The enrolment sheets (sleutelregistratie) stand alone: each page says "QR-blad x/y", y its pages."""
    sheets = sorted(demo.rglob("*sleutelregistratie.pdf"))
    assert len(sheets) == 2  # the municipality's and the central office's
    for pdf in sheets:
        texts = pages(pdf)
        labels = [re.findall(r"QR-blad (\d+)/(\d+)", t) for t in texts]
        assert labels == [[(str(n), str(len(texts)))] for n in range(1, len(texts) + 1)], pdf.name


def test_poppler_reads_every_report_without_a_warning(demo: Path, o3: Path, tmp_path: Path) -> None:
    pdfs = [*demo.rglob("*.pdf"), o3]
    assert {p.name for p in pdfs} >= {"sleutelregistratie.pdf", "Model_O3.pdf"}
    assert [w for pdf in pdfs for w in poppler_warnings(pdf, tmp_path)] == []


def test_the_offices_sit_in_a_real_place(demo: Path) -> None:
    texts = "\n".join(pages(reports(demo)["P 22-2"]))
    assert "Centraal stembureau Oost-Neddam" in texts and "Demostad" not in texts
    site = (demo / "published" / "site" / "index.html").read_text("utf-8")
    assert "Oost-Neddam" in site and "Demostad" not in site


def test_the_kiesdeler_is_the_same_reduced_mixed_number_on_the_site_and_in_the_p22(demo: Path) -> None:
    site = (demo / "published" / "site" / "index.html").read_text("utf-8")
    text = "\n".join(pages(reports(demo)["P 22-2"]))
    quota = site.split("kiesdeler <strong>")[1].split("</strong>")[0]
    value = dutch.parse_mixed(quota)  # a Dutch mixed number, or this raises
    assert dutch.mixed(value) == quota and value.denominator > 1
    assert re.search(rf"{re.escape(quota.split()[0])}\s+{value.numerator % value.denominator}/", text)
