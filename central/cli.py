"""`telketen central`: the app of the central polling office (centraal stembureau).

    init      import 110a + 230b (typed hash check), make the key pair, print the enrolment sheet
    enrol     enrol the keys of the tier below (hoofdstembureaus; for a municipal council the municipality)
    scan      read signed summaries from scans (images, PDF), .tks files or a webcam
    key       a district's (or council municipality's) totals typed twice from its paper report
    key-resolve  the coordinator's decision when the two entries differ
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
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from central import finalise as fin
from central import publish as pub
from central import setup
from central.finalise import result_view
from central.office import AUTHORITY_ID, Office
from central.web import register_serve
from shared.adapters.files import atomic_write
from shared.adapters.keyfiles import resolve_passphrase
from shared.domain.apportionment import LotRequest
from shared.domain.validation import has_voter_cards
from shared.office import cli as office_cli
from shared.office import keyed_cli


def _deceased_lines(office: Office) -> Iterator[str]:
    for number, positions in office.deceased().items():
        for position in positions:
            yield f"deceased: list {number} candidate {position}"


COMMANDS = office_cli.OfficeCommands(
    office_type=Office,
    status=pub.status,
    publish=pub.publish,
    name_column="naam",
    counted="",
    status_notes=_deceased_lines,
)


def cmd_init(args: argparse.Namespace) -> int:
    result = setup.init(Path(args.state), at=office_cli.system_clock(), **office_cli.init_arguments(args))
    office_cli.show_created(result, "adds up")
    return 0


def _ask_lot() -> Callable[[LotRequest], int] | None:
    if not sys.stdin.isatty():
        return None

    def ask(request: LotRequest) -> int:
        office_cli.console.print(f"[bold]A lot must be drawn[/bold]: {escape(request.reason)}")
        office_cli.console.print(f"options: {', '.join(map(str, request.options))}")
        while True:
            typed = input("Outcome of the physical draw: ").strip()
            if typed.isdigit() and int(typed) in request.options:
                return int(typed)
            office_cli.console.print("[red]type one of the options[/red]")

    return ask


def cmd_deceased(args: argparse.Namespace) -> int:
    office = COMMANDS.open(args)
    name = fin.enter_deceased(office, args.list, args.position)
    office_cli.console.print(
        escape(f"recorded as deceased: list {args.list} candidate {args.position} {name}")
    )
    return 0


def cmd_finalise(args: argparse.Namespace) -> int:
    office = COMMANDS.open_for_data(args)
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
    cards = has_voter_cards(office.election.category)
    office_cli.console.print(
        office_cli.tally_table(f"{AUTHORITY_ID} totaal", out.total, names, voter_cards=cards)
    )
    seats = Table(title=f"zetels (kiesdeler {escape(result.quota)})", title_justify="left")
    for col in ("lijst", "zetels", "gekozen (volgorde van verkiezing)"):
        seats.add_column(col)
    for number, k in result.seats.items():
        elected = ", ".join(map(str, (result.elected or {}).get(number, [])))
        seats.add_row(escape(f"{number} {names.get(int(number), '')}"), str(k), elected)
    office_cli.console.print(seats)
    for w in out.warnings:
        office_cli.console.print(f"[yellow]warning: {escape(w)}[/yellow]")
    if out.lots:
        office_cli.console.print(f"lots used, in order: {', '.join(map(str, out.lots))}")
    office_cli.console.print(f"session {out.phase}: summary {out.digest[:16]}…")
    office_cli.console.print(escape(f"written to {folder}: {', '.join(files)}"))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub, common = COMMANDS.app_parser(
        subparsers,
        "central",
        help="the central polling office app (seats, candidates, publication)",
        description=__doc__,
        dest="central_command",
    )
    p = office_cli.add_init(sub, common, place_help="where the central polling office sits (printed on P 22)")
    p.set_defaults(func=cmd_init)

    COMMANDS.add_receiving(
        sub,
        common,
        office_cli.ReceivingHelp(
            enrol="enrol the keys of the tier below",
            replace="replace an authority's earlier key",
            scan="read the tier below's signed summaries",
            status="which authorities are in",
        ),
    )

    keyed_cli.register(sub, common, COMMANDS.open)

    p = sub.add_parser(
        "deceased",
        parents=[common],
        help="record a deceased candidate (before finalise)",
        description=(
            "Record that a candidate has died before the computation (Kieswet P 19a): they are passed over "
            "when seats go to candidates."
        ),
    )
    p.add_argument("list", type=int, help="list number")
    p.add_argument("position", type=int, help="candidate's number on the list")
    p.set_defaults(func=cmd_deceased)

    p = COMMANDS.add_finalise(sub, common, cmd_finalise, help="seats, candidates, 510d, 520, P 22")
    p.add_argument(
        "--lot", type=int, action="append", help="outcome of a physical lot, in the order asked (repeat)"
    )

    COMMANDS.add_publishing(sub, common, publish_help="write the published folder and results site")
    register_serve(sub)
