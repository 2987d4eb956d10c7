"""Read QR sheets back from scans: image files, multi-page PDF scans, or single images from a webcam.

Decoding a page (ARCHITECTURE.md §2, "Decoders"):

1. zxing-cpp on the whole page (fast settings; it finds most symbols of a decent scan).
2. If the symbols found are every chunk of their message, the page is done (a sheet page carries one
   message). Otherwise fit a homography from the image to the sheet's grid from the symbols found (all our
   symbols of one page have the same version and a 4-module gap, so the grid is regular in module units).
   This straightens rotated and photographed pages with OpenCV.
3. For every grid cell without a symbol (one ring beyond the found ones too), cut the cell out of the
   straightened page and retry: zxing-cpp with two binarizers, on an Otsu-thresholded copy, then zbar in
   BINARY mode.
4. If nothing at all was found: zxing-cpp with its slow settings, then on the page straightened by its
   outline, then zbar on the whole page.

zbar is loaded lazily: without libzbar0 the app still starts, and only a page that needs the second decoder
says what is missing. zbar's default output re-encodes bytes above 0x7F as UTF-8; ZBAR_CFG_BINARY turns
that off.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageOps, ImageSequence

from shared.adapters.files import read_input
from shared.adapters.pdf import MAX_PAGES, rasterize
from shared.errors import EnvironmentProblem, InputError, IntegrityError, TelketenError
from shared.formats.framing import Reassembler, describe_missing, parse_chunk

GAP_MODULES = 4
_CELL_MARGIN_MODULES = 3.5
_MAX_RETRY_CELLS = 48
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_ZBAR_CFG_BINARY = 4  # zbar.h: enum zbar_config_e { ENABLE, ADD_CHECK, EMIT_CHECK, ASCII, BINARY, ... }
_ZBAR_QRCODE = 64
_ZBAR_FOURCC_Y800 = 0x30303859  # 'Y800': 8-bit grey


@dataclass(frozen=True)
class Found:
    """One decoded symbol: its bytes, its corners in the image (symbol's own TL, TR, BR, BL), its version."""

    data: bytes
    corners: np.ndarray
    version: int | None


@dataclass
class PageResult:
    """What one page gave, and how: for the report after a scan and for the benchmark."""

    payloads: list[bytes]
    first_pass: int
    retried_cells: int = 0
    recovered: int = 0
    environment: list[str] = field(default_factory=list)


def to_gray(image: Image.Image | np.ndarray) -> np.ndarray:
    """An 8-bit single-channel contiguous array, from a PIL image or an OpenCV (BGR or grey) array."""
    if isinstance(image, Image.Image):
        return np.ascontiguousarray(np.asarray(image.convert("L"), dtype=np.uint8))
    array = np.asarray(image)
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2GRAY if array.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(array)


# --- decoders


def zxing_read(
    gray: np.ndarray, *, binarizer: Any = zxingcpp.Binarizer.LocalAverage, thorough: bool = False
) -> list[Found]:
    """zxing-cpp, QR only. Fast settings unless `thorough` (rotations, inversions, downscaled copies)."""
    results = zxingcpp.read_barcodes(
        gray,
        formats=_QR_ONLY,
        try_rotate=thorough,
        try_invert=thorough,
        try_downscale=thorough,
        binarizer=binarizer,
    )
    found: list[Found] = []
    for result in results:
        pos = result.position
        corners = np.array(
            [[p.x, p.y] for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)],
            dtype=np.float64,
        )
        extra = result.extra if isinstance(result.extra, dict) else {}
        try:
            version: int | None = int(extra.get("Version", ""))
        except ValueError:
            version = None
        found.append(Found(bytes(result.bytes), corners, version))
    return found


def _zbar() -> Any:
    """pyzbar's ctypes wrapper, imported on first use: importing it loads the system library libzbar0."""
    try:
        from pyzbar import wrapper
    except (ImportError, OSError) as exc:
        raise EnvironmentProblem(
            f"the second QR decoder (zbar) is not available ({exc}); install the system package libzbar0"
        ) from None
    return wrapper


def zbar_problem() -> str | None:
    """Why zbar cannot run on this machine, naming the package to install; None when it can."""
    try:
        _zbar()
    except EnvironmentProblem as exc:
        return exc.message
    return None


def zbar_read(gray: np.ndarray) -> list[bytes]:
    """zbar (through pyzbar's ctypes wrapper) with ZBAR_CFG_BINARY on, so bytes come back unchanged."""
    zw = _zbar()
    height, width = gray.shape
    pixels = np.ascontiguousarray(gray, dtype=np.uint8).tobytes()
    scanner = zw.zbar_image_scanner_create()
    if not scanner:
        raise EnvironmentProblem("zbar could not create an image scanner")
    image = zw.zbar_image_create()
    try:
        zw.zbar_image_scanner_set_config(scanner, 0, zw.ZBarConfig.CFG_ENABLE, 0)
        zw.zbar_image_scanner_set_config(scanner, _ZBAR_QRCODE, zw.ZBarConfig.CFG_ENABLE, 1)
        zw.zbar_image_scanner_set_config(scanner, _ZBAR_QRCODE, _ZBAR_CFG_BINARY, 1)
        zw.zbar_image_set_format(image, _ZBAR_FOURCC_Y800)
        zw.zbar_image_set_size(image, width, height)
        zw.zbar_image_set_data(
            image, ctypes.cast(ctypes.c_char_p(pixels), ctypes.c_void_p), len(pixels), None
        )
        if zw.zbar_scan_image(scanner, image) < 0:
            return []
        out: list[bytes] = []
        symbol = zw.zbar_image_first_symbol(image)
        while symbol:
            if symbol.contents.type == _ZBAR_QRCODE:
                out.append(
                    ctypes.string_at(zw.zbar_symbol_get_data(symbol), zw.zbar_symbol_get_data_length(symbol))
                )
            symbol = zw.zbar_symbol_next(symbol)
        return out
    finally:
        zw.zbar_image_destroy(image)
        zw.zbar_image_scanner_destroy(scanner)


# --- one page


def decode_image(image: Image.Image | np.ndarray) -> list[bytes]:
    """The payloads of every QR symbol found on one image, each once, in no particular order."""
    return decode_page(image).payloads


def decode_page(image: Image.Image | np.ndarray) -> PageResult:
    """Decode one page with all passes; see the module docstring."""
    gray = to_gray(image)
    if gray.size == 0 or min(gray.shape) < 21:
        return PageResult([], 0)
    found = zxing_read(gray)
    result = PageResult([], len(found))
    seen: dict[bytes, None] = {f.data: None for f in found}
    if not found:
        for payload in _whole_page_fallbacks(gray, result):
            seen.setdefault(payload, None)
        result.recovered = len(seen)
    elif not _whole_messages(found):
        for payload in _retry_missing_cells(gray, found, result):
            if payload not in seen:
                seen[payload] = None
                result.recovered += 1
    result.payloads = list(seen)
    return result


def _whole_messages(found: list[Found]) -> bool:
    """Whether the symbols found are every chunk of every message they belong to.

    A sheet page carries the chunks of one message only (`sheets.sheet_markup`), so then no cell of its grid
    can hold anything more: retrying the empty cells (most pages of a short message have some) would only
    cost time, several decoders per cell.
    """
    chunks: dict[tuple[bytes, int], set[int]] = {}
    for symbol in found:
        try:
            chunk = parse_chunk(symbol.data)
        except TelketenError:
            return False
        chunks.setdefault((chunk.msg_id, chunk.count), set()).add(chunk.index)
    return all(len(indexes) == count for (_, count), indexes in chunks.items())


def _whole_page_fallbacks(gray: np.ndarray, result: PageResult) -> list[bytes]:
    found = zxing_read(gray, thorough=True) or zxing_read(gray, binarizer=zxingcpp.Binarizer.GlobalHistogram)
    if not found:
        straight = straighten_page(gray)
        if straight is not None:
            found = zxing_read(straight, thorough=True)
    if found:
        return [f.data for f in found] + _retry_missing_cells(gray, found, result)
    try:
        return zbar_read(gray)
    except EnvironmentProblem as exc:
        result.environment.append(exc.message)
        return []


def straighten_page(gray: np.ndarray) -> np.ndarray | None:
    """A photographed sheet warped flat by its outline (the largest bright quadrilateral), or None."""
    small_scale = 1000 / max(gray.shape)
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    _, mask = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((25, 25), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    if cv2.contourArea(outline) < 0.2 * small.size or cv2.contourArea(outline) > 0.98 * small.size:
        return None
    quad = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(quad) != 4:
        return None
    pts = quad.reshape(4, 2).astype(np.float32) / small_scale
    order = np.argsort(np.arctan2(pts[:, 1] - pts[:, 1].mean(), pts[:, 0] - pts[:, 0].mean()))
    pts = pts[order]  # clockwise from the top-left-ish corner in image coordinates
    start = int(np.argmin(pts.sum(axis=1)))
    pts = np.roll(pts, -start, axis=0)
    width = int(max(np.linalg.norm(pts[1] - pts[0]), np.linalg.norm(pts[2] - pts[3])))
    height = int(max(np.linalg.norm(pts[3] - pts[0]), np.linalg.norm(pts[2] - pts[1])))
    if width < 50 or height < 50:
        return None
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(pts, target)
    return cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def _retry_missing_cells(gray: np.ndarray, found: list[Found], result: PageResult) -> list[bytes]:
    """Locate the grid from the symbols found and decode each empty cell on its own.

    Works outwards: a symbol recovered at the edge of what is known extends the ring of cells to try, and its
    corners refine the grid, so a page where the first pass read only one row is still read completely.
    """
    out: list[bytes] = []
    by_version: dict[int, list[Found]] = {}
    for symbol in found:
        if symbol.version is not None:
            by_version.setdefault(symbol.version, []).append(symbol)
    if not by_version:
        return out
    version, group = max(by_version.items(), key=lambda item: len(item[1]))
    group = list(group)
    side = 17 + 4 * version
    pitch = side + GAP_MODULES
    homography, cells = _fit_grid(group, side, pitch)
    if homography is None:
        return out
    assigned = list(zip(group, cells, strict=True))
    occupied = set(cells)
    tried: set[tuple[int, int]] = set()
    native = float(np.median([np.linalg.norm(s.corners[1] - s.corners[0]) for s in group])) / side
    scale = float(min(8.0, max(4.0, round(native))))
    height, width = gray.shape
    while len(tried) < _MAX_RETRY_CELLS:
        cols = [c for c, _ in occupied]
        rows = [r for _, r in occupied]
        todo = [
            (c, r)
            for r in range(min(rows) - 1, max(rows) + 2)
            for c in range(min(cols) - 1, max(cols) + 2)
            if (c, r) not in occupied and (c, r) not in tried
        ]
        if not todo:
            break
        inverse = np.linalg.inv(homography)
        recovered_here = False
        for c, r in todo[: _MAX_RETRY_CELLS - len(tried)]:
            tried.add((c, r))
            x0, y0 = c * pitch - _CELL_MARGIN_MODULES, r * pitch - _CELL_MARGIN_MODULES
            span = side + 2 * _CELL_MARGIN_MODULES
            quad = np.array([[x0, y0], [x0 + span, y0], [x0 + span, y0 + span], [x0, y0 + span]], np.float64)
            image_quad = cv2.perspectiveTransform(quad.reshape(1, 4, 2), inverse).reshape(4, 2)
            slack = 2 * native
            if (
                image_quad[:, 0].min() < -slack
                or image_quad[:, 1].min() < -slack
                or image_quad[:, 0].max() > width + slack
                or image_quad[:, 1].max() > height + slack
            ):
                continue
            result.retried_cells += 1
            size = round(span * scale)
            to_crop = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale], [0, 0, 1]]) @ homography
            crop = cv2.warpPerspective(gray, to_crop, (size, size), flags=cv2.INTER_CUBIC, borderValue=255)
            hit = _decode_cell(crop, result)
            if hit is None:
                continue
            out.append(hit.data)
            occupied.add((c, r))
            recovered_here = True
            if hit.corners.size:
                back = cv2.perspectiveTransform(hit.corners.reshape(1, 4, 2), np.linalg.inv(to_crop))
                assigned.append((Found(hit.data, back.reshape(4, 2), version), (c, r)))
        if not recovered_here:
            break
        homography = _refit(assigned, side, pitch, homography)
    return out


def _refit(
    assigned: list[tuple[Found, tuple[int, int]]], side: int, pitch: int, fallback: np.ndarray
) -> np.ndarray:
    """The homography from all symbols with known cells, keeping the grid's origin; `fallback` if it fails."""
    if len(assigned) < 2:
        return fallback
    unit = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float64)
    src = np.concatenate([f.corners for f, _ in assigned]).astype(np.float32)
    dst = np.concatenate([unit + np.array([c * pitch, r * pitch]) for _, (c, r) in assigned]).astype(
        np.float32
    )
    fitted, _ = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
    return fallback if fitted is None else np.asarray(fitted, dtype=np.float64)


def _fit_grid(group: list[Found], side: int, pitch: int) -> tuple[np.ndarray | None, list[tuple[int, int]]]:
    """Homography image -> grid (module units, cell (c, r) at (c·pitch, r·pitch)) and each symbol's cell."""
    unit = np.array([[0, 0], [side, 0], [side, side], [0, side]], dtype=np.float64)
    centre = np.median(np.array([s.corners.mean(axis=0) for s in group]), axis=0)
    ref = min(group, key=lambda s: float(np.linalg.norm(s.corners.mean(axis=0) - centre)))
    homography = cv2.getPerspectiveTransform(ref.corners.astype(np.float32), unit.astype(np.float32))
    cells: list[tuple[int, int]] = []
    for _ in range(2):
        cells = []
        for symbol in group:
            centre_px = symbol.corners.mean(axis=0).reshape(1, 1, 2)
            x, y = cv2.perspectiveTransform(centre_px, homography).reshape(2)
            cells.append((round((x - side / 2) / pitch), round((y - side / 2) / pitch)))
        if len(group) == 1:
            break
        src = np.concatenate([s.corners for s in group]).astype(np.float32)
        dst = np.concatenate([unit + np.array([c * pitch, r * pitch]) for c, r in cells]).astype(np.float32)
        fitted, _ = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
        if fitted is None:
            break
        homography = fitted
    return np.asarray(homography, dtype=np.float64), cells


def _decode_cell(crop: np.ndarray, result: PageResult) -> Found | None:
    """Try the decoders on one straightened cell, cheapest first; corners in crop coordinates (zbar: none)."""
    _, otsu = cv2.threshold(cv2.GaussianBlur(crop, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    attempts = (
        (crop, zxingcpp.Binarizer.LocalAverage),
        (crop, zxingcpp.Binarizer.GlobalHistogram),
        (otsu, zxingcpp.Binarizer.LocalAverage),
    )
    for image, binarizer in attempts:
        hits = zxing_read(image, binarizer=binarizer)
        if hits:
            return hits[0]
    for candidate in (crop, otsu):
        try:
            payloads = zbar_read(candidate)
        except EnvironmentProblem as exc:
            if exc.message not in result.environment:
                result.environment.append(exc.message)
            return None
        if payloads:
            return Found(payloads[0], np.empty((0, 2)), None)
    return None


# --- files


def load_images(path: str | os.PathLike[str], *, dpi: int = 300) -> list[Image.Image]:
    """The pages of a scan file: a PDF (every page), a multi-page TIFF, or a single PNG/JPEG/other image."""
    where = os.fspath(path)
    data = read_input(where)
    if not data:
        raise InputError("the file is empty", where=where)
    if data.startswith(b"%PDF"):
        return rasterize(data, dpi, where=where)
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PAGES:
                raise InputError(f"the image has {frames} pages; at most {MAX_PAGES} are read", where=where)
            pages = [
                ImageOps.exif_transpose(frame.copy()).convert("L") for frame in ImageSequence.Iterator(image)
            ]
    except Image.DecompressionBombError:
        raise InputError("the image is too large to be a scan", where=where) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"not a readable image or PDF ({exc})", where=where) from None
    if not pages:
        raise InputError("the image has no frames", where=where)
    return pages


@dataclass
class ScanReport:
    """Everything a scan gave: symbols per file, complete messages, what is missing, what was refused."""

    symbols_per_file: dict[str, int] = field(default_factory=dict)
    pages_per_file: dict[str, int] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    environment: list[str] = field(default_factory=list)
    reassembler: Reassembler = field(default_factory=Reassembler)

    @property
    def counts(self) -> dict[bytes, int]:
        return {m: self.reassembler.count(m) for m in self.reassembler.messages()}

    @property
    def missing(self) -> dict[bytes, list[int]]:
        """0-based missing chunk indexes per message id (empty list: complete)."""
        return {m: self.reassembler.missing(m) for m in self.reassembler.messages()}

    @property
    def messages(self) -> dict[bytes, bytes]:
        """The complete messages whose digest checks, by message id."""
        out: dict[bytes, bytes] = {}
        for msg_id in self.reassembler.messages():
            try:
                out[msg_id] = self.reassembler.message(msg_id)
            except TelketenError:
                continue
        return out

    def message(self) -> bytes:
        """The one message of this scan, verified; otherwise an error that says exactly what is wrong."""
        if not self.reassembler.messages():
            files = ", ".join(self.symbols_per_file) or "the input"
            detail = f" ({'; '.join(self.environment)})" if self.environment else ""
            refused = f"; refused: {self.rejected[0]}" if self.rejected else ""
            raise InputError(f"no Telketen QR symbols were found in {files}{detail}{refused}")
        try:
            return self.reassembler.message()
        except IntegrityError:
            raise
        except InputError as exc:
            if self.environment:
                raise EnvironmentProblem(f"{exc.message}; {'; '.join(self.environment)}") from None
            raise

    def describe(self) -> list[str]:
        """Lines for the operator: per file, then per message what is complete or missing."""
        lines = [
            f"{name}: {self.pages_per_file.get(name, 0)} page(s), {count} symbol(s) read"
            for name, count in self.symbols_per_file.items()
        ]
        for msg_id in self.reassembler.messages():
            missing = self.reassembler.missing(msg_id)
            total = self.reassembler.count(msg_id)
            state = "complete" if not missing else describe_missing(missing, total)
            lines.append(f"message {msg_id.hex()}: {total - len(missing)}/{total} symbols, {state}")
        lines.extend(f"refused: {reason}" for reason in self.rejected)
        lines.extend(f"missing on this machine: {problem}" for problem in self.environment)
        return lines


def add_payloads(report: ScanReport, payloads: Iterable[bytes], where: str) -> int:
    """Feed decoded symbol payloads into the report; returns how many were new chunks."""
    new = 0
    for payload in payloads:
        try:
            if report.reassembler.add(payload):
                new += 1
        except TelketenError as exc:
            reason = f"{where}: {exc.message}"
            if reason not in report.rejected:
                report.rejected.append(reason)
    return new


def scan_files(paths: Sequence[str | os.PathLike[str]], *, dpi: int = 300) -> ScanReport:
    """Decode every file into one report (files may hold pages of several messages); each file's pages are
    judged cheaply first and only those that may hold symbols are decoded (`shared.adapters.qr_find`)."""
    from shared.adapters.qr_find import read_document  # it builds on this module

    report = ScanReport()
    for path in paths:
        name = os.fspath(path)
        data = read_input(name)
        read_document(report, data, where=name, dpi=dpi)
    return report
