"""The signed manifest's codec (`shared.formats.manifest`) and its writer (`shared.adapters.manifest`).

Round trip on hypothesis manifests; every single-bit flip, truncation and trailing byte refused; random bytes
after a valid header refused with an InputError or IntegrityError and never another exception; paths that
could leave the published folder, unsorted or doubled paths, too many entries refused even under a genuine
signature; and the domain separation from signed summaries in both directions.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.manifest import entry_of, publish_manifest, signed_manifest
from shared.domain.keyregister import ENROLMENT_VERSION, EnrolmentRecord, Role
from shared.errors import InputError, IntegrityError, TelketenError
from shared.formats import manifest as fmt
from shared.formats.manifest import (
    MANIFEST_DOMAIN,
    MANIFEST_FILE,
    Manifest,
    ManifestEntry,
    open_manifest,
    sign_manifest,
)
from shared.formats.signing import (
    SUMMARY_DOMAIN,
    UnknownKey,
    key_id,
    raw_public_key,
    sign_enrolment,
    split_signed,
    verify_parts,
)

KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
OTHER = Ed25519PrivateKey.from_private_bytes(b"\x08" * 32)


def lookup_of(*keys: Ed25519PrivateKey) -> Callable[[bytes], Ed25519PublicKey | None]:
    table = {key_id(k): k.public_key() for k in keys}
    return lambda kid: table.get(kid)


def entry(path: str, data: bytes = b"x") -> ManifestEntry:
    return ManifestEntry(path=path, size=len(data), sha256=hashlib.sha256(data).digest())


def manifest(*paths: str) -> Manifest:
    return Manifest(
        election_id="GR2026_Proefdorp",
        role=Role.MUNICIPALITY,
        authority_id="0668",
        district_id="",
        issued_at="2026-03-18T22:00:00+01:00",
        files=[entry(p) for p in paths],
    )


def enrolment(key: Ed25519PrivateKey, authority: str = "0668") -> bytes:
    record = EnrolmentRecord(
        version=ENROLMENT_VERSION,
        role=Role.MUNICIPALITY,
        authority_id=authority,
        authority_name="Proefdorp",
        election_id="GR2026_Proefdorp",
        district_id="",
        public_key=raw_public_key(key),
        created_at="2026-03-01T09:00:00+01:00",
    )
    return sign_enrolment(record, key)


SEGMENT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="/\\"), min_size=1
)
PATHS = st.lists(st.lists(SEGMENT, min_size=1, max_size=4).map("/".join), max_size=30, unique=True).filter(
    lambda ps: all(fmt.path_problem(p) is None and len(p) <= fmt.MAX_PATH for p in ps)
)


@settings(max_examples=60, deadline=None)
@given(paths=PATHS, sizes=st.lists(st.integers(0, fmt.MAX_SIZE), min_size=30, max_size=30))
def test_a_manifest_round_trips(paths: list[str], sizes: list[int]) -> None:
    files = [
        ManifestEntry(path=p, size=n, sha256=hashlib.sha256(p.encode()).digest())
        for p, n in zip(sorted(paths), sizes, strict=False)
    ]
    m = msgspec.structs.replace(manifest(), files=files)
    kid, opened = open_manifest(sign_manifest(m, KEY), lookup_of(KEY))
    assert (kid, opened) == (key_id(KEY), m)


def test_every_flipped_bit_is_refused() -> None:
    message = sign_manifest(manifest("0668/a.pdf", "0668/b.xml"), KEY)
    for i in range(len(message)):
        for bit in range(8):
            damaged = bytearray(message)
            damaged[i] ^= 1 << bit
            with pytest.raises((InputError, IntegrityError)):
                open_manifest(bytes(damaged), lookup_of(KEY))


def test_truncation_and_trailing_bytes_are_refused_by_the_layout() -> None:
    message = sign_manifest(manifest("0668/a.pdf"), KEY)
    for cut in (0, 3, 23, len(message) - 1):
        with pytest.raises(InputError, match=r"too short|truncated"):
            open_manifest(message[:cut], lookup_of(KEY))
    with pytest.raises(InputError, match="1 bytes too many"):
        open_manifest(message + b"\0", lookup_of(KEY))
    huge = message[:20] + struct.pack(">I", fmt.MAX_PAYLOAD + 1) + message[24:]
    with pytest.raises(InputError, match="exceeds"):
        open_manifest(huge, lookup_of(KEY))


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=300), version=st.sampled_from([0, 1, 2, 255]))
def test_random_bytes_after_a_header_are_refused_never_a_crash(tail: bytes, version: int) -> None:
    head = fmt.MANIFEST_MAGIC + bytes([version]) + key_id(KEY) + struct.pack(">I", max(len(tail) - 64, 0))
    with pytest.raises(TelketenError):
        open_manifest(head + tail, lookup_of(KEY))


def _forged(payload: bytes, key: Ed25519PrivateKey = KEY, domain: bytes = MANIFEST_DOMAIN) -> bytes:
    """A manifest whose payload skipped the writer's checks, under a genuine signature."""
    body = fmt.MANIFEST_MAGIC + b"\x01" + key_id(key) + struct.pack(">I", len(payload)) + payload
    return body + key.sign(domain + body)


@pytest.mark.parametrize(
    ("paths", "rule"),
    [
        (["../etc/passwd"], "'..'"),
        (["site/./index.html"], "'..'"),
        (["/abs/file"], "relative"),
        (["site\\index.html"], "relative"),
        (["site//index.html"], "empty"),
        (["site/a\nb"], "control"),
        (["b", "a"], "sorted"),
        (["a", "a"], "sorted"),
    ],
)
def test_unsafe_or_disordered_paths_are_refused_even_when_signed(paths: list[str], rule: str) -> None:
    payload = msgspec.msgpack.encode(msgspec.structs.replace(manifest(), files=[entry(p) for p in paths]))
    with pytest.raises(InputError, match=rule):
        open_manifest(_forged(payload), lookup_of(KEY))
    with pytest.raises(InputError, match=rule):
        sign_manifest(msgspec.structs.replace(manifest(), files=[entry(p) for p in paths]), KEY)


def test_bounds_on_entries_and_fields_are_refused_even_when_signed() -> None:
    many = [entry(f"f{i:06d}") for i in range(fmt.MAX_ENTRIES + 1)]
    payload = msgspec.msgpack.encode(msgspec.structs.replace(manifest(), files=many))
    with pytest.raises(InputError, match="malformed"):
        open_manifest(_forged(payload), lookup_of(KEY))
    long_path = msgspec.msgpack.encode(msgspec.structs.replace(manifest(), files=[entry("a" * 1001)]))
    with pytest.raises(InputError, match="malformed"):
        open_manifest(_forged(long_path), lookup_of(KEY))
    short_hash = msgspec.msgpack.encode(
        msgspec.structs.replace(manifest(), files=[ManifestEntry(path="a", size=1, sha256=b"\0" * 31)])
    )
    with pytest.raises(InputError, match="malformed"):
        open_manifest(_forged(short_hash), lookup_of(KEY))
    extra = msgspec.msgpack.encode([*msgspec.structs.astuple(manifest("a")), "extra"])
    with pytest.raises(InputError, match="malformed"):
        open_manifest(_forged(extra), lookup_of(KEY))


def test_an_unknown_or_other_key_is_refused() -> None:
    message = sign_manifest(manifest("a"), KEY)
    with pytest.raises(UnknownKey):
        open_manifest(message, lookup_of(OTHER))
    with pytest.raises(IntegrityError, match="not the key named"):
        open_manifest(message, lambda kid: OTHER.public_key())
    with pytest.raises(IntegrityError, match="does not hold"):
        open_manifest(
            _forged(msgspec.msgpack.encode(manifest("a")), key=OTHER)[:-64] + message[-64:], lookup_of(OTHER)
        )


def test_a_manifest_and_a_summary_signature_never_stand_for_each_other() -> None:
    """Same key, same bytes: a signature over the summary domain is no manifest signature, and the reverse."""
    assert MANIFEST_DOMAIN != SUMMARY_DOMAIN
    payload = msgspec.msgpack.encode(manifest("a"))
    with pytest.raises(IntegrityError, match="does not hold"):
        open_manifest(_forged(payload, domain=SUMMARY_DOMAIN), lookup_of(KEY))
    # a summary-shaped message (TKS) signed under the manifest's domain does not verify as a summary
    body = b"TKS\x01" + key_id(KEY) + struct.pack(">I", 3) + b"abc"
    fake = body + KEY.sign(MANIFEST_DOMAIN + body)
    with pytest.raises(IntegrityError, match="does not hold"):
        verify_parts(split_signed(fake), KEY.public_key())
    # and a manifest is never read as a summary at all
    with pytest.raises(InputError, match="magic"):
        split_signed(sign_manifest(manifest("a"), KEY))


def test_the_writer_signs_as_enrolled_and_refuses_another_key() -> None:
    message = signed_manifest(
        enrolment(KEY), KEY, "2026-03-18T22:00", [entry_of("0668/b", b"2"), entry_of("0668/a", b"1")]
    )
    _, m = open_manifest(message, lookup_of(KEY))
    assert (m.authority_id, str(m.role), [e.path for e in m.files]) == (
        "0668",
        "municipality",
        ["0668/a", "0668/b"],
    )
    with pytest.raises(InputError, match="not for this signing key"):
        signed_manifest(enrolment(KEY), OTHER, "t", [])
    with pytest.raises(InputError, match="two different files"):
        signed_manifest(enrolment(KEY), KEY, "t", [entry_of("a", b"1"), entry_of("a", b"2")])


def test_a_later_publication_keeps_what_the_body_published_before_unless_changed(tmp_path: Path) -> None:
    """A corrigendum: the Na 31-2 stays published beside the Na 14-2 and stays covered; a file changed since
    the first manifest drops out (verify then names it)."""
    body = tmp_path / "0668"
    body.mkdir()
    (body / "Model_Na31-2.pdf").write_bytes(b"first report")
    (body / "notes.txt").write_bytes(b"as published")
    publish_manifest(tmp_path, enrolment(KEY), KEY, list(body.iterdir()), at="t1")
    (body / "notes.txt").write_bytes(b"edited afterwards")
    (body / "Model_Na14-2.pdf").write_bytes(b"corrigendum")
    written = publish_manifest(tmp_path, enrolment(KEY), KEY, [body / "Model_Na14-2.pdf"], at="t2")
    assert written == body / MANIFEST_FILE
    _, m = open_manifest(written.read_bytes(), lookup_of(KEY))
    assert [e.path for e in m.files] == ["0668/Model_Na14-2.pdf", "0668/Model_Na31-2.pdf"]
    assert m.issued_at == "t2"


def test_an_earlier_manifest_of_another_key_is_not_carried_over(tmp_path: Path) -> None:
    body = tmp_path / "0668"
    body.mkdir()
    (body / "planted.html").write_bytes(b"<script>")
    (body / MANIFEST_FILE).write_bytes(
        signed_manifest(enrolment(OTHER), OTHER, "t", [entry_of("0668/planted.html", b"<script>")])
    )
    publish_manifest(tmp_path, enrolment(KEY), KEY, [], at="t2")
    public: Ed25519PublicKey = KEY.public_key()
    _, m = open_manifest((body / MANIFEST_FILE).read_bytes(), lambda kid: public)
    assert m.files == []
