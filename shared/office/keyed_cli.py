"""`key` and `key-resolve`: the keyed fallback on the command line of both receiving offices.

    key CODE --blank FORM.json            write the empty form of CODE's report (the paper's order)
    key CODE --from FORM.json --user U    one typist's entry (the second by another user, without seeing
                                          the first); books the part when both are identical
    key-resolve CODE --keep first|second|none --user C
                                          the coordinator's decision when the entries differ

The typist never sees the other entry: `key` prints only the findings on one's own entry and, when the two
differ, that they do and which fields, for the coordinator.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from shared.adapters.files import atomic_write
from shared.domain import keyed as kd
from shared.errors import InputError
from shared.office import keyed
from shared.office.office import Office

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: SubParsers, common: argparse.ArgumentParser, open_office: Callable[..., Office]) -> None:
    from shared.office.cli import console, user_of  # the shared CLI imports this module

    def cmd_key(args: argparse.Namespace) -> int:
        office = open_office(args)
        if args.blank:
            atomic_write(Path(args.blank), keyed.blank_form(office, args.authority))
            console.print(escape(f"empty form of {args.authority} written to {args.blank}"))
            return 0
        if not args.from_file:
            raise InputError("give --from FORM.json (a filled-in form) or --blank FORM.json", where="key")
        path = Path(args.from_file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
        totals = keyed.read_totals(data, where=str(path))
        out = keyed.enter(office, args.authority, user_of(args), totals, accept_warnings=args.accept_warnings)
        for finding in out.findings.warnings:
            console.print(f"[yellow]accepted warning {finding.code}: {', '.join(finding.fields)}[/yellow]")
        console.print(escape(f"{out.authority}: {kd.STATE_LABELS_NL[out.state]}"))
        if out.differences:
            console.print(escape(f"the entries differ in: {', '.join(out.differences)} (coordinator)"))
        if out.digest:
            console.print(escape(f"counted as keyed part {out.digest[:16]}…"))
        return 0

    def cmd_resolve(args: argparse.Namespace) -> int:
        office = open_office(args)
        action: kd.Resolution = "discard_both" if args.keep == "none" else f"keep_{args.keep}"  # type: ignore[assignment]
        state = keyed.resolve(office, args.authority, user_of(args), action)
        console.print(escape(f"{args.authority}: {kd.STATE_LABELS_NL[state]}"))
        return 0

    p = sub.add_parser("key", parents=[common], help="type a report's totals from paper (double entry)")
    p.add_argument("authority", metavar="CODE", help="whose paper report is typed")
    p.add_argument("--blank", metavar="FORM.json", help="write the empty form and stop")
    p.add_argument("--from", dest="from_file", metavar="FORM.json", help="the filled-in form")
    p.add_argument("--accept-warnings", action="store_true", help="the warnings were checked on the paper")
    p.set_defaults(func=cmd_key)
    p = sub.add_parser("key-resolve", parents=[common], help="coordinator: decide on differing entries")
    p.add_argument("authority", metavar="CODE")
    p.add_argument("--keep", required=True, choices=("first", "second", "none"))
    p.set_defaults(func=cmd_resolve)
