"""`telketen hoofdstembureau` (alias `hsb`): the app of one district's hoofdstembureau.

    init      import 110a + 230b (typed hash check), make the key pair, print the enrolment sheet
    enrol     enrol the municipalities' keys from their enrolment sheets or .tke files
    scan      read signed summaries from scans (images, PDF), .tks files or a webcam
    key       a municipality's totals typed twice from its paper report, when its sheet cannot be scanned
    key-resolve  the coordinator's decision when the two entries differ
    status    which municipalities are in, missing, duplicated, corrected; what was refused
    finalise  add up, write 510c, sign, print O 3 with its QR pages
    publish   write the published folder
    audit     show or verify the hash-chained audit log

Exit codes: 0 when everything was accepted; 3 when a scanned summary was refused (it is recorded, never
added); the error tree's codes otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from hoofdstembureau import finalise as fin
from hoofdstembureau import publish as pub
from hoofdstembureau import setup
from hoofdstembureau.office import Office
from hoofdstembureau.web import register_serve
from shared.adapters.files import atomic_write
from shared.adapters.keyfiles import resolve_passphrase
from shared.office import cli as office_cli
from shared.office import keyed_cli

COMMANDS = office_cli.OfficeCommands(
    office_type=Office,
    status=pub.status,
    publish=pub.publish,
    name_column="gemeente",
    counted=" municipalities",
)


def cmd_init(args: argparse.Namespace) -> int:
    result = setup.init(
        Path(args.state),
        district_id=args.district,
        at=office_cli.system_clock(),
        **office_cli.init_arguments(args),
    )
    office_cli.show_created(result, "municipalities of this kieskring")
    return 0


def cmd_finalise(args: argparse.Namespace) -> int:
    office = COMMANDS.open_for_data(args)
    out = fin.finalise(office, passphrase=resolve_passphrase(args.passphrase, new=False))
    _, signed, eml, eml_name, pdf, pdf_name = fin.latest(office)
    folder = Path(args.state) / "output"
    atomic_write(folder / eml_name, eml)
    atomic_write(folder / pdf_name, pdf)
    atomic_write(folder / pub.SUMMARY_FILE, signed)
    office_cli.console.print(
        office_cli.tally_table(
            f"{office.authority_id} totaal", out.total, office.list_names(office.authority_id)
        )
    )
    for w in out.warnings:
        office_cli.console.print(f"[yellow]warning: {escape(w)}[/yellow]")
    office_cli.console.print(f"session {out.phase}: summary {out.digest[:16]}…, 510c sha256 {out.eml_sha256}")
    office_cli.console.print(escape(f"written to {folder}: {eml_name}, {pdf_name}, {pub.SUMMARY_FILE}"))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub, common = COMMANDS.app_parser(
        subparsers,
        "hoofdstembureau",
        aliases=["hsb"],
        help="the hoofdstembureau app (one district)",
        description=__doc__,
        dest="hsb_command",
    )
    p = office_cli.add_init(
        sub, common, place_help="where the hoofdstembureau sits (printed on O 3)", district=True
    )
    p.set_defaults(func=cmd_init)

    COMMANDS.add_receiving(
        sub,
        common,
        office_cli.ReceivingHelp(
            enrol="enrol municipalities' keys",
            replace="replace a municipality's earlier key",
            scan="read municipalities' signed summaries",
            status="which municipalities are in",
        ),
    )

    keyed_cli.register(sub, common, COMMANDS.open)
    COMMANDS.add_finalise(sub, common, cmd_finalise, help="add up, write 510c, sign, print O 3")

    COMMANDS.add_publishing(sub, common, publish_help="write the published folder")
    register_serve(sub)
