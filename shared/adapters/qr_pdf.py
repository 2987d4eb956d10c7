"""The QR sheets of a printed report, read from its PDF file rather than from paper.

Why: a published report (Na 31-2, Na 14-2, O 3) ends in the QR sheets that carried its signed summary to the
next tier. Anyone checking the published files can read those symbols straight from the PDF — the images
typst embedded, module for module, without printing or scanning — and so see that the report on paper and the
summary published beside it are the same message (`telketen verify`).

The sheets are the pages whose heading says "QR-blad x/y" (`shared.adapters.sheets`); they close the
document, so the search starts at the last page and never renders the hundreds of table pages before them.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from shared.adapters.qr_scan import ScanReport, add_payloads, decode_image
from shared.errors import InputError

#: The heading every QR sheet carries (`shared.adapters.sheets`): what an operator looks for.
SHEET_LABEL = re.compile(r"QR-blad (\d+)/\d+")


def page_text(page: pdfium.PdfPage) -> str:
    """The text typst wrote on a page (where the sheet label "QR-blad x/y" is found)."""
    textpage = page.get_textpage()
    try:
        text: str = textpage.get_text_range()
        return text
    finally:
        textpage.close()


def _text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        return page_text(page)
    finally:
        page.close()


def sheet_pages(document: pdfium.PdfDocument) -> list[int]:
    """The indexes of the QR sheets that close `document`, in print order (none: no QR sheets).

    The last sheet says "QR-blad x/y": it and the x - 1 pages before it are the sheets.
    """
    for index in range(len(document) - 1, -1, -1):
        label = SHEET_LABEL.search(_text(document, index))
        if label:
            return list(range(max(0, index + 1 - int(label.group(1))), index + 1))
    return []


def read_embedded_sheets(pdf: bytes, *, where: str) -> ScanReport:
    """Decode the QR symbols embedded in the sheets of `pdf` into one report (complete and partial messages).

    A file pdfium cannot open, or a page it cannot load (a damaged page tree), is an InputError naming
    `where`; a PDF without QR sheets gives an empty report.
    """
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise InputError(f"cannot open the PDF: {exc}", where=where) from None
    report = ScanReport()
    try:
        for index in sheet_pages(document):
            page = document[index]
            try:
                for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
                    try:
                        bitmap = image.get_bitmap(render=False)
                    except pdfium.PdfiumError:
                        continue  # an image pdfium cannot decode holds no symbol we could read either
                    add_payloads(report, decode_image(bitmap.to_pil()), f"{where} page {index + 1}")
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise InputError(f"cannot read the PDF's pages: {exc}", where=where) from None
    finally:
        document.close()
    return report
