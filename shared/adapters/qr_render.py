"""QR symbols as crisp 1-bit PNG images, with the exact version and error-correction level we ask for.

Sheets use a fixed version per layout so every symbol on a page has the same size and the grid is regular (the
scanner relies on that to find cells it missed). Data always goes in byte mode: chunks are binary.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
import qrcode
import qrcode.constants
import qrcode.exceptions
import qrcode.util
from PIL import Image

from shared.errors import InputError

Ecc = Literal["L", "M", "Q", "H"]

_ECC_CONST: dict[str, int] = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def modules(version: int) -> int:
    """Side of a symbol of this version, in modules (without quiet zone)."""
    return 17 + 4 * version


def byte_capacity(version: int, ecc: Ecc) -> int:
    """How many bytes fit in one symbol in byte mode (ISO/IEC 18004 table 7)."""
    if not 1 <= version <= 40:
        raise InputError(f"QR version {version} is outside 1..40")
    bits = int(qrcode.util.BIT_LIMIT_TABLE[_ECC_CONST[ecc]][version])
    count_bits = 8 if version < 10 else 16
    return (bits - 4 - count_bits) // 8


def smallest_version(n_bytes: int, ecc: Ecc, min_version: int = 1) -> int:
    """The smallest version at or above `min_version` that holds `n_bytes`."""
    for version in range(min_version, 41):
        if byte_capacity(version, ecc) >= n_bytes:
            return version
    raise InputError(f"{n_bytes} bytes do not fit in one QR symbol at error correction {ecc}")


_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i * j) % 3 + (i + j) % 2) % 2 == 0,
)
_PATTERN = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)


def _penalty(m: np.ndarray) -> int:
    """ISO/IEC 18004 mask penalty, computed exactly as qrcode's `util.lost_point` does, in numpy."""
    n = m.shape[0]
    score = 0
    for lines in (m, m.T):  # N1: runs of 5 or more modules of one colour score (length - 2)
        change = np.ones((n, n + 1), dtype=bool)
        change[:, 1:n] = lines[:, 1:] != lines[:, :-1]
        rows, cols = np.nonzero(change)
        lengths = np.diff(cols)[np.diff(rows) == 0]
        long = lengths[lengths >= 5]
        score += int((long - 2).sum())
    block = (m[:-1, :-1] == m[1:, :-1]) & (m[:-1, :-1] == m[:-1, 1:]) & (m[:-1, :-1] == m[1:, 1:])
    score += 3 * int(block.sum())  # N2
    for lines in (m, m.T):  # N3: finder-like 1:1:3:1:1 with four light modules on one side
        windows = np.lib.stride_tricks.sliding_window_view(lines, 11, axis=1)
        hits = (windows == _PATTERN).all(axis=2) | (windows == _PATTERN[::-1]).all(axis=2)
        score += 40 * int(hits.sum())
    percent = float(m.sum()) / (n * n)
    return score + int(abs(percent * 100 - 50) / 5) * 10  # N4


class _FastMaskQRCode(qrcode.QRCode):  # type: ignore[misc]
    """qrcode's QRCode with the mask choice done in numpy: same symbol, about five times faster.

    qrcode lays out the data eight times in pure Python to score the masks; here it is laid out once with mask
    0 (in test mode, like qrcode does) and the other seven are derived by XOR on the data modules.
    """

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)
        base = np.array(self.modules, dtype=np.bool_)  # type: ignore[has-type]
        n = self.modules_count
        self.modules = [[None] * n for _ in range(n)]
        self.setup_position_probe_pattern(0, 0)
        self.setup_position_probe_pattern(n - 7, 0)
        self.setup_position_probe_pattern(0, n - 7)
        self.setup_position_adjust_pattern()
        self.setup_timing_pattern()
        self.setup_type_info(True, 0)
        if self.version >= 7:
            self.setup_type_number(True)
        data = np.array([[cell is None for cell in row] for row in self.modules], dtype=bool)
        i, j = np.indices((n, n))
        mask0 = _MASKS[0](i, j)
        scores = [_penalty(base ^ ((mask0 ^ _MASKS[k](i, j)) & data)) for k in range(8)]
        return int(np.argmin(scores))


def qr_matrix(data: bytes, version: int, ecc: Ecc) -> np.ndarray:
    """The module matrix (True = dark) of `data` in byte mode at exactly this version, without quiet zone."""
    qr = _FastMaskQRCode(version=version, error_correction=_ECC_CONST[ecc], border=0)
    qr.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    try:
        qr.make(fit=False)
    except qrcode.exceptions.DataOverflowError:
        raise InputError(f"{len(data)} bytes do not fit in a version {version}-{ecc} QR symbol") from None
    return np.asarray(qr.get_matrix(), dtype=bool)


def qr_image(data: bytes, version: int, ecc: Ecc, box_size: int, border: int = 0) -> Image.Image:
    """A 1-bit image of the symbol, `box_size` pixels per module, `border` light modules around it."""
    matrix = qr_matrix(data, version, ecc)
    if border:
        matrix = np.pad(matrix, border, constant_values=False)
    pixels = np.repeat(np.repeat(~matrix, box_size, axis=0), box_size, axis=1)
    return Image.fromarray(pixels.astype(np.uint8) * 255, mode="L").convert("1")


def qr_png(data: bytes, version: int, ecc: Ecc, box_size: int) -> bytes:
    """PNG bytes of `qr_image` without quiet zone (the sheet layout provides it)."""
    buffer = io.BytesIO()
    qr_image(data, version, ecc, box_size).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
