"""`telketen demo --out DIR [--scale municipal|national] [--seed N]`: the whole chain on a generated election.

Generates the election and its definition files, runs every municipality's app (simulated typists enter
every station twice, with slips that validation and double entry catch), prints every report to PDF, scans
the QR pages as a scanner would, runs the tiers above, publishes into DIR/published/ and verifies it. Exit 0
only when `verify` passes. Keys, passphrases and passwords are demo values derived from the seed: never for
real use.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import textwrap
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from municipality.dso import COUNTING_METHODS, parse_counting
from shared.errors import InputError, IntegrityError
from telketen.demo import run as demo_run
from telketen.demo.clock import DEMO_PASSPHRASE, DEMO_PASSWORD


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole chain on a generated election, from typed station reports to verified seats",
        description="Generate an election, let simulated typists enter every station twice, print and scan "
        "every report, run the hoofdstembureaus and the central office, publish and verify. Deterministic "
        "for a seed. Uses demo keys and passphrases: never for a real election.",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="empty or new folder for everything")
    parser.add_argument(
        "--scale",
        choices=("municipal", "national"),
        default="municipal",
        help="municipal: a council of ~20 stations (default); national: a Tweede Kamer of ~10,000 stations",
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the election and the simulation (default 1)"
    )
    parser.add_argument(
        "--counting",
        default="central",
        metavar="|".join(COUNTING_METHODS),
        help="how the municipalities count: central (stations per list, default) or decentral "
        "(stations per candidate on the N 10-1, the municipality's report is the Na 31-1)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=(
            "municipalities and hoofdstembureaus run in N worker processes "
            "(default: 1 for municipal, all cores for national)"
        ),
    )
    parser.set_defaults(func=run)


class _Bars(demo_run.Progress):
    """rich progress bars, one per stage with many steps."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, stage: str, total: int) -> None:
        self.tasks[stage] = self.progress.add_task(stage, total=total)

    def advance(self, stage: str) -> None:
        self.progress.advance(self.tasks[stage])


def _n(count: int, singular: str, plural: str | None = None) -> str:
    """'1 slip', '2 slips': the terminal output reads as English."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _say(console: Console, text: str) -> None:
    """Print wrapped between words at the console's width (80 columns on most terminals); a "list 7: 2"
    is never cut in two."""
    glued = re.sub(r"list (\d+): (\d+)", "list\xa0\\1:\xa0\\2", text)  # textwrap never breaks at U+00A0
    for line in textwrap.wrap(glued, width=console.width):
        console.print(line.replace("\xa0", " "), soft_wrap=True)


def run(args: argparse.Namespace) -> int:
    if args.jobs is not None and not 1 <= args.jobs <= 64:
        raise InputError("--jobs is a number of worker processes, 1..64", where="--jobs")
    counting = parse_counting(args.counting)
    jobs = args.jobs or (1 if args.scale == "municipal" else os.cpu_count() or 1)
    demo_run.require_empty(Path(args.out))  # refuse before the banner, not after it
    console = Console(highlight=False)
    console.print(f"[bold]Telketen demo[/bold]: scale {args.scale}, seed {args.seed}, {counting} counting.")
    console.print("[yellow]Demo values, NOT secret, never for a real election:[/yellow]")
    console.print(f"  passphrase '{DEMO_PASSPHRASE.decode()}', passwords '{DEMO_PASSWORD}',")
    console.print("  municipal keys derived from the seed.")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        result = demo_run.run_demo(
            Path(args.out),
            spec=demo_run.ElectionSpec(scale=args.scale, seed=args.seed, counting=counting),
            jobs=jobs,
            progress=_Bars(progress),
            on_stage=lambda s: progress.console.print(f"{s.name}: {s.items} in {s.seconds:.1f} s"),
        )
    console.print(f"[bold]{result.election_name}[/bold] ({result.election_id})")
    table = Table()
    table.add_column("stage")
    table.add_column("items", justify="right")
    table.add_column("seconds", justify="right")
    for stage in result.stages:
        table.add_row(stage.name, str(stage.items), f"{stage.seconds:.1f}" + (" cpu" if stage.cpu else ""))
    wall = sum(s.seconds for s in result.stages if not s.cpu)
    table.add_row("[bold]total (wall clock)[/bold]", "", f"[bold]{wall:.1f}[/bold]")
    console.print(table)
    e = result.entries
    say = functools.partial(_say, console)
    say(
        f"{_n(result.municipalities, 'municipality', 'municipalities')}, {_n(result.stations, 'station')}, "
        f"{_n(result.candidates, 'candidate')} per district."
    )
    say(
        f"{_n(e.entries, 'entry', 'entries')} typed: {_n(e.caught_by_validation, 'slip')} caught by "
        f"validation, {e.caught_by_double_entry} by double entry."
    )
    say(f"The coordinator sent {_n(e.resolutions, 'station')} back to be typed again.")
    if result.central is not None:
        ordered = sorted(result.central.seats.items(), key=lambda x: int(x[0]))
        seats = ", ".join(f"list {n}: {s}" for n, s in ordered)
        say(f"Seats: {seats}; {_n(result.central.elected, 'candidate')} elected.")
    report = result.verify
    ok = report is not None and report.ok
    if report is not None:
        verdict = (
            "[green]VERIFIED[/green]" if ok else f"[red]NOT VERIFIED ({len(report.findings)} findings)[/red]"
        )
        console.print(f"telketen verify {result.published}: {verdict}")
        for finding in report.findings[:20]:
            console.print(f"  {finding}")
    # a path or address on its own line, never wrapped, so a terminal keeps it whole and clickable
    console.print("Published files:")
    console.print(f"  {result.published}", soft_wrap=True)
    if result.site.exists():
        console.print("Results site:")
        console.print(f"  {result.site.resolve().as_uri()}", soft_wrap=True)
    return 0 if ok else IntegrityError.exit_code
