"""Setting up a receiving office: import the election, make the key pair, enrol the tier below's keys.

ARCHITECTURE §1 setup steps 1–3. The 110a and 230b are accepted only after the operator typed two groups of
their hash code from the paper that came with them (spec/eml.md §3); the key pair is made here and the private
key never leaves the state folder; a key of the tier below is enrolled only after a person compared its
fingerprint with the signed paper letter (or a script passed `--expect-fingerprint`). What differs per tier
(its authority id and name, whom it adds up) comes in as an `Identity` chosen from the election.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NotRequired, TypedDict, TypeVar, Unpack

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.files import atomic_write_many
from shared.adapters.keyfiles import enrol_office_key, write_key_file
from shared.adapters.store import set_meta
from shared.domain.election import Election
from shared.domain.keyregister import (
    EnrolmentRecord,
    Role,
    enrol,
    fingerprint_matches,
    parse_fingerprint,
    readable_fingerprint,
)
from shared.errors import InputError, IntegrityError, StateError, TelketenError
from shared.formats.eml.hashcode import check_typed_groups, hash_code, masked_code
from shared.formats.signing import message_digest, open_enrolment
from shared.office.definition import election_from_eml
from shared.office.office import Office

ENROLMENT_FILE = "key.tke"
SHEET_FILE = "sleutelregistratie.pdf"


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    """Who the new office is in this election, and whom it adds up (chosen by the tier from the election)."""

    role: Role
    authority_id: str
    authority_name: str
    district_id: str  # of the enrolment record: '' for an office not bound to one district
    db_name: str
    sheet_subtitle: str
    children: tuple[str, ...]
    children_key: str  # how the audit log's init entry names them: 'municipalities', 'children'
    meta: dict[str, str] = {}  # tier-specific meta values, e.g. {'district_id': '6'}
    log: dict[str, str] = {}  # tier-specific fields of the init entry, e.g. {'district': '6'}


class InitArgs(TypedDict):
    """What every tier's `init` takes besides its own: the two files with the groups typed from their paper,
    where the office sits, the new key's passphrase and the operator."""

    definition: tuple[str, bytes]
    candidates: tuple[str, bytes]
    typed_110a: str
    typed_230b: str
    place: str
    passphrase: bytes
    user: str
    #: further 230b files (name, bytes, the two groups typed from its paper): one per kieskring, as the
    #: Kiesraad publishes a Tweede Kamer's lists
    more_candidates: NotRequired[tuple[tuple[str, bytes, str], ...]]


class Created(msgspec.Struct, frozen=True, kw_only=True):
    """What `init` made, for the operator's screen."""

    state_file: Path
    key_file: Path
    enrolment_file: Path
    sheet_file: Path
    fingerprint: str
    children: tuple[str, ...]


CreatedT = TypeVar("CreatedT", bound=Created)


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


def create_office(
    office_type: type[Office],
    state_dir: Path,
    *,
    identify: Callable[[Election, str], Identity],
    key_file: str,
    result: type[CreatedT],
    at: datetime,
    private_key: Ed25519PrivateKey | None,
    **args: Unpack[InitArgs],
) -> CreatedT:
    """Create the state: definition files (hash-checked), the key pair, its enrolment sheet.

    Returns a `result` (the tier's own `Created`). `identify(election, name of the 110a)` names the office
    and whom it adds up, refusing (InputError) an election it cannot serve. `at` is the moment of setup (the
    enrolment record's `created_at`, the audit log); `private_key` the office's signing key, or None for a
    new one from the operating system's random source. With the same inputs, `at` and key, init writes the
    same enrolment record (`key.tke`) byte for byte. Whatever fails, nothing half-made stays behind: init can
    simply be run again.
    """
    (name_a, a110), (name_b, b230) = args["definition"], args["candidates"]
    check_hash(a110, args["typed_110a"], where=name_a)
    check_hash(b230, args["typed_230b"], where=name_b)
    more = args.get("more_candidates", ())
    for name, data, typed in more:
        check_hash(data, typed, where=name)
    election = election_from_eml(a110, b230, *((n, d) for n, d, _ in more), where=(name_a, name_b))
    who = identify(election, name_a)
    private_key = private_key or Ed25519PrivateKey.generate()
    enrolled = enrol_office_key(
        private_key,
        role=who.role,
        authority_id=who.authority_id,
        authority_name=who.authority_name,
        election_id=election.id,
        district_id=who.district_id,
        at=at,
        subtitle=who.sheet_subtitle,
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / who.db_name
    key_path = state_dir / key_file
    if key_path.exists():
        raise StateError("a key file already exists in this state folder", where=str(key_path))
    conn = office_type.layout.open_db(path, at=at.isoformat(), create=True)
    try:
        office = office_type(state_dir, conn, args["user"], clock=lambda: at)
        with office.transaction():
            meta = {"role": office_type.layout.app, "election_id": election.id, **who.meta}
            meta |= {
                "authority_id": who.authority_id,
                "authority_name": who.authority_name,
                "place": args["place"],
                "key_file": key_file,
            }
            for key, value in meta.items():
                set_meta(conn, key, value)
            for kind, name, data in (("110a", name_a, a110), ("230b", name_b, b230)):
                conn.execute(
                    "INSERT INTO definition (kind, file_name, sha256, content) VALUES (?,?,?,?)",
                    (kind, Path(name).name, hashlib.sha256(data).hexdigest(), data),
                )
            for name, data, _ in more:
                conn.execute(
                    "INSERT INTO more_candidate_lists (file_name, sha256, content) VALUES (?,?,?)",
                    (Path(name).name, hashlib.sha256(data).hexdigest(), data),
                )
            conn.execute(
                "INSERT INTO election_cache (sources, data) VALUES (?, ?)",
                (
                    ":".join(hashlib.sha256(x).hexdigest() for x in (a110, b230, *(d for _, d, _ in more))),
                    msgspec.msgpack.encode(election),
                ),
            )
            office.log(
                "init",
                {
                    "election": election.id,
                    **who.log,
                    "authority": who.authority_id,
                    "110a_sha256": hashlib.sha256(a110).hexdigest(),
                    "230b_sha256": hashlib.sha256(b230).hexdigest(),
                    **(
                        {"more_230b_sha256": [hashlib.sha256(d).hexdigest() for _, d, _ in more]}
                        if more
                        else {}
                    ),
                    "fingerprint": enrolled.fingerprint,
                    who.children_key: list(who.children),
                },
                at,
            )
            write_key_file(key_path, private_key, enrolled.signed, args["passphrase"])
        written = atomic_write_many(state_dir, {ENROLMENT_FILE: enrolled.signed, SHEET_FILE: enrolled.sheet})
    except BaseException:
        conn.close()
        _remove_partial(path, key_path)
        raise
    conn.close()
    return result(
        state_file=path,
        key_file=key_path,
        enrolment_file=written[0],
        sheet_file=written[1],
        fingerprint=enrolled.fingerprint,
        children=who.children,
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
    """Enrol the tier below's keys from their self-signed records, each confirmed by its fingerprint.

    A key is only for an authority this office adds up, for its own district and this election
    (`Office.key_scope_problem`); the operator types the first groups of the fingerprint from the signed
    letter (`ask`), or a script passes them in `expected`.
    """
    for e in expected:
        parse_fingerprint(e)
    out: list[Enrolled] = []
    for source, message in messages:
        record = open_enrolment(message, where=source)
        show(record)
        fp = readable_fingerprint(record.key_id)
        problem = office.key_scope_problem(record)
        if problem is not None:
            raise InputError(problem, where=source)
        _confirm(record.key_id, expected, ask, where=source)
        register = office.register()
        at = office.now()
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
