"""Whole municipal reports as the desk is handed them: the Na 31-2 PDF as the municipality prints it (its
QR sheets at the end) and that report printed and scanned back as a stack of page images.

Shared by tests/test_qr_find.py and bench/desk.py.
"""

from __future__ import annotations

import io
import random
from datetime import datetime

import pypdfium2 as pdfium

from municipality.finalise import municipal_totals
from municipality.report import StationResult, na31_2_data, render_na31_2
from shared.adapters.degrade import scanner_like
from shared.adapters.pdf import render_page
from shared.adapters.sheets import sheet_markup
from shared.domain.generate import generate_national

AT = datetime(2029, 3, 22, 2, 0, 0)


def municipal_report(payload: bytes, *, stations: int, candidates: int, seed: int = 1) -> bytes:
    """The Na 31-2 of a generated municipality carrying `payload` on its QR sheets, as finalise renders it."""
    gen = generate_national(
        random.Random(seed), districts=1, municipalities=1, stations=stations, candidates=candidates
    )
    muni = gen.election.municipalities[0]
    results = [StationResult(station=st, tally=gen.tallies[st.id]) for st in muni.stations]
    data = na31_2_data(
        gen.election, muni, municipal_totals(results), results, generated=AT, eml_sha256="0" * 64,
        audit_head=(1, "0" * 64), session_text="desk",
    )  # fmt: skip
    markup, files = sheet_markup(payload, title="Samenvatting", subtitle=muni.name)
    return render_na31_2(data, markup, files, at=AT)


def scanned_stack(pdf: bytes, *, dpi: int = 200, seed: int = 7, fmt: str = "PDF") -> bytes:
    """`pdf` printed and scanned (office scanner damage per page) into one multi-page PDF or TIFF file."""
    rng = random.Random(seed)
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [
            scanner_like(render_page(document, i, dpi), rng, dpi).convert("L") for i in range(len(document))
        ]
    finally:
        document.close()
    out = io.BytesIO()
    options = {"resolution": dpi} if fmt == "PDF" else {"compression": "tiff_lzw"}
    pages[0].save(out, format=fmt, save_all=True, append_images=pages[1:], **options)
    return out.getvalue()
