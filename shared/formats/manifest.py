"""The signed manifest: every file a body publishes (path, size, SHA-256), signed with its enrolled key.

Why: the signed summary vouches for the numbers (its EML file, its children), not for what a person reads —
the report PDF, the results site, the definition files the body used. A byte-for-byte rebuild of those would
need the tiers' renderers inside `verify` and typst's output pinned forever; a manifest makes any deleted,
replaced or edited file a finding naming it, whatever produced it (docs/verify.md).

Layout (`manifest.tkm`, integers big-endian), the same shape as a signed summary (`shared.formats.signing`):

    offset  size  field
    0       3     magic b"TKM"
    3       1     format version (1)
    4       16    key id: first 16 bytes of SHA-256 of the raw Ed25519 public key
    20      4     n: length of the payload
    24      n     msgpack array [election_id, role, authority_id, district_id, issued_at,
                                 [[path, size, sha256], …]]   (paths sorted, each once)
    24+n    64    Ed25519 signature over MANIFEST_DOMAIN + bytes [0, 24+n)

The domain prefix is the manifest's own: a manifest signature never holds as a summary signature nor the other
way round, although the same key makes both. A path is relative to the published folder, POSIX, without `.`,
`..`, empty parts, backslashes or control characters, so it can never point outside the folder. Everything
read from outside is bounded (payload size, number of entries, path length) and checked before it is used.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Annotated

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.domain.keyregister import Role, readable_fingerprint
from shared.errors import InputError, IntegrityError
from shared.formats.signing import SIGNATURE_LEN, UnknownKey, key_id

MANIFEST_MAGIC = b"TKM"
MANIFEST_VERSION = 1
MANIFEST_DOMAIN = b"telketen/manifest/v1\0"
#: The file name of a body's manifest, in its own folder `<authority-id>/`.
MANIFEST_FILE = "manifest.tkm"
#: A national central office publishes ~20,000 files (site pages per area, copies); far below memory trouble.
MAX_ENTRIES = 200_000
MAX_PATH = 1000
MAX_PAYLOAD = 64 * 1024 * 1024
#: A single published file is at most 1 TiB (verify reads none above 512 MB).
MAX_SIZE = 1 << 40
_HEAD = struct.Struct(">3sB16sI")

Ident = Annotated[str, msgspec.Meta(max_length=200)]
Path_ = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_PATH)]
Size = Annotated[int, msgspec.Meta(ge=0, le=MAX_SIZE)]
Sha256 = Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]


class ManifestEntry(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One published file: where it is under the published folder, how long it is and its SHA-256."""

    path: Path_
    size: Size
    sha256: Sha256


class Manifest(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Whose manifest it is (as enrolled for the key) and every file that body published."""

    election_id: Ident
    role: Role
    authority_id: Ident
    district_id: Ident
    issued_at: Ident
    files: Annotated[list[ManifestEntry], msgspec.Meta(max_length=MAX_ENTRIES)]


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Manifest)


def path_problem(path: str) -> str | None:
    """Why `path` may not be a manifest path (None when it may): it must stay inside the published folder."""
    if path.startswith("/") or "\\" in path:
        return "not a relative POSIX path"
    if any(ord(c) < 0x20 or c == "\x7f" for c in path):
        return "a control character in the path"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "an empty, '.' or '..' part in the path"
    return None


def _check(m: Manifest, where: str) -> None:
    """The rules the types cannot say: safe paths, sorted, each once."""
    previous = None
    for entry in m.files:
        problem = path_problem(entry.path)
        if problem is not None:
            raise InputError(f"{problem}: {entry.path!r}", where=where)
        if previous is not None and entry.path <= previous:
            raise InputError(f"paths not sorted or listed twice at {entry.path!r}", where=where)
        previous = entry.path


def sign_manifest(manifest: Manifest, private_key: Ed25519PrivateKey) -> bytes:
    """The signed manifest message (`manifest.tkm`)."""
    _check(manifest, "manifest")
    payload = _ENCODER.encode(manifest)
    if len(payload) > MAX_PAYLOAD:
        raise InputError(f"manifest of {len(payload)} bytes exceeds {MAX_PAYLOAD}", where="manifest")
    body = _HEAD.pack(MANIFEST_MAGIC, MANIFEST_VERSION, key_id(private_key), len(payload)) + payload
    return body + private_key.sign(MANIFEST_DOMAIN + body)


def is_manifest(data: bytes) -> bool:
    """Whether `data` claims to be a signed manifest (by its magic; nothing is checked)."""
    return data.startswith(MANIFEST_MAGIC)


def manifest_key_id(message: bytes, *, where: str = "manifest") -> bytes:
    """The key id a manifest names, after checking its layout (not its signature)."""
    return _split(message, where)[0]


def _split(message: bytes, where: str) -> tuple[bytes, bytes, bytes, bytes]:
    """(key id, payload, signed bytes, signature) of a manifest whose length and header fit the layout."""
    if len(message) < _HEAD.size + SIGNATURE_LEN:
        raise InputError(f"{len(message)} bytes is too short for a signed manifest (truncated?)", where=where)
    magic, version, kid, n = _HEAD.unpack_from(message)
    if magic != MANIFEST_MAGIC:
        raise InputError("not a signed manifest (wrong magic bytes)", where=where)
    if version != MANIFEST_VERSION:
        raise InputError(f"manifest version {version}; this program reads {MANIFEST_VERSION}", where=where)
    if n > MAX_PAYLOAD:
        raise InputError(f"manifest of {n} bytes exceeds {MAX_PAYLOAD}", where=where)
    expected = _HEAD.size + n + SIGNATURE_LEN
    if len(message) != expected:
        state = "truncated" if len(message) < expected else f"{len(message) - expected} bytes too many"
        raise InputError(f"{state}: {len(message)} bytes, the header announces {expected}", where=where)
    end = _HEAD.size + n
    return kid, message[_HEAD.size : end], message[:end], message[end:]


def open_manifest(
    message: bytes,
    public_key_lookup: Callable[[bytes], Ed25519PublicKey | None],
    *,
    where: str = "manifest",
) -> tuple[bytes, Manifest]:
    """(key id, manifest): layout, then key, then the signature over the exact bytes, and only then decoding.

    `public_key_lookup(key_id)` gives the enrolled public key or None (`UnknownKey`); a signature that does
    not hold is an `IntegrityError`, a malformed message an `InputError`.
    """
    kid, payload, signed, signature = _split(message, where)
    public_key = public_key_lookup(kid)
    if public_key is None:
        raise UnknownKey(kid, where=where)
    if key_id(public_key) != kid:
        raise IntegrityError("the key offered is not the key named in the manifest", where=where)
    try:
        public_key.verify(signature, MANIFEST_DOMAIN + signed)
    except InvalidSignature as exc:
        raise IntegrityError(
            f"manifest signature does not hold for key {readable_fingerprint(kid)}: altered", where=where
        ) from exc
    return kid, decode_manifest(payload, where=where)


def decode_manifest(payload: bytes, *, where: str = "manifest") -> Manifest:
    """The manifest in a payload (already authenticated); `InputError` naming the rule for anything else."""
    if len(payload) > MAX_PAYLOAD:
        raise InputError(f"manifest of {len(payload)} bytes exceeds {MAX_PAYLOAD}", where=where)
    try:
        manifest = _DECODER.decode(payload)
    except (msgspec.DecodeError, ValueError) as exc:  # ValueError: bad UTF-8
        raise InputError(f"malformed manifest: {exc}", where=where) from None
    _check(manifest, where)
    return manifest


__all__ = [
    "MANIFEST_DOMAIN",
    "MANIFEST_FILE",
    "MAX_ENTRIES",
    "Manifest",
    "ManifestEntry",
    "decode_manifest",
    "is_manifest",
    "manifest_key_id",
    "open_manifest",
    "path_problem",
    "sign_manifest",
]
