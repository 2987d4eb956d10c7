"""Password hashing for the users of a tier app (typists, coordinators).

scrypt (memory-hard, in the standard library) with a random 16-byte salt per password; the stored form is
self-describing (`scrypt$n$r$p$salt$hash`, base64) so the cost can be raised later without breaking old
hashes. Verification recomputes with the stored parameters and compares in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from shared.errors import InputError

#: scrypt cost: 2**14 × 8 × 128 B = 16 MiB memory, ~50 ms on a laptop: slow for guessing, fine for a login.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_LEN = 32
MIN_LENGTH = 8


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N) -> str:
    """The stored form of `password`; refuses passwords shorter than MIN_LENGTH characters."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"a password needs at least {MIN_LENGTH} characters", where="password")
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_LEN, maxmem=2**26
    )
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`; a malformed stored value never matches (and never raises)."""
    try:
        scheme, n_s, r_s, p_s, salt_s, digest_s = stored.split("$")
        if scheme != "scrypt":
            return False
        n, r, p = int(n_s), int(r_s), int(p_s)
        salt = base64.b64decode(salt_s, validate=True)
        expected = base64.b64decode(digest_s, validate=True)
        if n < 2 or n > 2**20 or r < 1 or r > 32 or p < 1 or p > 16 or not expected:
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**28
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


#: What an unknown name is checked against: the stored form of a random password nobody kept, with the
#: current cost parameters (a literal, so no login pays for making it).
DUMMY_HASH = "scrypt$16384$8$1$bq8fGqtB7JxYNFbLh73NQw==$eibEJtgg5niTNmPTbd63rpUxtVwzO3Wx8Rm+7jTaCkU="


def check_password(password: str, stored: str | None) -> bool:
    """`verify_password`, with the same scrypt work when there is no such user (`stored` None): the time of a
    login does not tell whether the name exists."""
    if stored is None:
        verify_password(password, DUMMY_HASH)
        return False
    return verify_password(password, stored)
