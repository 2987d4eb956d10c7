"""PDF in and out: typst to compile printed documents, pdfium to turn PDF pages (ours or a scanner's) into
images.

Every printed document of Telketen (reports, QR sheets, key enrolment sheets) is typst source compiled here,
so the look is defined in text that can be reviewed, and the same PDF comes out for the same input.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath

import fontpkg_dm_sans
import fontpkg_geist_mono
import pypdfium2 as pdfium
import typst
from PIL import Image

from shared.adapters.files import read_input
from shared.errors import InputError

MAIN_FILE = "main.typ"
#: The fonts of the Kiesraad's models (spec/reports.md §9): DM Sans for the text and Geist Mono for printed
#: values, both under the SIL Open Font License and installed as Python packages, so every machine prints the
#: same letters without a network. typst reads their variable files at the default instance (DM Sans at its
#: 9 pt optical size, hence the family name "DM Sans 9pt") and sets bold from it.
FONT_DIRS = (fontpkg_dm_sans.ROOT / "files", fontpkg_geist_mono.ROOT / "files")
#: The layout every document shares (`shared/templates/telketen.typ`), next to each document under this name.
LIBRARY_FILE = "telketen.typ"


class TypstCompileError(InputError):
    """The typst source did not compile; the message carries typst's own diagnostics."""


def compile_typst(
    source: str, files: Mapping[str, bytes] | None = None, *, timestamp: int | None = None
) -> bytes:
    """Compile typst `source` to PDF bytes, with `files` (relative path -> content) next to it.

    The source is compiled as `main.typ` in a fresh temporary directory that is also typst's root, so `files`
    (images, data, included .typ files) are referenced by the same relative paths they have as keys, and
    nothing outside that directory can be read. Only the fonts of FONT_DIRS and typst's own are used, never
    the machine's, so output does not depend on the machine. The shared layout (headings kept with what
    follows, the signature sheet, fingerprints, fractions, page numbers) is there as `telketen.typ`.
    `timestamp` (Unix seconds, passed in by the caller) fixes the document's creation date, so the same input
    gives the same bytes; without it typst uses the clock.
    """
    with tempfile.TemporaryDirectory(prefix="telketen-typst-") as tmp:
        root = Path(tmp)
        for name, content in {LIBRARY_FILE: _library(), **(files or {})}.items():
            rel = PurePosixPath(name)
            if rel.is_absolute() or ".." in rel.parts or not rel.parts or rel.as_posix() == MAIN_FILE:
                raise InputError(f"file name {name!r} must be a plain relative path", where="compile_typst")
            target = root.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        main = root / MAIN_FILE
        main.write_text(source, encoding="utf-8")
        try:
            pdf = typst.compile(
                os.fspath(main),
                root=os.fspath(root),
                font_paths=[os.fspath(d) for d in FONT_DIRS],
                ignore_system_fonts=True,
                format="pdf",
                timestamp=timestamp,
            )
        except typst.TypstError as exc:
            raise TypstCompileError(_first_line(exc), where="typst") from None
    if not isinstance(pdf, bytes):
        raise TypstCompileError("typst returned no PDF", where="typst")
    return without_default_suspects(pdf)


#: What typst writes in the document catalog of a tagged PDF. `/Suspects false` is the default (ISO 32000-1
#: §14.7.1), but poppler (pdfinfo, pdftoppm, pdftotext, evince) reports every such file as "Syntax Error:
#: Suspects object is wrong type (boolean)": it only accepts the key when it is true.
TYPST_MARK_INFO = b"/MarkInfo<</Marked true/Suspects false>>"
MARK_INFO = b"/MarkInfo<</Marked true>>"


def without_default_suspects(pdf: bytes) -> bytes:
    """`pdf` with the default `/Suspects false` dropped from its catalog, padded with spaces to the same
    length so every byte offset in the cross-reference table stays true; others come back as they were."""
    return pdf.replace(TYPST_MARK_INFO, MARK_INFO + b" " * (len(TYPST_MARK_INFO) - len(MARK_INFO)), 1)


@cache
def _library() -> bytes:
    return resources.files("shared").joinpath("templates", LIBRARY_FILE).read_bytes()


def pdf_timestamp(at: datetime | None) -> int | None:
    """The `timestamp` for `compile_typst` from the time a document is about (passed in from the edge); a
    naive `at` is read as UTC, so the machine's time zone cannot change the bytes."""
    if at is None:
        return None
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())


def pdf_date(at: datetime) -> dict[str, int]:
    """`at` as the arguments of typst's `datetime(..)`, for a template's `set document(date: ..)`: a document
    that carries its own date is reproducible even when compiled without a `timestamp`."""
    return {
        "year": at.year, "month": at.month, "day": at.day,
        "hour": at.hour, "minute": at.minute, "second": at.second,
    }  # fmt: skip


def _first_line(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    hints = getattr(exc, "hints", None) or []
    text = " ".join(str(message).split())
    found = re.search(r"┌─ (\S+:\d+:\d+)", str(getattr(exc, "diagnostic", "") or ""))
    if found:
        text += f" at {found.group(1).rsplit('/', 1)[-1]}"
    if hints:
        text += " (hint: " + "; ".join(" ".join(str(h).split()) for h in hints) + ")"
    return text


#: The most pages of a PDF that are rendered (scans: every page is an image in memory). A scan of the QR
#: sheets of even a national summary has a few pages; without a bound a 2.2 KB PDF of 300 blank pages held
#: 2.6 GB for 58 s at the desk. (The QR sheets embedded in a published report are read without rendering:
#: `qr_pdf`.)
MAX_PAGES = 100
#: The most pixels one rendered page may have: an A3 page at 600 dpi (7016 × 9921), about 70 million.
MAX_PAGE_PIXELS = 70_000_000


def rasterize(pdf: bytes, dpi: int, *, where: str = "PDF") -> list[Image.Image]:
    """Render every page of `pdf` as an 8-bit grayscale image at `dpi`; a damaged PDF is an InputError, and so
    is one of more than MAX_PAGES pages or with a page of more than MAX_PAGE_PIXELS pixels at `dpi` (checked
    before anything is rendered)."""
    if not 20 <= dpi <= 1200:
        raise InputError(f"resolution {dpi} dpi is outside 20..1200", where=where)
    if not pdf.startswith(b"%PDF"):
        raise InputError("not a PDF file (no %PDF header)", where=where)
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise InputError(f"cannot open the PDF: {exc}", where=where) from None
    try:
        if len(document) == 0:
            raise InputError("the PDF has no pages", where=where)
        if len(document) > MAX_PAGES:
            raise InputError(f"the PDF has {len(document)} pages; at most {MAX_PAGES} are read", where=where)
        for number in range(len(document)):
            check_page_size(document, number, dpi, where=where)
        return [render_page(document, number, dpi, where=where) for number in range(len(document))]
    finally:
        document.close()


def check_page_size(document: pdfium.PdfDocument, index: int, dpi: int, *, where: str = "PDF") -> None:
    """Refuse page `index` if it would render to more than MAX_PAGE_PIXELS pixels at `dpi`."""
    try:
        width, height = document.get_page_size(index)
    except pdfium.PdfiumError as exc:
        raise _unreadable_page(f"cannot load page {index + 1}: {exc}", index, where) from None
    pixels = (width * dpi / 72) * (height * dpi / 72)
    if not pixels <= MAX_PAGE_PIXELS:
        raise InputError(
            f"page {index + 1} would be {pixels / 1e6:.0f} million pixels at {dpi} dpi; at most "
            f"{MAX_PAGE_PIXELS // 1_000_000} million are read",
            where=where,
            code="scan.page_too_large",
            params={"page": index + 1},
        )


def _unreadable_page(message: str, index: int, where: str) -> InputError:
    return InputError(message, where=where, code="scan.page_unreadable", params={"page": index + 1})


def render_page(document: pdfium.PdfDocument, index: int, dpi: int, *, where: str = "PDF") -> Image.Image:
    """Page `index` (0-based) of an open document as an 8-bit grayscale image at `dpi`.

    A page pdfium cannot load (one damaged byte in the page tree does it) is an InputError, as a damaged
    file is.
    """
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise _unreadable_page(f"cannot load page {index + 1}: {exc}", index, where) from None
    try:
        image: Image.Image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        return image
    except pdfium.PdfiumError as exc:
        raise _unreadable_page(f"cannot render page {index + 1}: {exc}", index, where) from None
    finally:
        page.close()


def load_pdf_pages(path: str | os.PathLike[str], dpi: int = 300) -> list[Image.Image]:
    """Pages of a PDF file (e.g. from a scanner) as grayscale images."""
    where = os.fspath(path)
    data = read_input(where)
    return rasterize(data, dpi, where=where)
