"""The printed hash code of an EML file and the two-group typed check (spec/eml.md §3).

The digest is SHA-256 over the exact bytes (no canonicalisation), shown as 16 groups of 4 lowercase hex
digits, as the Kiesraad publishes it and Abacus prints it. On import an operator types two groups from the
paper; which two is derived deterministically from the digest, so every tier and the paper instructions agree.

The derivation reproduces Rust's `rand` 0.9 `SmallRng` (Xoshiro256++ on 64-bit targets) seeded with the 32
digest bytes (`SeedableRng::from_seed`: four little-endian u64 words) and `random_range(0..8)` then
`random_range(9..16)` on `usize`. rand 0.9 samples a usize range that fits in u32 as a u32 (`UniformUsize`),
drawing `next_u64() >> 32` and using Canon's widening-multiply method. This is an implementation of rand's
published algorithm; it was not cross-checked against a Rust build here (no crates registry offline), so treat
the exact indexes as our own documented derivation until it is.
"""

from __future__ import annotations

import hashlib
import hmac

from shared.errors import InputError, IntegrityError

GROUPS = 16
_M64 = (1 << 64) - 1
_M32 = (1 << 32) - 1


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def groups(dig: bytes) -> tuple[str, ...]:
    """The 16 groups of 4 lowercase hex digits of a SHA-256 digest."""
    if len(dig) != 32:
        raise ValueError("a SHA-256 digest has 32 bytes")
    h = dig.hex()
    return tuple(h[i : i + 4] for i in range(0, 64, 4))


def hash_code(data: bytes) -> str:
    """The printed form: SHA-256 of the exact bytes as 16 space-separated groups."""
    return " ".join(groups(digest(data)))


class Xoshiro256pp:
    """Xoshiro256++ (Blackman & Vigna), the generator behind rand's SmallRng on 64-bit platforms."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("Xoshiro256++ takes a 32-byte seed")
        s = [int.from_bytes(seed[i : i + 8], "little") for i in range(0, 32, 8)]
        if not any(s):
            # rand: an all-zero seed is replaced by seed_from_u64(0) (SplitMix64 expansion).
            s = _splitmix_expand(0)
        self.s = s

    def next_u64(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (_rotl((s0 + s3) & _M64, 23) + s0) & _M64
        t = (s1 << 17) & _M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_u32(self) -> int:
        return self.next_u64() >> 32

    def range_u32(self, low: int, high: int) -> int:
        """rand 0.9 `UniformInt::<u32>::sample_single_inclusive(low, high - 1)` (Canon's method, biased)."""
        rng_range = (high - 1 - low + 1) & _M32
        if rng_range == 0:
            return self.next_u32()
        product = self.next_u32() * rng_range
        result, lo_order = product >> 32, product & _M32
        if lo_order > ((-rng_range) & _M32):
            new_hi = (self.next_u32() * rng_range) >> 32
            if lo_order + new_hi > _M32:
                result += 1
        return low + result


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _M64


def _splitmix_expand(state: int) -> list[int]:
    out = []
    for _ in range(4):
        state = (state + 0x9E3779B97F4A7C15) & _M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        out.append(z ^ (z >> 31))
    return out


def blanked_groups(dig: bytes) -> tuple[int, int]:
    """The two group indexes the operator must type: i in 0..7 and j in 9..15 (8 is never chosen)."""
    rng = Xoshiro256pp(dig)
    i = rng.range_u32(0, GROUPS // 2)
    j = rng.range_u32(GROUPS // 2 + 1, GROUPS)
    return i, j


def masked_code(dig: bytes) -> str:
    """The hash code with the two groups to be typed shown as '____'."""
    i, j = blanked_groups(dig)
    return " ".join("____" if k in (i, j) else g for k, g in enumerate(groups(dig)))


def typed_groups(data: bytes) -> str:
    """The two groups an operator types from the paper that came with the file, as typed ('1a2b 3c4d'): what
    `check_typed_groups` accepts. For simulated operators (the demo) and tests."""
    dig = digest(data)
    i, j = blanked_groups(dig)
    all_groups = groups(dig)
    return f"{all_groups[i]} {all_groups[j]}"


def check_typed_groups(data: bytes, typed: tuple[str, str]) -> None:
    """Compare the two groups an operator typed from the paper with the file; IntegrityError when they differ.

    Input is trimmed and lower-cased and must be exactly 4 hex digits per group (as Abacus demands); the
    comparison is constant-time.
    """
    dig = digest(data)
    i, j = blanked_groups(dig)
    all_groups = groups(dig)
    for label, index, value in (("first", i, typed[0]), ("second", j, typed[1])):
        v = value.strip().lower()
        if len(v) != 4 or any(ch not in "0123456789abcdef" for ch in v):
            raise InputError(
                f"the {label} group must be 4 hex digits, got {value!r}", where=f"group {index + 1}"
            )
        if not hmac.compare_digest(v, all_groups[index]):
            raise IntegrityError(
                f"typed group {index + 1} ({v}) does not match the file: the file is not the one on paper",
                where=f"group {index + 1}",
            )
