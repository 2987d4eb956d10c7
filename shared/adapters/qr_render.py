"""QR symbols as crisp 1-bit PNG images, with the exact version and error-correction level we ask for.

Sheets use a fixed version per layout so every symbol on a page has the same size and the grid is regular (the
scanner relies on that to find cells it missed). Data always goes in byte mode: chunks are binary.

The encoder is our own numpy code rather than `qrcode`'s, which spent 100-300 ms per large symbol in pure
Python (three symbols per municipality add up nationally). Everything that depends only on the version (module
layout, placement order, masks) or on version and ECC (block structure, Reed-Solomon remainders) is computed
once and cached, so a symbol costs a few array operations. It produces exactly the modules `qrcode` does, mask
choice included (tests/test_qr_encoder.py holds it to that); only tables come from `qrcode` (Reed-Solomon
blocks, alignment-pattern positions, BCH format and version words).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import qrcode.base
import qrcode.constants
import qrcode.util
from PIL import Image

from shared.errors import InputError

Ecc = Literal["L", "M", "Q", "H"]

# qrcode's constants are the two ECC bits of the format information (L=01, M=00, Q=11, H=10).
_ECC_CONST: dict[str, int] = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
_PAD_CODEWORDS = np.array([0xEC, 0x11], dtype=np.uint8)


def modules(version: int) -> int:
    """Side of a symbol of this version, in modules (without quiet zone)."""
    return 17 + 4 * version


def byte_capacity(version: int, ecc: Ecc) -> int:
    """How many bytes fit in one symbol in byte mode (ISO/IEC 18004 table 7)."""
    if not 1 <= version <= 40:
        raise InputError(f"QR version {version} is outside 1..40")
    bits = int(qrcode.util.BIT_LIMIT_TABLE[_ECC_CONST[ecc]][version])
    return (bits - 4 - _count_bits(version)) // 8


def smallest_version(n_bytes: int, ecc: Ecc, min_version: int = 1) -> int:
    """The smallest version at or above `min_version` that holds `n_bytes`."""
    for version in range(min_version, 41):
        if byte_capacity(version, ecc) >= n_bytes:
            return version
    raise InputError(f"{n_bytes} bytes do not fit in one QR symbol at error correction {ecc}")


def _count_bits(version: int) -> int:
    """Width of the byte-mode length field."""
    return 8 if version < 10 else 16


# --- Reed-Solomon over GF(256), polynomial x^8 + x^4 + x^3 + x^2 + 1 --------------------------------------


def _gf_tables() -> tuple[np.ndarray, np.ndarray]:
    """Antilog table padded so that log(0) can be a sentinel whose sums all look up 0, and the log table."""
    exp = np.zeros(255, dtype=np.int64)
    value = 1
    for power in range(255):
        exp[power] = value
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    log = np.full(256, 512, dtype=np.int16)  # 512 + anything in 0..512 lands in the zero tail below
    log[exp] = np.arange(255)
    antilog = np.zeros(1025, dtype=np.uint8)
    antilog[:509] = exp[np.arange(509) % 255]
    return antilog, log


_ANTILOG, _LOG = _gf_tables()


@cache
def _remainder_logs(ec_count: int, max_data: int) -> np.ndarray:
    """Logs of x^(ec + k) mod g for each data position, so a block's remainder is one XOR-sum of products.

    Row c belongs to data column c of a right-aligned block of `max_data` codewords; the EC codewords come out
    highest power first, as the symbol stores them.
    """
    generator = np.array([1], dtype=np.uint8)  # g(x) = prod (x - a^i), highest power first
    for i in range(ec_count):
        shifted = np.append(generator, 0)
        shifted[1:] ^= _ANTILOG[_LOG[generator] + i]
        generator = shifted
    low = _LOG[generator[1:]]  # x^ec = these terms, mod g
    rows = [generator[1:]]
    for _ in range(max_data - 1):  # x * r: shift up, fold the overflowing term back in with g
        carry = _ANTILOG[_LOG[rows[-1][0]] + low]
        rows.append(np.append(rows[-1][1:], 0) ^ carry)
    return _LOG[np.stack(rows[::-1])][None, :, :]


@dataclass(frozen=True)
class _Blocks:
    """Block structure of one version and ECC, with data codewords laid out as a right-aligned grid (a short
    block gets a leading zero, which leaves its remainder unchanged) so all blocks are encoded at once."""

    data_total: int
    data_slots: np.ndarray  # (blocks, longest) index into the data codewords; -1 = the leading zero
    interleaved: np.ndarray  # flat grid indices in stream order: codeword i of every block in turn
    remainder_logs: np.ndarray


@cache
def _blocks(version: int, ecc: Ecc) -> _Blocks:
    blocks = qrcode.base.rs_blocks(version, _ECC_CONST[ecc])
    ec_count = blocks[0].total_count - blocks[0].data_count
    assert all(b.total_count - b.data_count == ec_count for b in blocks), "QR blocks share their EC length"
    longest = max(block.data_count for block in blocks)
    slots = np.full((len(blocks), longest), -1, dtype=np.int64)
    stream_rank = np.full((len(blocks), longest), -1, dtype=np.int64)
    start = 0
    for b, block in enumerate(blocks):
        skip = longest - block.data_count
        slots[b, skip:] = np.arange(start, start + block.data_count)
        stream_rank[b, skip:] = np.arange(block.data_count) * len(blocks) + b  # sorts by codeword, then block
        start += block.data_count
    present = np.flatnonzero(slots >= 0)
    interleaved = present[np.argsort(stream_rank.ravel()[present], kind="stable")]
    return _Blocks(start, slots, interleaved, _remainder_logs(ec_count, longest))


def _codewords(data: bytes, version: int, ecc: Ecc) -> np.ndarray:
    """Data and EC codewords in symbol order: byte-mode header, data, terminator, padding, interleaved."""
    blocks = _blocks(version, ecc)
    count = _count_bits(version) // 4
    header = [0x4] + [(len(data) >> (4 * k)) & 0xF for k in reversed(range(count))]
    raw = np.frombuffer(data, dtype=np.uint8)
    # The terminator is always four zero bits: byte mode ends on a half byte and data that fits leaves room.
    nibbles = np.empty(len(header) + 2 * len(raw) + 1, dtype=np.uint8)
    nibbles[: len(header)] = header
    nibbles[len(header) : -1 : 2] = raw >> 4
    nibbles[len(header) + 1 : -1 : 2] = raw & 0xF
    nibbles[-1] = 0
    packed = (nibbles[0::2] << 4) | nibbles[1::2]
    stream = np.concatenate([packed, np.resize(_PAD_CODEWORDS, blocks.data_total - len(packed))])
    grid = np.where(blocks.data_slots >= 0, stream[blocks.data_slots], 0).astype(np.uint8)
    products = _ANTILOG[_LOG[grid][:, :, None] + blocks.remainder_logs]
    ec = np.bitwise_xor.reduce(products, axis=1)
    return np.concatenate([grid.ravel()[blocks.interleaved], ec.T.ravel()])


# --- Module placement -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Everything about a symbol that depends only on its version."""

    masked: np.ndarray  # (8, n * n) all-light data under each mask; format, version, dark module light
    data_order: np.ndarray  # flat indices of the data modules in placement order
    format_index: np.ndarray  # flat indices of both copies of the format information, bit i at [i] and [15+i]
    fixed_index: np.ndarray  # flat indices of the version information (both copies) and the dark module
    fixed_bits: np.ndarray


def _finder(dark: np.ndarray, reserved: np.ndarray, row: int, col: int) -> None:
    """A finder pattern with its light separator (clipped at the symbol's edge)."""
    n = dark.shape[0]
    reserved[max(row - 1, 0) : min(row + 8, n), max(col - 1, 0) : min(col + 8, n)] = True
    dark[row : row + 7, col : col + 7] = True
    dark[row + 1 : row + 6, col + 1 : col + 6] = False
    dark[row + 2 : row + 5, col + 2 : col + 5] = True


@cache
def _layout(version: int) -> _Layout:
    n = modules(version)
    dark = np.zeros((n, n), dtype=bool)
    reserved = np.zeros((n, n), dtype=bool)
    for row, col in ((0, 0), (n - 7, 0), (0, n - 7)):
        _finder(dark, reserved, row, col)
    centres = qrcode.util.pattern_position(version)
    for row in centres:
        for col in centres:
            if not reserved[row, col]:  # the ones that would overlap a finder are left out
                reserved[row - 2 : row + 3, col - 2 : col + 3] = True
                dark[row - 2 : row + 3, col - 2 : col + 3] = True
                dark[row - 1 : row + 2, col - 1 : col + 2] = False
                dark[row, col] = True
    timing = np.arange(8, n - 8)
    for line, other in ((reserved[:, 6], dark[:, 6]), (reserved[6, :], dark[6, :])):
        free = timing[~line[timing]]
        other[free] = free % 2 == 0
        line[free] = True

    vertical = [(i if i < 6 else i + 1 if i < 8 else n - 15 + i, 8) for i in range(15)]
    horizontal = [(8, n - i - 1 if i < 8 else 15 - i if i < 9 else 14 - i) for i in range(15)]
    format_cells = vertical + horizontal
    fixed_cells = [(n - 8, 8)]
    fixed_bits = [True]
    if version >= 7:
        word = qrcode.util.BCH_type_number(version)
        for k in range(18):
            bit = bool((word >> k) & 1)
            fixed_cells += [(k // 3, k % 3 + n - 11), (k % 3 + n - 11, k // 3)]
            fixed_bits += [bit, bit]
    for row, col in format_cells + fixed_cells:
        reserved[row, col] = True

    order = _placement_order(reserved)
    i, j = np.divmod(order.astype(np.int32), n)
    masks = np.stack(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
    )

    def flat(cells: list[tuple[int, int]]) -> np.ndarray:
        return np.array([row * n + col for row, col in cells], dtype=np.int64)

    masked = np.repeat(dark.reshape(1, n * n), 8, axis=0)
    masked[:, order] = masks
    return _Layout(masked, order, flat(format_cells), flat(fixed_cells), np.array(fixed_bits, dtype=bool))


def _placement_order(reserved: np.ndarray) -> np.ndarray:
    """Flat indices of the free modules in the order codeword bits fill them: two-column strips from the
    right, alternately upwards and downwards, skipping the vertical timing column."""
    n = reserved.shape[0]
    rows = np.arange(n)
    order = []
    for strip, right in enumerate([c for c in range(n - 1, 6, -2)] + [5, 3, 1]):
        strip_rows = rows[::-1] if strip % 2 == 0 else rows
        cells = np.stack([strip_rows * n + right, strip_rows * n + right - 1], axis=1).ravel()
        order.append(cells[~reserved.ravel()[cells]])
    return np.concatenate(order)


# --- Mask choice ------------------------------------------------------------------------------------------


@cache
def _line_masks(n: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where a neighbour pair, a vertical pair or an 11-module window stays inside one row of one symbol, for
    `count` symbols of side n laid end to end as one flat array (flat arrays make every shift contiguous)."""
    column = np.arange(n)
    pair = np.tile(column != n - 1, count * n)[:-1]
    vertical = np.tile(np.arange(n * n) < n * n - n, count)[:-n]
    window = np.tile(column <= n - 11, count * n)[:-10]
    return pair, vertical, window


def _penalties(symbols: np.ndarray) -> list[int]:
    """ISO/IEC 18004 mask penalty of each (n, n) symbol in the stack, scored exactly as `qrcode`'s
    `util.lost_point` does (that is what fixes the mask choice)."""
    count, n, _ = symbols.shape
    size = n * n
    pair, vertical, window = _line_masks(n, count)
    rows = symbols.ravel()
    columns = np.ascontiguousarray(symbols.transpose(0, 2, 1)).ravel()
    parts: list[tuple[int, np.ndarray]] = []
    for f in (rows, columns):
        eq = (f[1:] == f[:-1]) & pair
        # N1: a run of length >= 5 scores length - 2 = (its windows of five) + 2 (once, at its start)
        five = eq[:-3] & eq[1:-2] & eq[2:-1] & eq[3:]
        starts = five.copy()
        starts[1:] &= ~eq[:-4]
        parts += [(1, five), (2, starts)]
        # N3: 1:1:3:1:1 finder look-alike with four light modules on either side, 40 each
        s = [f[k : len(f) - 10 + k] for k in range(11)]
        core = s[4] & s[6] & ~(s[1] | s[5] | s[9]) & window
        before = s[0] & s[2] & s[3] & ~(s[7] | s[8] | s[10])
        after = s[7] & s[8] & s[10] & ~(s[0] | s[2] | s[3])
        parts.append((40, core & (before | after)))
        if f is rows:  # N2: 2x2 blocks of one colour
            down = (rows[n:] == rows[:-n]) & vertical
            parts.append((3, eq[:-n] & eq[n:] & down[:-1]))
    scores = []
    for k in range(count):
        score = sum(weight * int(np.count_nonzero(hits[k * size : (k + 1) * size])) for weight, hits in parts)
        dark = int(np.count_nonzero(symbols[k]))  # N4, in qrcode's float arithmetic
        scores.append(score + int(abs(float(dark) / size * 100 - 50) / 5) * 10)
    return scores


def qr_matrix(data: bytes, version: int, ecc: Ecc) -> np.ndarray:
    """The module matrix (True = dark) of `data` in byte mode at exactly this version, without quiet zone."""
    if len(data) > byte_capacity(version, ecc):
        raise InputError(f"{len(data)} bytes do not fit in a version {version}-{ecc} QR symbol")
    layout = _layout(version)
    n = modules(version)
    bits = np.unpackbits(_codewords(data, version, ecc)).view(bool)
    plane = np.zeros(n * n, dtype=bool)  # the remainder bits after the last codeword stay light
    plane[layout.data_order[: len(bits)]] = bits
    candidates: np.ndarray = layout.masked ^ plane
    mask = int(np.argmin(_penalties(candidates.reshape(8, n, n))))
    symbol: np.ndarray = candidates[mask]
    word = qrcode.util.BCH_type_info((_ECC_CONST[ecc] << 3) | mask)
    format_bits = (word >> np.arange(15)) & 1 == 1
    symbol[layout.format_index] = np.concatenate([format_bits, format_bits])
    symbol[layout.fixed_index] = layout.fixed_bits
    return symbol.reshape(n, n)


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
