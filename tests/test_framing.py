"""Framing: chunks reassemble in any order, and nothing damaged, forged or contradictory is ever accepted."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InputError, IntegrityError, TelketenError
from shared.formats.framing import (
    FORMAT_VERSION,
    HEADER_LEN,
    MAGIC,
    Reassembler,
    describe_missing,
    frame,
    message_id,
    parse_chunk,
)

messages = st.binary(min_size=0, max_size=4000)
capacities = st.integers(min_value=HEADER_LEN + 1, max_value=1300)


def _forge(chunk: bytes, new_data: bytes) -> bytes:
    """A chunk with other data and a recomputed CRC: what an attacker (not a scanner) could make."""
    head = chunk[: HEADER_LEN - 4]
    return head + struct.pack(">I", zlib.crc32(head + new_data)) + new_data


@given(messages, capacities, st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_round_trip_any_order_with_duplicates(message: bytes, capacity: int, rnd: random.Random) -> None:
    chunks = frame(message, capacity)
    assert all(len(c) <= capacity for c in chunks)
    sizes = {len(c) for c in chunks}
    assert max(sizes) - min(sizes) <= 1  # evenly split
    shuffled = chunks + rnd.sample(chunks, k=min(3, len(chunks)))
    rnd.shuffle(shuffled)
    r = Reassembler()
    new = [r.add(c) for c in shuffled]
    assert sum(new) == len(chunks)  # duplicates report False
    assert r.complete and r.messages() == [message_id(message)]
    assert r.message() == message
    assert r.message(message_id(message)) == message


@given(messages, capacities, st.data())
@settings(max_examples=300, deadline=None)
def test_flipped_bit_anywhere_is_never_accepted(message: bytes, capacity: int, data: st.DataObject) -> None:
    chunks = frame(message, capacity)
    index = data.draw(st.integers(0, len(chunks) - 1))
    bit = data.draw(st.integers(0, len(chunks[index]) * 8 - 1))
    damaged = bytearray(chunks[index])
    damaged[bit // 8] ^= 1 << (bit % 8)
    r = Reassembler()
    with pytest.raises((InputError, IntegrityError)):
        r.add(bytes(damaged))
    for i, chunk in enumerate(chunks):
        if i != index:
            r.add(chunk)
    with pytest.raises(TelketenError):
        r.message()  # the damaged chunk was refused: incomplete, never a wrong message
    if len(chunks) > 1:
        assert index in r.missing(message_id(message))
    else:
        assert r.messages() == []


@given(st.binary(min_size=1, max_size=3000), st.integers(HEADER_LEN + 40, 600), st.data())
@settings(max_examples=100, deadline=None)
def test_forged_chunk_with_valid_crc_fails_the_digest(
    message: bytes, capacity: int, data: st.DataObject
) -> None:
    chunks = frame(message, capacity)
    index = data.draw(st.integers(0, len(chunks) - 1))
    body = bytearray(chunks[index][HEADER_LEN:])
    pos = data.draw(st.integers(0, len(body) - 1))
    body[pos] ^= data.draw(st.integers(1, 255))
    forged = _forge(chunks[index], bytes(body))
    alone = Reassembler()
    for i, chunk in enumerate(chunks):
        alone.add(forged if i == index else chunk)
    with pytest.raises(IntegrityError, match="SHA-256"):
        alone.message()
    both = Reassembler()
    for chunk in chunks:
        both.add(chunk)
    with pytest.raises(IntegrityError, match="conflicting"):
        both.add(forged)
    with pytest.raises(IntegrityError, match="cannot be trusted"):
        both.message()


def test_golden_chunk_bytes() -> None:
    """The wire format is a contract between tiers: this exact layout must not drift."""
    chunks = frame(b"Telketen", 64)
    digest = hashlib.sha256(b"Telketen").digest()
    assert len(chunks) == 1
    head = MAGIC + bytes([FORMAT_VERSION]) + digest[:8] + b"\x00\x00\x00\x01"
    body = digest + b"Telketen"
    assert chunks[0] == head + struct.pack(">I", zlib.crc32(head + body)) + body
    assert chunks[0].hex()[:22] == "544b01" + digest[:8].hex()
    assert HEADER_LEN == 19


def test_even_split_and_indexes() -> None:
    message = bytes(range(256)) * 10
    chunks = frame(message, 100)
    assert len(chunks) == -(-(len(message) + 32) // (100 - HEADER_LEN))
    parsed = [parse_chunk(c) for c in chunks]
    assert [p.index for p in parsed] == list(range(len(chunks)))
    assert {p.count for p in parsed} == {len(chunks)}


def test_missing_and_describe() -> None:
    chunks = frame(bytes(1000), 90)  # 15 chunks
    assert len(chunks) == 15
    r = Reassembler()
    for i, chunk in enumerate(chunks):
        if i not in (2, 6):
            r.add(chunk)
    msg = message_id(bytes(1000))
    assert r.missing(msg) == [2, 6]
    assert not r.complete and not r.is_complete(msg)
    with pytest.raises(InputError, match="missing symbols 3, 7 of 15"):
        r.message()
    assert describe_missing(list(range(15, 30)), 41) == "missing symbols 16–30 of 41"
    assert describe_missing([0], 1) == "missing symbol 1 of 1"


def test_two_messages_interleaved() -> None:
    a, b = b"a" * 500, b"b" * 700
    ca, cb = frame(a, 120), frame(b, 120)
    r = Reassembler()
    for pair in zip(ca, cb, strict=False):
        for c in pair:
            r.add(c)
    for c in cb[len(ca) :]:
        r.add(c)
    assert r.messages() == [message_id(a), message_id(b)]
    assert r.complete
    assert r.message(message_id(a)) == a and r.message(message_id(b)) == b
    with pytest.raises(InputError, match="2 different messages"):
        r.message()


def test_conflicting_count_is_refused() -> None:
    chunk = frame(b"x" * 100, 60)[0]
    head = bytearray(chunk[: HEADER_LEN - 4])
    head[13:15] = (99).to_bytes(2, "big")  # count field
    data = chunk[HEADER_LEN:]
    other = bytes(head) + struct.pack(">I", zlib.crc32(bytes(head) + data)) + data
    r = Reassembler()
    r.add(chunk)
    with pytest.raises(IntegrityError, match="claim"):
        r.add(other)
    with pytest.raises(IntegrityError):
        r.message()


@pytest.mark.parametrize(
    ("blob", "error", "text"),
    [
        (b"", InputError, "not a Telketen chunk"),
        (b"https://example.org/qr", InputError, "not a Telketen chunk"),
        (b"TK" + bytes(10), InputError, "not a Telketen chunk"),
    ],
)
def test_foreign_data(blob: bytes, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        Reassembler().add(blob)


def test_unknown_version_with_valid_crc() -> None:
    chunk = bytearray(frame(b"hello", 64)[0])
    chunk[2] = FORMAT_VERSION + 1
    fixed = _forge(bytes(chunk), bytes(chunk[HEADER_LEN:]))
    with pytest.raises(InputError, match="framing version 2"):
        parse_chunk(fixed)


def test_index_outside_count_and_empty_data() -> None:
    chunk = bytearray(frame(b"hello", 64)[0])
    chunk[11:13] = (5).to_bytes(2, "big")
    with pytest.raises(IntegrityError, match="outside"):
        parse_chunk(_forge(bytes(chunk), bytes(chunk[HEADER_LEN:])))
    with pytest.raises(IntegrityError, match="no data"):
        parse_chunk(_forge(frame(b"hello", 64)[0], b""))


def test_capacity_and_empty_message() -> None:
    with pytest.raises(InputError, match="no room"):
        frame(b"abc", HEADER_LEN)
    r = Reassembler()
    for c in frame(b"", 40):
        r.add(c)
    assert r.message() == b""
    with pytest.raises(InputError, match="no Telketen QR symbols"):
        Reassembler().message()
    with pytest.raises(InputError, match="no chunks seen"):
        Reassembler().missing(b"\x00" * 8)
