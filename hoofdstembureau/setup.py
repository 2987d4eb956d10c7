"""Setting up a hoofdstembureau: import the election, make the key pair, enrol the municipalities' keys.

ARCHITECTURE §1 setup steps 1–3. The 110a and 230b are accepted only after the operator typed two groups of
their hash code from the paper that came with them (spec/eml.md §3); the key pair is made here and the private
key never leaves the state folder; a municipality's key is enrolled only after a person compared its
fingerprint with the signed paper letter (or a script passed `--expect-fingerprint`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hoofdstembureau import state
from hoofdstembureau.definition import election_from_eml
from hoofdstembureau.office import ROLE, Office, now
from shared.adapters.files import atomic_write, atomic_write_many
from shared.adapters.keyfiles import write_key_file
from shared.adapters.sheets import render_sheets
from shared.domain.election import Election
from shared.domain.keyregister import (
    ENROLMENT_VERSION,
    EnrolmentRecord,
    Role,
    enrol,
    fingerprint_matches,
    parse_fingerprint,
    readable_fingerprint,
)
from shared.errors import InputError, IntegrityError, StateError, TelketenError
from shared.formats.eml.hashcode import check_typed_groups, hash_code, masked_code
from shared.formats.signing import message_digest, open_enrolment, raw_public_key, sign_enrolment

KEY_FILE = "hoofdstembureau.key"
ENROLMENT_FILE = "key.tke"
SHEET_FILE = "sleutelregistratie.pdf"


class InitResult(msgspec.Struct, frozen=True, kw_only=True):
    state_file: Path
    key_file: Path
    enrolment_file: Path
    sheet_file: Path
    fingerprint: str
    municipalities: tuple[str, ...]


def parse_groups(text: str, *, where: str) -> tuple[str, str]:
    """'abcd 1234' (or 'abcd1234') → ('abcd', '1234'): the two blanked groups typed from the paper."""
    cleaned = "".join(text.split()).lower()
    if len(cleaned) != 8:
        raise InputError(f"type the two blanked groups of 4 hex digits, got {text!r}", where=where)
    return cleaned[:4], cleaned[4:]


def check_hash(data: bytes, typed: str, *, where: str) -> None:
    """The typed two-group check of an imported EML file (spec/eml.md §3), naming the file on failure."""
    try:
        check_typed_groups(data, parse_groups(typed, where=where))
    except TelketenError as exc:
        raise type(exc)(f"{exc.message} (hash code {hash_code(data)})", where=where) from None


def ask_groups(data: bytes, name: str, ask: Callable[[str], str] | None) -> str:
    """Show the hash code with two groups blanked and let the operator type them from the paper."""
    if ask is None:
        raise InputError(
            "not at a terminal: give the two blanked hash groups with --hash-110a / --hash-230b", where=name
        )
    return ask(
        f"{name}\n  hash code: {masked_code(hashlib.sha256(data).digest())}\n  type the two blanked groups: "
    )


def authority_of(district_id: str) -> str:
    """The EML authority id of a district's hoofdstembureau: `HSB6` for kieskring 6."""
    if not district_id.isdigit():
        raise InputError(f"a kieskring is a number (1, 2, …), not '{district_id}'", where="--district")
    return f"HSB{int(district_id)}"


def init(
    state_dir: Path,
    *,
    definition: tuple[str, bytes],
    candidates: tuple[str, bytes],
    typed_110a: str,
    typed_230b: str,
    district_id: str,
    place: str,
    passphrase: bytes,
    user: str,
) -> InitResult:
    """Create the state: definition files (hash-checked), the district, the key pair, its enrolment sheet."""
    (name_a, a110), (name_b, b230) = definition, candidates
    check_hash(a110, typed_110a, where=name_a)
    check_hash(b230, typed_230b, where=name_b)
    election: Election = election_from_eml(a110, b230, where=(name_a, name_b))
    authority_id = authority_of(district_id)
    try:
        district = election.district(district_id)
    except KeyError:
        known = ", ".join(d.id for d in election.districts)
        raise InputError(
            f"kieskring {district_id} is not in the 230b (it has {known})", where="--district"
        ) from None
    municipalities = tuple(m.code for m in election.municipalities if m.district_id == district.id)
    if not municipalities:
        raise InputError(f"the 110a names no municipality in kieskring {district_id}", where=name_a)
    at = now()
    private_key = Ed25519PrivateKey.generate()
    authority_name = f"Hoofdstembureau kieskring {district_id}" + (
        f" {district.name}" if district.name else ""
    )
    record = EnrolmentRecord(
        version=ENROLMENT_VERSION,
        role=Role.HOOFDSTEMBUREAU,
        authority_id=authority_id,
        authority_name=authority_name,
        election_id=election.id,
        district_id=district.id,
        public_key=raw_public_key(private_key),
        created_at=at.isoformat(),
    )
    enrolment = sign_enrolment(record, private_key)
    fingerprint = readable_fingerprint(record.key_id)
    sheet = render_sheets(
        enrolment,
        title=f"Sleutelregistratie {authority_name}",
        subtitle=f"hoofdstembureau {authority_id}, verkiezing {election.id}, kieskring {district.id}",
        fingerprint=fingerprint,
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / state.db_name(election.id, district.id)
    key_path = state_dir / KEY_FILE
    if key_path.exists():
        raise StateError("a key file already exists in this state folder", where=str(key_path))
    conn = state.open_db(path, at=at.isoformat(), create=True)
    try:
        office = Office(state_dir, conn, user)
        with office.transaction():
            for key, value in {
                "role": ROLE,
                "election_id": election.id,
                "district_id": district.id,
                "authority_id": authority_id,
                "authority_name": authority_name,
                "place": place,
                "key_file": KEY_FILE,
            }.items():
                state.set_meta(conn, key, value)
            for kind, name, data in (("110a", name_a, a110), ("230b", name_b, b230)):
                conn.execute(
                    "INSERT INTO definition (kind, file_name, sha256, content) VALUES (?,?,?,?)",
                    (kind, Path(name).name, hashlib.sha256(data).hexdigest(), data),
                )
            conn.execute(
                "INSERT INTO election_cache (sources, data) VALUES (?, ?)",
                (
                    f"{hashlib.sha256(a110).hexdigest()}:{hashlib.sha256(b230).hexdigest()}",
                    msgspec.msgpack.encode(election),
                ),
            )
            office.log(
                "init",
                {
                    "election": election.id,
                    "district": district.id,
                    "authority": authority_id,
                    "110a_sha256": hashlib.sha256(a110).hexdigest(),
                    "230b_sha256": hashlib.sha256(b230).hexdigest(),
                    "fingerprint": fingerprint,
                    "municipalities": list(municipalities),
                },
                at,
            )
            write_key_file(key_path, private_key, enrolment, passphrase)
        written = atomic_write_many(state_dir, {ENROLMENT_FILE: enrolment, SHEET_FILE: sheet})
    except BaseException:
        conn.close()
        _remove_partial(path, key_path)  # nothing half-made: init can simply be run again
        raise
    conn.close()
    return InitResult(
        state_file=path,
        key_file=key_path,
        enrolment_file=written[0],
        sheet_file=written[1],
        fingerprint=fingerprint,
        municipalities=municipalities,
    )


def _remove_partial(path: Path, key_path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), key_path):
        p.unlink(missing_ok=True)


class Enrolled(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    authority: str
    fingerprint: str
    already: bool


def enrol_messages(
    office: Office,
    messages: Sequence[tuple[str, bytes]],
    *,
    expected: Sequence[str],
    ask: Callable[[str], str] | None,
    show: Callable[[EnrolmentRecord], None],
    replace: bool = False,
) -> list[Enrolled]:
    """Enrol municipalities' keys from their self-signed records, each confirmed by its fingerprint.

    A key is only for a municipality of this district and this election; the operator types the first groups
    of the fingerprint from the signed letter (`ask`), or a script passes them in `expected`.
    """
    for e in expected:
        parse_fingerprint(e)
    municipalities = set(office.municipalities())
    out: list[Enrolled] = []
    for source, message in messages:
        record = open_enrolment(message, where=source)
        show(record)
        fp = readable_fingerprint(record.key_id)
        if record.role is not Role.MUNICIPALITY or record.authority_id not in municipalities:
            raise InputError(
                f"the key is for {record.role.value} {record.authority_id}, not for a municipality of "
                f"kieskring {office.district_id}",
                where=source,
            )
        if record.district_id and record.district_id != office.district_id:
            raise InputError(
                f"the key is for kieskring {record.district_id}, this is kieskring {office.district_id}",
                where=source,
            )
        _confirm(record.key_id, expected, ask, where=source)
        register = office.register()
        at = now()
        updated = enrol(
            register,
            record,
            enrolled_at=at.isoformat(),
            record_digest=message_digest(message),
            replace=replace,
        )
        already = updated is register
        if not already:
            with office.transaction():
                if replace:
                    office.conn.execute("DELETE FROM register WHERE authority_id = ?", (record.authority_id,))
                office.conn.execute(
                    "INSERT INTO register (key_id, authority_id, record, enrolled_at, enrolled_by) "
                    "VALUES (?,?,?,?,?)",
                    (record.key_id.hex(), record.authority_id, message, at.isoformat(), office.user),
                )
                office.log(
                    "key_enrolled",
                    {
                        "source": source,
                        "authority": record.authority_id,
                        "fingerprint": fp,
                        "replace": replace,
                    },
                    at,
                )
        out.append(Enrolled(source=source, authority=record.authority_id, fingerprint=fp, already=already))
    return out


def _confirm(key_id: bytes, expected: Sequence[str], ask: Callable[[str], str] | None, *, where: str) -> None:
    if expected:
        if any(fingerprint_matches(key_id, e) for e in expected):
            return
        raise IntegrityError(
            f"fingerprint {readable_fingerprint(key_id)} does not start with any --expect-fingerprint",
            where=where,
        )
    if ask is None:
        raise InputError(
            "not at a terminal: give --expect-fingerprint with the first 4 groups from the signed letter",
            where=where,
        )
    typed = ask("Type the first 4 groups of the fingerprint from the signed letter: ")
    if not fingerprint_matches(key_id, typed):
        raise IntegrityError("the typed fingerprint does not match this key: not enrolled", where=where)


def write_enrolment_copy(office: Office, out: Path) -> Path:
    """Copy this office's own enrolment record (for publication)."""
    return atomic_write(out, (office.state_dir / ENROLMENT_FILE).read_bytes())
