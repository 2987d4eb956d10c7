"""A keyed part: a municipality's totals typed twice from its paper report, as one record of bytes.

Why bytes: a keyed part takes the place of a signed summary in the receiving office's book and hash tree.
The office stores these exact bytes, lists their SHA-256 as the child digest in its own signed summary (with
the two users in that summary's `sources`, format version 2) and publishes them as `keyed.tkk` next to
where the municipality's `summary.tks` would be, so `verify` can recompute the district total and say which
parts were keyed and by whom. The record is not signed: the office that keyed it signs it, by listing its
digest in its own summary.

Layout: `TKK` | version (1 byte, 1) | msgpack array [election_id, district_id, authority_id, keyed_at,
keyed_by (two different users), counts (as in the summary), eml_sha256 (0 or 32 bytes: the hash printed
on the paper, when typed)].
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.domain.keyregister import readable_fingerprint
from shared.errors import InputError
from shared.formats.summary import ChildSource, SummaryCounts

MAGIC = b"TKK"
VERSION = 1
FILE_NAME = "keyed.tkk"
_MAX_BYTES = 4 * 1024 * 1024

Ident = Annotated[str, msgspec.Meta(max_length=200)]
User = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
OptionalDigest = Annotated[bytes, msgspec.Meta(max_length=32)]


class KeyedPart(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """The definitive keyed totals of one municipality (or district), with who typed them and when."""

    election_id: Ident
    district_id: Ident
    authority_id: Ident
    keyed_at: Ident
    keyed_by: list[User]
    counts: SummaryCounts
    eml_sha256: OptionalDigest


_DECODER = msgspec.msgpack.Decoder(KeyedPart)


def _check(part: KeyedPart, where: str) -> None:
    if len(part.keyed_by) != 2 or part.keyed_by[0] == part.keyed_by[1]:
        raise InputError("a keyed part is typed by two different users", where=where)
    if len(part.eml_sha256) not in (0, 32):
        raise InputError("the typed EML hash is empty or 32 bytes", where=where)


def encode_keyed(part: KeyedPart) -> bytes:
    _check(part, "keyed part")
    return MAGIC + bytes([VERSION]) + msgspec.msgpack.encode(part)


def is_keyed(data: bytes) -> bool:
    """Whether `data` is a keyed part rather than a signed summary (`TKS`)."""
    return data.startswith(MAGIC)


def decode_keyed(data: bytes, *, where: str = "keyed part") -> KeyedPart:
    """The keyed part in `data`; InputError naming the rule for anything else."""
    if not is_keyed(data) or len(data) < len(MAGIC) + 1:
        raise InputError("not a keyed part (no TKK header)", where=where)
    if data[len(MAGIC)] != VERSION:
        raise InputError(f"keyed part version {data[len(MAGIC)]}; this program reads {VERSION}", where=where)
    if len(data) > _MAX_BYTES:
        raise InputError("keyed part larger than 4 MiB", where=where)
    try:
        part = _DECODER.decode(data[len(MAGIC) + 1 :])
    except (msgspec.DecodeError, ValueError) as exc:
        raise InputError(f"malformed keyed part: {exc}", where=where) from None
    _check(part, where)
    return part


def source_text(source: ChildSource) -> str:
    """Where a part's numbers came from, in Dutch, as the O 3, the desk and `verify` print it."""
    if source.keyed:
        return f"van papier ingevoerd door {source.keyed_by[0]} en {source.keyed_by[1]}"
    return f"gescand, ondertekend met sleutel {readable_fingerprint(source.key_id)}"
