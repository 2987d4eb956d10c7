"""The fast Na 31-2 layout: all content printed, reproducible bytes, and the text formats it relies on."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pypdfium2 as pdfium
from hypothesis import given
from hypothesis import strategies as st

from hoofdstembureau.report import o3_data, render_o3
from municipality.report import (
    StationResult,
    na31_2_data,
    render_na31_2,
    report_source,
)
from shared.adapters.pdf import compile_typst, pdf_timestamp
from shared.adapters.sheets import render_sheets, sheet_markup
from shared.domain.generate import generate_national
from shared.domain.tally import add_tallies
from shared.formats import dutch

AT = datetime(2029, 3, 22, 2, 0, 0)


@cache
def _data() -> tuple[dict[str, Any], list[StationResult]]:
    gen = generate_national(random.Random(7), districts=1, municipalities=1, stations=3, candidates=1100)
    muni = gen.election.municipalities[0]
    results = [StationResult(station=s, tally=gen.tallies[s.id]) for s in muni.stations]
    totals = add_tallies(((r.station.id, r.tally) for r in results), unit="gemeente")
    data = na31_2_data(
        gen.election, muni, totals, results, generated=AT, eml_sha256="ab" * 32, audit_head=(3, "cd" * 32),
        session_text="test",
    )  # fmt: skip
    return data, results


@cache
def _pdf() -> bytes:
    data, _ = _data()
    markup, files = sheet_markup(b"telketen" * 50, title="Samenvatting", subtitle="test")
    return render_na31_2(data, markup, files, at=AT)


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


@given(st.integers(min_value=0, max_value=10**12))
def test_dutch_thousands(n: int) -> None:
    text = dutch.number(n)
    assert int(text.replace(".", "")) == n
    assert all(len(g) == 3 for g in text.split(".")[1:])


def test_report_prints_the_station_table_totals_and_every_candidate_total() -> None:
    data, results = _data()
    text = _text(_pdf())
    flat = " ".join(text.split())
    for r in results:  # §1.2: one row per station
        assert r.station.name in text and r.station.postal_code in text
    for lst in data["lists"]:
        assert f"Lijst {lst['number']} {lst['name']}" in text
        assert "Totaal lijst (kolom" in text and lst["votes_text"] in flat
    totals = add_tallies(((r.station.id, r.tally) for r in results), unit="gemeente")
    name = data["lists"][0]["pages"][0][0]["candidates"][0]["name"]
    assert name in text and dutch.number(totals.lists[0].candidate_votes[0]) in flat
    assert "Pagina 1 van" in text and "Ondertekening" in text and "QR-blad 1/1" in text
    assert "ab" * 2 + " " + "ab" * 2 in text  # the EML hash in groups


def test_bijlage_1_is_listed_but_not_printed_again() -> None:
    """The stations' handwritten forms are Bijlage 1 (attached on paper); the filled report does not repeat
    their figures per station (reports.md §10), so its length does not grow with the stations' votes."""
    text = _text(_pdf())
    assert "Bijlage 1: Telresultaten van alle stembureaus in de gemeente" in text
    assert "verslag telling stembureau" not in text and "Stemmen per kandidaat" not in text


def test_same_input_same_bytes_and_the_date_is_the_one_passed_in() -> None:
    data, _ = _data()
    markup, files = sheet_markup(b"telketen" * 50, title="Samenvatting", subtitle="test")
    again = render_na31_2(data, markup, files, at=AT)
    assert again == _pdf()
    assert b"20290322020000" in again.replace(b"-", b"").replace(b":", b"").replace(b"T", b"")
    later = render_na31_2({**data, "pdf_date": {**data["pdf_date"], "day": 23}}, markup, files, at=AT)
    assert later != again and b"20290323020000" in later.replace(b"-", b"").replace(b":", b"").replace(
        b"T", b""
    )


def test_sheets_are_reproducible_with_a_timestamp() -> None:
    ts = pdf_timestamp(AT)
    assert ts == int(AT.replace(tzinfo=UTC).timestamp())
    one = render_sheets(b"x" * 900, title="Sleutel", timestamp=ts)
    assert one == render_sheets(b"x" * 900, title="Sleutel", timestamp=ts)
    assert re.search(rb"2029", one)


def test_the_clock_does_not_change_a_report_compiled_without_timestamp() -> None:
    """`municipality.finalise` compiles without a timestamp: the template's own date must win."""
    data, _ = _data()
    source, files = report_source("na31_2.typ", data)
    assert compile_typst(source, files, timestamp=0) == compile_typst(source, files, timestamp=2_000_000_000)


def test_o3_is_reproducible_and_dated_by_its_session() -> None:
    gen = generate_national(random.Random(3), districts=1, municipalities=2, stations=2, candidates=60)
    total = add_tallies(list(gen.tallies.items()), unit="kieskring")
    data = o3_data(
        gen.election, gen.election.districts[0].id, total, place="Utrecht", at=AT, eml_sha256="0" * 64,
        consumed=[], audit_head="0" * 64,
    )  # fmt: skip
    one = render_o3(data, b"x" * 300, qr_title="t", qr_subtitle="s", at=AT)
    assert one == render_o3(data, b"x" * 300, qr_title="t", qr_subtitle="s")
