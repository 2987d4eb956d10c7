"""Our numpy QR encoder against the `qrcode` library it replaced: the same modules at every version and level.

Printed sheets must not change when the encoder does, so the reference is `qrcode` itself, built the way the
old code built symbols (byte mode, fixed version, no quiet zone). `qrcode` is slow in pure Python, so the
exhaustive sweep fixes the mask to the one we chose (one layout per symbol instead of nine), and the mask
choice itself is checked on fewer, random symbols.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import qrcode
import qrcode.constants
import qrcode.util
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.qr_render import Ecc, byte_capacity, modules, qr_image, qr_matrix
from shared.errors import InputError

LEVELS: tuple[Ecc, ...] = ("L", "M", "Q", "H")
QRCODE_LEVEL = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def reference(data: bytes, version: int, ecc: Ecc, mask: int | None = None) -> np.ndarray:
    qr = qrcode.QRCode(version=version, error_correction=QRCODE_LEVEL[ecc], border=0, mask_pattern=mask)
    qr.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    qr.make(fit=False)
    return np.asarray(qr.get_matrix(), dtype=bool)


def mask_of(matrix: np.ndarray) -> int:
    """The mask number in the format information (bits 10-12 of the word, next to the bottom-left finder)."""
    n = matrix.shape[0]
    unmasked = [int(matrix[n - 5 + k, 8]) ^ ((0b101010000010010 >> (10 + k)) & 1) for k in range(3)]
    return unmasked[0] | unmasked[1] << 1 | unmasked[2] << 2


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_and_level_matches_qrcode_module_for_module(version: int) -> None:
    rng = random.Random(version)
    for ecc in LEVELS:
        capacity = byte_capacity(version, ecc)
        for size in (capacity, rng.randrange(capacity)):  # full, and with pad codewords
            data = rng.randbytes(size)
            ours = qr_matrix(data, version, ecc)
            assert ours.shape == (modules(version), modules(version))
            np.testing.assert_array_equal(ours, reference(data, version, ecc, mask_of(ours)))


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_mask_choice_matches_qrcode(draw: st.DataObject) -> None:
    version = draw.draw(st.integers(1, 40) | st.integers(1, 12), label="version")  # small ones are cheap
    ecc = draw.draw(st.sampled_from(LEVELS), label="ecc")
    data = draw.draw(st.binary(max_size=byte_capacity(version, ecc)), label="data")
    np.testing.assert_array_equal(qr_matrix(data, version, ecc), reference(data, version, ecc))


@pytest.mark.parametrize(("version", "ecc"), [(1, "L"), (9, "Q"), (25, "M"), (29, "L"), (40, "H")])
def test_a_decoder_reads_back_the_bytes(version: int, ecc: Ecc) -> None:
    data = random.Random(version).randbytes(byte_capacity(version, ecc))
    image = qr_image(data, version, ecc, box_size=3, border=4).convert("L")
    (found,) = zxingcpp.read_barcodes(np.asarray(image), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.bytes == data
    assert found.extra["Version"] == str(version)
    assert found.ec_level == ecc


def test_data_that_does_not_fit_is_refused() -> None:
    capacity = byte_capacity(25, "M")
    qr_matrix(bytes(capacity), 25, "M")
    with pytest.raises(InputError, match=f"{capacity + 1} bytes do not fit in a version 25-M QR symbol"):
        qr_matrix(bytes(capacity + 1), 25, "M")
