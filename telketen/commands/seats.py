"""`telketen seats [--json] [--lot N]... FILE`: seats and elected candidates from JSON (`-` = stdin).

A thin edge around `shared.domain.seats`: read bytes, decode strictly, compute, print. `--json` prints the
stable contract (one object per election, an array for an array); otherwise a readable rich table per election
with the quota as a mixed number, the seats per list and the steps that led to them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from shared.adapters.files import read_input
from shared.domain.apportionment import (
    AbsoluteMajorityStep,
    ExhaustionStep,
    FullSeatsStep,
    LotStep,
    QuotaStep,
    ResidualSeatStep,
    UnassignedStep,
    mixed,
)
from shared.domain.candidates import CandidateElectedStep, PreferenceThresholdStep
from shared.domain.seats import SeatsInput, SeatsResult, compute_batch, decode_input, encode_results
from shared.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seats",
        help="apportion seats and elect candidates (Kieswet P 5–P 19) from a JSON file",
        description="Seats per list and elected candidates for one election or a JSON array of them. "
        "When a lot is needed the result says so (status lot_required) with the options; draw it and run "
        'again with --lot N (or "lots" in the file), outcomes in the order they were asked.',
    )
    parser.add_argument(
        "file", metavar="FILE", help="JSON file with one election object or an array; - for stdin"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON (the stable contract)")
    parser.add_argument(
        "--lot",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="lot outcome (list or candidate number), in the order asked; repeatable; single election only",
    )
    parser.set_defaults(func=run)


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return read_input(name)


def run(args: argparse.Namespace) -> int:
    where = "stdin" if args.file == "-" else str(args.file)
    decoded = decode_input(_read(args.file), where=where)
    lots: list[int] = list(args.lot)
    if lots:
        if isinstance(decoded, list):
            raise InputError("--lot applies to a single election, the file holds an array", where="--lot")
        if any(n < 1 for n in lots):
            raise InputError("a lot outcome is a list or candidate number (>= 1)", where="--lot")
        decoded = SeatsInput(
            id=decoded.id,
            category=decoded.category,
            seats=decoded.seats,
            lists=decoded.lists,
            lots=(*decoded.lots, *lots),
        )
    inputs = decoded if isinstance(decoded, list) else [decoded]
    results = compute_batch(inputs)
    if args.json:
        out = encode_results(results if isinstance(decoded, list) else results[0])
        sys.stdout.write(out.decode() + "\n")
        return 0
    console = Console(highlight=False)
    for inp, res in zip(inputs, results, strict=True):
        _print_result(console, inp, res)
    return 0


def _print_result(console: Console, inp: SeatsInput, res: SeatsResult) -> None:
    console.rule(f"[bold]{res.id or '(no id)'}[/bold]  {inp.category}, {inp.seats} seats")
    console.print(f"Votes on lists: {res.total_votes}   quota: {mixed(res.quota)}  ({res.quota})")
    names = {str(lst.number): lst.name for lst in inp.lists}
    full: dict[str, int] = {}
    for step in res.steps:
        if isinstance(step, FullSeatsStep):
            full = {str(x.list_number): x.full_seats for x in step.lists}
    table = Table(show_edge=False)
    for col in ("list", "name", "votes", "full", "residual", "seats"):
        table.add_column(col, justify="left" if col == "name" else "right")
    if res.elected is not None:
        table.add_column("elected (in order)")
    for lst in inp.lists:
        key = str(lst.number)
        total = res.seats.get(key)
        row = [
            key,
            names[key],
            str(lst.votes),
            str(full.get(key, 0)),
            "" if total is None else str(total - full.get(key, 0)),
            "" if total is None else str(total),
        ]
        if res.elected is not None:
            row.append(", ".join(str(c) for c in res.elected.get(key, [])))
        table.add_row(*row)
    console.print(table)
    if res.unassigned:
        console.print(f"[yellow]{res.unassigned} seat(s) stay empty: no list can take them (P 10)[/yellow]")
    console.print("Steps:")
    for step in res.steps:
        line = _describe(step)
        if line:
            console.print(f"  {line}")
    if res.status == "lot_required" and res.lot is not None:
        console.print(
            f"[bold red]Lot required[/bold red] ({res.lot.kind}): {res.lot.reason}. Options: "
            f"{', '.join(str(o) for o in res.lot.options)}. Draw, then run again with --lot N."
        )
    else:
        console.print("[green]complete[/green]")


def _describe(step: object) -> str:
    if isinstance(step, QuotaStep):
        return f"{step.article}: quota {step.total_votes} / {step.seats} = {mixed(step.quota)}"
    if isinstance(step, FullSeatsStep):
        return f"{step.article}: {step.full_seats} full seats, {step.residual_seats} residual seat(s)"
    if isinstance(step, ResidualSeatStep):
        tie = f" (tied: {', '.join(map(str, step.options))})" if len(step.options) > 1 else ""
        return (
            f"{step.article}: residual seat {step.seat} to list {step.list_number}, "
            f"{step.rule.replace('_', ' ')} {mixed(step.value)}{tie}{' by lot' if step.by_lot else ''}"
        )
    if isinstance(step, AbsoluteMajorityStep):
        return (
            f"{step.article}: seat of list {step.from_list} goes to list {step.to_list} (absolute majority)"
        )
    if isinstance(step, ExhaustionStep):
        kind = "full" if step.full_seat else "residual"
        return (
            f"{step.article}: list {step.list_number} has {step.candidates} candidate(s), loses a {kind} seat"
        )
    if isinstance(step, UnassignedStep):
        return f"{step.article}: {step.seats} seat(s) stay empty"
    if isinstance(step, LotStep):
        return f"lot ({step.kind}) among {', '.join(map(str, step.options))}: drawn {step.outcome}"
    if isinstance(step, PreferenceThresholdStep):
        return f"{step.article}: preference threshold {step.percentage}% of quota = {mixed(step.threshold)}"
    if isinstance(step, CandidateElectedStep):
        how = "preference votes" if step.rule == "preference" else "list order"
        who = f"list {step.list_number} candidate {step.candidate}"
        return f"{step.article}: {who} elected ({how}, {step.votes} votes)"
    return ""
