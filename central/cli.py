"""`telketen central`: the app of the central polling office (centraal stembureau).

    init      import 110a + 230b (typed hash check), make the key pair, print the enrolment sheet
    enrol     enrol the keys of the tier below (hoofdstembureaus; for a municipal council the municipality)
    scan      read signed summaries from scans (images, PDF), .tks files or a webcam
    status    which authorities are in, missing, duplicated, corrected; what was refused
    deceased  record a deceased candidate before the computation (Kieswet P 19a)
    finalise  add up, seats and elected candidates (lots asked or given), 510d, 520, P 22
    publish   write the published folder and the results site
    audit     show or verify the hash-chained audit log

Exit codes: 0 when everything was accepted; 3 when a scanned summary was refused (it is recorded, never
added); the error tree's codes otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from central import finalise as fin
from central import publish as pub
from central import setup
from central.finalise import result_view
from central.office import AUTHORITY_ID, Office, district_of_child, open_office
from central.receive import ScanItem, receive_message
from central.state import DEFAULT_STATE
from central.web import register_serve
from shared.adapters import audit
from shared.adapters.files import atomic_write
from shared.adapters.keyfiles import read_enrolment_file, resolve_passphrase
from shared.domain.apportionment import LotRequest
from shared.domain.keyregister import EnrolmentRecord, readable_fingerprint
from shared.domain.tally import Tally
from shared.errors import InputError
from shared.formats.eml.read import read_path

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf", ".bmp", ".webp"}
EXIT_REFUSED = 3

console = Console(highlight=False)


def _user(args: argparse.Namespace) -> str:
    return str(args.user or os.environ.get("USER") or getpass.getuser())


def _office(args: argparse.Namespace) -> Office:
    return open_office(Path(args.state), _user(args))


def _ask() -> Callable[[str], str] | None:
    return input if sys.stdin.isatty() else None


# ------------------------------------------------------------------------------------------------ messages


def collect(paths: list[Path], *, what: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(source, message) from binary files (.tks/.tke) and from scans; plus the missing-symbol notes."""
    found: list[tuple[str, bytes]] = []
    scans: list[Path] = []
    for path in paths:
        if path.suffix.lower() in SCAN_SUFFIXES:
            scans.append(path)
        else:
            try:
                found.append((str(path), path.read_bytes()))
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
    missing: list[str] = []
    if scans:
        from shared.adapters.qr_scan import scan_files  # lazy: OpenCV and zxing load only when scanning

        result = scan_files(scans)
        names = ", ".join(p.name for p in scans)
        for n, message in enumerate(result.messages.values(), start=1):
            found.append((f"scan of {names}, {what} {n}", bytes(message)))
        complete = set(result.messages)
        for msg_id, gaps in result.missing.items():
            if msg_id not in complete:
                missing.append(
                    f"message {msg_id.hex()}: symbols {', '.join(str(i + 1) for i in gaps)} of "
                    f"{result.counts[msg_id]} not read; scan those again"
                )
        missing += [f"refused symbol: {r}" for r in result.rejected]
        missing += [f"missing on this machine: {p}" for p in result.environment]
    return found, missing


def webcam_messages() -> list[tuple[str, bytes]]:
    """Read one signed summary with the webcam, one QR symbol at a time, with a progress line."""
    from shared.adapters.webcam import camera_frames, read_frames  # lazy, as scan_files

    report = read_frames(camera_frames(timeout_s=300.0), on_progress=lambda line: console.print(escape(line)))
    return [(f"webcam, summary {n}", m) for n, m in enumerate(report.messages.values(), start=1)]


# ------------------------------------------------------------------------------------------------ commands


def cmd_init(args: argparse.Namespace) -> int:
    a110 = read_path(args.definition)
    b230 = read_path(args.candidates)
    typed_a = args.hash_110a or setup.ask_groups(a110, str(args.definition), _ask())
    typed_b = args.hash_230b or setup.ask_groups(b230, str(args.candidates), _ask())
    result = setup.init(
        Path(args.state),
        definition=(str(args.definition), a110),
        candidates=(str(args.candidates), b230),
        typed_110a=typed_a,
        typed_230b=typed_b,
        place=args.place,
        passphrase=resolve_passphrase(args.passphrase, new=True),
        user=_user(args),
    )
    console.print(escape(f"state       {result.state_file}"))
    console.print(escape(f"private key {result.key_file} (encrypted, mode 0600)"))
    console.print(escape(f"enrolment   {result.enrolment_file}  sheet {result.sheet_file}"))
    console.print(f"fingerprint [bold]{result.fingerprint}[/bold]")
    console.print(f"adds up: {', '.join(result.children)}")
    return 0


def _show_record(record: EnrolmentRecord) -> None:
    who = escape(
        f"key of {record.role.value} {record.authority_id} {record.authority_name} "
        f"(election {record.election_id}, district {record.district_id or '-'}): "
    )
    console.print(f"{who}fingerprint [bold]{readable_fingerprint(record.key_id)}[/bold]")


def cmd_enrol(args: argparse.Namespace) -> int:
    office = _office(args)
    messages: list[tuple[str, bytes]] = []
    binaries = [Path(p) for p in args.files if Path(p).suffix.lower() not in SCAN_SUFFIXES]
    for path in binaries:
        messages.append((str(path), read_enrolment_file(path)[0]))
    scans = [Path(p) for p in args.files if Path(p).suffix.lower() in SCAN_SUFFIXES]
    if scans:
        found, missing = collect(scans, what="enrolment")
        messages += found
        for note in missing:
            console.print(f"[yellow]not read: {escape(note)}[/yellow]")
    if not messages:
        raise InputError("no enrolment record found", where=", ".join(args.files))
    for item in setup.enrol_messages(
        office,
        messages,
        expected=args.expect_fingerprint or [],
        ask=_ask(),
        show=_show_record,
        replace=args.replace,
    ):
        state = "already enrolled" if item.already else "enrolled"
        console.print(escape(f"{state}: {item.authority} {item.fingerprint}"))
    return 0


def tally_table(title: str, t: Tally, list_names: dict[int, str]) -> Table:
    """The numbers of a summary, for a person to compare with the paper."""
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in (
        ("Z kiesgerechtigden", t.eligible_voters),
        ("A stempassen", t.poll_cards),
        ("B volmachtbewijzen", t.proxy_certificates),
        ("C kiezerspassen", t.voter_cards),
        ("D toegelaten kiezers", t.admitted_voters),
    ):
        table.add_row(label, f"{value:,}".replace(",", "."))
    for lst in t.lists:
        name = escape(list_names.get(lst.number, ""))
        table.add_row(f"E.{lst.number} {name}", f"{lst.votes:,}".replace(",", "."))
    for label, value in (
        ("E stemmen op kandidaten", t.votes_on_lists),
        ("F blanco", t.blank),
        ("G ongeldig", t.invalid),
        ("H uitgebrachte stemmen", t.ballots_cast),
        ("I meer geteld", t.more_ballots),
        ("J minder geteld", t.fewer_ballots),
    ):
        table.add_row(label, f"{value:,}".replace(",", "."))
    return table


def show_items(office: Office, items: list[ScanItem]) -> int:
    refused = 0
    for item in items:
        style = "red" if item.refused else ("yellow" if item.outcome == "duplicate" else "green")
        console.print(f"[{style}]{escape(item.source)}: {escape(item.text)}[/{style}]")
        if item.refused:
            refused += 1
        if item.tally is not None and item.outcome in ("accept", "replace"):
            who = f"{item.authority} {office.child_name(item.authority or '')}"
            names = {x.number: x.name for x in district_of_child(office.election, item.authority or "").lists}
            console.print(tally_table(escape(f"{who} — compare with the paper"), item.tally, names))
        for w in item.warnings:
            console.print(f"[yellow]warning: {escape(w)}[/yellow]")
    return EXIT_REFUSED if refused else 0


def cmd_scan(args: argparse.Namespace) -> int:
    office = _office(args)
    missing: list[str] = []
    if args.webcam:
        messages = webcam_messages()
    else:
        if not args.files:
            raise InputError("give files to scan, or --webcam", where="scan")
        messages, missing = collect([Path(p) for p in args.files], what="summary")
    for note in missing:
        console.print(f"[yellow]not read: {escape(note)}[/yellow]")
    if not messages:
        raise InputError("no complete signed summary found", where="scan")
    items = [receive_message(office, source, message) for source, message in messages]
    code = show_items(office, items)
    st = pub.status(office)
    console.print(f"{sum(r.state != 'missing' for r in st.rows)} of {len(st.rows)} in")
    return code


def cmd_status(args: argparse.Namespace) -> int:
    office = _office(args)
    st = pub.status(office)
    table = Table(
        title=escape(f"{office.meta('authority_name')} — {office.election_id}"), title_justify="left"
    )
    for col in ("code", "naam", "status", "zitting", "samenvatting", "dubbel", "vervangen"):
        table.add_column(col)
    for r in st.rows:
        colour = {"missing": "red", "in": "green", "corrigendum": "cyan"}[r.state]
        table.add_row(
            r.code,
            escape(r.name),
            f"[{colour}]{r.state}[/{colour}]",
            "" if r.phase is None else ("eerste" if r.phase == 0 else f"corr. {r.phase}"),
            r.digest,
            str(r.duplicates or ""),
            str(r.superseded or ""),
        )
    console.print(table)
    if st.refused:
        ref = Table(title="refused", title_justify="left")
        for col in ("at", "source", "authority", "reason"):
            ref.add_column(col)
        for x in st.refused:
            ref.add_row(escape(x.at), escape(x.source), escape(x.authority), escape(x.reason))
        console.print(ref)
    for number, position in st.deceased:
        console.print(f"deceased: list {number} candidate {position}")
    done = "not finalised" if st.finalised_phase is None else f"finalised (session {st.finalised_phase})"
    console.print(f"{sum(r.state != 'missing' for r in st.rows)} of {len(st.rows)} in; {done}")
    return 0


def _ask_lot() -> Callable[[LotRequest], int] | None:
    if not sys.stdin.isatty():
        return None

    def ask(request: LotRequest) -> int:
        console.print(f"[bold]A lot must be drawn[/bold]: {escape(request.reason)}")
        console.print(f"options: {', '.join(map(str, request.options))}")
        while True:
            typed = input("Outcome of the physical draw: ").strip()
            if typed.isdigit() and int(typed) in request.options:
                return int(typed)
            console.print("[red]type one of the options[/red]")

    return ask


def cmd_deceased(args: argparse.Namespace) -> int:
    office = _office(args)
    name = fin.enter_deceased(office, args.list, args.position)
    console.print(escape(f"recorded as deceased: list {args.list} candidate {args.position} {name}"))
    return 0


def cmd_finalise(args: argparse.Namespace) -> int:
    office = _office(args)
    out = fin.finalise(
        office,
        passphrase=resolve_passphrase(args.passphrase, new=False),
        lots=args.lot or [],
        ask_lot=_ask_lot(),
    )
    _, result, files = fin.latest(office)
    folder = Path(args.state) / "output"
    for name, content in files.items():
        atomic_write(folder / name, content)
    view = result_view(office.election)
    names = {x.number: x.name for x in view.lists}
    console.print(tally_table(f"{AUTHORITY_ID} totaal", out.total, names))
    seats = Table(title=f"zetels (kiesdeler {escape(result.quota)})", title_justify="left")
    for col in ("lijst", "zetels", "gekozen (volgorde van verkiezing)"):
        seats.add_column(col)
    for number, k in result.seats.items():
        elected = ", ".join(map(str, (result.elected or {}).get(number, [])))
        seats.add_row(escape(f"{number} {names.get(int(number), '')}"), str(k), elected)
    console.print(seats)
    for w in out.warnings:
        console.print(f"[yellow]warning: {escape(w)}[/yellow]")
    if out.lots:
        console.print(f"lots used, in order: {', '.join(map(str, out.lots))}")
    console.print(f"session {out.phase}: summary {out.digest[:16]}…")
    console.print(escape(f"written to {folder}: {', '.join(files)}"))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    office = _office(args)
    written = pub.publish(office, Path(args.out))
    console.print(f"published {len(written)} files under {args.out}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    office = _office(args)
    if args.verify:
        problems = audit.verify_audit(office.conn)
        for p in problems:
            console.print(f"[red]{escape(str(p))}[/red]")
        seq, digest = audit.head(office.conn)
        console.print(f"audit log: {seq} rows, head {digest[:16]}…, {'BROKEN' if problems else 'intact'}")
        return EXIT_REFUSED if problems else 0
    for ev in audit.events(office.conn):
        console.print(escape(f"{ev.seq:>5} {ev.at} {ev.user:<12} {ev.action:<20} {ev.payload[:120]}"))
    return 0


# ------------------------------------------------------------------------------------------------ parser


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "central",
        help="the central polling office app (seats, candidates, publication)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state", default=str(DEFAULT_STATE), help="state folder (default: %(default)s)")
    common.add_argument("--user", help="operator name for the audit log (default: the login name)")
    sub = parser.add_subparsers(dest="central_command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("init", parents=[common], help="import the election, make the key pair")
    p.add_argument("--definition", required=True, help="EML 110a (Verkiezingsdefinitie)")
    p.add_argument("--candidates", required=True, help="EML 230b (Kandidatenlijsten)")
    p.add_argument("--place", required=True, help="where the central polling office sits (printed on P 22)")
    p.add_argument("--hash-110a", help="the two blanked hash groups of the 110a, from its paper (scripts)")
    p.add_argument("--hash-230b", help="the two blanked hash groups of the 230b, from its paper (scripts)")
    p.add_argument("--passphrase", help="passphrase of the new private key (or TELKETEN_PASSPHRASE)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("enrol", parents=[common], help="enrol the keys of the tier below")
    p.add_argument("files", nargs="+", help="enrolment sheet scans or .tke files")
    p.add_argument("--expect-fingerprint", action="append", help="first 4+ fingerprint groups (scripts)")
    p.add_argument("--replace", action="store_true", help="replace an authority's earlier key")
    p.set_defaults(func=cmd_enrol)

    p = sub.add_parser("scan", parents=[common], help="read the tier below's signed summaries")
    p.add_argument("files", nargs="*", help="scans (PNG/JPEG/TIFF/PDF) or .tks files")
    p.add_argument("--webcam", action="store_true", help="read QR codes from the webcam")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("status", parents=[common], help="which authorities are in")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("deceased", parents=[common], help="record a deceased candidate (before finalise)")
    p.add_argument("list", type=int, help="list number")
    p.add_argument("position", type=int, help="candidate's number on the list")
    p.set_defaults(func=cmd_deceased)

    p = sub.add_parser("finalise", parents=[common], help="seats, candidates, 510d, 520, P 22")
    p.add_argument("--passphrase", help="passphrase of the private key (or TELKETEN_PASSPHRASE)")
    p.add_argument(
        "--lot", type=int, action="append", help="outcome of a physical lot, in the order asked (repeat)"
    )
    p.set_defaults(func=cmd_finalise)

    p = sub.add_parser("publish", parents=[common], help="write the published folder and results site")
    p.add_argument("--out", required=True, help="the published folder (shared by all tiers)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("audit", parents=[common], help="show or verify the audit log")
    p.add_argument("--verify", action="store_true", help="check the hash chain")
    p.set_defaults(func=cmd_audit)
    register_serve(sub)
