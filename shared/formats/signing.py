"""Signed summaries and self-signed enrolment records: Ed25519 over a tiny fixed binary layout.

Signed summary (`.tks` file, QR payload), all integers big-endian:

    offset  size  field
    0       3     magic b"TKS"
    3       1     format version (1)
    4       16    key id: first 16 bytes of SHA-256 of the raw Ed25519 public key
    20      4     n: length of the compressed summary
    24      n     compressed summary (`shared.formats.summary.encode_summary`)
    24+n    64    Ed25519 signature over SUMMARY_DOMAIN + bytes [0, 24+n)

Enrolment record (`.tke` file, QR payload of the enrolment sheet):

    0       3     magic b"TKE"
    3       1     format version (1)
    4       2     n: length of the msgpack record
    6       n     record (`shared.domain.keyregister.EnrolmentRecord`, array-like msgpack)
    6+n     64    Ed25519 signature, by the record's own key, over ENROLMENT_DOMAIN + bytes [0, 6+n)

The domain prefixes make a signature over one kind of message useless as a signature over another. The length
fields make truncation and trailing bytes a structural error instead of a confusing signature failure. The
signature is checked over the exact received bytes before a single byte of the summary is decompressed or
decoded: nothing unauthenticated reaches the decoder.

`message_digest` (SHA-256 of the whole signed message) is THE digest of a summary: what a corrigendum names in
`supersedes` and what a parent lists in `children`.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Mapping

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.domain.keyregister import (
    ENROLMENT_VERSION,
    KEY_ID_LEN,
    Accepted,
    EnrolmentRecord,
    Issuer,
    KeyRegister,
    Reason,
    Receiver,
    Refusal,
    check_acceptance,
    key_id_of,
    readable_fingerprint,
)
from shared.errors import InputError, IntegrityError
from shared.formats.summary import Summary, claim_of, decode_summary

SUMMARY_MAGIC = b"TKS"
ENROLMENT_MAGIC = b"TKE"
SIGNED_VERSION = 1
SUMMARY_DOMAIN = b"telketen/summary/v1\0"
ENROLMENT_DOMAIN = b"telketen/enrolment/v1\0"
SIGNATURE_LEN = 64
_SUMMARY_HEAD = struct.Struct(">3sB16sI")
_ENROLMENT_HEAD = struct.Struct(">3sBH")
#: Largest compressed summary accepted from outside: far above a national result, far below memory trouble.
MAX_SUMMARY_BYTES = 1024 * 1024

PublicKeyLookup = Callable[[bytes], Ed25519PublicKey | None]


class UnknownKey(IntegrityError):
    """A signed summary whose key id is not in the register; `key_id` says which (reason UNKNOWN_KEY)."""

    def __init__(self, key_id: bytes, *, where: str | None = None) -> None:
        self.key_id = key_id
        super().__init__(f"unknown key {readable_fingerprint(key_id)}: not enrolled", where=where)


def raw_public_key(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of a public key (of a private key: of its public half)."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The key id (fingerprint) of a key."""
    return key_id_of(raw_public_key(key))


def message_digest(message: bytes) -> bytes:
    """SHA-256 of the exact signed bytes: the identity of a summary in chains and trees."""
    return hashlib.sha256(message).digest()


# ------------------------------------------------------------------------------------------------ summaries


def sign_summary(summary_bytes: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """The signed message for compressed summary bytes (from `encode_summary`)."""
    if len(summary_bytes) > MAX_SUMMARY_BYTES:
        raise InputError(
            f"summary of {len(summary_bytes)} bytes exceeds {MAX_SUMMARY_BYTES}", where="summary"
        )
    head = _SUMMARY_HEAD.pack(SUMMARY_MAGIC, SIGNED_VERSION, key_id(private_key), len(summary_bytes))
    body = head + summary_bytes
    return body + private_key.sign(SUMMARY_DOMAIN + body)


class SignedParts(msgspec.Struct, frozen=True):
    """A signed summary split by its layout, signature not yet checked."""

    key_id: bytes
    summary_bytes: bytes
    signed: bytes
    signature: bytes


def split_signed(message: bytes, *, where: str = "signed summary") -> SignedParts:
    """The parts of a signed summary, refusing any message whose length or header does not fit the layout."""
    if len(message) < _SUMMARY_HEAD.size + SIGNATURE_LEN:
        raise InputError(
            f"{len(message)} bytes is too short for a signed summary (truncated?)",
            where=where,
            code="signed.too_short",
            params={"size": len(message)},
        )
    magic, version, kid, n = _SUMMARY_HEAD.unpack_from(message)
    if magic != SUMMARY_MAGIC:
        if magic == ENROLMENT_MAGIC:
            raise InputError(
                "this is a key enrolment record, not a signed summary",
                where=where,
                code="signed.enrolment_record",
            )
        raise InputError("not a signed summary (wrong magic bytes)", where=where, code="signed.not_summary")
    if version != SIGNED_VERSION:
        raise InputError(
            f"signed-message version {version}; this program reads {SIGNED_VERSION}",
            where=where,
            code="signed.version",
            params={"version": version, "supported": SIGNED_VERSION},
        )
    expected = _SUMMARY_HEAD.size + n + SIGNATURE_LEN
    if len(message) < expected:
        raise InputError(
            f"truncated: {len(message)} bytes, the header announces {expected}",
            where=where,
            code="signed.truncated",
            params={"size": len(message), "expected": expected},
        )
    if len(message) > expected:
        raise InputError(
            f"{len(message) - expected} bytes after the end of the signed summary",
            where=where,
            code="signed.trailing",
            params={"extra": len(message) - expected},
        )
    end = _SUMMARY_HEAD.size + n
    return SignedParts(
        key_id=kid,
        summary_bytes=message[_SUMMARY_HEAD.size : end],
        signed=message[:end],
        signature=message[end:],
    )


def signer_fingerprint(message: bytes) -> str:
    """The fingerprint of the key that signed `message`, in groups, as a report prints it above its QR codes:
    a reader compares it with the published key register (and the phone check, docs/phone-check.md)."""
    return readable_fingerprint(split_signed(message).key_id)


def verify_parts(parts: SignedParts, public_key: Ed25519PublicKey, *, where: str = "signed summary") -> None:
    """Raise `IntegrityError` unless the signature holds for this key over the exact received bytes."""
    if key_id(public_key) != parts.key_id:
        raise IntegrityError(
            "the key offered is not the key named in the message", where=where, code="signed.key_mismatch"
        )
    try:
        public_key.verify(parts.signature, SUMMARY_DOMAIN + parts.signed)
    except InvalidSignature as exc:
        raise IntegrityError(
            f"signature does not hold for key {readable_fingerprint(parts.key_id)}: altered or misread",
            where=where,
            code="signed.bad_signature",
        ) from exc


def open_signed(
    message: bytes, public_key_lookup: PublicKeyLookup, *, where: str = "signed summary"
) -> tuple[bytes, Summary]:
    """(key id, summary) of a signed summary: layout, then key, then signature, and only then decoding.

    `public_key_lookup(key_id)` returns the enrolled public key or None; None raises `UnknownKey`.
    """
    parts = split_signed(message, where=where)
    public_key = public_key_lookup(parts.key_id)
    if public_key is None:
        raise UnknownKey(parts.key_id, where=where)
    verify_parts(parts, public_key, where=where)
    return parts.key_id, decode_summary(parts.summary_bytes, where=where)


def register_lookup(register: KeyRegister) -> PublicKeyLookup:
    """A `public_key_lookup` over a key register."""

    def lookup(kid: bytes) -> Ed25519PublicKey | None:
        entry = register.lookup(kid)
        return None if entry is None else Ed25519PublicKey.from_public_bytes(entry.record.public_key)

    return lookup


class Admission(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of receiving one signed summary: the summary (None for an unknown key), refusal or None."""

    key_id: bytes
    digest: bytes
    summary: Summary | None
    refusal: Refusal | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def admit(
    message: bytes,
    register: KeyRegister,
    receiver: Receiver,
    accepted: Mapping[Issuer, Accepted],
    *,
    where: str = "signed summary",
) -> Admission:
    """Verify a received summary and apply the acceptance rules: what an upper tier does with every scan.

    A broken message or signature raises (`InputError` / `IntegrityError`): that is not a summary at all. A
    genuine summary that may not be added (unknown key, wrong election/district/issuer, not newer, bad
    corrigendum link) comes back with its `Refusal`, so the dashboard can list it.
    """
    parts = split_signed(message, where=where)
    digest = message_digest(message)
    try:
        kid, summary = open_signed(message, register_lookup(register), where=where)
    except UnknownKey:
        return Admission(
            key_id=parts.key_id,
            digest=digest,
            summary=None,
            refusal=Refusal(Reason.UNKNOWN_KEY, key=readable_fingerprint(parts.key_id)),
        )
    refusal = check_acceptance(register, receiver, claim_of(summary, key_id=kid, digest=digest), accepted)
    return Admission(key_id=kid, digest=digest, summary=summary, refusal=refusal)


# ------------------------------------------------------------------------------------------------ enrolment

_RECORD_ENCODER = msgspec.msgpack.Encoder()
_RECORD_DECODER = msgspec.msgpack.Decoder(EnrolmentRecord)


def sign_enrolment(record: EnrolmentRecord, private_key: Ed25519PrivateKey) -> bytes:
    """The self-signed enrolment message; the record's public key must be the signer's."""
    if raw_public_key(private_key) != record.public_key:
        raise InputError("the record's public key is not the signing key's", where="enrolment record")
    payload = _RECORD_ENCODER.encode(record)
    if len(payload) > 0xFFFF:
        raise InputError("enrolment record too long", where="enrolment record")
    body = _ENROLMENT_HEAD.pack(ENROLMENT_MAGIC, SIGNED_VERSION, len(payload)) + payload
    return body + private_key.sign(ENROLMENT_DOMAIN + body)


def open_enrolment(message: bytes, *, where: str = "enrolment record") -> EnrolmentRecord:
    """The enrolment record in a self-signed message, after checking layout and self-signature.

    A valid self-signature only proves the sender holds the private key; whose key it is, the operator decides
    by comparing the fingerprint with the signed paper letter.
    """
    if len(message) < _ENROLMENT_HEAD.size + SIGNATURE_LEN:
        raise InputError(
            f"{len(message)} bytes is too short for an enrolment record (truncated?)", where=where
        )
    magic, version, n = _ENROLMENT_HEAD.unpack_from(message)
    if magic != ENROLMENT_MAGIC:
        if magic == SUMMARY_MAGIC:
            raise InputError("this is a signed summary, not a key enrolment record", where=where)
        raise InputError("not a key enrolment record (wrong magic bytes)", where=where)
    if version != SIGNED_VERSION:
        raise InputError(f"enrolment version {version}; this program reads {SIGNED_VERSION}", where=where)
    expected = _ENROLMENT_HEAD.size + n + SIGNATURE_LEN
    if len(message) < expected:
        raise InputError(f"truncated: {len(message)} bytes, the header announces {expected}", where=where)
    if len(message) > expected:
        raise InputError(
            f"{len(message) - expected} bytes after the end of the enrolment record", where=where
        )
    end = _ENROLMENT_HEAD.size + n
    payload, signature = message[_ENROLMENT_HEAD.size : end], message[end:]
    # The public key sits inside the unauthenticated record: read just enough to get it, verify, then trust.
    try:
        record = _RECORD_DECODER.decode(payload)
    except (msgspec.DecodeError, ValueError) as exc:  # ValueError: bad UTF-8
        raise InputError(f"malformed enrolment record: {exc}", where=where) from exc
    try:
        Ed25519PublicKey.from_public_bytes(record.public_key).verify(
            signature, ENROLMENT_DOMAIN + message[:end]
        )
    except InvalidSignature as exc:
        raise IntegrityError(
            "the record's self-signature does not hold: altered or misread", where=where
        ) from exc
    if record.version != ENROLMENT_VERSION:
        raise InputError(f"enrolment record version {record.version}; this program reads 1", where=where)
    return record


__all__ = [
    "ENROLMENT_DOMAIN",
    "KEY_ID_LEN",
    "SUMMARY_DOMAIN",
    "Admission",
    "PublicKeyLookup",
    "SignedParts",
    "UnknownKey",
    "admit",
    "key_id",
    "message_digest",
    "open_enrolment",
    "open_signed",
    "raw_public_key",
    "register_lookup",
    "sign_enrolment",
    "sign_summary",
    "signer_fingerprint",
    "split_signed",
    "verify_parts",
]
