"""Paper round trips: payload -> typst PDF sheets -> rasterized -> degraded -> decoded byte-exact.

A seeded handful of sizes and degradations keeps this fast; the full sweep is `bench/paper.py`.
"""

from __future__ import annotations

import io
import random
import sys
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from shared.adapters import degrade
from shared.adapters.pdf import TypstCompileError, compile_typst, load_pdf_pages, rasterize
from shared.adapters.qr_render import byte_capacity, modules, qr_image, qr_matrix
from shared.adapters.qr_scan import (
    PageResult,
    _retry_missing_cells,
    decode_image,
    decode_page,
    scan_files,
    straighten_page,
    to_gray,
    zbar_problem,
    zbar_read,
    zxing_read,
)
from shared.adapters.sheets import (
    MIN_MODULE_MM,
    PIXELS_PER_MODULE,
    choose_layout,
    render_sheets,
    sheet_markup,
)
from shared.adapters.webcam import progress_line, read_frames
from shared.errors import EnvironmentProblem, InputError
from shared.formats.framing import Reassembler, frame
from tests.conftest import needs_zbar


@cache
def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed * 1_000_003 + size).randbytes(size)


@cache
def sheets(size: int, dense: bool = False) -> bytes:
    return render_sheets(
        payload(size), title="Testbladen", subtitle="ronde", fingerprint="ABCD 1234", dense=dense
    )


@cache
def pages(size: int, dpi: int, dense: bool = False) -> tuple[Image.Image, ...]:
    return tuple(rasterize(sheets(size, dense), dpi))


def reassemble(images: list[Image.Image]) -> bytes:
    r = Reassembler()
    for image in images:
        for data in decode_image(image):
            r.add(data)
    return r.message()


# --- layout rules


def test_default_and_dense_capacity() -> None:
    default = choose_layout(100_000)
    assert (default.version, default.ecc, default.module_mm, default.cols, default.rows) == (
        25,
        "M",
        0.42,
        3,
        5,
    )
    assert default.bytes_per_page() >= 14_600
    dense = choose_layout(100_000, dense=True)
    assert dense.module_mm == 0.34 and dense.bytes_per_page() >= 30_000


def test_symbols_are_embedded_at_a_fixed_pixels_per_module_and_scaled_without_interpolation() -> None:
    markup, files = sheet_markup(bytes(range(256)) * 40, title="t")
    layout = choose_layout(256 * 40)
    assert files and all(
        Image.open(io.BytesIO(png)).size == (modules(layout.version) * PIXELS_PER_MODULE,) * 2
        for png in files.values()
    )
    assert markup.count('scaling: "pixelated"') == markup.count("image(") == len(files)


@given(st.integers(0, 400_000), st.booleans())
@settings(max_examples=200, deadline=None)
def test_layout_never_below_minimum_module_and_fits_a4(size: int, dense: bool) -> None:
    layout = choose_layout(size, dense=dense)
    assert layout.module_mm >= MIN_MODULE_MM
    assert layout.cols * layout.symbol_mm + (layout.cols - 1) * layout.gap_mm <= 210 - 16
    assert layout.rows * layout.symbol_mm + (layout.rows - 1) * layout.gap_mm <= 297 - 16 - 20


def test_small_message_is_one_big_symbol_and_few_symbols_get_bigger() -> None:
    one = choose_layout(800)
    assert one.per_page == 1 and one.module_mm > 0.8 and byte_capacity(one.version, "M") >= 800 + 32 + 19
    assert choose_layout(3000).module_mm > 0.42


@given(st.binary(min_size=1, max_size=300), st.sampled_from([2, 5, 10]), st.sampled_from(["L", "M", "Q"]))
@settings(max_examples=25, deadline=None)
def test_qr_symbol_round_trip_binary(data: bytes, version: int, ecc: str) -> None:
    assume(len(data) <= byte_capacity(version, ecc))  # type: ignore[arg-type]
    image = qr_image(data, version, ecc, 4, border=4)  # type: ignore[arg-type]
    assert qr_matrix(data, version, ecc).shape == (17 + 4 * version,) * 2  # type: ignore[arg-type]
    assert [f.data for f in zxing_read(to_gray(image))] == [data]


# --- round trips


@pytest.mark.parametrize("size", [1, 900, 5000, 14_600])
@pytest.mark.parametrize("dpi", [200, 300])
def test_round_trip_sizes_scanner_like(size: int, dpi: int) -> None:
    rng = random.Random(size + dpi)
    scans = [degrade.scanner_like(page, rng, dpi) for page in pages(size, dpi)]
    assert reassemble(scans) == payload(size)


@pytest.mark.parametrize("name", sorted(degrade.DEGRADATIONS))
@pytest.mark.parametrize("dpi", [200, 300])
def test_full_page_every_degradation(name: str, dpi: int) -> None:
    page = pages(14_600, dpi)[0]
    scan = degrade.DEGRADATIONS[name](page, random.Random(7), dpi)
    assert reassemble([scan]) == payload(14_600)


def test_100_kb_over_seven_pages_shuffled_through_files(tmp_path: Path) -> None:
    """Pages in any order, several file types, one page scanned twice: still byte-exact."""
    scans = list(pages(100_000, 200))
    assert len(scans) == 7
    rng = random.Random(3)
    damaged = [degrade.scanner_like(page, rng, 200) for page in scans]
    paths = []
    for i, image in enumerate(damaged):
        path = tmp_path / f"scan{i}.{['png', 'jpg', 'png'][i % 3]}"
        image.save(path, quality=85) if path.suffix == ".jpg" else image.save(path)
        paths.append(path)
    tiff = tmp_path / "two.tiff"
    first, second = (
        Image.fromarray(np.asarray(im)) for im in damaged[:2]
    )  # PIL keeps JPEG options otherwise
    first.save(tiff, save_all=True, append_images=[second])
    rng.shuffle(paths)
    report = scan_files([*paths, tiff])
    assert report.message() == payload(100_000)
    assert report.symbols_per_file[str(tiff)] == 30 and report.pages_per_file[str(tiff)] == 2
    assert sum(report.symbols_per_file.values()) == 103 + 30


def test_dense_30_kb_page_at_300_dpi() -> None:
    scans = pages(32_000, 300, dense=True)
    assert len(scans) == 1
    scan = degrade.scanner_like(scans[0], random.Random(5), 300)
    assert reassemble([scan]) == payload(32_000)


@needs_zbar
def test_scanned_pdf_and_missing_page_is_named(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    buffer = io.BytesIO()
    images = list(pages(100_000, 200))  # 103 symbols on 7 pages; scan pages 1-3 and 5-7 only
    images[0].save(
        buffer, format="PDF", save_all=True, append_images=[*images[1:3], *images[4:]], resolution=200
    )
    path.write_bytes(buffer.getvalue())
    assert len(load_pdf_pages(path, 200)) == 6
    report = scan_files([path], dpi=200)
    with pytest.raises(InputError, match="missing symbols 46–60 of 103"):
        report.message()
    assert any("46–60 of 103" in line for line in report.describe())


# --- decoder passes


@pytest.mark.parametrize("name", ["rotate", "perspective"])
def test_grid_retry_recovers_a_symbol_the_first_pass_lost(name: str) -> None:
    """Drop a symbol from the first pass: the fitted grid must cut out exactly that cell and read it."""
    page = pages(14_600, 200)[0]
    gray = to_gray(degrade.DEGRADATIONS[name](page, random.Random(1), 200))
    found = zxing_read(gray)
    assert len(found) >= 12
    for drop in (0, len(found) // 2, len(found) - 1):
        kept = found[:drop] + found[drop + 1 :]
        result = PageResult([], len(kept))
        recovered = _retry_missing_cells(gray, kept, result)
        assert found[drop].data in recovered


def test_one_row_is_enough_to_read_the_whole_page() -> None:
    """The retry works outwards from what was found, refitting the grid as it goes."""
    gray = to_gray(degrade.rotate(pages(14_600, 200)[0], 3.0))
    found = zxing_read(gray)
    top = min(f.corners[:, 1].mean() for f in found)
    kept = [f for f in found if f.corners[:, 1].mean() < top + 100]
    assert len(kept) == 3
    recovered = _retry_missing_cells(gray, kept, PageResult([], len(kept)))
    assert {f.data for f in found} - {f.data for f in kept} <= set(recovered)
    assert len(found) == 15


def test_whole_row_missing_is_found_by_the_ring() -> None:
    page = pages(14_600, 300)[0]
    gray = to_gray(page)
    found = zxing_read(gray)
    lowest = max(f.corners[:, 1].mean() for f in found)
    kept = [f for f in found if f.corners[:, 1].mean() < lowest - 100]
    lost = {f.data for f in found} - {f.data for f in kept}
    assert len(lost) == 3
    assert lost <= set(_retry_missing_cells(gray, kept, PageResult([], len(kept))))


@needs_zbar
def test_zbar_binary_mode_keeps_high_bytes() -> None:
    data = bytes(range(256)) * 3
    image = qr_image(data, 25, "M", 4, border=4)
    assert zbar_read(to_gray(image)) == [data]
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    assert pyzbar.decode(image)[0].data != data  # why binary mode is required


def test_without_libzbar_the_message_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar.wrapper", None)
    with pytest.raises(EnvironmentProblem, match="libzbar0"):
        zbar_read(np.full((50, 50), 255, np.uint8))
    blank = Image.new("L", (600, 800), 255)
    result = decode_page(blank)
    assert result.payloads == [] and any("libzbar0" in p for p in result.environment)
    # the tests that need zbar skip with this message (conftest.needs_zbar), naming the package to install
    assert "install the system package libzbar0" in (zbar_problem() or "")


def test_photo_of_a_sheet_is_straightened() -> None:
    page = np.asarray(pages(900, 200)[0])
    h, w = page.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.array(
        [[260, 180], [w + 120, 260], [w + 300, h + 330], [150, h + 250]], dtype=np.float32
    )  # a tilted phone photo
    matrix = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(page, matrix, (w + 450, h + 450), borderValue=40)  # dark desk around the page
    flat = straighten_page(photo)
    assert flat is not None
    assert abs(flat.shape[0] / flat.shape[1] - 297 / 210) < 0.08
    assert [f.data for f in zxing_read(flat)] == frame(payload(900), choose_layout(900).chunk_capacity)


def test_garbage_images_give_nothing_not_crashes() -> None:
    rng = np.random.default_rng(1)
    for image in (
        rng.integers(0, 256, (700, 500), dtype=np.uint8),
        np.zeros((5, 5), np.uint8),
        np.full((300, 300, 3), 128, np.uint8),
    ):
        assert decode_image(image) == []


# --- PDF + typst


def test_sheet_markup_embeds_at_the_end_of_a_report() -> None:
    markup, files = sheet_markup(payload(20_000), title='Titel met "quotes" \\ #set ] [', fingerprint="AB CD")
    report = '#set page(numbering: "1")\n= Proces-verbaal\n#lorem(30)\n'
    pdf = compile_typst(report + markup, {"extra.txt": b"x", **files})
    document = pdfium.PdfDocument(pdf)
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    assert len(texts) == 3
    assert "Proces-verbaal" in texts[0]
    assert "QR-blad 1/2" in texts[1] and "QR-blad 2/2" in texts[2]
    assert 'Titel met "quotes" \\ #set ] [' in texts[1]
    assert reassemble(rasterize(pdf, 200)[1:]) == payload(20_000)


def test_compile_errors_are_clear() -> None:
    with pytest.raises(TypstCompileError, match=r"main\.typ:2"):
        compile_typst("ok\n#let x = \n")
    with pytest.raises(InputError, match="plain relative path"):
        compile_typst("x", {"../evil.png": b""})


@pytest.mark.parametrize(
    ("blob", "text"),
    [(b"not a pdf", "no %PDF"), (b"%PDF-1.7\n garbage", "cannot open")],
)
def test_rasterize_refuses_damaged_pdfs(blob: bytes, text: str) -> None:
    with pytest.raises(InputError, match=text):
        rasterize(blob, 100)


def test_truncated_pdf_is_an_input_error() -> None:
    pdf = sheets(900)
    with pytest.raises(InputError):
        rasterize(pdf[: len(pdf) // 3], 100)


# --- webcam loop


def test_webcam_loop_reads_one_symbol_per_frame_in_any_order() -> None:
    chunks = frame(payload(2500), byte_capacity(25, "M"))
    rng = random.Random(4)
    frames: list[np.ndarray] = []
    for chunk in chunks:
        symbol = np.asarray(qr_image(chunk, 25, "M", 4, border=6).convert("L"))
        noisy = degrade.noise(Image.fromarray(symbol), 10, rng)
        frames.append(np.stack([np.asarray(noisy)] * 3, axis=2))  # BGR like OpenCV
    blank = np.full((480, 640, 3), 200, np.uint8)
    order = [blank, frames[2], blank, frames[0], frames[0], frames[1], frames[2], blank]
    lines: list[str] = []
    report = read_frames(order, on_progress=lines.append)
    assert report.message() == payload(2500)
    assert "houd één QR-code" in lines[0]
    assert "missing symbols 1, 2 of 3" in lines[1] and "compleet" in lines[-1]
    assert len(lines) == 4
    assert "compleet" in progress_line(report)
