"""`key` and `key-resolve`: the keyed fallback on the command line of both receiving offices.

    key CODE --blank FORM.json            write the empty form of CODE's report (the paper's order)
    key CODE --from FORM.json --user U    one typist's entry (the second by another user, without seeing
                                          the first); books the part when both are identical
    key CODE --user U                     the same, typed at the terminal field by field in the paper's
                                          order (Z, A–D, E.x, E–J, then each list page)
    key-resolve CODE --keep first|second|none --user C
                                          the coordinator's decision when the entries differ

The typist never sees the other entry: `key` prints only the findings on one's own entry and, when the two
differ, that they do and which fields, for the coordinator.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from shared.adapters.files import atomic_write, read_input
from shared.domain import keyed as kd
from shared.domain.station_report import MAX_COUNT
from shared.errors import InputError
from shared.office import keyed
from shared.office.office import Office

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: SubParsers, common: argparse.ArgumentParser, open_office: Callable[..., Office]) -> None:
    from shared.office.cli import ask, console, user_of  # the shared CLI imports this module

    def cmd_key(args: argparse.Namespace) -> int:
        office = open_office(args)
        if args.blank:
            atomic_write(Path(args.blank), keyed.blank_form(office, args.authority))
            console.print(escape(f"empty form of {args.authority} written to {args.blank}"))
            return 0
        if args.from_file:
            path = Path(args.from_file)
            data = read_input(path)
            totals = keyed.read_totals(data, where=str(path))
        else:
            prompt = ask()
            if prompt is None:
                raise InputError("not at a terminal: give --from FORM.json (see --blank)", where="key")
            blank = kd.blank_totals(keyed.context(office, args.authority))
            totals = ask_totals(blank, office.list_names(args.authority), prompt)
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

    p = sub.add_parser(
        "key",
        parents=[common],
        help="type a report's totals from paper (double entry)",
        description=(
            "Type a body's totals from its paper report, twice by two people, when its QR sheet cannot be "
            "scanned; the two entries must agree."
        ),
    )
    p.add_argument("authority", metavar="CODE", help="whose paper report is typed")
    p.add_argument("--blank", metavar="FORM.json", help="write the empty form and stop")
    p.add_argument("--from", dest="from_file", metavar="FORM.json", help="the filled-in form")
    p.add_argument("--accept-warnings", action="store_true", help="the warnings were checked on the paper")
    p.set_defaults(func=cmd_key)
    p = sub.add_parser(
        "key-resolve",
        parents=[common],
        help="coordinator: decide on differing entries",
        description="The coordinator's decision when the two typed entries of a body's totals differ.",
    )
    p.add_argument("authority", metavar="CODE")
    p.add_argument("--keep", required=True, choices=("first", "second", "none"))
    p.set_defaults(func=cmd_resolve)


def ask_totals(blank: kd.KeyedTotals, names: Mapping[int, str], ask: Callable[[str], str]) -> kd.KeyedTotals:
    """`blank` filled in field by field in the order of the paper report, each answer a whole number (an
    empty answer is 0, as an empty box on paper); last the SHA-256 printed on the paper, if there is one."""

    def number(label: str) -> int:
        while True:
            text = ask(f"{label}: ").strip().replace(".", "")
            if not text:
                return 0
            if text.isdigit() and int(text) <= MAX_COUNT:
                return int(text)
            print("  a whole number, 0 to 999999999 (dots between thousands are fine)")

    report = blank.report
    blank.eligible_voters = number("Z kiesgerechtigden")
    report.voters.poll_cards = number("A stempassen")
    report.voters.proxy_certificates = number("B volmachtbewijzen")
    if report.voters.voter_cards is not None:
        report.voters.voter_cards = number("C kiezerspassen")
    report.voters.admitted_voters = number("D toegelaten kiezers")
    for i, entry in enumerate(report.lists):
        report.votes.list_votes[i] = number(f"E.{entry.number} {names.get(entry.number, '')}".rstrip())
    report.votes.votes_on_candidates = number("E stemmen op kandidaten")
    report.votes.blank = number("F blanco")
    report.votes.invalid = number("G ongeldig")
    report.votes.ballots_cast = number("H uitgebrachte stemmen")
    report.differences.more_ballots = number("I meer geteld")
    report.differences.fewer_ballots = number("J minder geteld")
    for entry in report.lists:
        for k in range(len(entry.candidate_votes)):
            entry.candidate_votes[k] = number(f"lijst {entry.number} kandidaat {k + 1}")
        entry.total = number(f"lijst {entry.number} totaal")
    blank.eml_sha256 = ask("hashcode van het EML-bestand (leeg als die niet op het papier staat): ")
    return blank
