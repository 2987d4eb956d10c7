"""`telketen keys`: make a tier's key pair, show key files, enrol the keys of the tier below, list a register.

Setup steps 2 and 3 of ARCHITECTURE §1. Enrolment is the moment trust is established, so it is never silent:
the operator types the first groups of the fingerprint from the signed paper letter (or passes them with
`--expect-fingerprint` when not at a terminal), and a mismatch refuses the key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.files import atomic_write_many, read_error
from shared.adapters.keyfiles import (
    ENROLMENT_SUFFIX,
    KEY_SUFFIX,
    load_register,
    new_enrolment,
    read_enrolment_file,
    read_key_file_public,
    render_enrolment_sheet,
    resolve_passphrase,
    save_register,
    write_key_file,
)
from shared.domain.keyregister import (
    EnrolmentRecord,
    KeyRegister,
    Role,
    enrol,
    fingerprint_matches,
    parse_fingerprint,
    readable_fingerprint,
)
from shared.errors import EnvironmentProblem, InputError, IntegrityError
from shared.formats.signing import (
    ENROLMENT_MAGIC,
    message_digest,
    open_enrolment,
)

_ROLE_NL = {
    Role.MUNICIPALITY: "gemeente",
    Role.HOOFDSTEMBUREAU: "hoofdstembureau",
    Role.CENTRAL: "centraal stembureau",
}
_SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf", ".bmp", ".webp"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "key"


def describe(record: EnrolmentRecord) -> list[str]:
    """The lines that identify a key to a person."""
    district = record.district_id or "-"
    return [
        f"fingerprint  {readable_fingerprint(record.key_id)}",
        f"role         {record.role.value}",
        f"authority    {record.authority_id} {record.authority_name}",
        f"election     {record.election_id}",
        f"district     {district}",
        f"created at   {record.created_at}",
    ]


def enrolment_sheet(record: EnrolmentRecord, enrolment: bytes) -> bytes:
    """The enrolment sheet PDF of a key made with `keys new`."""
    district = f", kieskring {record.district_id}" if record.district_id else ""
    subtitle = f"{_ROLE_NL[record.role]} {record.authority_id}, verkiezing {record.election_id}{district}"
    return render_enrolment_sheet(record, enrolment, subtitle=subtitle)


# ------------------------------------------------------------------------------------------------ keys new


def _text_arg(value: str, option: str, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise InputError("must not be empty", where=option)
    if len(text) > 200 or any(not ch.isprintable() for ch in text):
        raise InputError("at most 200 printable characters", where=option)
    return text


def cmd_new(args: argparse.Namespace) -> int:
    authority = _text_arg(args.authority, "--authority")
    name = _text_arg(args.name, "--name")
    election = _text_arg(args.election, "--election")
    district = _text_arg(args.district or "", "--district", required=False)
    out = Path(args.out)
    base = _slug(f"{args.role}-{authority}-{election}")
    key_path = out / f"{base}{KEY_SUFFIX}"
    if key_path.exists():
        raise InputError(
            "a key file already exists here; refusing to overwrite a private key", where=str(key_path)
        )
    passphrase = resolve_passphrase(args.passphrase, new=True)
    private_key = Ed25519PrivateKey.generate()
    record, enrolment = new_enrolment(
        private_key,
        role=Role(args.role),
        authority_id=authority,
        authority_name=name,
        election_id=election,
        district_id=district,
        created_at=_now(),
    )
    sheet = enrolment_sheet(record, enrolment)  # before writing anything
    # Public files first: if the key write then fails, a rerun overwrites them. The reverse order could leave
    # a private key without its record, and `keys new` never overwrites a private key.
    written = atomic_write_many(
        out, {f"{base}{ENROLMENT_SUFFIX}": enrolment, f"{base}-sleutelregistratie.pdf": sheet}
    )
    write_key_file(key_path, private_key, enrolment, passphrase)
    print(f"private key  {key_path} (mode 0600, encrypted with the passphrase)")
    for path in written:
        print(f"public       {path}")
    print(*describe(record), sep="\n")
    print("Print the sheet, sign it, and send it with a letter stating the fingerprint to the tier above.")
    return 0


# ------------------------------------------------------------------------------------------------ keys show


def _record_of_file(path: Path) -> EnrolmentRecord:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise read_error(path, exc) from None
    if head.startswith(ENROLMENT_MAGIC):
        return read_enrolment_file(path)[1]
    if head.startswith(b"-----BEGIN"):
        return read_key_file_public(path)[1]
    raise InputError("neither a key file (.key) nor an enrolment record (.tke)", where=str(path))


def cmd_show(args: argparse.Namespace) -> int:
    print(*describe(_record_of_file(Path(args.file))), sep="\n")
    return 0


# ------------------------------------------------------------------------------------------------ keys enrol


def _messages(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    """(where, enrolment message) from `.tke` files and from scans of enrolment sheets."""
    found: list[tuple[str, bytes]] = []
    scans: list[Path] = []
    for path in paths:
        if path.suffix.lower() in _SCAN_SUFFIXES:
            scans.append(path)
        else:
            found.append((str(path), read_enrolment_file(path)[0]))
    if scans:
        for n, message in enumerate(_scan(scans), start=1):
            found.append((f"scan message {n}", message))
    return found


def _scan(paths: Sequence[Path]) -> list[bytes]:
    try:
        from shared.adapters.qr_scan import scan_files
    except ModuleNotFoundError as exc:
        if exc.name != "shared.adapters.qr_scan":
            raise
        raise EnvironmentProblem("QR scanning (shared.adapters.qr_scan) is not installed") from exc
    report = scan_files(paths)
    for line in report.describe():
        print(line, file=sys.stderr)
    complete = report.messages
    if not complete:
        report.message()  # raises the precise reason: nothing found, symbols missing, digest wrong
        raise InputError("no complete enrolment record in the scans", where=", ".join(map(str, paths)))
    incomplete = [msg_id.hex() for msg_id, missing in report.missing.items() if missing]
    if incomplete:
        raise InputError(
            f"incomplete message(s) {', '.join(incomplete)}: scan the missing symbols too",
            where=", ".join(map(str, paths)),
        )
    return list(complete.values())


def _confirm(
    record: EnrolmentRecord,
    expected: Sequence[str],
    *,
    interactive: bool,
    ask: Callable[[str], str],
    where: str,
) -> None:
    """Refuse unless the typed (or given) fingerprint groups are the start of the record's fingerprint."""
    if expected:
        if any(fingerprint_matches(record.key_id, e) for e in expected):
            return
        raise IntegrityError(
            f"fingerprint {readable_fingerprint(record.key_id)} does not start with any expected fingerprint",
            where=where,
        )
    if not interactive:
        raise InputError(
            "not at a terminal: give --expect-fingerprint with the first 4 groups of the signed letter",
            where=where,
        )
    typed = ask("Type the first 4 groups of the fingerprint as printed on the signed letter: ")
    parse_fingerprint(typed)
    if not fingerprint_matches(record.key_id, typed):
        raise IntegrityError("the typed fingerprint does not match this key: not enrolled", where=where)


def cmd_enrol(args: argparse.Namespace) -> int:
    register_path = Path(args.register)
    expected: list[str] = list(args.expect_fingerprint or [])
    for e in expected:
        parse_fingerprint(e)
    messages = _messages([Path(p) for p in args.files])
    records = [(where, message, open_enrolment(message, where=where)) for where, message in messages]
    register: KeyRegister | None = None
    interactive = sys.stdin.isatty()
    for where, message, record in records:
        if register is None:
            register = load_register(register_path, election_id=record.election_id)
        print(*describe(record), sep="\n")
        _confirm(record, expected, interactive=interactive, ask=input, where=where)
        before = register
        register = enrol(
            register, record, enrolled_at=_now(), record_digest=message_digest(message), replace=args.replace
        )
        state = "already enrolled" if register is before else "enrolled"
        print(f"{state}: {record.role.value} {record.authority_id} {readable_fingerprint(record.key_id)}")
    if register is not None:
        save_register(register_path, register)
    return 0


# ------------------------------------------------------------------------------------------------ keys list


def cmd_list(args: argparse.Namespace) -> int:
    path = Path(args.register)
    if not path.exists():
        raise InputError("no such register", where=str(path))
    register = load_register(path)
    print(f"key register for election {register.election_id}: {len(register.keys)} key(s)")
    for entry in sorted(register.keys, key=lambda k: (k.record.role.value, k.record.authority_id)):
        r = entry.record
        print(
            f"{readable_fingerprint(entry.key_id)}  {r.role.value:<15} {r.authority_id:<6} "
            f"district {r.district_id or '-':<4} {r.authority_name}  (enrolled {entry.enrolled_at})"
        )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="signing keys: make, show, enrol, list",
        description=(
            "Signing keys outside the tier apps: make a key pair with its enrolment record and sheet, show a "
            "key's fingerprint, enrol keys of the tier below into a register and list it."
        ),
    )
    sub = parser.add_subparsers(dest="keys_command", metavar="KEYS_COMMAND")
    sub.required = True

    new = sub.add_parser(
        "new",
        help="make this tier's key pair, enrolment record (.tke) and enrolment sheet",
        description=(
            "Make a key pair for this tier, its enrolment record (.tke) and the enrolment sheet to print and "
            "sign."
        ),
    )
    new.add_argument("--role", required=True, choices=[r.value for r in Role])
    new.add_argument("--authority", required=True, help="authority id: 0668, HSB6, CSB")
    new.add_argument("--name", required=True, help="authority name as printed on the sheet")
    new.add_argument("--election", required=True, help="EML election id, e.g. TK2025")
    new.add_argument("--district", default="", help="district (kieskring) id, when the body reports for one")
    new.add_argument("--out", required=True, help="folder for the key file, .tke and the sheet PDF")
    new.add_argument(
        "--passphrase",
        help="passphrase (else TELKETEN_PASSPHRASE, else a prompt); visible in the process list",
    )
    new.set_defaults(func=cmd_new)

    show = sub.add_parser(
        "show",
        help="fingerprint, authority and election of a .key or .tke file",
        description=(
            "Print the fingerprint, authority and election of a private key (.key) or an enrolment record "
            "(.tke)."
        ),
    )
    show.add_argument("file")
    show.set_defaults(func=cmd_show)

    en = sub.add_parser(
        "enrol",
        help="add keys of the tier below to a register, after a fingerprint check",
        description=(
            "Add the keys of the tier below to a register after checking the fingerprint on their signed "
            "letter."
        ),
    )
    en.add_argument("register", help="key register file (JSON); created for the record's election if missing")
    en.add_argument(
        "files", nargs="+", metavar="FILE_OR_SCAN", help=".tke files or scans (PNG/JPEG/TIFF/PDF)"
    )
    en.add_argument(
        "--expect-fingerprint",
        action="append",
        metavar="GROUPS",
        help="the first 4 or more groups of the fingerprint from the signed letter (repeatable); required "
        "when not at a terminal",
    )
    en.add_argument("--replace", action="store_true", help="replace the key already enrolled for that body")
    en.set_defaults(func=cmd_enrol)

    ls = sub.add_parser(
        "list",
        help="the keys in a register",
        description="List the keys in a register with their authorities and fingerprints.",
    )
    ls.add_argument("register")
    ls.set_defaults(func=cmd_list)
