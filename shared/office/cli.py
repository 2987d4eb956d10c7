"""The sub-commands both receiving offices have: enrol, scan, status, publish, audit (and their parsers).

A tier's `cli.py` builds its own parser (`init` and `finalise` are its own, the central office adds
`deceased`) and takes these from an `OfficeCommands` made with its `Office` type, its dashboard and its
publish function. Exit codes: 0 when everything was accepted; 3 when a scanned summary was refused (it is
recorded, never added) or the audit log is broken; the error tree's codes otherwise.

This is the edge: the only place the receiving offices read the machine's clock (`system_clock`, handed to
every office opened here and to `init`); the offices, their setup, intake and finalise take it as given.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shared.adapters import audit, clock
from shared.adapters.airgap import require_air_gap
from shared.adapters.files import read_input
from shared.adapters.keyfiles import read_enrolment_file, resolve_passphrase
from shared.cli_options import add_hash_options
from shared.domain.keyregister import EnrolmentRecord, readable_fingerprint
from shared.domain.tally import Tally
from shared.domain.validation import has_voter_cards
from shared.errors import InputError
from shared.formats import dutch
from shared.formats.dutch import tally_rows
from shared.formats.eml.read import read_path
from shared.office.office import Office
from shared.office.publish import gather, log_published
from shared.office.receive import ScanItem, receive_message
from shared.office.setup import Created, InitArgs, ask_groups, enrol_messages
from shared.office.status import Status

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf", ".bmp", ".webp"}
EXIT_REFUSED = 3
ALLOW_NETWORK_HELP = "skip the air-gap refusal (tests/training; audited)"

console = Console(highlight=False)

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
OfficeT = TypeVar("OfficeT", bound=Office)


def system_clock() -> datetime:
    """The machine's clock in Dutch local time with its UTC offset, whole seconds (what the reports, the EML
    and the audit log print)."""
    return clock.now()


def user_of(args: argparse.Namespace) -> str:
    return str(args.user or os.environ.get("USER") or getpass.getuser())


def ask() -> Callable[[str], str] | None:
    """`input` at a terminal; None in a script, where the values must come as options."""
    return input if sys.stdin.isatty() else None


def common_options(default_state: Path) -> argparse.ArgumentParser:
    """`--state` and `--user`, the parent parser of every sub-command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state", default=str(default_state), help="state folder (default: %(default)s)")
    common.add_argument("--user", help="operator name for the audit log (default: the login name)")
    return common


# ------------------------------------------------------------------------------------------------ init


def init_arguments(args: argparse.Namespace) -> InitArgs:
    """The keyword arguments every tier's `setup.init` takes, from the `init` options (typed groups asked at a
    terminal when not given)."""
    a110 = read_path(args.definition)
    files = [(str(path), read_path(path)) for path in args.candidates]
    typed = [" ".join(pair) for pair in args.hash_230b or []]
    if len(typed) > len(files):
        raise InputError(f"{len(typed)} --hash-230b for {len(files)} 230b file(s)", where="--hash-230b")
    typed += [ask_groups(data, name, ask()) for name, data in files[len(typed) :]]
    (name_b, b230), *more = files
    return {
        "definition": (str(args.definition), a110),
        "candidates": (name_b, b230),
        "typed_110a": " ".join(args.hash_110a)
        if args.hash_110a
        else ask_groups(a110, str(args.definition), ask()),
        "typed_230b": typed[0],
        "more_candidates": tuple((name, data, t) for (name, data), t in zip(more, typed[1:], strict=True)),
        "place": args.place,
        "passphrase": resolve_passphrase(args.passphrase, new=True),
        "user": user_of(args),
    }


def show_created(result: Created, children: str) -> None:
    """What init made; `children` introduces the list of authorities this office adds up."""
    console.print(escape(f"state       {result.state_file}"))
    console.print(escape(f"private key {result.key_file} (encrypted, mode 0600)"))
    console.print(escape(f"enrolment   {result.enrolment_file}  sheet {result.sheet_file}"))
    console.print(f"fingerprint [bold]{result.fingerprint}[/bold]")
    console.print(f"{children}: {', '.join(result.children)}")


def add_init(
    sub: SubParsers, common: argparse.ArgumentParser, *, place_help: str, district: bool = False
) -> argparse.ArgumentParser:
    """The `init` parser (the caller sets its handler); `district` adds the hoofdstembureau's `--district`."""
    p = sub.add_parser(
        "init",
        parents=[common],
        help="import the election, make the key pair",
        description=(
            "Import the election definition (110a) and the candidate lists (230b), each checked by the two "
            "hash groups typed from its paper, and make this office's key pair and enrolment sheet."
        ),
    )
    p.add_argument("--definition", required=True, help="EML 110a (Verkiezingsdefinitie)")
    p.add_argument(
        "--candidates",
        required=True,
        nargs="+",
        help="EML 230b (Kandidatenlijsten); one per kieskring allowed",
    )
    if district:
        p.add_argument("--district", required=True, help="kieskring number")
    p.add_argument("--place", required=True, help=place_help)
    add_hash_options(p, many_230b=True)
    p.add_argument("--passphrase", help="passphrase of the new private key (or TELKETEN_PASSPHRASE)")
    return p


# ------------------------------------------------------------------------------------------------ messages


def collect(paths: list[Path], *, what: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(source, message) from binary files (.tks/.tke) and from scans; plus the missing-symbol notes."""
    found: list[tuple[str, bytes]] = []
    scans: list[Path] = []
    for path in paths:
        if path.suffix.lower() in SCAN_SUFFIXES:
            scans.append(path)
        else:
            found.append((str(path), read_input(path)))
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


# ------------------------------------------------------------------------------------------------ screens


def tally_table(title: str, t: Tally, list_names: dict[int, str], *, voter_cards: bool = True) -> Table:
    """The numbers of a summary, for a person to compare with the paper (box C only where it exists)."""
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in tally_rows(
        t, {n: escape(name) for n, name in list_names.items()}, voter_cards=voter_cards
    ):
        table.add_row(label, dutch.number(value))
    return table


def show_record(record: EnrolmentRecord) -> None:
    who = escape(
        f"key of {record.role.value} {record.authority_id} {record.authority_name} "
        f"(election {record.election_id}, district {record.district_id or '-'}): "
    )
    console.print(f"{who}fingerprint [bold]{readable_fingerprint(record.key_id)}[/bold]")


def show_items(office: Office, items: list[ScanItem]) -> int:
    """Each summary's outcome and the numbers of an accepted one; EXIT_REFUSED if any was refused."""
    refused = 0
    for item in items:
        if item.refused:  # an error: on stderr, in the one error format, unwrapped
            why = item.text.removeprefix("refused: ").removeprefix(f"{item.source}: ")
            print(f"telketen: error: {item.source}: refused: {why}", file=sys.stderr)
            refused += 1
            continue
        style = "yellow" if item.outcome == "duplicate" else "green"
        console.print(f"[{style}]{escape(item.source)}: {escape(item.text)}[/{style}]")
        if item.tally is not None and item.outcome in ("accept", "replace"):
            who = f"{item.authority} {office.child_name(item.authority or '')}"
            names = office.list_names(item.authority or "")
            cards = has_voter_cards(office.election.category)
            console.print(
                tally_table(escape(f"{who} — compare with the paper"), item.tally, names, voter_cards=cards)
            )
        for w in item.warnings:
            console.print(f"[yellow]warning: {escape(w)}[/yellow]")
    return EXIT_REFUSED if refused else 0


# ------------------------------------------------------------------------------------------------ commands


@dataclass(frozen=True)
class ReceivingHelp:
    """The help lines of `enrol`, its `--replace`, `scan` and `status`, in the tier's words."""

    enrol: str
    replace: str
    scan: str
    status: str


@dataclass(frozen=True)
class OfficeCommands(Generic[OfficeT]):
    """The common sub-commands of one tier's app.

    `name_column` heads the names on the dashboard ('gemeente', 'naam'), `counted` follows 'N of M' after a
    scan (' municipalities' or ''), `status_notes` adds the tier's own lines under the dashboard.
    """

    office_type: type[OfficeT]
    status: Callable[[OfficeT], Status]
    publish: Callable[[OfficeT, Path, bytes], list[Path]]
    name_column: str
    counted: str
    status_notes: Callable[[OfficeT], Iterable[str]] = lambda office: ()

    def open(self, args: argparse.Namespace) -> OfficeT:
        return self.office_type.open(Path(args.state), user_of(args), clock=system_clock)

    def open_for_data(self, args: argparse.Namespace) -> OfficeT:
        """The office for a command that takes in or signs results (`scan`, `finalise`): only on an
        air-gapped machine; an override (`--allow-network`) is written to the audit log."""
        office = self.open(args)
        require_air_gap(args.allow_network, lambda found: office.log("airgap-override", found))
        return office

    def enrol(self, args: argparse.Namespace) -> int:
        office = self.open(args)
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
        for item in enrol_messages(
            office,
            messages,
            expected=args.expect_fingerprint or [],
            ask=ask(),
            show=show_record,
            replace=args.replace,
        ):
            state = "already enrolled" if item.already else "enrolled"
            console.print(escape(f"{state}: {item.authority} {item.fingerprint}"))
        return 0

    def scan(self, args: argparse.Namespace) -> int:
        office = self.open_for_data(args)
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
        st = self.status(office)
        console.print(f"{sum(r.state != 'missing' for r in st.rows)} of {len(st.rows)}{self.counted} in")
        return code

    def show_status(self, args: argparse.Namespace) -> int:
        office = self.open(args)
        st = self.status(office)
        table = Table(
            title=escape(f"{office.meta('authority_name')} — {office.election_id}"), title_justify="left"
        )
        for col in (
            "code",
            self.name_column,
            "status",
            "zitting",
            "samenvatting",
            "herkomst",
            "dubbel",
            "vervangen",
        ):
            table.add_column(col)
        for r in st.rows:
            colour = {"missing": "red", "in": "green", "corrigendum": "cyan"}[r.state]
            table.add_row(
                r.code,
                escape(r.name),
                f"[{colour}]{r.state}[/{colour}]",
                "" if r.phase is None else ("eerste" if r.phase == 0 else f"corr. {r.phase}"),
                r.digest,
                escape(r.source),
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
        for line in self.status_notes(office):
            console.print(line)
        for a in st.advice:  # advice, never an error (docs/plausibility.md); the details are Dutch
            console.print(
                f"[yellow]plausibility advice: {escape(a.unit)} (score {a.score:.1f}): {escape(a.detail)}"
            )
        done = "not finalised" if st.finalised_phase is None else f"finalised (session {st.finalised_phase})"
        console.print(f"{sum(r.state != 'missing' for r in st.rows)} of {len(st.rows)} in; {done}")
        return 0

    def publish_to(self, args: argparse.Namespace) -> int:
        office = self.open(args)
        passphrase = resolve_passphrase(args.passphrase, new=False)
        gathered: list[Path] = []
        if args.gather:  # first: the site's drill-down and phone check read the lower tiers' published files
            gathered, skipped = gather(office, Path(args.out), [Path(p) for p in args.gather])
            for line in skipped:
                console.print(f"[yellow]not gathered: {escape(line)}[/yellow]")
            log_published(office, Path(args.out), gathered)  # the audit names what was copied in, too
        written = gathered + self.publish(office, Path(args.out), passphrase)
        console.print(f"published {len(written)} files under {args.out}")
        return 0

    def audit(self, args: argparse.Namespace) -> int:
        office = self.open(args)
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

    # -------------------------------------------------------------------------------------------- parsers
    def app_parser(
        self,
        subparsers: SubParsers,
        name: str,
        *,
        help: str,
        description: str | None,
        dest: str,
        aliases: list[str] | None = None,
    ) -> tuple[SubParsers, argparse.ArgumentParser]:
        """The tier's `telketen <name>` parser: its sub-command parsers and their common options."""
        parser = subparsers.add_parser(
            name,
            aliases=aliases or [],
            help=help,
            description=description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub = parser.add_subparsers(dest=dest, metavar="COMMAND")
        sub.required = True
        return sub, common_options(self.office_type.layout.default_state)

    def add_finalise(
        self,
        sub: SubParsers,
        common: argparse.ArgumentParser,
        handler: Callable[[argparse.Namespace], int],
        help: str,
    ) -> argparse.ArgumentParser:
        """The `finalise` parser with its `--passphrase`; the tier adds its own options to it."""
        p = sub.add_parser(
            "finalise",
            parents=[common],
            help=help,
            description=(
                "Add up what was received and sign the result; refused on a machine with a network unless "
                "overridden."
            ),
        )
        p.add_argument("--passphrase", help="passphrase of the private key (or TELKETEN_PASSPHRASE)")
        p.add_argument("--allow-network", action="store_true", help=ALLOW_NETWORK_HELP)
        p.set_defaults(func=handler)
        return p

    def add_receiving(self, sub: SubParsers, common: argparse.ArgumentParser, helps: ReceivingHelp) -> None:
        """`enrol`, `scan` and `status`, with the tier's own words for whom it receives from."""
        p = sub.add_parser(
            "enrol",
            parents=[common],
            help=helps.enrol,
            description=(
                "Enrol the signing keys of the bodies below from their enrolment sheets (scans) or .tke "
                "files, after comparing the fingerprint with the signed letter."
            ),
        )
        p.add_argument("files", nargs="+", help="enrolment sheet scans or .tke files")
        p.add_argument("--expect-fingerprint", action="append", help="first 4+ fingerprint groups (scripts)")
        p.add_argument("--replace", action="store_true", help=helps.replace)
        p.set_defaults(func=self.enrol)

        p = sub.add_parser(
            "scan",
            parents=[common],
            help=helps.scan,
            description=(
                "Read signed summaries from scans (images, PDF), .tks files or the webcam; each is checked "
                "(signature, key, election, sums) and accepted or refused, never added when refused."
            ),
        )
        p.add_argument("files", nargs="*", help="scans (PNG/JPEG/TIFF/PDF) or .tks files")
        p.add_argument("--webcam", action="store_true", help="read QR codes from the webcam")
        p.add_argument("--allow-network", action="store_true", help=ALLOW_NETWORK_HELP)
        p.set_defaults(func=self.scan)

        p = sub.add_parser(
            "status",
            parents=[common],
            help=helps.status,
            description="Which bodies below are in, missing, duplicated or corrected, and what was refused.",
        )
        p.set_defaults(func=self.show_status)

    def add_publishing(self, sub: SubParsers, common: argparse.ArgumentParser, *, publish_help: str) -> None:
        """`publish` and `audit`."""
        p = sub.add_parser(
            "publish",
            parents=[common],
            help=publish_help,
            description=(
                "Write the published folder that `telketen verify` checks, optionally gathering the lower "
                "tiers' files."
            ),
        )
        p.add_argument("--out", required=True, help="the published folder (shared by all tiers)")
        p.add_argument(
            "--passphrase",
            help="passphrase of the private key that signs the manifest (or TELKETEN_PASSPHRASE)",
        )
        p.add_argument(
            "--gather",
            action="append",
            default=[],
            metavar="DIR",
            help="a lower tier's published folder: copy in its files (510b/510c, reports) that "
            "`telketen verify` needs, for each summary this office added up; repeatable",
        )
        p.set_defaults(func=self.publish_to)

        p = sub.add_parser(
            "audit",
            parents=[common],
            help="show or verify the audit log",
            description="Print the hash-chained audit log, or check its chain (--verify).",
        )
        p.add_argument("--verify", action="store_true", help="check the hash chain")
        p.set_defaults(func=self.audit)
