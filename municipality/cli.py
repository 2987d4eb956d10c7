"""`telketen municipality …`: the command line of the municipal app (gemeentelijk stembureau).

The edge: it parses arguments, asks for passwords and passphrases, reads the clock, checks the air gap, and
prints; everything else is `municipality.service` / `municipality.finalise`, so the browser interface calls
the same functions. Every command takes `--state DIR` (default ./telketen-state). Typist screens and printed
documents are Dutch; command-line messages are English, like the rest of the CLI.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from municipality import investigation as inquiry
from municipality import setup
from municipality.dso import COUNTING_METHODS, COUNTING_NL, DEFAULT_COUNTING, parse_counting
from municipality.forms import render_corrigenda, render_forms, render_insert
from municipality.report_proof import unproven_reports
from municipality.service import RESOLUTIONS, Service, User
from municipality.terminal_entry import run_terminal
from municipality.web import register_serve
from shared.adapters import audit, clock
from shared.adapters.airgap import require_air_gap
from shared.adapters.files import atomic_write, read_input
from shared.adapters.keyfiles import load_signing_key, resolve_passphrase
from shared.adapters.web_auth import SESSIONS_FILE, SessionStore
from shared.cli_options import add_hash_options
from shared.domain import double_entry as de
from shared.domain.station_report import MAX_COUNT
from shared.domain.validation import validate
from shared.errors import InputError
from shared.formats.eml.hashcode import digest, hash_code, masked_code
from shared.formats.eml.read import read_path
from station.entry import describe, encode_report, read_report_json

PASSWORD_ENV = "TELKETEN_PASSWORD"


def now() -> datetime:
    """The only clock of the app: Dutch local time, whole seconds (the PV prints local time)."""
    return clock.now()


def stamp() -> str:
    return now().isoformat()


def _state(args: argparse.Namespace) -> Path:
    return Path(args.state)


def _open(args: argparse.Namespace) -> Service:
    return Service.open(_state(args), at=stamp(), election_id=args.election)


def _password(args: argparse.Namespace, prompt: str, *, new: bool = False) -> str:
    var = args.password_env or PASSWORD_ENV
    value = os.environ.get(var)
    if value is not None:
        return value
    if args.password_env:
        raise InputError(f"environment variable {var} is not set", where="--password-env")
    if not sys.stdin.isatty():
        raise InputError(f"no password: set {PASSWORD_ENV} or --password-env VAR, or run in a terminal")
    first = getpass.getpass(prompt)
    if new and getpass.getpass("Repeat the password: ") != first:
        raise InputError("the two passwords differ", where="password")
    return first


def _login(svc: Service, args: argparse.Namespace, name: str | None = None) -> User:
    """The user, or a refusal that is audited (`login-failed`, the name tried) like one in the browser."""
    user_name = name or args.user
    password = _password(args, f"Password for {user_name}: ")
    try:
        return svc.login(user_name, password)
    except InputError:
        svc.record_event("cli", "login-failed", {"name": user_name[:64]}, at=stamp())
        raise


# ------------------------------------------------------------------------------------------------- init


def _electorate(value: str | None) -> int | None:
    """--electorate: a whole number of voters, 0‥999,999,999 (the paper's fields); 16.290 is read as 16290."""
    if value is None:
        return None
    v = value.strip().replace(".", "")
    if not (v.isascii() and v.isdigit()) or int(v) > MAX_COUNT:
        raise InputError(f"{value!r} is not a number of voters (0 to {MAX_COUNT})", where="--electorate")
    return int(v)


def cmd_init(args: argparse.Namespace) -> int:
    counting = parse_counting(args.counting)  # refused before any file is read or key made
    files = {
        "110a": (Path(args.definition), read_path(args.definition)),
        "230b": (Path(args.candidates), read_path(args.candidates)),
        "110b": (Path(args.stations), read_path(args.stations)),
    }
    for kind, (path, data) in files.items():
        # the checked files show two groups blanked: the operator types them from the paper, never from here
        shown = hash_code(data) if kind == "110b" else masked_code(digest(data))
        print(f"{kind} {path.name}\n     {shown}")
    for kind, typed in (("110a", args.hash_110a), ("230b", args.hash_230b)):
        setup.confirm_hash(
            kind, files[kind][0], files[kind][1], typed, ask=input if sys.stdin.isatty() else None
        )
    election = setup.election_from_files(files)
    code = setup.choose_municipality(election, args.municipality)
    entered = _electorate(args.electorate)
    election, note = setup.with_electorate(election, code, entered)
    at = now()
    passphrase = resolve_passphrase(args.passphrase, new=True)
    result = setup.initialise(
        _state(args),
        election,
        code,
        sources=[setup.source_of(kind, path, data) for kind, (path, data) in files.items()],
        passphrase=passphrase,
        at=at,
        counting=counting,
    )
    print(f"state      {result.db_path}")
    print(f"counting   {counting} ({COUNTING_NL[counting]})")
    print(f"key        {result.key_path} (encrypted with the passphrase)")
    print(f"enrolment  {result.sheet_path}")
    print(f"fingerprint {result.fingerprint}")
    municipality = election.municipality(code)
    if note:
        print(f"note       {note}")
    if municipality.electorate is None:
        print(
            "electorate unknown: the 110b has no MaxVotes, the stations add up to "
            f"{municipality.eligible_voters()} (give --electorate N to enter it)"
        )
    else:
        source = "entered" if entered is not None else "110b MaxVotes"
        print(f"electorate {municipality.electorate} ({source})")
    print(f"{len(municipality.stations)} polling stations; next: `telketen municipality user add`")
    return 0


# ------------------------------------------------------------------------------------------------ users


def cmd_user_add(args: argparse.Namespace) -> int:
    svc = _open(args)
    by = "setup"
    if any(u.role == "coordinator" for u in svc.users()):
        if not args.as_user:
            raise InputError("a coordinator exists: add users --as a coordinator", where="--as")
        actor = svc.login(args.as_user, _password(args, f"Password for {args.as_user}: "))
        Service.require(actor, "coordinator")
        by = actor.name
        password = _new_password(args.new_password_env)
    else:
        password = _new_password(args.new_password_env or args.password_env)
    user = svc.add_user(args.name, args.role, password, at=stamp(), by=by)
    print(f"user {user.name} ({user.role}) added")
    return 0


def _new_password(env_var: str | None) -> str:
    if env_var:
        value = os.environ.get(env_var)
        if value is None:
            raise InputError(f"environment variable {env_var} is not set", where="--password-env")
        return value
    if not sys.stdin.isatty():
        raise InputError("no password for the new user: use --password-env VAR, or run in a terminal")
    first = getpass.getpass("Password for the new user: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise InputError("the two passwords differ", where="password")
    return first


def _coordinator(svc: Service, args: argparse.Namespace) -> User:
    if not args.as_user:
        raise InputError("give the coordinator doing this with --as", where="--as")
    actor = svc.login(args.as_user, _password(args, f"Password for {args.as_user}: "))
    Service.require(actor, "coordinator")
    return actor


def _end_web_sessions(args: argparse.Namespace, name: str) -> int:
    """End the user's browser sessions, as the coordinator's page does (a cookie left open stops working)."""
    path = _state(args) / SESSIONS_FILE
    return SessionStore(path).revoke_user(name) if path.exists() else 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    svc = _open(args)
    svc.disable_user(_coordinator(svc, args), args.name, at=stamp())
    print(f"user {args.name} disabled; {_end_web_sessions(args, args.name)} browser session(s) ended")
    return 0


def cmd_user_password(args: argparse.Namespace) -> int:
    svc = _open(args)
    actor = _coordinator(svc, args)
    svc.reset_password(actor, args.name, _new_password(args.new_password_env), at=stamp())
    print(
        f"user {args.name} has a new password; {_end_web_sessions(args, args.name)} browser session(s) ended"
    )
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    for u in _open(args).users():
        print(f"{u.name}\t{u.role}")
    return 0


# ------------------------------------------------------------------------------------------------ entry


def _air_gap(svc: Service, args: argparse.Namespace, user: User) -> None:
    require_air_gap(
        args.allow_network, lambda found: svc.record_event(user.name, "airgap-override", found, at=stamp())
    )


def cmd_entry(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    Service.require(user, "typist")
    station = svc.station(args.station)
    data = b""
    if args.from_file is not None:
        path = Path(args.from_file)
        data = read_input(path)
    _air_gap(svc, args, user)
    claimed = svc.claim(user, station.id, at=stamp())
    if args.from_file is None:
        return run_terminal(svc, user, station, claimed, accept=args.accept_warnings, stamp=stamp)
    report = read_report_json(data, claimed.report, svc.validation_context(), where=str(path))
    results = svc.save(user, station.id, report, progress=100, at=stamp())
    for finding in results.all:
        print(f"  {describe(finding)}  [{', '.join(finding.fields[:4])}]")
    if args.save_only:
        print(f"station {station.number}: entry {claimed.entry_number} saved (not finalised)")
        return 0
    after = svc.finalise_entry(
        user, station.id, accept_warnings=args.accept_warnings, accept_errors=args.accept_errors, at=stamp()
    )
    print(
        f"station {station.number}: entry {claimed.entry_number} finalised "
        f"→ {de.STATE_LABELS_NL[after.state]}"
    )
    return 0


def cmd_discard(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    after = svc.discard_entry(user, args.station, at=stamp())
    print(f"entry discarded → {de.STATE_LABELS_NL[after.state]}")
    return 0


# ---------------------------------------------------------------------------------------------- coordinator


def cmd_status(args: argparse.Namespace) -> int:
    svc = _open(args)
    session = svc.current_session()
    table = Table(
        title=f"{svc.municipality.code} {svc.municipality.name} — zitting {session}, "
        f"{COUNTING_NL[svc.counting]}"
    )
    for col in ("Nr", "Stembureau", "Status", "1e invoer", "2e invoer", "%", ""):
        table.add_column(col)
    for s in svc.status():
        table.add_row(
            str(s.station.number),
            s.station.name,
            de.STATE_LABELS_NL[s.state],
            s.first_typist or "",
            s.second_typist or "",
            str(s.progress),
            ("coördinator! " if s.needs_coordinator else "") + ("waarschuwingen" if s.with_warnings else ""),
        )
    Console(width=140).print(table)
    counts: dict[str, int] = {}
    for s in svc.status():
        counts[s.state] = counts.get(s.state, 0) + 1
    print(", ".join(f"{de.STATE_LABELS_NL[k]}: {v}" for k, v in sorted(counts.items())))  # type: ignore[index]
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    svc = _open(args)
    station = svc.station(args.station)
    entry = svc.entry(station.id)
    print(f"station {station.number} {station.name}: {de.STATE_LABELS_NL[entry.state]}")
    ctx = svc.validation_context()
    for label, slot in (("first", entry.first), ("second", entry.second)):
        if slot is None:
            continue
        results = validate(slot.report, ctx)
        print(f"{label} entry by {slot.typist}: progress {slot.progress}%, finalised {slot.finalised}")
        for finding in results.all:
            print(f"  {describe(finding)}  [{', '.join(finding.fields[:4])}]")
        if args.json:
            sys.stdout.write(encode_report(slot.report).decode("utf-8"))
    diff = de.differences(entry)
    if diff:
        print(f"differing fields ({len(diff)}): " + ", ".join(diff[:20]) + (" …" if len(diff) > 20 else ""))
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    after = svc.resolve(user, args.station, args.action, at=stamp())
    print(f"resolved ({args.action}) → {de.STATE_LABELS_NL[after.state]}")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    svc.reset(user, args.station, at=stamp())
    print("reset: the station waits for a first entry")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    svc = _open(args)
    expected = None
    if args.head:
        seq_text, _, digest = args.head.partition(":")
        if not seq_text.isdigit() or len(digest.replace(" ", "")) != 64:
            raise InputError("expected SEQ:HASH (the audit line printed on the report)", where="--head")
        expected = (int(seq_text), digest.replace(" ", "").lower())
    if args.verify:
        problems = [str(p) for p in audit.verify_audit(svc.conn, expected_head=expected)]
        problems += [str(r) for r in unproven_reports(svc.conn)]
        seq, digest = audit.head(svc.conn)
        if problems:
            for problem in problems:
                print(problem)
            print(f"audit log BROKEN: {len(problems)} problem(s)")
            return 3
        print(f"audit log intact: {seq} events, head {digest}")
        return 0
    for ev in audit.events(svc.conn):
        print(f"{ev.seq}\t{ev.at}\t{ev.user}\t{ev.action}\t{ev.payload}")
    return 0


# --------------------------------------------------------------------------------------- finalise & sessions


def cmd_finalise(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    Service.require(user, "coordinator")
    _air_gap(svc, args, user)
    key_path = setup.key_path(svc)
    key = load_signing_key(key_path, resolve_passphrase(args.passphrase, new=False))
    also = {}
    for name in args.publish or []:
        try:
            also[Path(name).name] = Path(name).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=name) from None
    result = setup.finalise(svc, user, Path(args.out), key.private_key, at=now(), also=also)
    for p in result.paths:
        print(f"wrote {p}")
    print(f"510b hash  {result.eml_hash}")
    print(f"summary    {result.digest}")
    return 0


def cmd_session_new(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    number = svc.new_session(user, at=stamp())
    print(f"session {number} opened; mark stations with `investigate STATION --reason …`")
    return 0


def cmd_investigate(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    station = svc.investigate(user, args.station, args.reason, at=stamp())
    print(
        f"station {station.number} under investigation; close it with `investigate-close {station.number} "
        "--findings … --corrected yes|no` (yes: its report is entered twice again)"
    )
    return 0


def cmd_investigate_close(args: argparse.Namespace) -> int:
    svc = _open(args)
    user = _login(svc, args)
    corrected = inquiry.parse_corrected(args.corrected)
    inv = svc.close_investigation(user, args.station, args.findings, corrected, at=stamp())
    station = svc.station(inv.station)
    then = "enter its corrected report twice" if corrected else "its earlier report stands; no entry needed"
    print(f"investigation of station {station.number} closed (corrected: {args.corrected}); {then}")
    return 0


def cmd_investigations(args: argparse.Namespace) -> int:
    svc = _open(args)
    table = Table(
        title=f"{svc.municipality.code} {svc.municipality.name} — onderzoeken, zitting "
        f"{svc.current_session()}"
    )
    for col in ("Nr", "Stembureau", "Aanleiding", "Bevindingen", "Gecorrigeerd"):
        table.add_column(col)
    for inv in svc.investigations():
        st = svc.station(inv.station)
        outcome = "open" if inv.corrected is None else ("ja" if inv.corrected else "nee")
        table.add_row(str(st.number), st.name, inv.reason, inv.findings or "", outcome)
    Console(width=140).print(table)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write one entry (or the definitive report) as REPORT.json: for training and replay."""
    svc = _open(args)
    station = svc.station(args.station)
    report = svc.definitive_report(station)
    atomic_write(Path(args.out), encode_report(report))
    return 0


def cmd_forms(args: argparse.Namespace) -> int:
    """Print the blank N 10-2 and Na 31-2 Bijlage 1 (decentral: N 10-1 and its insert) of one station or of
    all (reports.md §2, §3.1), or the Na 31-2 (Na 31-1) insert (§3.2, §4)."""
    svc = _open(args)
    decentral = svc.counting == "decentral"
    if args.corrigendum and (args.insert or not decentral):
        why = "with --insert" if args.insert else "under central counting (that is the Na 14-2)"
        raise InputError(
            f"the blank Na 14-1 is for a decentral count's stations, not {why}", where="--corrigendum"
        )
    if args.corrigendum:
        stations = [svc.station(args.station)] if args.station else list(svc.municipality.stations)
        atomic_write(Path(args.out), render_corrigenda(svc.election, svc.municipality, stations))
        print(f"blank Na 14-1 for {len(stations)} station(s) → {args.out}")
        return 0
    if args.insert:
        atomic_write(Path(args.out), render_insert(svc.election, svc.municipality, svc.counting))
        print(f"blank Na 31-{1 if decentral else 2} insert → {args.out}")
        return 0
    stations = [svc.station(args.station)] if args.station else list(svc.municipality.stations)
    atomic_write(Path(args.out), render_forms(svc.election, svc.municipality, stations, svc.counting))
    kind = "N 10-1 + insert" if decentral else "N 10-2 + Na 31-2 Bijlage 1"
    print(f"blank forms ({kind}) for {len(stations)} station(s) → {args.out}")
    return 0


# ------------------------------------------------------------------------------------------------ parser


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--state", default="telketen-state", metavar="DIR", help="state folder (default %(default)s)"
    )
    common.add_argument("--election", metavar="ID", help="election id, when the state folder holds several")
    common.add_argument(
        "--password-env", metavar="VAR", help=f"read the password from VAR (default {PASSWORD_ENV})"
    )
    p = subparsers.add_parser(
        "municipality",
        help="the municipal app: double entry, totals, report Na 31-2 (Na 31-1)",
        description=(
            "The municipal app (gemeentelijk stembureau): import the election, let typists enter every "
            "station's report twice, resolve differences, and finalise the 510b, the osv4-3 CSV, the signed "
            "summary and the Na 31-2 report (decentral counting: Na 31-1) with its QR sheets. Every "
            "sub-command takes --state DIR."
        ),
    )
    sub = p.add_subparsers(dest="municipality_command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser(
        "init",
        parents=[common],
        help="import 110a/230b/110b, make the signing key",
        description=(
            "Import the election definition (110a), the candidate lists (230b) and the polling stations "
            "(110b), each checked by the two hash groups typed from its paper, and make the municipality's "
            "signing key and enrolment sheet."
        ),
    )
    s.add_argument("--definition", required=True, metavar="110A", help="EML 110a election definition")
    s.add_argument("--candidates", required=True, metavar="230B", help="EML 230b candidate lists")
    s.add_argument("--stations", required=True, metavar="110B", help="EML 110b polling stations")
    s.add_argument("--municipality", metavar="CODE", help="municipality code (default: the 110b's)")
    s.add_argument(
        "--electorate",
        metavar="N",
        help="the municipality's eligible voters (Z), entered or correcting the 110b's MaxVotes",
    )
    add_hash_options(s, many_230b=False)
    s.add_argument(
        "--passphrase", help="passphrase of the new signing key (default: TELKETEN_PASSPHRASE/prompt)"
    )
    s.add_argument(
        "--counting",
        default=DEFAULT_COUNTING,
        metavar="|".join(COUNTING_METHODS),
        help="central: stations count per list, N 10-2 + Na 31-2 (default); "
        "decentral: stations count per candidate, N 10-1 + Na 31-1",
    )
    s.set_defaults(func=cmd_init)

    u = sub.add_parser(
        "user",
        help="users: typists and coordinators",
        description=(
            "Add and list the users of the municipal app: typists enter reports, coordinators resolve, "
            "finalise and open sessions."
        ),
    ).add_subparsers(dest="user_command")
    u.required = True
    s = u.add_parser(
        "add",
        parents=[common],
        help="add a user",
        description=(
            "Add a typist or coordinator. The first coordinator needs no one's approval; after that a "
            "coordinator adds users (--as)."
        ),
    )
    s.add_argument("name", metavar="NAME")
    s.add_argument("--role", required=True, choices=("typist", "coordinator"))
    s.add_argument("--as", dest="as_user", metavar="COORDINATOR", help="the coordinator adding the user")
    s.add_argument("--new-password-env", metavar="VAR", help="the new user's password from VAR")
    s.set_defaults(func=cmd_user_add)
    s = u.add_parser(
        "list",
        parents=[common],
        help="list users",
        description="List the users of the municipal app with their roles.",
    )
    s.set_defaults(func=cmd_user_list)
    s = u.add_parser(
        "disable",
        parents=[common],
        help="take a user's access away (browser sessions end)",
        description=(
            "Disable a user (--as a coordinator, not oneself): they cannot log in any more and their browser "
            "sessions end; the name stays in the audit log."
        ),
    )
    s.add_argument("name", metavar="NAME")
    s.add_argument("--as", dest="as_user", metavar="COORDINATOR", help="the coordinator disabling the user")
    s.set_defaults(func=cmd_user_disable)
    s = u.add_parser(
        "password",
        parents=[common],
        help="give a user a new password (browser sessions end)",
        description=(
            "Give a user who forgot theirs a new password (--as a coordinator, not oneself; the new one from "
            "--new-password-env or asked); their browser sessions end."
        ),
    )
    s.add_argument("name", metavar="NAME")
    s.add_argument("--as", dest="as_user", metavar="COORDINATOR", help="the coordinator resetting it")
    s.add_argument("--new-password-env", metavar="VAR", help="the new password from VAR")
    s.set_defaults(func=cmd_user_password)

    s = sub.add_parser(
        "entry",
        parents=[common],
        help="type (or replay) a station report",
        description=(
            "Type a station's report (first or second entry) at the terminal, or replay it from a "
            "REPORT.json; the entry is validated and, when both entries are in, compared."
        ),
    )
    s.add_argument("station", metavar="STATION", help="station number or id (0668::SB3)")
    s.add_argument("--user", required=True, metavar="NAME")
    s.add_argument("--from", dest="from_file", metavar="REPORT.json", help="scripted entry from a file")
    s.add_argument(
        "--accept-warnings", action="store_true", help="the warnings were checked against the paper"
    )
    s.add_argument("--accept-errors", action="store_true", help="the paper itself has these errors")
    s.add_argument("--save-only", action="store_true", help="save without finalising")
    s.add_argument("--allow-network", action="store_true", help="skip the air-gap refusal (tests/training)")
    s.set_defaults(func=cmd_entry)

    s = sub.add_parser(
        "discard",
        parents=[common],
        help="throw away your own unfinished entry",
        description=(
            "Throw away your own unfinished entry of a station, so it can be typed again from the start."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--user", required=True, metavar="NAME")
    s.set_defaults(func=cmd_discard)

    s = sub.add_parser(
        "status",
        parents=[common],
        help="the coordinator's table of stations and states",
        description=(
            "The coordinator's table: every station, its state in the double entry, who typed it and what "
            "needs the coordinator."
        ),
    )
    s.set_defaults(func=cmd_status)

    s = sub.add_parser(
        "show",
        parents=[common],
        help="a station's entries and findings",
        description=(
            "A station's entries with their validation findings and the fields in which the two entries "
            "differ."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--json", action="store_true", help="also print the entries as REPORT.json")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser(
        "resolve",
        parents=[common],
        help="coordinator: decide on errors or differences",
        description=(
            "The coordinator's decision on a station whose entries differ or whose errors were accepted: keep"
            " one entry, or have it typed again."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--user", required=True, metavar="COORDINATOR")
    g = s.add_mutually_exclusive_group(required=True)
    for action in RESOLUTIONS:
        g.add_argument(f"--{action}", dest="action", action="store_const", const=action)
    s.set_defaults(func=cmd_resolve)

    s = sub.add_parser(
        "reset",
        parents=[common],
        help="coordinator: back to empty",
        description=(
            "The coordinator sends a station back to empty: both entries are discarded and it is typed again "
            "twice."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--user", required=True, metavar="COORDINATOR")
    s.set_defaults(func=cmd_reset)

    s = sub.add_parser(
        "audit",
        parents=[common],
        help="show or verify the audit log",
        description=(
            "Print the hash-chained audit log, or check its chain (--verify), optionally against the head "
            "printed on a report (--head)."
        ),
    )
    s.add_argument("--verify", action="store_true", help="check the hash chain")
    s.add_argument("--head", metavar="SEQ:HASH", help="also check against the line printed on a report")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser(
        "finalise",
        parents=[common],
        help="510b, CSV, signed summary and PDF report",
        description=(
            "Add up the stations and write the 510b, the osv4-3 CSV, the signed summary and the Na 31-2 "
            "report with its QR sheets; refused on a machine with a network unless overridden."
        ),
    )
    s.add_argument("--out", required=True, metavar="DIR")
    s.add_argument("--user", required=True, metavar="COORDINATOR")
    s.add_argument("--passphrase", help="passphrase of the signing key (default: TELKETEN_PASSPHRASE/prompt)")
    s.add_argument("--allow-network", action="store_true", help="skip the air-gap refusal (tests/training)")
    s.add_argument(
        "--publish",
        action="append",
        metavar="FILE",
        help="an imported file published with the result (the 110b), byte for byte as imported; repeatable",
    )
    s.set_defaults(func=cmd_finalise)

    ss = sub.add_parser(
        "session",
        help="next sessions (corrections)",
        description="Open the next session (zitting) for corrections after the report was finalised.",
    ).add_subparsers(dest="session_command")
    ss.required = True
    s = ss.add_parser(
        "new",
        parents=[common],
        help="open the next session",
        description=(
            "Open the next session (Kieswet P 2a): investigate stations in it, close each investigation with"
            " its findings; only a corrected result is entered twice again."
        ),
    )
    s.add_argument("--user", required=True, metavar="COORDINATOR")
    s.set_defaults(func=cmd_session_new)

    s = sub.add_parser(
        "investigate",
        parents=[common],
        help="coordinator: investigate a station",
        description=(
            "Open an investigation of a station in the current (next) session, with its reason; close it "
            "with `investigate-close`."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--user", required=True, metavar="COORDINATOR")
    s.add_argument("--reason", required=True)
    s.set_defaults(func=cmd_investigate)

    s = sub.add_parser(
        "investigate-close",
        parents=[common],
        help="coordinator: findings and corrected yes/no of an investigation",
        description=(
            "Close a station's investigation with its findings and whether the result was corrected: 'no' "
            "keeps its earlier report (nothing is typed again), 'yes' needs its report entered twice again."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--user", required=True, metavar="COORDINATOR")
    s.add_argument("--findings", required=True)
    s.add_argument("--corrected", required=True, choices=("yes", "no"))
    s.set_defaults(func=cmd_investigate_close)

    s = sub.add_parser(
        "investigations",
        parents=[common],
        help="the investigations of the current session",
        description="List the current session's investigations: reason, findings and corrected ja/nee/open.",
    )
    s.set_defaults(func=cmd_investigations)

    s = sub.add_parser(
        "export",
        parents=[common],
        help="a station's definitive report as REPORT.json",
        description=(
            "Write a station's definitive report as REPORT.json, for training or to replay it elsewhere."
        ),
    )
    s.add_argument("station", metavar="STATION")
    s.add_argument("--out", required=True, metavar="REPORT.json")
    s.set_defaults(func=cmd_export)
    s = sub.add_parser(
        "forms",
        parents=[common],
        help="blank N 10-2 and Na 31-2 Bijlage 1 (decentral: N 10-1 and its insert) per station (PDF)",
        description=(
            "Print the blank N 10-2 and Na 31-2 Bijlage 1 of one station or all of them, or the blank Na 31-2"
            " insert, as PDF. Under decentral counting: the N 10-1 and its insert, the Na 31-1 insert, or"
            " (--corrigendum) the Na 14-1."
        ),
    )
    g = s.add_mutually_exclusive_group()
    g.add_argument("--station", metavar="STATION", help="one station (default: all)")
    g.add_argument(
        "--insert", action="store_true", help="the Na 31-2 (Na 31-1) insert (controles en correcties)"
    )
    s.add_argument(
        "--corrigendum",
        action="store_true",
        help="decentral counting: the blank Na 14-1 (versie 1) of the station(s), for a correction found "
        "by the municipality's own check in the first session",
    )
    s.add_argument("-o", "--out", required=True, metavar="OUT.pdf")
    s.set_defaults(func=cmd_forms)
    register_serve(sub)
