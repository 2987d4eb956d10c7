"""Simulated print–scan damage for QR sheets: what a printer, a scanner or a phone does to a clean page.

Used by the tests and the benchmark to prove the sheets read back byte-exact, and by the demo to make
realistic "scans" without a scanner. Strengths are given in millimetres or fractions of the page, so the same
degradation means the same physical damage at 200 and 300 dpi. Randomness comes from the `random.Random`
passed in.

The demo damages every page it scans, so the steps work on 8-bit arrays and the PIL functions are thin
wrappers; what the sensor adds (tone, light, noise) is computed in float32 in bands of rows that stay in the
CPU cache, in one pass.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import cv2
import numpy as np
from PIL import Image

Degradation = Callable[[Image.Image, random.Random, int], Image.Image]

# Sensor noise is drawn as one random byte per pixel looked up in this table of 256 equally likely values of
# the standard normal distribution (rescaled to a standard deviation of exactly 1): several times cheaper than
# sampling a normal distribution per pixel, and after rounding to grey levels the same noise.
_NORMAL_LEVELS = np.array([NormalDist().inv_cdf((k + 0.5) / 256) for k in range(256)], dtype=np.float64)
_NORMAL_LEVELS = (_NORMAL_LEVELS / _NORMAL_LEVELS.std()).astype(np.float32)
#: Rows per pass of the sensor model: a band of float32 grey levels stays in the CPU cache.
_BAND_ROWS = 64


@dataclass(frozen=True)
class _Sensor:
    """What the scanner's sensor makes of the paper: a tone curve, then optionally light fall-off and noise.

    `light` is (rows, cols): the brightness factor of pixel (y, x) is rows[y] + cols[x]. `noise` is (picks,
    levels): pixel (y, x) gets levels[picks[y, x]] added.
    """

    tone: np.ndarray
    light: tuple[np.ndarray, np.ndarray] | None = None
    noise: tuple[np.ndarray, np.ndarray] | None = None


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)


def _image(array: np.ndarray) -> Image.Image:
    return Image.fromarray(array, mode="L")


def _blur(gray: np.ndarray, sigma_mm: float, dpi: int) -> np.ndarray:
    return cv2.GaussianBlur(gray, (0, 0), sigmaX=sigma_mm / 25.4 * dpi)


def _rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    matrix[0, 2] += (new_w - w) / 2
    matrix[1, 2] += (new_h - h) / 2
    return cv2.warpAffine(gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=255)


def _tone(black: int = 0, white: int = 255) -> np.ndarray:
    """Grey levels 0..255 mapped linearly to black..white, as float32."""
    return np.float32(black) + np.arange(256, dtype=np.float32) * np.float32((white - black) / 255)


def _fall_off(shape: tuple[int, ...], strength: float, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """A linear brightness fall-off of up to `strength` in a random direction, as `_Sensor.light`."""
    h, w = shape
    angle = rng.uniform(0, 2 * np.pi)
    xs = ((np.arange(w, dtype=np.float32) / w - 0.5) * np.cos(angle)).astype(np.float32)
    ys = ((np.arange(h, dtype=np.float32) / h - 0.5) * np.sin(angle)).astype(np.float32)
    lo = float(xs.min() + ys.min())
    span = max(float(xs.max() + ys.max()) - lo, 1e-6)
    slope = np.float32(strength / span)
    return np.float32(1.0 + strength * lo / span) - slope * ys, -slope * xs  # 1 - slope·(y + x - lo)


def _grain(shape: tuple[int, ...], sigma: float, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian noise of `sigma` grey levels, as `_Sensor.noise`."""
    generator = np.random.default_rng(rng.getrandbits(64))
    picks = np.frombuffer(generator.bytes(math.prod(shape)), dtype=np.uint8).reshape(shape)
    return picks, _NORMAL_LEVELS * np.float32(sigma)


def _sense(gray: np.ndarray, sensor: _Sensor) -> np.ndarray:
    """The 8-bit image the sensor delivers for `gray`, rounded and saturated, band by band."""
    out = np.empty_like(gray)
    for top in range(0, gray.shape[0], _BAND_ROWS):
        rows = slice(top, top + _BAND_ROWS)
        band: np.ndarray = cv2.LUT(gray[rows], sensor.tone)
        if sensor.light is not None:
            band *= np.add.outer(sensor.light[0][rows], sensor.light[1])
        if sensor.noise is not None:
            band += cv2.LUT(sensor.noise[0][rows], sensor.noise[1])
        out[rows] = cv2.convertScaleAbs(np.maximum(band, 0, out=band))
    return out


def blur(image: Image.Image, sigma_mm: float, dpi: int) -> Image.Image:
    """Out-of-focus optics or toner spread: Gaussian blur of `sigma_mm`."""
    return _image(_blur(_gray(image), sigma_mm, dpi))


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """A page laid askew on the glass: rotation about the centre on a canvas that keeps the whole page."""
    return _image(_rotate(_gray(image), degrees))


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
    gray = _gray(image)
    return _image(_sense(gray, _Sensor(_tone(), noise=_grain(gray.shape, sigma, rng))))


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    """A scanner or phone that saves JPEG."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return _image(np.asarray(decoded.convert("L")))  # a plain image, without the JPEG's metadata


def uneven_light(image: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """A lamp from one side: brightness falls off linearly by up to `strength` across the page."""
    gray = _gray(image)
    return _image(_sense(gray, _Sensor(_tone(), light=_fall_off(gray.shape, strength, rng))))


def low_contrast(image: Image.Image, black: int, white: int) -> Image.Image:
    """Grey paper and a tired toner: black prints as `black`, white paper scans as `white`."""
    return _image(_sense(_gray(image), _Sensor(_tone(black, white))))


def ink_spread(image: Image.Image, mm: float, dpi: int) -> Image.Image:
    """Toner bleeding: dark areas grow by about `mm` on every side."""
    px = max(1, round(mm / 25.4 * dpi))
    kernel = np.ones((px, px), dtype=np.uint8)
    return _image(cv2.erode(_gray(image), kernel))


def scanner_capture(image: Image.Image, rng: random.Random, dpi: int) -> tuple[Image.Image, int]:
    """An office print and scan up to the sensor: slight blur, skew, grey paper, uneven light and noise.

    Returns the page the sensor sees and the JPEG quality the scanner saves it with, so the demo can write
    the scanner's file in one compression, as a scanner does.
    """
    page = _blur(_gray(image), rng.uniform(0.04, 0.08), dpi)
    page = _rotate(page, rng.uniform(-2.0, 2.0))
    sensor = _Sensor(
        _tone(rng.randint(20, 50), rng.randint(200, 235)),
        light=_fall_off(page.shape, rng.uniform(0.1, 0.25), rng),
        noise=_grain(page.shape, rng.uniform(3, 8), rng),
    )
    return _image(_sense(page, sensor)), rng.randint(70, 90)


def scanner_like(image: Image.Image, rng: random.Random, dpi: int) -> Image.Image:
    """A plausible office print and scan: slight blur, skew, grey paper, uneven light, noise and JPEG."""
    sensed, quality = scanner_capture(image, rng, dpi)
    return jpeg(sensed, quality)


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
