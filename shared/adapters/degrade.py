"""Simulated print–scan damage for QR sheets: what a printer, a scanner or a phone does to a clean page.

Used by the tests and the benchmark to prove the sheets read back byte-exact, and by the demo to make
realistic "scans" without a scanner. Strengths are given in millimetres or fractions of the page, so the same
degradation means the same physical damage at 200 and 300 dpi. Randomness comes from the `random.Random`
passed in.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

Degradation = Callable[[Image.Image, random.Random, int], Image.Image]


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _image(array: np.ndarray) -> Image.Image:
    if array.dtype != np.uint8:
        array = cv2.convertScaleAbs(np.maximum(array, 0))  # saturates above 255
    return Image.fromarray(array, mode="L")


def blur(image: Image.Image, sigma_mm: float, dpi: int) -> Image.Image:
    """Out-of-focus optics or toner spread: Gaussian blur of `sigma_mm`."""
    sigma = sigma_mm / 25.4 * dpi
    return _image(cv2.GaussianBlur(_gray(image), (0, 0), sigmaX=sigma))


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """A page laid askew on the glass: rotation about the centre on a canvas that keeps the whole page."""
    array = _gray(image)
    h, w = array.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    matrix[0, 2] += (new_w - w) / 2
    matrix[1, 2] += (new_h - h) / 2
    out = cv2.warpAffine(array, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=255)
    return _image(out)


def perspective(image: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """A photographed page: each corner moved inwards by up to `strength` of the page size."""
    array = _gray(image)
    h, w = array.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    signs = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
    moved = [
        [x + sx * rng.uniform(0, strength) * w, y + sy * rng.uniform(0, strength) * h]
        for (x, y), (sx, sy) in zip(src.tolist(), signs, strict=True)
    ]
    dst = np.array(moved, dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return _image(cv2.warpPerspective(array, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255))


def noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Sensor noise: additive Gaussian noise of `sigma` grey levels."""
    array = _gray(image).astype(np.float32)
    grain = np.empty_like(array)
    cv2.setRNGSeed(rng.getrandbits(31))
    cv2.randn(grain, np.array([0.0]), np.array([sigma]))
    return _image(cv2.add(array, grain))


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    """A scanner or phone that saves JPEG."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return _image(np.asarray(decoded.convert("L")))  # a plain image, without the JPEG's metadata


def uneven_light(image: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """A lamp from one side: brightness falls off linearly by up to `strength` across the page."""
    array = _gray(image).astype(np.float32)
    h, w = array.shape
    angle = rng.uniform(0, 2 * np.pi)
    xs = ((np.arange(w, dtype=np.float32) / w - 0.5) * np.cos(angle)).astype(np.float32)
    ys = ((np.arange(h, dtype=np.float32) / h - 0.5) * np.sin(angle)).astype(np.float32)
    lo = float(xs.min() + ys.min())
    span = max(float(xs.max() + ys.max()) - lo, 1e-6)
    factor = 1.0 - np.float32(strength / span) * (ys[:, None] + xs[None, :] - np.float32(lo))
    array *= factor
    return _image(array)


def low_contrast(image: Image.Image, black: int, white: int) -> Image.Image:
    """Grey paper and a tired toner: black prints as `black`, white paper scans as `white`."""
    lut = np.array([round(black + v * (white - black) / 255) for v in range(256)], dtype=np.uint8)
    return _image(cv2.LUT(_gray(image), lut))


def ink_spread(image: Image.Image, mm: float, dpi: int) -> Image.Image:
    """Toner bleeding: dark areas grow by about `mm` on every side."""
    px = max(1, round(mm / 25.4 * dpi))
    kernel = np.ones((px, px), dtype=np.uint8)
    return _image(cv2.erode(_gray(image), kernel))


def scanner_like(image: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """A plausible office print and scan: slight blur, skew, grey paper, uneven light, noise and JPEG."""
    out = blur(image, rng.uniform(0.04, 0.08), dpi)
    out = rotate(out, rng.uniform(-2.0, 2.0))
    out = low_contrast(out, rng.randint(20, 50), rng.randint(200, 235))
    out = uneven_light(out, rng.uniform(0.1, 0.25), rng)
    out = noise(out, rng.uniform(3, 8), rng)
    return jpeg(out, rng.randint(70, 90))


def harsh(image: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """A bad copy of a copy, photographed: worse than any scanner should deliver, to show the margin."""
    out = blur(image, 0.11, dpi)
    out = rotate(out, rng.uniform(-4.0, 4.0))
    out = perspective(out, 0.03, rng)
    out = low_contrast(out, 70, 200)
    out = uneven_light(out, 0.4, rng)
    out = noise(out, 14.0, rng)
    return jpeg(out, 45)


DEGRADATIONS: dict[str, Degradation] = {
    "clean": lambda im, rng, dpi: im,
    "blur": lambda im, rng, dpi: blur(im, 0.08, dpi),
    "rotate": lambda im, rng, dpi: rotate(im, rng.choice((-1, 1)) * rng.uniform(2.0, 5.0)),
    "perspective": lambda im, rng, dpi: perspective(im, 0.04, rng),
    "noise": lambda im, rng, dpi: noise(im, 15.0, rng),
    "jpeg": lambda im, rng, dpi: jpeg(im, 50),
    "uneven_light": lambda im, rng, dpi: uneven_light(im, 0.5, rng),
    "low_contrast": lambda im, rng, dpi: low_contrast(im, 90, 190),
    "ink_spread": lambda im, rng, dpi: ink_spread(im, 0.05, dpi),
    "scanner": scanner_like,
    "harsh": harsh,
}
"""Named degradations at a fixed, realistic-to-harsh strength, for tests and the benchmark."""
