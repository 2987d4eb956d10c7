"""Setting up a municipality (import, key, enrolment sheet) and finalising a session (outputs + record).

Service-level functions, like municipality.service: no arguments parsed, nothing printed, time and secrets
passed in. They live apart from the service because they touch more than the state file: key files, PDFs, and
the output folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality import publication
from municipality.dso import DEFAULT_COUNTING
from municipality.finalise import build_outputs
from municipality.investigation import Investigation
from municipality.service import Service, SourceFile, User, sha256_hex
from municipality.state import db_name
from shared.adapters import audit
from shared.adapters.files import atomic_write, atomic_write_many
from shared.adapters.keyfiles import (
    ENROLMENT_SUFFIX,
    KEY_SUFFIX,
    enrol_office_key,
    write_key_file,
)
from shared.adapters.store import transaction
from shared.domain.election import Election, Station
from shared.domain.keyregister import (
    Role,
    key_id_of,
)
from shared.errors import InputError, StateError
from shared.formats import dutch
from shared.formats.eml.build import build_election, naming_files
from shared.formats.eml.hashcode import check_typed_groups, digest, masked_code
from shared.formats.eml.read import read_110a, read_110b, read_230b
from shared.formats.signing import open_enrolment, raw_public_key

Ask = Callable[[str], str]


def confirm_hash(kind: str, path: Path, data: bytes, typed: Sequence[str] | None, *, ask: Ask | None) -> None:
    """The typed two-group check of an imported file (spec/eml.md §3); asks when the groups are not given."""
    if typed is None:
        if ask is None:
            raise InputError(
                f"give --hash-{kind} G1 G2: the two groups printed on the paper that came with the file",
                where=str(path),
            )
        shown = masked_code(digest(data))
        first = ask(f"{path.name}\n  {shown}\n  first missing group: ")
        second = ask("  second missing group: ")
        typed = (first, second)
    if len(typed) != 2:
        raise InputError("type exactly two groups", where=f"--hash-{kind}")
    try:
        check_typed_groups(data, (typed[0], typed[1]))
    except InputError as exc:
        raise type(exc)(exc.message, where=f"{path.name} {exc.where}") from None


def source_of(kind: str, path: Path, data: bytes) -> SourceFile:
    return SourceFile(kind=kind, name=path.name, sha256=sha256_hex(data))


def election_from_files(files: Mapping[str, tuple[Path, bytes]]) -> Election:
    """The election of the 110a, 230b and 110b (kind → (path, bytes)); every error names the file."""
    names = {kind: path.name for kind, (path, _) in files.items()}
    definition = read_110a(files["110a"][1], names["110a"])
    candidates = read_230b(files["230b"][1], names["230b"])
    stations = read_110b(files["110b"][1], names["110b"])
    with naming_files(names):
        return build_election(definition, [candidates], [stations])


def with_electorate(election: Election, code: str, electorate: int | None) -> tuple[Election, str | None]:
    """The election with the municipality's electorate (Z): the one entered at init, else the 110b's MaxVotes.

    Returns a note when the stations' own numbers had to go (`Municipality.with_electorate`)."""
    m = election.municipality(code)
    value = electorate if electorate is not None else m.electorate
    if value is None:
        return election, None
    updated, dropped = m.with_electorate(value)
    note = None
    if dropped is not None:
        note = (
            f"the 110b's stations add up to {dropped} eligible voters, the municipality has {value}: "
            "the stations are written with Cast 0, as in a Tweede Kamer 510b"
        )
    return election.with_municipality(updated), note


def choose_municipality(election: Election, code: str | None) -> str:
    """The municipality to set up: the one asked for, or the only one that has stations."""
    if code:
        return code
    with_stations = [m.code for m in election.municipalities if m.stations]
    if len(with_stations) != 1:
        raise InputError("say which municipality with --municipality CODE", where="--municipality")
    return with_stations[0]


class InitResult(msgspec.Struct, frozen=True, kw_only=True):
    db_path: Path
    key_path: Path
    sheet_path: Path
    fingerprint: str


def key_base(svc_or_election: Election, code: str) -> str:
    return db_name(svc_or_election.id, code).removesuffix(".telketen.sqlite")


def key_path(svc: Service) -> Path:
    """Where the municipality's encrypted signing key is kept: beside the state file."""
    return svc.path.parent / f"{key_base(svc.election, svc.municipality.code)}{KEY_SUFFIX}"


def initialise(
    state_dir: Path,
    election: Election,
    code: str,
    *,
    sources: Sequence[SourceFile],
    passphrase: bytes,
    at: datetime,
    private_key: Ed25519PrivateKey | None = None,
    counting: str = DEFAULT_COUNTING,
) -> InitResult:
    """Create the state file, the signing key (encrypted) and its enrolment sheet PDF.

    The key pair is generated here unless given (tests pass one to stay fast and reproducible). `counting`
    is the counting method (municipality.dso), fixed for the election.
    """
    svc = Service.create(state_dir, election, code, sources=sources, at=at.isoformat(), counting=counting)
    m = svc.municipality
    key = private_key or Ed25519PrivateKey.generate()
    enrolled = enrol_office_key(
        key,
        role=Role.MUNICIPALITY,
        authority_id=m.code,
        authority_name=m.name,
        election_id=election.id,
        district_id=m.district_id,
        at=at,
        subtitle=f"gemeente {m.code}, verkiezing {election.id}, {election.name} "
        f"({dutch.long_date(election.date)})",
    )
    base = key_base(election, m.code)
    kpath = write_key_file(key_path(svc), key, enrolled.signed, passphrase)
    atomic_write(state_dir / f"{base}{ENROLMENT_SUFFIX}", enrolled.signed)
    sheet_path = atomic_write(state_dir / f"{base}-sleutelregistratie.pdf", enrolled.sheet)
    with transaction(svc.conn):
        svc.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?)", (enrolled.record.key_id.hex(),)
        )
        audit.append_event(
            svc.conn,
            at=at.isoformat(),
            user="init",
            action="key-new",
            payload={"fingerprint": enrolled.fingerprint},
        )
    path = svc.path
    svc.close()
    return InitResult(db_path=path, key_path=kpath, sheet_path=sheet_path, fingerprint=enrolled.fingerprint)


#: The enrolment record in the output folder, so the folder can be published as is (docs/municipality.md).
PUBLISHED_KEY_FILE = "key.tke"


def enrolment_of(svc: Service, private_key: Ed25519PrivateKey) -> bytes:
    """The municipality's self-signed enrolment record, checked to belong to the signing key in hand."""
    path = svc.path.parent / f"{key_base(svc.election, svc.municipality.code)}{ENROLMENT_SUFFIX}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StateError(
            f"the enrolment record is missing: {exc.strerror}",
            where=str(path),
            code="finalise.enrolment_missing",
            params={"path": path},
        ) from None
    if open_enrolment(data, where=str(path)).public_key != raw_public_key(private_key):
        raise InputError(
            "the enrolment record is not for this signing key", where=str(path), code="finalise.wrong_key"
        )
    return data


class FinaliseResult(msgspec.Struct, frozen=True, kw_only=True):
    paths: list[Path]
    eml_hash: str
    digest: str
    phase: int


def finalise(
    svc: Service,
    user: User,
    out: Path,
    private_key: Ed25519PrivateKey,
    *,
    at: datetime,
    also: Mapping[str, bytes] | None = None,
) -> FinaliseResult:
    """Finalise the current session: write 510b, CSV, PDF (Na 31-2 or Na 14-2), .tks and the signed manifest
    of them (with `also`: imported files the municipality publishes itself, its 110b); record and audit it."""
    Service.require(user, "coordinator")
    session = svc.current_session()
    if svc.session_finalised(session):
        raise StateError(
            f"session {session} is already finalised", code="session.finalised", params={"session": session}
        )
    fingerprint = svc.meta("key_fingerprint")
    if raw_key_id(private_key) != fingerprint:
        raise InputError(
            "this signing key is not the municipality's enrolled key", where="key", code="finalise.wrong_key"
        )
    checked = svc.check_investigations() if session > 1 else []
    results = svc.definitive_results()
    svc.prove_definitive_reports()
    previous_row = svc.conn.execute(
        "SELECT phase, summary_digest FROM outputs ORDER BY session DESC LIMIT 1"
    ).fetchone()
    if session > 1 and previous_row is None:  # pragma: no cover - a next session needs a finalised one
        raise StateError("no earlier output to correct")
    previous = None
    investigations: list[tuple[Station, Investigation]] = []
    if previous_row is not None:
        previous = [(st, svc.definitive_report(st, before=session)) for st, _ in results]
        investigations = [(svc.station(inv.station), inv) for inv in checked]
        if not investigations:
            raise StateError(
                f"no station is under investigation in session {session}: nothing to correct",
                code="finalise.no_investigation",
                params={"session": session},
            )
    phase = 0 if previous_row is None else int(previous_row[0]) + 1
    supersedes = b"" if previous_row is None else bytes.fromhex(previous_row[1])
    head = audit.head(svc.conn)
    outputs = build_outputs(
        svc.election,
        svc.municipality,
        results,
        at=at,
        private_key=private_key,
        phase=phase,
        supersedes=supersedes,
        previous=previous,
        investigations=investigations,
        audit_head=head,
        session_text=f"{dutch.long_date(at.date().isoformat())} {at:%H:%M} uur",
        counting=svc.counting,
    )
    enrolment = enrolment_of(svc, private_key)
    files = publication.with_manifest(
        svc,
        {**outputs.files, PUBLISHED_KEY_FILE: enrolment},
        enrolment,
        private_key,
        at=at,
        also=also or {},
    )
    existing = [name for name in files if (out / name).exists()]
    if existing:
        raise StateError(
            f"the output folder already has {', '.join(existing)}; choose an empty folder",
            where=str(out),
            code="finalise.output_exists",
            params={"folder": out, "files": ", ".join(existing)},
        )
    paths = atomic_write_many(out, files)
    stamp = at.isoformat()
    with transaction(svc.conn):
        svc.conn.execute(
            "INSERT INTO outputs (session, phase, created_at, created_by, summary_digest, eml_sha256, "
            "signed_message, totals, folder) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session,
                phase,
                stamp,
                user.name,
                outputs.digest,
                outputs.eml_sha256,
                outputs.signed,
                msgspec.json.encode(outputs.totals).decode("utf-8"),
                str(out),
            ),
        )
        svc.conn.execute("UPDATE sessions SET finalised_at = ? WHERE number = ?", (stamp, session))
        audit.append_event(
            svc.conn,
            at=stamp,
            user=user.name,
            action="finalise",
            payload={
                "session": session,
                "phase": phase,
                "eml_sha256": outputs.eml_sha256,
                "summary_digest": outputs.digest,
                "supersedes": supersedes.hex(),
                "printed_audit_head": [head[0], head[1]],
                "files": sorted(files),
            },
        )
    return FinaliseResult(paths=paths, eml_hash=outputs.eml_sha256, digest=outputs.digest, phase=phase)


def raw_key_id(private_key: Ed25519PrivateKey) -> str:
    return key_id_of(raw_public_key(private_key)).hex()
