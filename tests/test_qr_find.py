"""The fast desk (`shared.adapters.qr_find`): a whole report's QR sheets found without decoding every page.

Each test builds the case a check exists for: our own PDF read from its embedded symbols with no page
rendered; a scanned stack read with only the pages that look like QR decoded; a page the cheap look
misjudges still read by the second pass; the judge itself on degraded sheets and on text pages; bad files
refused with one line naming them.
"""

from __future__ import annotations

import io
import random
from functools import cache

import pypdfium2 as pdfium
import pytest
from PIL import Image

from shared.adapters import qr_find
from shared.adapters.degrade import DEGRADATIONS
from shared.adapters.desk_upload import collect_uploads
from shared.adapters.pdf import MAX_PAGES, render_page
from shared.adapters.qr_find import looks_like_qr, read_document
from shared.adapters.qr_scan import ScanReport
from shared.adapters.sheets import render_sheets
from shared.errors import InputError
from tests.desk_reports import municipal_report, scanned_stack

PAYLOAD = random.Random(14).randbytes(1026)  # a municipal summary's size: one page of two symbols


@cache
def report_pdf() -> bytes:
    return municipal_report(PAYLOAD, stations=3, candidates=80)


@cache
def scanned(fmt: str) -> bytes:
    return scanned_stack(report_pdf(), fmt=fmt)


def pages_of(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


def test_our_pdf_is_read_from_its_embedded_symbols_without_rendering_a_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[int] = []
    real = qr_find.render_page

    def spy(document: pdfium.PdfDocument, index: int, dpi: float, **kw: str) -> Image.Image:
        rendered.append(index)
        return real(document, index, dpi, **kw)

    monkeypatch.setattr(qr_find, "render_page", spy)
    report = ScanReport()
    stats = read_document(report, report_pdf(), where="na31_2.pdf")
    assert list(report.messages.values()) == [PAYLOAD]
    assert stats.pages == pages_of(report_pdf())
    assert (stats.embedded, stats.decoded, stats.second_pass) == (1, 0, 0)
    assert stats.skipped == stats.pages - 1
    assert rendered == []  # the table pages carry no image, the sheet's symbols are taken as embedded


@pytest.mark.parametrize("fmt", ["PDF", "TIFF"])
def test_a_scanned_stack_decodes_only_the_pages_that_look_like_qr(fmt: str) -> None:
    report = ScanReport()
    stats = read_document(report, scanned(fmt), where=f"scan.{fmt.lower()}")
    assert list(report.messages.values()) == [PAYLOAD]
    assert stats.embedded == 0 and stats.second_pass == 0
    assert stats.decoded == 1  # the sheet only
    assert stats.skipped == stats.pages - 1
    assert report.pages_per_file[f"scan.{fmt.lower()}"] == pages_of(report_pdf())


def test_a_sheet_the_cheap_look_misses_is_read_by_the_second_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qr_find, "looks_like_qr", lambda image: False)
    report = ScanReport()
    stats = read_document(report, scanned("PDF"), where="scan.pdf")
    assert list(report.messages.values()) == [PAYLOAD]
    assert stats.decoded == 0 and stats.second_pass == stats.pages


@cache
def sheet_page(size: int) -> Image.Image:
    document = pdfium.PdfDocument(render_sheets(random.Random(size).randbytes(size), title="Samenvatting"))
    return render_page(document, 0, 300)


@pytest.mark.parametrize("name", sorted(DEGRADATIONS))
@pytest.mark.parametrize("size", [60, 1026, 14000])
def test_the_cheap_look_sees_every_degraded_sheet(name: str, size: int) -> None:
    image = DEGRADATIONS[name](sheet_page(size), random.Random(3), 300)
    assert looks_like_qr(image)


@pytest.mark.parametrize("name", ["clean", "scanner", "low_contrast", "uneven_light", "harsh"])
def test_the_cheap_look_passes_over_text_and_table_pages(name: str) -> None:
    document = pdfium.PdfDocument(report_pdf())
    for index in (0, 3, len(document) // 2, len(document) - 2):
        image = DEGRADATIONS[name](render_page(document, index, 150), random.Random(index), 150)
        assert not looks_like_qr(image), f"page {index + 1}"


def test_blank_and_tiny_images_are_not_qr() -> None:
    assert not looks_like_qr(Image.new("L", (1240, 1754), 235))
    assert not looks_like_qr(Image.new("L", (8, 8), 0))


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.7\n garbage", "cannot open the PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a readable image or PDF"),
        (b"plain text", "not a readable image or PDF"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_file(data: bytes, text: str) -> None:
    with pytest.raises(InputError) as caught:
        read_document(ScanReport(), data, where="upload.pdf")
    assert text in caught.value.message and caught.value.where == "upload.pdf"


def test_the_desk_reads_a_whole_report_and_names_pages_in_dutch() -> None:
    other = io.BytesIO()
    Image.new("L", (400, 400), 255).save(other, format="PNG")
    found, notes = collect_uploads([("na31_2.pdf", report_pdf()), ("leeg.png", other.getvalue())])
    assert [m for _, m in found] == [PAYLOAD]
    assert notes == []
    found, notes = collect_uploads([("kapot.pdf", b"%PDF-1.7\n garbage")])
    assert found == [] and notes[0] == "kapot.pdf: de PDF kan niet worden geopend."


def test_a_phone_photo_saved_as_jpeg_is_judged_from_its_thumbnail_and_read() -> None:
    photo = DEGRADATIONS["perspective"](sheet_page(1026), random.Random(2), 300)
    out = io.BytesIO()
    photo.convert("L").save(out, format="JPEG", quality=80)
    assert qr_find.jpeg_thumbnail(out.getvalue()) is not None
    assert qr_find.jpeg_thumbnail(b"\x89PNG\r\n\x1a\n") is None
    report = ScanReport()
    stats = read_document(report, out.getvalue(), where="foto.jpg")
    assert (stats.decoded, stats.second_pass) == (1, 0)
    assert list(report.messages.values()) == [random.Random(1026).randbytes(1026)]


def test_a_stack_beyond_the_page_bound_is_refused_before_any_page_is_read() -> None:
    frames = [Image.new("L", (8, 8), 255) for _ in range(MAX_PAGES + 1)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(InputError, match=f"{MAX_PAGES + 1} pages; at most {MAX_PAGES}"):
        read_document(ScanReport(), out.getvalue(), where="stapel.tiff")
