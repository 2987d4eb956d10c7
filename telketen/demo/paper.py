"""Print and scan, simulated: the QR pages of a report PDF as a scanner would deliver them, then decoded.

Why: between the tiers only paper travels. The demo renders the printed PDF's QR pages to images, damages
them like an office print-and-scan (blur, skew, grey paper, uneven light, noise — `degrade.scanner_capture`,
seeded), writes them as the scanner's JPEG files (one compression, at the quality the scanner drew), and
reads and decodes those files with the scanner code the tiers' `scan` commands use (`qr_scan.load_images`,
`qr_scan.decode_page`). Nothing is handed over in memory.

Only the pages an operator would feed are scanned: the QR sheets, which say "QR-blad x/y" in their heading and
close the document. A municipal report of a national election has hundreds of table pages before them; none
of them is rendered.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pypdfium2 as pdfium

from shared.adapters.degrade import scanner_capture
from shared.adapters.pdf import render_page
from shared.adapters.qr_pdf import sheet_pages
from shared.adapters.qr_scan import ScanReport, add_payloads, decode_page, load_images
from shared.errors import InputError

#: Scanner resolution of the demo: an office scanner's default for documents.
SCAN_DPI = 200


class Scanned(msgspec.Struct, frozen=True, kw_only=True):
    """The scan of one document: the image files written and the complete messages read from them."""

    files: tuple[Path, ...]
    messages: tuple[bytes, ...]
    symbols: int


def print_and_scan(pdf_path: Path, scans: Path, rng: random.Random, *, stem: str) -> Scanned:
    """Scan the QR sheets of a printed report into JPEG files and decode them."""
    document = pdfium.PdfDocument(pdf_path.read_bytes())
    report = ScanReport()
    files: list[Path] = []
    symbols = 0
    try:
        for index in sheet_pages(document):
            sensed, quality = scanner_capture(render_page(document, index, SCAN_DPI), rng, SCAN_DPI)
            path = scans / f"{stem}-p{index + 1}.jpg"
            scans.mkdir(parents=True, exist_ok=True)
            sensed.save(path, "JPEG", quality=quality, dpi=(SCAN_DPI, SCAN_DPI))
            files.append(path)
            # The receiving tier decodes the file as delivered by the scanner, not the image in memory.
            (delivered,) = load_images(path)
            result = decode_page(delivered)
            symbols += len(result.payloads)
            add_payloads(report, result.payloads, path.name)
    finally:
        document.close()
    if not report.messages:
        found = "no QR sheets" if not files else f"{symbols} QR symbol(s) but no complete signed message"
        raise InputError(f"{found} in {pdf_path.name}", where=str(pdf_path))
    return Scanned(files=tuple(files), messages=tuple(report.messages.values()), symbols=symbols)
