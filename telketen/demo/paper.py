"""Print and scan, simulated: the QR pages of a report PDF as a scanner would deliver them, then decoded.

Why: between the tiers only paper travels. The demo renders the printed PDF's QR pages to images, damages
them like an office print-and-scan (blur, skew, grey paper, uneven light, noise, JPEG —
`degrade.scanner_like`, seeded), writes them as the scanner's JPEG files, and decodes those files with the
scanner code the tiers' `scan` commands use (`qr_scan.decode_page`). Nothing is handed over in memory.

The QR summary is at the end of a report, so pages are rendered from the last one backwards until the message
is complete: a municipal report of a national election has hundreds of table pages that need no scanning.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
from PIL import Image

from shared.adapters.degrade import scanner_like
from shared.adapters.qr_scan import ScanReport, add_payloads, decode_page
from shared.errors import InputError

#: Scanner resolution of the demo: an office scanner's default for documents.
SCAN_DPI = 200
#: JPEG quality the simulated scanner writes.
JPEG_QUALITY = 88
#: A report whose last pages hold no QR symbol at all is not a Telketen report: stop looking.
MAX_PAGES_WITHOUT_QR = 3


class Scanned(msgspec.Struct, frozen=True, kw_only=True):
    """The scan of one document: the image files written and the complete messages read from them."""

    files: tuple[Path, ...]
    messages: tuple[bytes, ...]
    symbols: int


def _render(document: pdfium.PdfDocument, index: int, dpi: int) -> Image.Image:
    page = document[index]
    try:
        image: Image.Image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        return image
    finally:
        page.close()


def print_and_scan(pdf_path: Path, scans: Path, rng: random.Random, *, stem: str) -> Scanned:
    """Scan the QR pages of a printed report (from the end backwards) into JPEG files and decode them."""
    data = pdf_path.read_bytes()
    document = pdfium.PdfDocument(data)
    report = ScanReport()
    files: list[Path] = []
    symbols = 0
    try:
        for index in range(len(document) - 1, -1, -1):
            image = scanner_like(_render(document, index, SCAN_DPI), rng, SCAN_DPI)
            path = scans / f"{stem}-p{index + 1}.jpg"
            scans.mkdir(parents=True, exist_ok=True)
            image.save(path, "JPEG", quality=JPEG_QUALITY, dpi=(SCAN_DPI, SCAN_DPI))
            files.append(path)
            # The receiving tier decodes the file as delivered by the scanner, not the image in memory.
            with Image.open(path) as delivered:
                result = decode_page(delivered.convert("L"))
            symbols += len(result.payloads)
            add_payloads(report, result.payloads, path.name)
            if report.messages and not any(report.missing.values()):
                break
            if not symbols and len(files) >= MAX_PAGES_WITHOUT_QR:
                break
    finally:
        document.close()
    if not report.messages:
        raise InputError(
            f"no complete signed message on the QR pages of {pdf_path.name}", where=str(pdf_path)
        )
    return Scanned(files=tuple(files), messages=tuple(report.messages.values()), symbols=symbols)
