"""Signed summaries and enrolment records: what is accepted is exactly what was signed, nothing else."""

from __future__ import annotations

import hashlib
import struct

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st
from summary_golden import CASES, GOLDEN, golden_key

from shared.domain.keyregister import (
    ENROLMENT_VERSION,
    Accepted,
    EnrolmentRecord,
    Issuer,
    KeyRegister,
    Reason,
    Receiver,
    Role,
    enrol,
)
from shared.errors import InputError, IntegrityError
from shared.formats.signing import (
    ENROLMENT_DOMAIN,
    SUMMARY_DOMAIN,
    PublicKeyLookup,
    UnknownKey,
    admit,
    key_id,
    message_digest,
    open_enrolment,
    open_signed,
    raw_public_key,
    sign_enrolment,
    sign_summary,
    split_signed,
)
from shared.formats.summary import Summary, encode_summary

KEY = golden_key()
OTHER = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"another key").digest())
SUMMARY = CASES["municipality"]
SUMMARY_BYTES = (GOLDEN / "summary_v1_municipality.bin").read_bytes()
MESSAGE = sign_summary(SUMMARY_BYTES, KEY)


def lookup_for(*keys: Ed25519PrivateKey) -> PublicKeyLookup:
    table = {key_id(k): k.public_key() for k in keys}
    return table.get


def test_round_trip_and_digest() -> None:
    kid, s = open_signed(MESSAGE, lookup_for(KEY))
    assert kid == key_id(KEY) == hashlib.sha256(raw_public_key(KEY)).digest()[:16]
    assert s == SUMMARY
    assert message_digest(MESSAGE) == hashlib.sha256(MESSAGE).digest()


def test_golden_signed_message() -> None:
    """Ed25519 is deterministic: the committed signed bytes are what signing the golden summary gives."""
    golden = (GOLDEN / "summary_v1_signed.bin").read_bytes()
    assert sign_summary(SUMMARY_BYTES, KEY) == golden
    assert golden[:4] == b"TKS\x01"
    assert golden[4:20] == key_id(KEY)
    assert struct.unpack(">I", golden[20:24])[0] == len(SUMMARY_BYTES)
    assert golden[24:-64] == SUMMARY_BYTES
    assert open_signed(golden, lookup_for(KEY))[1] == SUMMARY


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_any_flipped_bit_is_refused(data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(MESSAGE) * 8 - 1))
    tampered = bytearray(MESSAGE)
    tampered[pos // 8] ^= 1 << (pos % 8)
    with pytest.raises((InputError, IntegrityError)):
        open_signed(bytes(tampered), lookup_for(KEY, OTHER))


def test_every_flipped_bit_of_the_summary_part_is_an_integrity_error() -> None:
    """Inside the signed summary bytes a flip is caught by the signature, before decoding is attempted."""
    for i in range(24, len(MESSAGE) - 64):
        tampered = bytearray(MESSAGE)
        tampered[i] ^= 0x01
        with pytest.raises(IntegrityError, match="signature does not hold"):
            open_signed(bytes(tampered), lookup_for(KEY))


@given(st.integers(0, len(MESSAGE) - 1))
@settings(max_examples=100, deadline=None)
def test_truncated_message_is_refused(n: int) -> None:
    with pytest.raises(InputError, match=r"truncated|too short"):
        open_signed(MESSAGE[:n], lookup_for(KEY))


@given(st.binary(min_size=1, max_size=40))
@settings(max_examples=50, deadline=None)
def test_trailing_bytes_are_refused(extra: bytes) -> None:
    with pytest.raises(InputError, match="after the end"):
        open_signed(MESSAGE + extra, lookup_for(KEY))


def test_wrong_key_is_refused() -> None:
    # The lookup hands out another key for this key id.
    with pytest.raises(IntegrityError, match="not the key named"):
        open_signed(MESSAGE, lambda kid: OTHER.public_key())
    # A message signed by OTHER but claiming KEY's id: the signature fails under KEY.
    forged = bytearray(sign_summary(SUMMARY_BYTES, OTHER))
    forged[4:20] = key_id(KEY)
    with pytest.raises(IntegrityError, match="signature does not hold"):
        open_signed(bytes(forged), lookup_for(KEY))


def test_unknown_key_is_refused_with_its_id() -> None:
    with pytest.raises(UnknownKey) as info:
        open_signed(MESSAGE, lookup_for(OTHER))
    assert info.value.key_id == key_id(KEY)
    assert info.value.exit_code == 3


def test_wrong_domain_is_refused() -> None:
    """A signature over the same bytes in the enrolment domain (or no domain) is not a summary signature."""
    body = MESSAGE[:-64]
    for domain in (ENROLMENT_DOMAIN, b"", b"telketen/summary/v2\0"):
        forged = body + KEY.sign(domain + body)
        with pytest.raises(IntegrityError):
            open_signed(forged, lookup_for(KEY))
    assert body + KEY.sign(SUMMARY_DOMAIN + body) == MESSAGE


def test_signature_is_checked_before_decoding() -> None:
    """Garbage summary bytes with a bad signature give the signature error, not a decoding error."""
    garbage = sign_summary(b"not zlib at all", KEY)
    with pytest.raises(InputError, match="not zlib"):
        open_signed(garbage, lookup_for(KEY))
    broken = garbage[:-1] + bytes([garbage[-1] ^ 1])
    with pytest.raises(IntegrityError, match="signature"):
        open_signed(broken, lookup_for(KEY))


def test_header_errors_name_the_rule() -> None:
    with pytest.raises(InputError, match="wrong magic"):
        open_signed(b"XYZ" + MESSAGE[3:], lookup_for(KEY))
    with pytest.raises(InputError, match="version 2"):
        open_signed(MESSAGE[:3] + b"\x02" + MESSAGE[4:], lookup_for(KEY))
    enrolment = sign_enrolment(_record(KEY), KEY)
    with pytest.raises(InputError, match="enrolment record, not a signed summary"):
        open_signed(enrolment, lookup_for(KEY))
    with pytest.raises(InputError, match="signed summary, not a key enrolment"):
        open_enrolment(MESSAGE)


def test_split_signed_parts() -> None:
    parts = split_signed(MESSAGE)
    assert parts.summary_bytes == SUMMARY_BYTES
    assert parts.signed + parts.signature == MESSAGE


# ------------------------------------------------------------------------------------------------ enrolment


def _record(key: Ed25519PrivateKey, **changes: str) -> EnrolmentRecord:
    base = EnrolmentRecord(
        version=ENROLMENT_VERSION,
        role=Role.MUNICIPALITY,
        authority_id="0668",
        authority_name="West Maas en Waal",
        election_id="TK2025",
        district_id="6",
        public_key=raw_public_key(key),
        created_at="2025-10-01T09:00:00+00:00",
    )
    return msgspec.structs.replace(base, **changes)


def test_enrolment_round_trip() -> None:
    rec = _record(KEY)
    msg = sign_enrolment(rec, KEY)
    assert msg[:4] == b"TKE\x01"
    assert open_enrolment(msg) == rec
    assert rec.key_id == key_id(KEY)


def test_enrolment_must_be_signed_by_its_own_key() -> None:
    with pytest.raises(InputError, match="not the signing key"):
        sign_enrolment(_record(KEY), OTHER)


def test_enrolment_tampering_is_refused() -> None:
    msg = sign_enrolment(_record(KEY), KEY)
    for i in range(len(msg)):
        tampered = bytearray(msg)
        tampered[i] ^= 0x04
        with pytest.raises((InputError, IntegrityError)):
            open_enrolment(bytes(tampered))
    with pytest.raises(InputError, match="after the end"):
        open_enrolment(msg + b"\0")
    with pytest.raises(InputError, match=r"truncated|too short"):
        open_enrolment(msg[:-1])


def test_enrolment_with_swapped_key_is_refused() -> None:
    """Replacing the public key in the record (to smuggle in another key) breaks the self-signature."""
    msg = sign_enrolment(_record(KEY), KEY)
    swapped = msg.replace(raw_public_key(KEY), raw_public_key(OTHER))
    with pytest.raises(IntegrityError, match="self-signature"):
        open_enrolment(swapped)


def test_summary_signature_does_not_verify_as_enrolment() -> None:
    rec_bytes = msgspec.msgpack.encode(_record(KEY))
    body = b"TKE\x01" + struct.pack(">H", len(rec_bytes)) + rec_bytes
    with pytest.raises(IntegrityError):
        open_enrolment(body + KEY.sign(SUMMARY_DOMAIN + body))


# ------------------------------------------------------------------------------------------------ admit


def _register() -> KeyRegister:
    rec = _record(KEY)
    return enrol(KeyRegister(election_id="TK2025"), rec, enrolled_at="t", record_digest=b"\0" * 32)


RECEIVER = Receiver(election_id="TK2025", district_id="6", child_role=Role.MUNICIPALITY)


def test_admit_accepts_a_registered_summary() -> None:
    result = admit(MESSAGE, _register(), RECEIVER, {})
    assert result.accepted
    assert result.summary == SUMMARY
    assert result.digest == message_digest(MESSAGE)


def test_admit_reports_refusals() -> None:
    unknown = admit(sign_summary(SUMMARY_BYTES, OTHER), _register(), RECEIVER, {})
    assert unknown.refusal is not None and unknown.refusal.reason is Reason.UNKNOWN_KEY
    assert unknown.summary is None
    issuer = Issuer(Role.MUNICIPALITY, "0668", "6")
    dup = admit(MESSAGE, _register(), RECEIVER, {issuer: Accepted(0, message_digest(MESSAGE))})
    assert dup.refusal is not None and dup.refusal.reason is Reason.DUPLICATE
    wrong = msgspec.structs.replace(SUMMARY, election_id="TK2023")
    other = admit(sign_summary(encode_summary(wrong), KEY), _register(), RECEIVER, {})
    assert other.refusal is not None and other.refusal.reason is Reason.WRONG_ELECTION
    assert isinstance(other.summary, Summary)


def test_admit_raises_on_a_forged_message() -> None:
    with pytest.raises(IntegrityError):
        admit(MESSAGE[:-1] + b"\0", _register(), RECEIVER, {})


def test_lookup_over_register_returns_public_key() -> None:
    from shared.formats.signing import register_lookup

    lookup = register_lookup(_register())
    pub = lookup(key_id(KEY))
    assert isinstance(pub, Ed25519PublicKey)
    assert lookup(key_id(OTHER)) is None
