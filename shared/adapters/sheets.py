"""A4 QR sheets: any payload as framed QR symbols in a regular grid, compiled to PDF with typst.

Layout (ARCHITECTURE.md §2, measured on simulated print–scan images): QR version 25, ECC M, 0.42 mm modules,
4-module gaps, 3 × 5 per page ≈ 14.7 KB per page. A message that needs fewer symbols gets fewer, larger ones
(a one-symbol message is printed big, for webcams and phones). The dense layout (version 29, ECC L, 0.34 mm,
4 × 5 ≈ 32 KB per page) is for 300 dpi flatbed scans only. Modules are never smaller than 0.34 mm.

Symbols are placed row by row in chunk order, and each row is labelled with its symbol numbers, so "missing
symbols 3, 7 of 15" after a scan points at a spot on paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.adapters.pdf import compile_typst
from shared.adapters.qr_render import Ecc, byte_capacity, modules, qr_png, smallest_version
from shared.formats import dutch
from shared.formats.framing import DIGEST_LEN, HEADER_LEN, frame, message_id

MIN_MODULE_MM = 0.34
PAGE_MARGIN_MM = 8.0
HEADER_MM = 22.0
LABEL_MM = 8.0
GRID_WIDTH_MM = 210.0 - 2 * PAGE_MARGIN_MM - LABEL_MM
GRID_HEIGHT_MM = 297.0 - 2 * PAGE_MARGIN_MM - HEADER_MM
GAP_MODULES = 4
#: Image pixels per module. The symbol is scaled to its size "pixelated" (PDF: no interpolation), so a printer
#: draws sharp module edges at any resolution; 4 pixels keep a 200-300 dpi rendering (the scan simulation)
#: resampling module edges instead of snapping them, and typst embeds a sixth of the pixels of the 600 dpi
#: images made before (~3x less typst CPU per sheet, 3.5x smaller PDF).
PIXELS_PER_MODULE = 4
DEFAULT_VERSION, DEFAULT_MODULE_MM = 25, 0.42
DEFAULT_ECC: Ecc = "M"
DENSE_VERSION, DENSE_MODULE_MM = 29, 0.34
DENSE_ECC: Ecc = "L"
# Module sizes tried, largest first, for messages that fit on one page: bigger modules read better.
_MODULE_LADDER_MM = (0.75, 0.6, 0.5, DEFAULT_MODULE_MM)
_SINGLE_SYMBOL_MM = 110.0
_SINGLE_MAX_MODULE_MM = 1.5


@dataclass(frozen=True)
class Layout:
    """How one message is printed: symbol version and ECC, module size, grid per page."""

    version: int
    ecc: Ecc
    module_mm: float
    cols: int
    rows: int

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    @property
    def chunk_capacity(self) -> int:
        return byte_capacity(self.version, self.ecc)

    @property
    def symbol_mm(self) -> float:
        return modules(self.version) * self.module_mm

    @property
    def gap_mm(self) -> float:
        return GAP_MODULES * self.module_mm

    def bytes_per_page(self) -> int:
        """Payload bytes a full page carries (framing headers excluded)."""
        return self.per_page * (self.chunk_capacity - HEADER_LEN)


def _grid_fit(version: int, module_mm: float) -> tuple[int, int]:
    size = modules(version) * module_mm
    gap = GAP_MODULES * module_mm
    cols = int((GRID_WIDTH_MM + gap) // (size + gap))
    rows = int((GRID_HEIGHT_MM + gap) // (size + gap))
    return cols, rows


def choose_layout(payload_len: int, *, dense: bool = False) -> Layout:
    """The layout for a message of `payload_len` bytes (see the module docstring for the rules)."""
    if dense:
        cols, rows = _grid_fit(DENSE_VERSION, DENSE_MODULE_MM)
        return Layout(DENSE_VERSION, DENSE_ECC, DENSE_MODULE_MM, cols, rows)
    stream = payload_len + DIGEST_LEN
    room = byte_capacity(DEFAULT_VERSION, DEFAULT_ECC) - HEADER_LEN
    count = -(-stream // room)
    if count == 1:
        version = smallest_version(stream + HEADER_LEN, DEFAULT_ECC, min_version=2)
        module = min(_SINGLE_MAX_MODULE_MM, max(DEFAULT_MODULE_MM, _SINGLE_SYMBOL_MM / modules(version)))
        return Layout(version, DEFAULT_ECC, round(module, 2), 1, 1)
    for module in _MODULE_LADDER_MM:
        cols, rows = _grid_fit(DEFAULT_VERSION, module)
        if cols * rows >= count or module == DEFAULT_MODULE_MM:
            return Layout(DEFAULT_VERSION, DEFAULT_ECC, module, cols, rows)
    raise AssertionError("unreachable: the ladder ends with the default module size")


def _typst_str(text: str) -> str:
    """A typst string literal: user text never becomes markup."""
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@dataclass(frozen=True)
class SheetFooter:
    """What a report prints under its QR sheets: the Bijlage they are, the fingerprint line of the report's
    footer, and then "Pagina x van y" counted over the whole report. The report PDF's own hash cannot be in
    itself, so `fingerprint` names the file the report is about (the EML count, as on its other pages)."""

    appendix: str
    fingerprint: str


def sheet_markup(
    payload: bytes,
    *,
    title: str,
    subtitle: str = "",
    fingerprint: str | None = None,
    dense: bool = False,
    footer: SheetFooter | None = None,
) -> tuple[str, dict[str, bytes]]:
    """Typst markup for the QR pages of `payload`, and the PNG files it references.

    Standalone: `compile_typst(markup, files)`. At the end of a report: append the markup to the report's own
    source and merge the file maps, e.g. `compile_typst(report_src + "\\n" + markup, {**report_files,
    **files})`. Every QR page is an explicit `#page(...)` with its own A4 size, margins, and no header or
    footer, so the report's page settings are untouched before and after; the report's fonts and language
    still apply. The pages carry their own "QR-blad x/y" numbering; with a `footer` (sheets at the end of a
    report) they also say which Bijlage they are and which page of the report, "Pagina x van y" counting every
    page of the PDF, and carry the report's fingerprint line, as its other pages do. File names
    are `telketen-qr/<message id>-<n>.png`, so several messages can share one document.
    """
    layout = choose_layout(len(payload), dense=dense)
    chunks = frame(payload, layout.chunk_capacity)
    msg_hex = message_id(payload).hex()
    files: dict[str, bytes] = {}
    names: list[str] = []
    for index, chunk in enumerate(chunks):
        name = f"telketen-qr/{msg_hex}-{index + 1:05d}.png"
        files[name] = qr_png(chunk, layout.version, layout.ecc, PIXELS_PER_MODULE)
        names.append(name)
    total = len(chunks)
    pages = [names[i : i + layout.per_page] for i in range(0, total, layout.per_page)]
    parts = [f"// Telketen QR sheets: message {msg_hex}, {total} symbols, {len(pages)} pages\n"]
    for page_no, page_names in enumerate(pages, start=1):
        first = (page_no - 1) * layout.per_page + 1
        parts.append(
            _page_markup(
                layout,
                page_names,
                first,
                total,
                page_no,
                len(pages),
                title,
                subtitle,
                fingerprint,
                msg_hex,
                len(payload),
                footer,
            )
        )
    return "".join(parts), files


def _page_markup(
    layout: Layout,
    names: list[str],
    first: int,
    total: int,
    page_no: int,
    page_count: int,
    title: str,
    subtitle: str,
    fingerprint: str | None,
    msg_hex: str,
    payload_len: int,
    footer: SheetFooter | None,
) -> str:
    last = first + len(names) - 1
    info = (
        f"Bericht-id {_grouped(msg_hex)} · {dutch.number(payload_len)} bytes · {dutch.number(total)} "
        + ("QR-code" if total == 1 else f"QR-codes, op dit blad {first}–{last}")
        + " · inlezen: telketen paper decode"
    )
    header_lines = [
        "#grid(columns: (1fr, auto), align: (left, right),",
        f'  text(size: 14pt, weight: "bold", {_typst_str(title)}),',
        f'  text(size: 11pt, weight: "bold", "QR-blad {page_no}/{page_count}"))',
    ]
    if subtitle:
        header_lines.append(f"#block(spacing: 1.2mm, text(size: 10pt, {_typst_str(subtitle)}))")
    if fingerprint:
        header_lines.append(
            f'#block(spacing: 1.2mm, text(size: 9pt, "Vingerafdruk sleutel: " + {_typst_str(fingerprint)}))'
        )
    header_lines.append(f"#block(spacing: 1.2mm, text(size: 8pt, {_typst_str(info)}))")
    size = f"{layout.symbol_mm:.3f}mm"
    gap = f"{layout.gap_mm:.3f}mm"
    cells: list[str] = []
    if layout.per_page == 1:
        grid = f'#align(center, image({_typst_str(names[0])}, width: {size}, scaling: "pixelated"))'
    else:
        for row_start in range(0, len(names), layout.cols):
            row = names[row_start : row_start + layout.cols]
            lo, hi = first + row_start, first + row_start + len(row) - 1
            label = f"{lo}–{hi}" if hi > lo else f"{lo}"
            cells.append(
                f'  align(horizon + center, rotate(-90deg, reflow: true, text(size: 7pt, "{label}"))),'
            )
            for name in row:
                cells.append(f'  image({_typst_str(name)}, width: {size}, scaling: "pixelated"),')
            cells.extend("  []," for _ in range(layout.cols - len(row)))
        columns = ", ".join([f"{LABEL_MM}mm"] + [size] * layout.cols)
        grid = (
            f"#grid(columns: ({columns}), column-gutter: {gap}, row-gutter: {gap},\n"
            + "\n".join(cells)
            + "\n)"
        )
    return (
        f'#page(paper: "a4", margin: {PAGE_MARGIN_MM}mm, header: none, footer: {_footer(footer)}, '
        "footer-descent: 0.6mm, numbering: none)[\n"
        f"#block(height: {HEADER_MM - 2}mm, width: 100%, clip: true, spacing: 0pt)[\n"
        + "\n".join(f"  {line}" for line in header_lines)
        + "\n]\n#v(2mm)\n"
        + grid
        + "\n]\n"
    )


def _footer(footer: SheetFooter | None) -> str:
    """The typst footer of a QR sheet: none, or the Bijlage and fingerprint lines left and the report's page
    number right, in 6.5 pt so they fit in the sheet's 8 mm bottom margin without moving a symbol."""
    if footer is None:
        return "none"
    return (
        "{ set text(size: 6.5pt); grid(columns: (1fr, auto), align: (left, right + bottom), "
        f"[#strong({_typst_str(footer.appendix)}) \\ #{_typst_str(footer.fingerprint)}], "
        "context [Pagina #counter(page).display() van #counter(page).final().first()]) }"
    )


def render_sheets(
    payload: bytes,
    *,
    title: str,
    subtitle: str = "",
    fingerprint: str | None = None,
    dense: bool = False,
    timestamp: int | None = None,
) -> bytes:
    """PDF bytes of the A4 QR sheets carrying `payload` (any bytes); `timestamp` (Unix seconds, from the
    caller) fixes the PDF's date so the same payload gives the same bytes."""
    markup, files = sheet_markup(
        payload, title=title, subtitle=subtitle, fingerprint=fingerprint, dense=dense
    )
    fonts = '#import "telketen.typ": body-font\n#set text(font: body-font, lang: "nl")\n'
    return compile_typst(fonts + markup, files, timestamp=timestamp)
