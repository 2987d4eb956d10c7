"""A fake phone camera for Chromium: a QR sheet as a phone would film it, written as a Y4M video.

Chromium's `--use-file-for-fake-video-capture=FILE.y4m` plays the file in a loop as the camera. The frames
are the sheet as our own code renders it (the report's PDF page, or symbols from `qr_render`), held close so
the symbols fill the picture, then degraded like a photograph with `shared.adapters.degrade` (blur, skew,
perspective, grey paper, uneven light, noise, JPEG) — the same damage the scanner simulation uses.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from shared.adapters import degrade
from shared.adapters.pdf import render_page
from shared.adapters.qr_pdf import sheet_pages

WIDTH, HEIGHT = 1280, 720
#: Rendering resolution of a sheet before it is framed: the phone sees the paper at about this density.
DPI = 200


def photographed(image: Image.Image, seed: int, dpi: int = DPI) -> Image.Image:
    """The picture as a phone takes it: blurred, skewed, in perspective, unevenly lit, noisy, JPEG."""
    rng = random.Random(seed)
    out = degrade.blur(image.convert("L"), 0.06, dpi)
    out = degrade.rotate(out, rng.uniform(-3.0, 3.0))
    out = degrade.perspective(out, 0.02, rng)
    out = degrade.low_contrast(out, 40, 215)
    out = degrade.uneven_light(out, 0.25, rng)
    out = degrade.noise(out, 6.0, rng)
    return degrade.jpeg(out, 75)


def symbols_area(page: Image.Image) -> Image.Image:
    """The part of a QR sheet with the symbols (below the heading), with a margin: what fills the frame."""
    gray = np.asarray(page.convert("L"))
    top = int(gray.shape[0] * 0.08)  # the heading and the fingerprint line stay out of the picture
    dark = np.argwhere(gray[top:] < 128)
    (y0, x0), (y1, x1) = dark.min(axis=0), dark.max(axis=0)
    margin = max(20, (x1 - x0) // 20)
    box = (max(0, x0 - margin), top + max(0, y0 - margin), min(gray.shape[1], x1 + margin),
           top + min(gray.shape[0] - top, y1 + margin))  # fmt: skip
    return page.crop(box)


def sheet_frames(pdf: Path) -> list[Image.Image]:
    """The symbol area of every QR sheet of a report PDF, rendered by our PDF adapter."""
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return [symbols_area(render_page(document, i, DPI)) for i in sheet_pages(document)]
    finally:
        document.close()


def fit(image: Image.Image) -> Image.Image:
    """`image` scaled into a camera frame, on a table-grey background."""
    frame = Image.new("L", (WIDTH, HEIGHT), 90)
    scale = min((WIDTH - 40) / image.width, (HEIGHT - 40) / image.height)
    small = image.convert("L").resize(
        (int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS
    )
    frame.paste(small, ((WIDTH - small.width) // 2, (HEIGHT - small.height) // 2))
    return frame


def write_y4m(path: Path, shots: Sequence[Image.Image], *, repeat: int = 4, fps: int = 10) -> Path:
    """A Y4M video (4:2:0, grey) showing each shot for `repeat` frames, in order; Chromium loops it."""
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2) * 2)
    with path.open("wb") as fh:
        fh.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for shot in shots:
            luma = fit(shot).tobytes()
            for _ in range(repeat):
                fh.write(b"FRAME\n" + luma + chroma)
    return path
