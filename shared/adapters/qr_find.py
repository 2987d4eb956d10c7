"""Find the QR sheets in a whole report fast: the desk is handed a 36-page report, not just its sheets.

Why: decoding every page at 300 dpi costs ~0.35 s a page (render plus zxing), 12.9 s for a 36-page Na 31-2,
while only its last page or two carry symbols. Each page is first judged cheaply, and only pages that may
hold symbols are decoded at full resolution:

1. A PDF page that says "QR-blad x/y" (`shared.adapters.sheets`) in its text is a sheet typst printed: its
   symbols are the images typst embedded, decoded module for module without rendering (as `verify` reads
   them, `shared.adapters.qr_pdf`). Only if those give nothing is the page rendered.
2. A PDF page with no image on it cannot hold a symbol (our sheets embed every symbol as an image; a
   scanner's page is one image): it is skipped without rendering. A page that is one image (a scanner's
   PDF) is judged and decoded from that image's own pixels, never rendered.
3. Any other page (a scanned page, an image file, a TIFF frame) is looked at as a ~100 dpi thumbnail
   (`looks_like_qr`): a QR symbol is a large area about half dark in every 4 mm block, which running text,
   tables and blank paper are not. Only such pages are decoded at full resolution.
4. Second pass: when a document gave no complete message, every page the cheap pass skipped is decoded at
   full resolution after all, so a sheet the thumbnail misjudged (a harsh photo) costs time, never a result.

Bounds (`shared.adapters.pdf`): at most MAX_PAGES pages per file, refused before any page is looked at,
and no page rendered beyond MAX_PAGE_PIXELS. Memory is bounded by one page: pages are loaded, judged and
decoded one at a time and dropped before the next (a skipped page is remembered by its number, not its
pixels). Peak: the file's bytes plus one 300 dpi A4 page (2480 × 3508 grey = 8.7 MB) and the decoder's
working copies of it (a few times that); `bench/desk.py` prints the measured peak.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps

from shared.adapters.pdf import MAX_PAGES, check_page_size, render_page
from shared.adapters.qr_pdf import SHEET_LABEL, page_text
from shared.adapters.qr_scan import ScanReport, add_payloads, decode_page, to_gray
from shared.errors import InputError

#: Thumbnail width in pixels for the cheap look: ~97 dpi across an A4 page (a scan is sampled down to it).
THUMB_WIDTH = 800
#: Block side at thumbnail width (~4.2 mm on A4): the unit in which "about half dark" is judged.
BLOCK = 16
#: Connected QR-like blocks a page needs to be decoded (~26 × 26 mm; the smallest symbol we print is 37 mm).
MIN_BLOCKS = 40
DARK_SHARE = (0.3, 0.75)
#: Blocks (~63 mm) around a block in which its paper level is sought: near enough for a lamp's fall-off.
PAPER_WINDOW = 15
#: Grey levels between paper and ink below which a block is blank paper or a flat tone, never a symbol.
MIN_CONTRAST = 40


@dataclass
class FindStats:
    """How the pages of one document were handled: for the operator's notes, the tests and the benchmark."""

    pages: int = 0
    embedded: int = 0
    decoded: int = 0
    skipped: int = 0
    second_pass: int = 0


def looks_like_qr(image: Image.Image | np.ndarray) -> bool:
    """Whether a page may hold a QR symbol: a connected area of at least `MIN_BLOCKS` blocks whose share of
    dark pixels is that of a QR symbol.

    Dark is judged per block against the paper around it (the brightest block within `PAPER_WINDOW` blocks)
    and the page's ink, so grey paper, faded toner and a lamp from one side do not make text look like QR.
    """
    gray = to_gray(image)
    step = max(1, gray.shape[1] // THUMB_WIDTH)
    thumb = gray[::step, ::step]  # every step-th pixel: the dark share survives, no resampling is paid
    block = max(4, round(BLOCK * thumb.shape[1] / THUMB_WIDTH))
    rows, cols = thumb.shape[0] // block, thumb.shape[1] // block
    if rows < 3 or cols < 3:
        return False
    cells = thumb[: rows * block, : cols * block].reshape(rows, block, cols, block)
    paper = cv2.dilate(cells.mean(axis=(1, 3)).astype(np.float32), np.ones((PAPER_WINDOW,) * 2, np.uint8))
    ink = int(np.searchsorted(np.bincount(thumb.ravel(), minlength=256).cumsum(), 0.01 * thumb.size))
    share = (cells < ((paper + ink) / 2)[:, None, :, None]).mean(axis=(1, 3))
    qr_like = (share > DARK_SHARE[0]) & (share < DARK_SHARE[1]) & (paper - ink > MIN_CONTRAST)
    blocks = cv2.morphologyEx(qr_like.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(blocks)
    return any(stats[i, cv2.CC_STAT_AREA] >= MIN_BLOCKS for i in range(1, count))


def jpeg_thumbnail(data: bytes) -> np.ndarray | None:
    """A JPEG decoded straight at thumbnail size (its DCT scaled down while decoding, ~4x cheaper than
    decoding it whole); None if `data` is not a JPEG."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                return None
            width, height = image.size
            image.draft("L", (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width))))
            return to_gray(ImageOps.exif_transpose(image))
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None


def read_document(
    report: ScanReport, data: bytes, *, where: str, dpi: int = 300, page_word: str = "page"
) -> FindStats:
    """Add the QR symbols of one file (a PDF or a scan image, any number of pages) to `report`.

    `where` names the file in the report and in errors, `page_word` its pages ("pagina" at the desk). An
    unreadable file is an InputError naming `where`; a file without symbols adds nothing (the caller says so).
    """
    if not data:
        raise InputError("the file is empty", where=where, code="scan.empty")
    pages = _PdfPages(data, where, dpi) if data.startswith(b"%PDF") else _ImagePages(data, where)
    stats = FindStats(pages=pages.count)
    report.pages_per_file[where] = pages.count
    report.symbols_per_file.setdefault(where, 0)
    before = set(report.messages)
    skipped: list[int] = []

    def label(index: int) -> str:
        return f"{where} {page_word} {index + 1}" if pages.count > 1 else where

    def decode(index: int, image: Image.Image | np.ndarray) -> None:
        result = decode_page(image)
        _add(report, result.payloads, where, label(index))
        report.environment.extend(p for p in result.environment if p not in report.environment)

    for index in range(pages.count):
        payloads = pages.embedded(index)
        if payloads:
            stats.embedded += 1
            _add(report, payloads, where, label(index))
        elif pages.may_hold_symbols(index):
            stats.decoded += 1
            decode(index, pages.full(index))
        else:
            skipped.append(index)
    stats.skipped = len(skipped)
    if not set(report.messages) - before:
        for index in skipped:
            stats.second_pass += 1
            decode(index, pages.full(index))
    return stats


def _add(report: ScanReport, payloads: list[bytes], where: str, page: str) -> None:
    report.symbols_per_file[where] = report.symbols_per_file.get(where, 0) + len(payloads)
    add_payloads(report, payloads, page)


class _PdfPages:
    """The pages of a PDF, opened one at a time (pdfium keeps only the page being looked at)."""

    def __init__(self, data: bytes, where: str, dpi: int) -> None:
        self.where, self.dpi = where, dpi
        try:
            self.document = pdfium.PdfDocument(data)
            self.count = len(self.document)
        except pdfium.PdfiumError as exc:
            raise InputError(f"cannot open the PDF: {exc}", where=where, code="scan.pdf_unreadable") from None
        if self.count == 0:
            raise InputError("the PDF has no pages", where=where, code="scan.no_pages")
        if self.count > MAX_PAGES:
            raise InputError(
                f"the PDF has {self.count} pages; at most {MAX_PAGES} are read",
                where=where,
                code="scan.too_many_pages",
                params={"pages": self.count, "most": MAX_PAGES},
            )
        self._images: dict[int, int] = {}
        self._cached: tuple[int, np.ndarray] | None = None

    @contextmanager
    def _page(self, index: int) -> Iterator[pdfium.PdfPage]:
        try:
            page = self.document[index]
        except pdfium.PdfiumError as exc:
            raise InputError(
                f"cannot load page {index + 1}: {exc}",
                where=self.where,
                code="scan.page_unreadable",
                params={"page": index + 1},
            ) from None
        try:
            yield page
        finally:
            page.close()

    def embedded(self, index: int) -> list[bytes]:
        """The symbols typst embedded in a labelled sheet page; empty for any other page."""
        with self._page(index) as page:
            images = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
            self._images[index] = len(images)
            if not images or not SHEET_LABEL.search(page_text(page)):
                return []
            found: dict[bytes, None] = {}
            for image in images:
                try:
                    bitmap = image.get_bitmap(render=False)
                except pdfium.PdfiumError:
                    continue  # an image pdfium cannot decode: the page is rendered instead
                found.update(dict.fromkeys(decode_page(bitmap.to_pil()).payloads))
            return list(found)

    def may_hold_symbols(self, index: int) -> bool:
        if not self._images.get(index):
            return False
        if self._images[index] == 1:
            with self._page(index) as page:
                (image,) = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
                thumb = (
                    jpeg_thumbnail(bytes(image.get_data(decode_simple=False)))
                    if image.get_filters() == ["DCTDecode"]
                    else None
                )
            if thumb is not None:
                return looks_like_qr(thumb)
        scan = self._scanned_page(index)
        if scan is not None:
            return looks_like_qr(scan)
        with self._page(index) as page:
            width_pt = page.get_width()
        return looks_like_qr(render_page(self.document, index, 72 * THUMB_WIDTH / width_pt, where=self.where))

    def _scanned_page(self, index: int) -> np.ndarray | None:
        """A scanner's page (one image on it) as its own pixels, decoded once and kept for `full`: taking the
        image is ~4x cheaper than rendering the page, and its resolution is the scan's; None otherwise."""
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        if self._images.get(index) != 1:
            return None
        with self._page(index) as page:
            (image,) = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
            try:
                gray = to_gray(image.get_bitmap(render=False).to_pil())
            except pdfium.PdfiumError:
                return None  # an image pdfium cannot hand over as pixels: the page is rendered instead
        self._cached = (index, gray)
        return gray

    def full(self, index: int) -> Image.Image | np.ndarray:
        scan = self._scanned_page(index)
        if scan is not None:
            return scan
        check_page_size(self.document, index, self.dpi, where=self.where)
        return render_page(self.document, index, self.dpi, where=self.where)


class _ImagePages:
    """The frames of an image file (one for PNG/JPEG, many for a TIFF), decoded one at a time."""

    def __init__(self, data: bytes, where: str) -> None:
        self.data, self.where = data, where
        with self._open() as image:
            self.count = int(getattr(image, "n_frames", 1))
        if self.count == 0:
            raise InputError("the image has no frames", where=where, code="scan.no_pages")
        if self.count > MAX_PAGES:
            raise InputError(
                f"the image has {self.count} pages; at most {MAX_PAGES} are read",
                where=where,
                code="scan.too_many_pages",
                params={"pages": self.count, "most": MAX_PAGES},
            )
        self._cached: tuple[int, np.ndarray] | None = None

    @contextmanager
    def _open(self) -> Iterator[Image.Image]:
        try:
            with Image.open(io.BytesIO(self.data)) as image:
                yield image
        except Image.DecompressionBombError:
            raise InputError(
                "the image is too large to be a scan", where=self.where, code="scan.too_large"
            ) from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise InputError(
                f"not a readable image or PDF ({exc})", where=self.where, code="scan.unreadable"
            ) from None

    def embedded(self, index: int) -> list[bytes]:
        return []

    def may_hold_symbols(self, index: int) -> bool:
        thumb = jpeg_thumbnail(self.data) if self.count == 1 else None
        return looks_like_qr(thumb if thumb is not None else self.full(index))

    def full(self, index: int) -> np.ndarray:
        """Frame `index` as grey pixels; the last one is kept, so judging then decoding loads it once."""
        if self._cached is None or self._cached[0] != index:
            with self._open() as image:
                image.seek(index)
                self._cached = (index, to_gray(ImageOps.exif_transpose(image.copy())))
        return self._cached[1]
