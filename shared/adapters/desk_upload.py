"""Turning what an operator uploads (scans, whole reports, .tks files, camera frames) into signed messages,
plus Dutch notes on what could not be read; the desk's pages (`desk_routes`) only show the outcome."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, UploadFile

from shared.adapters import web
from shared.adapters.messages import dutch
from shared.errors import InputError, TelketenError
from shared.i18n.catalogue import text

LOG = logging.getLogger("telketen.desk")

SCAN_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf", ".bmp", ".webp"})
MESSAGE_SUFFIXES = frozenset({".tks"})


def read_uploads(form: FormData) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every non-empty uploaded file; refuses one over the size limit, or none."""
    files: list[tuple[str, bytes]] = []
    for _, up in form.multi_items():
        if not isinstance(up, UploadFile):
            continue
        data = up.file.read(web.MAX_UPLOAD_BYTES + 1)
        if not data:
            continue
        name = up.filename or "upload"
        if len(data) > web.MAX_UPLOAD_BYTES:
            raise InputError(
                "file is larger than 64 MB", where=name, code="desk.too_large", params={"file": name}
            )
        files.append((name, data))
    if not files:
        raise InputError(
            "choose one or more scans (PNG, JPEG, TIFF, PDF) or .tks files",
            where="upload",
            code="desk.no_files",
        )
    return files


def collect_uploads(files: Sequence[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(source, signed message) from uploaded scans and .tks files; plus notes on what could not be read.

    Scans are read with `shared.adapters.qr_find` (only pages that may hold symbols are decoded) and
    reassembled across all files (a sheet may be scanned in parts); a file that cannot be read is named in
    the notes and the others still count.
    """
    from shared.adapters.qr_find import read_document
    from shared.adapters.qr_scan import ScanReport

    found: list[tuple[str, bytes]] = []
    notes: list[str] = []
    report = ScanReport()
    scanned: list[str] = []
    for n, (name, data) in enumerate(files, start=1):
        suffix = Path(name).suffix.lower()
        shown = Path(name).name or f"bestand {n}"
        if suffix in MESSAGE_SUFFIXES:
            found.append((shown, data))
            continue
        if suffix not in SCAN_SUFFIXES:
            notes.append(text("desk.not_a_scan", {"file": shown}))
            continue
        try:
            read_document(report, data, where=shown, page_word="pagina")
        except TelketenError as exc:
            notes.append(text("desk.unreadable", {"file": shown, "reason": dutch(exc)}))
            continue
        scanned.append(shown)
    files_text = ", ".join(scanned)
    for n, message in enumerate(report.messages.values(), start=1):
        found.append((text("desk.source_scan", {"files": files_text, "number": n}), bytes(message)))
    complete = set(report.messages)
    for msg_id, gaps in report.missing.items():
        if msg_id not in complete:
            missing = ", ".join(str(i + 1) for i in gaps)
            total = report.reassembler.count(msg_id)
            notes.append(
                text(
                    "desk.symbols_missing", {"message": msg_id.hex()[:8], "missing": missing, "total": total}
                )
            )
    if report.rejected:
        LOG.warning("refused QR symbols: %s", "; ".join(report.rejected))
        notes.append(text("desk.symbols_refused", {"count": len(report.rejected)}))
    if report.environment:
        LOG.warning("missing on this machine: %s", "; ".join(report.environment))
        notes.append(text("desk.environment"))
    if scanned and not report.reassembler.messages():
        notes.append(text("desk.no_codes", {"files": files_text}))
    return found, notes


def camera_frame(form: FormData) -> Any:
    """The greyscale image (numpy array) of one camera frame posted by the browser."""
    from PIL import Image, UnidentifiedImageError

    frame = form.get("frame")
    if not isinstance(frame, UploadFile):
        raise InputError("no camera frame in the request", where="frame", code="desk.no_frame")
    data = frame.file.read(16 * 1024 * 1024)
    try:
        import numpy as np

        return np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    except (UnidentifiedImageError, OSError, ValueError):
        raise InputError(
            "the camera frame is not an image", where="frame", code="desk.frame_not_image"
        ) from None
