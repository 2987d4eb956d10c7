"""Hash codes: SHA-256 of the exact bytes in 16 groups, and the two-group typed check (spec/eml.md §3)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import InputError, IntegrityError
from shared.formats.eml.hashcode import (
    Xoshiro256pp,
    blanked_groups,
    check_typed_groups,
    digest,
    groups,
    hash_code,
    masked_code,
    typed_groups,
)
from tests.conftest import EML_SAMPLES, needs_shared


def test_abacus_test_vector() -> None:
    assert (
        hash_code(b"test")
        == "9f86 d081 884c 7d65 9a2f eaa0 c55a d015 a3bf 4f1b 2b0b 822c d15d 6c15 b0f0 0a08"
    )


@needs_shared
def test_juinen_hash_codes_match_the_published_list() -> None:
    folder = EML_SAMPLES / "juinen"
    text = (folder / "Hashcodes-Juinen.txt").read_text(encoding="utf-8-sig")
    published: dict[str, str] = {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for name_line, code_line in zip(lines[0::2], lines[1::2], strict=True):
        published[name_line.split()[1]] = code_line
    assert len(published) == 2
    for name, code in published.items():
        assert hash_code((folder / name).read_bytes()) == code


@given(st.binary(max_size=200))
def test_groups_are_the_hex_digest(data: bytes) -> None:
    code = hash_code(data)
    assert code.replace(" ", "") == hashlib.sha256(data).hexdigest()
    assert [len(g) for g in code.split(" ")] == [4] * 16


@given(st.binary(min_size=32, max_size=32))
def test_blanked_groups_are_deterministic_and_in_range(dig: bytes) -> None:
    i, j = blanked_groups(dig)
    assert 0 <= i <= 7 and 9 <= j <= 15
    assert blanked_groups(dig) == (i, j)
    masked = masked_code(dig).split(" ")
    assert masked.count("____") == 2 and masked[i] == masked[j] == "____"


def test_blanked_groups_use_every_position() -> None:
    seen_i, seen_j = set(), set()
    for n in range(400):
        i, j = blanked_groups(hashlib.sha256(str(n).encode()).digest())
        seen_i.add(i)
        seen_j.add(j)
    assert seen_i == set(range(8)) and seen_j == set(range(9, 16))


def test_xoshiro_reference_sequence() -> None:
    # Reference: the xoshiro256++ C code (Vigna) with state s = {1, 2, 3, 4}.
    rng = Xoshiro256pp(b"".join(n.to_bytes(8, "little") for n in (1, 2, 3, 4)))
    assert [rng.next_u64() for _ in range(3)] == [41943041, 58720359, 3588806011781223]


def test_typed_groups() -> None:
    data = b"<EML/>"
    dig = digest(data)
    i, j = blanked_groups(dig)
    g = groups(dig)
    check_typed_groups(data, (g[i].upper(), f" {g[j]} "))
    wrong = "0000" if g[j] != "0000" else "1111"
    with pytest.raises(IntegrityError, match=f"typed group {j + 1}"):
        check_typed_groups(data, (g[i], wrong))
    with pytest.raises(InputError, match="4 hex digits"):
        check_typed_groups(data, (g[i][:3], g[j]))
    with pytest.raises(IntegrityError):
        check_typed_groups(data + b" ", (g[i], g[j]))  # one byte more is another file
    assert typed_groups(data) == f"{g[i]} {g[j]}"  # what a simulated operator types
    first, second = typed_groups(data).split()
    check_typed_groups(data, (first, second))
