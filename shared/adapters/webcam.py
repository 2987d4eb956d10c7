"""Read a QR sheet with a webcam, one symbol at a time, with live feedback.

A webcam frame covering a whole A4 page is only ~90 dpi, too coarse for the sheet's symbols; held close, one
symbol fills the frame and reads easily (ARCHITECTURE.md §2). The loop over frames is separate from the camera
(`read_frames` takes any iterable of images), so it is tested by feeding frames without a camera.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

import cv2
import numpy as np

from shared.adapters.qr_scan import ScanReport, add_payloads, to_gray, zbar_read, zxing_read
from shared.errors import EnvironmentProblem
from shared.formats.framing import describe_missing


def camera_frames(device: int = 0, *, timeout_s: float | None = None) -> Iterator[np.ndarray]:
    """Frames from an OpenCV capture device until the caller stops, or `timeout_s` passes."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # our own message replaces its warning
    try:
        capture = cv2.VideoCapture(device)
    finally:
        cv2.utils.logging.setLogLevel(level)
    if not capture.isOpened():
        capture.release()
        raise EnvironmentProblem(f"no webcam could be opened at device {device}")
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    try:
        while deadline is None or time.monotonic() < deadline:
            ok, frame = capture.read()
            if not ok:
                raise EnvironmentProblem(f"the webcam at device {device} stopped delivering images")
            yield frame
    finally:
        capture.release()


def decode_frame(frame: np.ndarray) -> list[bytes]:
    """Quick decode of one frame: zxing-cpp, then zbar if available (a frame must not take long)."""
    gray = to_gray(frame)
    found = [f.data for f in zxing_read(gray)]
    if found:
        return found
    try:
        return zbar_read(gray)
    except EnvironmentProblem:
        return []


def progress_line(report: ScanReport) -> str:
    """One status line for the terminal: per message how many symbols are in and which are missing."""
    parts = []
    for msg_id in report.reassembler.messages():
        missing = report.reassembler.missing(msg_id)
        total = report.reassembler.count(msg_id)
        state = "compleet" if not missing else describe_missing(missing, total)
        parts.append(f"{msg_id.hex()[:8]}: {total - len(missing)}/{total} ({state})")
    return "; ".join(parts) or "nog geen QR-code gezien: houd één QR-code dicht bij de camera"


def read_frames(
    frames: Iterable[np.ndarray], *, on_progress: Callable[[str], None] | None = None
) -> ScanReport:
    """Feed frames until every message seen is complete (or the frames run out).

    The progress line is reported at the start and after each new symbol.
    """
    report = ScanReport()
    if on_progress:
        on_progress(progress_line(report))
    for number, frame in enumerate(frames, start=1):
        new = add_payloads(report, decode_frame(frame), f"frame {number}")
        if new and on_progress:
            on_progress(progress_line(report))
        if report.reassembler.complete:
            break
    report.symbols_per_file["webcam"] = sum(
        report.reassembler.count(m) - len(report.reassembler.missing(m))
        for m in report.reassembler.messages()
    )
    return report
