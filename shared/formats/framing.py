"""Cut a message into QR-sized chunks and put it back together, trusting nothing on the way.

A printed message travels as several QR symbols, scanned in any order, from several images or pages, sometimes
twice, sometimes damaged. Each chunk therefore carries a small binary header so it can be placed and checked
on its own; QR Structured Append is not used because decoder support is patchy (ARCHITECTURE.md §2).

Chunk layout (big-endian, 19 bytes of header, then data)::

    magic    2  b"TK"
    version  1  FORMAT_VERSION
    msg_id   8  first 8 bytes of SHA-256(message)
    index    2  0-based position of this chunk
    count    2  number of chunks of the message
    crc32    4  CRC32 of the header bytes before it plus the data
    data     …  a slice of  SHA-256(message) ‖ message

The full 32-byte digest leads the chunked stream (it lands in chunk 0), so the reassembled message is checked
against the whole SHA-256, not just the 8-byte id. CRC32 catches every single-bit and every burst error up to
32 bits, so a flipped bit in any chunk is refused before it can be placed. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field

from shared.errors import InputError, IntegrityError

MAGIC = b"TK"
FORMAT_VERSION = 1
MSG_ID_LEN = 8
DIGEST_LEN = 32
_HEADER = struct.Struct(">2sB8sHHI")
HEADER_LEN = _HEADER.size
MAX_CHUNKS = 0xFFFF


def message_id(message: bytes) -> bytes:
    """The id that every chunk of `message` carries: the first bytes of its SHA-256."""
    return hashlib.sha256(message).digest()[:MSG_ID_LEN]


def frame(message: bytes, chunk_capacity: int) -> list[bytes]:
    """Cut `message` into chunks of at most `chunk_capacity` bytes each (header included).

    The data is split evenly over the fewest chunks, so every symbol of a sheet carries about the same load.
    """
    room = chunk_capacity - HEADER_LEN
    if room < 1:
        raise InputError(
            f"chunk capacity {chunk_capacity} leaves no room for data (header is {HEADER_LEN} bytes)"
        )
    digest = hashlib.sha256(message).digest()
    stream = digest + message
    count = -(-len(stream) // room)
    if count > MAX_CHUNKS:
        raise InputError(
            f"message of {len(message)} bytes needs {count} chunks; at most {MAX_CHUNKS} are possible"
        )
    base, extra = divmod(len(stream), count)
    chunks: list[bytes] = []
    pos = 0
    for index in range(count):
        size = base + (1 if index < extra else 0)
        chunks.append(_make_chunk(digest[:MSG_ID_LEN], index, count, stream[pos : pos + size]))
        pos += size
    return chunks


def _make_chunk(msg_id: bytes, index: int, count: int, data: bytes) -> bytes:
    head = _HEADER.pack(MAGIC, FORMAT_VERSION, msg_id, index, count, 0)[:-4]
    crc = zlib.crc32(head + data)
    return head + struct.pack(">I", crc) + data


@dataclass(frozen=True)
class Chunk:
    """One checked chunk: where it belongs and what it carries."""

    msg_id: bytes
    index: int
    count: int
    data: bytes


def parse_chunk(chunk: bytes) -> Chunk:
    """Check one chunk on its own; raise InputError for foreign data, IntegrityError for a damaged chunk."""
    if len(chunk) < HEADER_LEN or chunk[:2] != MAGIC:
        raise InputError("not a Telketen chunk (no 'TK' header): a QR code that belongs to something else")
    _, version, msg_id, index, count, crc = _HEADER.unpack_from(chunk)
    data = chunk[HEADER_LEN:]
    if zlib.crc32(chunk[: HEADER_LEN - 4] + data) != crc:
        raise IntegrityError("chunk fails its CRC32 check: the symbol was damaged or altered")
    if version != FORMAT_VERSION:
        raise InputError(f"chunk has framing version {version}; this program reads version {FORMAT_VERSION}")
    if count == 0 or index >= count:
        raise IntegrityError(f"chunk index {index} is outside its count {count}")
    if not data:
        raise IntegrityError("chunk carries no data")
    return Chunk(msg_id=msg_id, index=index, count=count, data=data)


def describe_missing(missing: list[int], count: int) -> str:
    """Human text with 1-based symbol numbers, as printed next to the symbols: 'missing symbols 3, 7 of 15'.

    Runs of three or more become ranges ('missing symbols 16–30 of 41'): a lost page reads as one range.
    """
    groups: list[str] = []
    run: list[int] = []
    for number in [i + 1 for i in sorted(missing)] + [-1]:
        if run and number == run[-1] + 1:
            run.append(number)
            continue
        if len(run) >= 3:
            groups.append(f"{run[0]}–{run[-1]}")
        else:
            groups.extend(str(n) for n in run)
        run = [number]
    numbers = ", ".join(groups)
    noun = "symbol" if len(missing) == 1 else "symbols"
    return f"missing {noun} {numbers} of {count}"


@dataclass
class _Partial:
    count: int
    parts: dict[int, bytes] = field(default_factory=dict)
    conflict: str | None = None


class Reassembler:
    """Collects chunks of one or more messages, in any order, and hands back only verified messages."""

    def __init__(self) -> None:
        self._partials: dict[bytes, _Partial] = {}

    def add(self, chunk: bytes) -> bool:
        """Add one scanned chunk; True if it was new, False for a duplicate of a chunk already held.

        Raises InputError for data that is not a chunk of ours and IntegrityError for a damaged chunk or one
        that contradicts a chunk already held for the same message (which also marks that message as
        unusable).
        """
        parsed = parse_chunk(chunk)
        partial = self._partials.get(parsed.msg_id)
        if partial is None:
            partial = self._partials[parsed.msg_id] = _Partial(count=parsed.count)
        if parsed.count != partial.count:
            partial.conflict = f"chunks claim {partial.count} and {parsed.count} symbols in all"
            raise IntegrityError(
                f"conflicting chunks for message {parsed.msg_id.hex()}: {partial.conflict}", where="framing"
            )
        held = partial.parts.get(parsed.index)
        if held is None:
            partial.parts[parsed.index] = parsed.data
            return True
        if held == parsed.data:
            return False
        partial.conflict = f"two different versions of symbol {parsed.index + 1}"
        raise IntegrityError(
            f"conflicting chunks for message {parsed.msg_id.hex()}: {partial.conflict}", where="framing"
        )

    def messages(self) -> list[bytes]:
        """Ids of every message seen so far, in the order their first chunk arrived."""
        return list(self._partials)

    def count(self, msg_id: bytes) -> int:
        """How many chunks the message has in all."""
        return self._get(msg_id).count

    def missing(self, msg_id: bytes) -> list[int]:
        """0-based indexes of the chunks not yet seen for this message."""
        partial = self._get(msg_id)
        return [i for i in range(partial.count) if i not in partial.parts]

    def is_complete(self, msg_id: bytes) -> bool:
        """True when every chunk of the message is held (the digest is checked only by `message`)."""
        return not self.missing(msg_id)

    @property
    def complete(self) -> bool:
        """True when at least one message was seen and every message seen has all its chunks."""
        return bool(self._partials) and all(self.is_complete(m) for m in self._partials)

    def message(self, msg_id: bytes | None = None) -> bytes:
        """The verified message; without `msg_id` there must be exactly one message in what was scanned."""
        if msg_id is None:
            if not self._partials:
                raise InputError("no Telketen QR symbols were found")
            if len(self._partials) > 1:
                ids = ", ".join(m.hex() for m in self._partials)
                raise InputError(
                    f"the scans hold {len(self._partials)} different messages ({ids}); scan one at a time"
                )
            msg_id = next(iter(self._partials))
        partial = self._get(msg_id)
        if partial.conflict:
            raise IntegrityError(
                f"message {msg_id.hex()} cannot be trusted: {partial.conflict}", where="framing"
            )
        missing = self.missing(msg_id)
        if missing:
            raise InputError(
                f"message {msg_id.hex()} is incomplete: {describe_missing(missing, partial.count)}"
            )
        stream = b"".join(partial.parts[i] for i in range(partial.count))
        digest, body = stream[:DIGEST_LEN], stream[DIGEST_LEN:]
        if (
            len(digest) < DIGEST_LEN
            or hashlib.sha256(body).digest() != digest
            or digest[:MSG_ID_LEN] != msg_id
        ):
            raise IntegrityError(
                f"message {msg_id.hex()} does not match its SHA-256 digest after reassembly", where="framing"
            )
        return body

    def _get(self, msg_id: bytes) -> _Partial:
        partial = self._partials.get(msg_id)
        if partial is None:
            raise InputError(f"no chunks seen for message {msg_id.hex()}")
        return partial
