"""Key files on disk: the tier's own key pair, enrolment records, and the key register of the tier below.

The private key never leaves the machine and is never stored in the clear: PKCS8 encrypted with the passphrase
(`BestAvailableEncryption`, the passphrase first stretched with scrypt), mode 0600, written atomically. The
key file also carries the tier's own self-signed enrolment record in a second PEM block, so `keys show` can
say whose key it is without the passphrase, and a tier that loads its key knows its role, authority, election
and district from the same file.

Passphrase, in this order: the `--passphrase` argument (visible to other users in the process list: use it
only on a single-user machine or in tests), the environment variable TELKETEN_PASSPHRASE, a prompt without
echo (getpass) when a terminal is attached. Without any of them the command refuses rather than waits.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import hashlib
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TypedDict, Unpack

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    load_pem_private_key,
)

from shared.adapters.files import atomic_write, read_error
from shared.domain.keyregister import (
    ENROLMENT_VERSION,
    EnrolmentRecord,
    KeyRegister,
    Role,
    check_register,
    readable_fingerprint,
)
from shared.errors import InputError, IntegrityError, StateError
from shared.formats.signing import open_enrolment, raw_public_key, sign_enrolment

PASSPHRASE_ENV = "TELKETEN_PASSPHRASE"
MIN_PASSPHRASE = 8
KEY_SUFFIX = ".key"
ENROLMENT_SUFFIX = ".tke"
REGISTER_FORMAT = "telketen-key-register/1"
_ENROLMENT_LABEL = "TELKETEN ENROLMENT"
_PRIVATE_LABEL = "ENCRYPTED PRIVATE KEY"
_KDF_LABEL = "TELKETEN KDF"
#: scrypt cost for the passphrase: 2**15 × 8 × 128 B = 32 MiB and ~0.1 s per unlock.
KDF_N = 2**15
KDF_R = 8
KDF_P = 1
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
_MAX_KEY_FILE = 64 * 1024


# ------------------------------------------------------------------------------------------------ passphrase


def resolve_passphrase(
    given: str | None,
    *,
    new: bool,
    env: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> bytes:
    """The passphrase from the argument, TELKETEN_PASSPHRASE or a prompt; `new` asks twice, checks length."""
    environ = os.environ if env is None else env
    text = given if given is not None else environ.get(PASSPHRASE_ENV)
    if text is None:
        tty = sys.stdin.isatty() if interactive is None else interactive
        if not tty:
            raise InputError(
                f"no passphrase: give --passphrase, set {PASSPHRASE_ENV}, or run in a terminal",
                where="passphrase",
            )
        ask = getpass.getpass if prompt is None else prompt
        text = ask("Passphrase for the private key: ")
        if new and ask("Repeat the passphrase: ") != text:
            raise InputError("the two passphrases differ", where="passphrase")
    if new and len(text) < MIN_PASSPHRASE:
        raise InputError(f"a passphrase needs at least {MIN_PASSPHRASE} characters", where="passphrase")
    if not text:
        raise InputError("the passphrase is empty", where="passphrase")
    return text.encode("utf-8")


# ---------------------------------------------------------------------------------------------- key pair file


class _Kdf(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    n: int
    r: int
    p: int
    salt: bytes


class SigningKey(msgspec.Struct, frozen=True):
    """A tier's unlocked key: the private key, its self-signed enrolment message and the record in it."""

    private_key: Ed25519PrivateKey
    enrolment: bytes
    record: EnrolmentRecord


def _pem(label: str, data: bytes) -> bytes:
    b64 = base64.encodebytes(data).replace(b"\n", b"")
    lines = b"\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN {label}-----\n".encode() + lines + f"\n-----END {label}-----\n".encode()


def _stretch(passphrase: bytes, kdf: _Kdf) -> bytes:
    """The password handed to PKCS8: the passphrase stretched with scrypt (memory-hard)."""
    derived = hashlib.scrypt(passphrase, salt=kdf.salt, n=kdf.n, r=kdf.r, p=kdf.p, dklen=32, maxmem=2**28)
    return base64.b64encode(derived)


def write_key_file(
    path: Path, private_key: Ed25519PrivateKey, enrolment: bytes, passphrase: bytes, *, kdf_n: int = KDF_N
) -> Path:
    """Write the encrypted key file (mode 0600, atomic); refuses to overwrite an existing key.

    PKCS8 `BestAvailableEncryption` alone derives its key with 2,048 rounds of PBKDF2, cheap to guess against
    a stolen file; the passphrase is therefore first stretched with scrypt (parameters and salt in the file).
    """
    if path.exists():
        raise StateError(
            "a key file already exists here; refusing to overwrite a private key", where=str(path)
        )
    record = open_enrolment(enrolment, where=str(path))
    if record.public_key != raw_public_key(private_key):
        raise InputError("the enrolment record is not for this private key", where=str(path))
    kdf = _Kdf(name="scrypt", n=kdf_n, r=KDF_R, p=KDF_P, salt=os.urandom(16))
    encrypted = private_key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(_stretch(passphrase, kdf))
    )
    data = _pem(_ENROLMENT_LABEL, enrolment) + _pem(_KDF_LABEL, msgspec.json.encode(kdf)) + encrypted
    return atomic_write(path, data, mode=0o600)


def _read_limited(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{size} bytes is too large for this kind of file", where=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise read_error(path, exc) from None


def _blocks(data: bytes, path: Path) -> dict[str, bytes]:
    found = {m.group(1).decode("ascii"): m.group(0) for m in _PEM_BLOCK.finditer(data)}
    for label in (_ENROLMENT_LABEL, _KDF_LABEL, _PRIVATE_LABEL):
        if label not in found:
            raise InputError(f"not a Telketen key file (no {label} block)", where=str(path))
    return found


def _pem_payload(block: bytes, path: Path) -> bytes:
    body = b"".join(block.splitlines()[1:-1])
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as exc:
        raise InputError("damaged block in the key file", where=str(path)) from exc


def _read_key_file(path: Path) -> tuple[dict[str, bytes], bytes, EnrolmentRecord]:
    blocks = _blocks(_read_limited(path, _MAX_KEY_FILE), path)
    enrolment = _pem_payload(blocks[_ENROLMENT_LABEL], path)
    return blocks, enrolment, open_enrolment(enrolment, where=str(path))


def read_key_file_public(path: Path) -> tuple[bytes, EnrolmentRecord]:
    """The enrolment message and record in a key file; needs no passphrase."""
    _, enrolment, record = _read_key_file(path)
    return enrolment, record


def load_signing_key(path: Path, passphrase: bytes) -> SigningKey:
    """Unlock a key file; `InputError` on a wrong passphrase, refuses a file others can read."""
    blocks, enrolment, record = _read_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        raise StateError(
            f"the private key file is readable by others (mode {mode:04o}); run: chmod 600 {path}",
            where=str(path),
            code="key.readable",
            params={"path": path, "mode": f"{mode:04o}"},
        )
    try:
        kdf = msgspec.json.decode(_pem_payload(blocks[_KDF_LABEL], path), type=_Kdf)
    except (msgspec.DecodeError, ValueError) as exc:  # ValueError: bad UTF-8
        raise InputError(f"damaged KDF block in the key file: {exc}", where=str(path)) from exc
    if kdf.name != "scrypt" or not (2**10 <= kdf.n <= 2**20 and 1 <= kdf.r <= 32 and 1 <= kdf.p <= 16):
        raise InputError("unsupported passphrase KDF parameters in the key file", where=str(path))
    try:
        key = load_pem_private_key(blocks[_PRIVATE_LABEL], password=_stretch(passphrase, kdf))
    except ValueError as exc:
        raise InputError(
            "wrong passphrase (or a damaged key file)", where=str(path), code="key.wrong_passphrase"
        ) from exc
    except TypeError as exc:
        raise InputError(f"the key file cannot be unlocked: {exc}", where=str(path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("the key file holds no Ed25519 key", where=str(path))
    if raw_public_key(key) != record.public_key:
        raise IntegrityError(
            "the private key does not match the enrolment record in the file", where=str(path)
        )
    return SigningKey(private_key=key, enrolment=enrolment, record=record)


# ------------------------------------------------------------------------------------------------ .tke files


def write_enrolment_file(path: Path, enrolment: bytes) -> Path:
    """Write a self-signed enrolment message as a `.tke` file (the exact bytes), atomically."""
    open_enrolment(enrolment, where=str(path))
    return atomic_write(path, enrolment)


def read_enrolment_file(path: Path) -> tuple[bytes, EnrolmentRecord]:
    """The message and record of a `.tke` file, self-signature checked."""
    data = _read_limited(path, _MAX_KEY_FILE)
    return data, open_enrolment(data, where=str(path))


# ---------------------------------------------------------------------------------------------- register file


class _RegisterFile(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    register: KeyRegister


def load_register(path: Path, *, election_id: str | None = None) -> KeyRegister:
    """The register in `path`; a missing file is an empty register for `election_id` (when given)."""
    if not path.exists() and election_id is not None:
        return KeyRegister(election_id=election_id)
    data = _read_limited(path, 16 * 1024 * 1024)
    try:
        wrapper = msgspec.json.decode(data, type=_RegisterFile)
    except (msgspec.DecodeError, ValueError) as exc:  # ValueError: bad UTF-8
        raise InputError(f"not a key register: {exc}", where=str(path)) from exc
    if wrapper.format != REGISTER_FORMAT:
        raise InputError(f"register format '{wrapper.format}', expected '{REGISTER_FORMAT}'", where=str(path))
    register = wrapper.register
    check_register(register)
    for entry in register.keys:
        if len(entry.record_digest) != 32:
            raise InputError("an entry has a malformed record digest", where=str(path))
    if election_id is not None and register.election_id != election_id:
        raise StateError(
            f"the register is for election {register.election_id}, not {election_id}", where=str(path)
        )
    return register


def save_register(path: Path, register: KeyRegister) -> Path:
    """Write the register as indented JSON, atomically."""
    check_register(register)
    data = msgspec.json.format(msgspec.json.encode(_RegisterFile(format=REGISTER_FORMAT, register=register)))
    return atomic_write(path, data + b"\n")


class KeyHolder(TypedDict):
    """Whose key an enrolment record names: the body, its election and district."""

    role: Role
    authority_id: str
    authority_name: str
    election_id: str
    district_id: str


def new_enrolment(
    private_key: Ed25519PrivateKey, *, created_at: str, **holder: Unpack[KeyHolder]
) -> tuple[EnrolmentRecord, bytes]:
    """A key's enrolment record and its self-signed bytes: what `key.tke` holds and the sheet's QR carries."""
    record = EnrolmentRecord(
        version=ENROLMENT_VERSION, public_key=raw_public_key(private_key), created_at=created_at, **holder
    )
    return record, sign_enrolment(record, private_key)


def render_enrolment_sheet(
    record: EnrolmentRecord, enrolment: bytes, *, subtitle: str, timestamp: int | None = None
) -> bytes:
    """The key enrolment sheet (PDF): the signed record as QR and the fingerprint in readable groups.

    The sheet goes on paper to the tier above, where the operator compares the fingerprint with the signed
    letter before enrolling the key. QR rendering is imported here, not at module load, so commands that only
    read key files start fast.
    """
    from shared.adapters.sheets import render_sheets

    return render_sheets(
        enrolment,
        title=f"Sleutelregistratie {record.authority_name}",
        subtitle=subtitle,
        fingerprint=readable_fingerprint(record.key_id),
        timestamp=timestamp,
    )


class NewEnrolment(msgspec.Struct, frozen=True, kw_only=True):
    """A new office key's enrolment: the record, its signed bytes (`key.tke`), the fingerprint people compare,
    and the sheet (PDF) that carries it on paper to the tier above."""

    record: EnrolmentRecord
    signed: bytes
    fingerprint: str
    sheet: bytes


def enrol_office_key(
    private_key: Ed25519PrivateKey, *, at: datetime, subtitle: str, **holder: Unpack[KeyHolder]
) -> NewEnrolment:
    """`new_enrolment` and its sheet, both dated `at` (the moment of setup), as every office's init makes
    them: with the same key and `at`, the same bytes."""
    from shared.adapters.pdf import pdf_timestamp  # typst and pdfium: only for commands that print

    record, signed = new_enrolment(private_key, created_at=at.isoformat(), **holder)
    sheet = render_enrolment_sheet(record, signed, subtitle=subtitle, timestamp=pdf_timestamp(at))
    return NewEnrolment(
        record=record, signed=signed, fingerprint=readable_fingerprint(record.key_id), sheet=sheet
    )
