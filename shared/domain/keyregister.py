"""Which signing key speaks for which authority, and whether a received summary may be accepted.

The receiving tier keeps one register per election (ARCHITECTURE §1, setup step 3): every key of the tier
below, enrolled from its enrolment sheet after a person compared the fingerprint with the signed paper letter.
A scanned summary is only added up when its key is registered, for the election, district and authority that
the summary itself claims, and when it is newer than what was already accepted from that authority
(ARCHITECTURE §4).

Why the rules: the Kieswet makes each body establish and sign its own totals (the municipality in a public
session, art. Na 31; the hoofdstembureau, art. O 3; the central polling office, art. P 22): a key that speaks
for municipality 0668 must never deliver the numbers of 0669. A corrigendum (art. Na 14: corrected results
after an investigation, in a next session) replaces exactly one earlier result, so it must name that result.

Pure: the register and the rules are values and functions; reading and writing register files is done by
`shared.adapters.keyfiles`, the time of an enrolment is passed in.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from typing import Annotated

import msgspec

from shared.errors import InputError, StateError

#: Length of a key id: the first 16 bytes of the SHA-256 of the raw 32-byte Ed25519 public key.
KEY_ID_LEN = 16
PUBLIC_KEY_LEN = 32
DIGEST_LEN = 32

PublicKeyBytes = Annotated[bytes, msgspec.Meta(min_length=PUBLIC_KEY_LEN, max_length=PUBLIC_KEY_LEN)]
KeyId = Annotated[bytes, msgspec.Meta(min_length=KEY_ID_LEN, max_length=KEY_ID_LEN)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]


class Role(enum.StrEnum):
    """The tier of an issuing body (GLOSSARY: bodies and tiers)."""

    MUNICIPALITY = "municipality"
    HOOFDSTEMBUREAU = "hoofdstembureau"
    CENTRAL = "central"


def key_id_of(public_key: bytes) -> bytes:
    """The key id (fingerprint) of a raw Ed25519 public key: short enough to print, too long to collide."""
    if len(public_key) != PUBLIC_KEY_LEN:
        raise InputError(
            f"a public key has {PUBLIC_KEY_LEN} bytes, this one {len(public_key)}", where="public key"
        )
    return hashlib.sha256(public_key).digest()[:KEY_ID_LEN]


def readable_fingerprint(key_id: bytes) -> str:
    """A key id as groups of 4 hex digits, the form printed on the enrolment sheet and the paper letter."""
    h = key_id.hex()
    return " ".join(h[i : i + 4] for i in range(0, len(h), 4))


def parse_fingerprint(text: str, *, min_groups: int = 4) -> str:
    """Typed fingerprint groups → lowercase hex prefix; spaces, dashes and case do not matter.

    At least `min_groups` groups of 4 are required: fewer would let a look-alike key pass a lazy comparison.
    """
    cleaned = "".join(ch for ch in text.strip().lower() if ch not in " -:\t")
    if not cleaned or any(ch not in "0123456789abcdef" for ch in cleaned):
        raise InputError(f"'{text}' is not hex digits in groups of 4", where="fingerprint")
    if len(cleaned) % 4 or len(cleaned) < 4 * min_groups:
        raise InputError(
            f"type at least the first {min_groups} whole groups of 4 hex digits (got {len(cleaned)} digits)",
            where="fingerprint",
        )
    if len(cleaned) > 2 * KEY_ID_LEN:
        raise InputError(f"a fingerprint has {KEY_ID_LEN // 2} groups, more were typed", where="fingerprint")
    return cleaned


def fingerprint_matches(key_id: bytes, typed: str, *, min_groups: int = 4) -> bool:
    """Whether the typed groups are the start of the key's fingerprint."""
    return key_id.hex().startswith(parse_fingerprint(typed, min_groups=min_groups))


class EnrolmentRecord(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """What a tier publishes about its key: who it is, for which election and district, and the public key.

    `district_id` is "" for a body that is not bound to one district (central, or a single-district election).
    `created_at` is an ISO 8601 timestamp passed in by the caller. The record travels self-signed
    (`shared.formats.signing.sign_enrolment`), which proves possession of the private key, not identity:
    identity is the fingerprint compared against the signed paper letter.
    """

    version: int
    role: Role
    authority_id: ShortText
    authority_name: ShortText
    election_id: ShortText
    district_id: ShortText
    public_key: PublicKeyBytes
    created_at: ShortText

    @property
    def key_id(self) -> bytes:
        return key_id_of(self.public_key)


ENROLMENT_VERSION = 1


class RegisteredKey(msgspec.Struct, frozen=True, kw_only=True):
    """One enrolled key: the record as received, when it was enrolled and the digest of the signed record."""

    record: EnrolmentRecord
    enrolled_at: str
    record_digest: bytes

    @property
    def key_id(self) -> bytes:
        return self.record.key_id

    @property
    def issuer(self) -> Issuer:
        return Issuer(self.record.role, self.record.authority_id, self.record.district_id)


class Issuer(msgspec.Struct, frozen=True, array_like=True):
    """An issuing body as the acceptance rules see it: role, authority id and the district it reports for."""

    role: Role
    authority_id: str
    district_id: str

    def __str__(self) -> str:
        district = f", district {self.district_id}" if self.district_id else ""
        return f"{self.role.value} {self.authority_id}{district}"


class KeyRegister(msgspec.Struct, frozen=True, kw_only=True):
    """The keys one receiving tier trusts, for one election."""

    election_id: str
    keys: tuple[RegisteredKey, ...] = ()

    def lookup(self, key_id: bytes) -> RegisteredKey | None:
        for k in self.keys:
            if k.key_id == key_id:
                return k
        return None

    def for_issuer(self, issuer: Issuer) -> RegisteredKey | None:
        for k in self.keys:
            if k.issuer == issuer:
                return k
        return None


def check_register(register: KeyRegister) -> None:
    """The invariants of a register read from outside: one election, unique keys, one key per issuer."""
    seen_keys: set[bytes] = set()
    seen_issuers: set[Issuer] = set()
    for k in register.keys:
        where = f"key {readable_fingerprint(k.key_id)}"
        if k.record.election_id != register.election_id:
            raise InputError(
                f"enrolled for election {k.record.election_id}, the register is for {register.election_id}",
                where=where,
            )
        if k.key_id in seen_keys:
            raise InputError("enrolled twice", where=where)
        if k.issuer in seen_issuers:
            raise InputError(f"a second key for {k.issuer}", where=where)
        seen_keys.add(k.key_id)
        seen_issuers.add(k.issuer)


def enrol(
    register: KeyRegister,
    record: EnrolmentRecord,
    *,
    enrolled_at: str,
    record_digest: bytes,
    replace: bool = False,
) -> KeyRegister:
    """The register with `record`'s key added.

    Refuses a record for another election, and a second key for the same body unless `replace` is given (a
    body that lost its machine enrols a new key; the old one then stops speaking for it). Enrolling the same
    key again returns the register unchanged.
    """
    where = f"enrolment {record.authority_id} ({readable_fingerprint(record.key_id)})"
    if record.election_id != register.election_id:
        raise StateError(
            f"the key is for election {record.election_id}, this register is for {register.election_id}",
            where=where,
        )
    existing = register.lookup(record.key_id)
    if existing is not None:
        if existing.record == record:
            return register
        raise StateError(f"this key is already enrolled for {existing.issuer}", where=where)
    entry = RegisteredKey(record=record, enrolled_at=enrolled_at, record_digest=record_digest)
    other = register.for_issuer(entry.issuer)
    if other is not None and not replace:
        raise StateError(
            f"{entry.issuer} already has key {readable_fingerprint(other.key_id)}; enrol with --replace to "
            "replace it",
            where=where,
        )
    kept = tuple(k for k in register.keys if k.issuer != entry.issuer)
    return KeyRegister(election_id=register.election_id, keys=(*kept, entry))


# ------------------------------------------------------------------------------------------------ acceptance


class Reason(enum.StrEnum):
    """Why a received summary is refused (ARCHITECTURE §4): each has a Dutch and an English text."""

    UNKNOWN_KEY = "unknown_key"
    WRONG_ELECTION = "wrong_election"
    WRONG_DISTRICT = "wrong_district"
    WRONG_ISSUER = "wrong_issuer"
    DUPLICATE = "duplicate"
    NOT_NEWER = "not_newer"
    SUPERSEDES_MISSING = "supersedes_missing"
    SUPERSEDES_WRONG = "supersedes_wrong"


_TEXTS: dict[Reason, tuple[str, str]] = {
    Reason.UNKNOWN_KEY: (
        "onbekende sleutel {key}: niet geregistreerd voor deze verkiezing",
        "unknown key {key}: not enrolled for this election",
    ),
    Reason.WRONG_ELECTION: (
        "hoort bij verkiezing {found}, verwacht {expected}",
        "belongs to election {found}, expected {expected}",
    ),
    Reason.WRONG_DISTRICT: (
        "hoort bij kieskring {found}, verwacht {expected}",
        "belongs to district {found}, expected {expected}",
    ),
    Reason.WRONG_ISSUER: (
        "afzender {found}, maar sleutel {key} is geregistreerd voor {expected}",
        "issuer {found}, but key {key} is enrolled for {expected}",
    ),
    Reason.DUPLICATE: (
        "deze samenvatting van {found} is al ontvangen",
        "this summary of {found} was already received",
    ),
    Reason.NOT_NEWER: (
        "zitting {found} is niet nieuwer dan de al aanvaarde zitting {expected}",
        "session {found} is not newer than the already accepted session {expected}",
    ),
    Reason.SUPERSEDES_MISSING: (
        "corrigendum (zitting {found}) noemt niet de samenvatting die het vervangt",
        "corrigendum (session {found}) does not name the summary it supersedes",
    ),
    Reason.SUPERSEDES_WRONG: (
        "vervangt samenvatting {found}, maar de aanvaarde samenvatting is {expected}",
        "supersedes summary {found}, but the accepted summary is {expected}",
    ),
}


class Refusal(msgspec.Struct, frozen=True):
    """A refused summary: the reason code and the values the message names."""

    reason: Reason
    found: str = ""
    expected: str = ""
    key: str = ""

    def text(self, lang: str = "nl") -> str:
        """The message in Dutch ("nl", for the operator's screen and printed lists) or English ("en")."""
        nl, en = _TEXTS[self.reason]
        template = nl if lang == "nl" else en
        return template.format(found=self.found, expected=self.expected, key=self.key)

    def __str__(self) -> str:
        return self.text("en")


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """What a verified summary says about itself, plus the key that signed it and its digest."""

    key_id: bytes
    digest: bytes
    election_id: str
    district_id: str
    role: Role
    authority_id: str
    phase: int
    supersedes: bytes


class Accepted(msgspec.Struct, frozen=True, array_like=True):
    """The summary currently accepted from one issuer: its phase and digest."""

    phase: int
    digest: bytes


class Receiver(msgspec.Struct, frozen=True, kw_only=True):
    """The receiving tier: its election, its district ("" = any, for central), the role it receives."""

    election_id: str
    district_id: str
    child_role: Role


def _short(digest: bytes) -> str:
    return readable_fingerprint(digest[:8]) if digest else "(geen)"


def check_acceptance(
    register: KeyRegister, receiver: Receiver, claim: Claim, accepted: Mapping[Issuer, Accepted]
) -> Refusal | None:
    """None when the summary may be accepted, otherwise the first rule it breaks.

    `accepted` maps each issuer (as `RegisteredKey.issuer`) to the summary already accepted from it. The order
    of the checks gives the most useful message first: a key we do not know says nothing about anything else.
    """
    entry = register.lookup(claim.key_id)
    key = readable_fingerprint(claim.key_id)
    if entry is None:
        return Refusal(Reason.UNKNOWN_KEY, key=key)
    rec = entry.record
    if claim.election_id != receiver.election_id:
        return Refusal(Reason.WRONG_ELECTION, found=claim.election_id, expected=receiver.election_id, key=key)
    if rec.election_id != claim.election_id:
        return Refusal(Reason.WRONG_ELECTION, found=claim.election_id, expected=rec.election_id, key=key)
    if receiver.district_id and claim.district_id != receiver.district_id:
        return Refusal(Reason.WRONG_DISTRICT, found=claim.district_id, expected=receiver.district_id, key=key)
    if rec.district_id and claim.district_id != rec.district_id:
        return Refusal(Reason.WRONG_DISTRICT, found=claim.district_id, expected=rec.district_id, key=key)
    claimed = Issuer(claim.role, claim.authority_id, rec.district_id)
    if claimed != entry.issuer:
        return Refusal(Reason.WRONG_ISSUER, found=str(claimed), expected=str(entry.issuer), key=key)
    if claim.role != receiver.child_role:
        return Refusal(Reason.WRONG_ISSUER, found=str(claimed), expected=receiver.child_role.value, key=key)
    previous = accepted.get(entry.issuer)
    if previous is not None and previous.digest == claim.digest:
        return Refusal(Reason.DUPLICATE, found=str(claimed), key=key)
    if previous is not None and claim.phase <= previous.phase:
        return Refusal(Reason.NOT_NEWER, found=str(claim.phase), expected=str(previous.phase), key=key)
    if claim.phase > 0 and not claim.supersedes:
        return Refusal(Reason.SUPERSEDES_MISSING, found=str(claim.phase), key=key)
    if claim.phase == 0 and claim.supersedes:
        return Refusal(Reason.SUPERSEDES_WRONG, found=_short(claim.supersedes), expected=_short(b""), key=key)
    if previous is not None and claim.supersedes != previous.digest:
        return Refusal(
            Reason.SUPERSEDES_WRONG, found=_short(claim.supersedes), expected=_short(previous.digest), key=key
        )
    return None
