"""Print a verification report: readable (rich tables) for a person, or JSON for a program.

The readable form leads with what a person must compare by eye — the hash codes of the definition files and
the key fingerprints, against the paper — then what was checked, the seats, and every finding.
"""

from __future__ import annotations

from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from telketen.verify.findings import Report

#: How many findings the readable report lists before it says "and N more" (all of them are in --json).
MAX_SHOWN = 200


def hash_code(hex_digest: str) -> str:
    """A SHA-256 as 16 groups of 4 hex digits, as printed on the paper reports (spec/eml.md §3)."""
    return " ".join(hex_digest[i : i + 4] for i in range(0, len(hex_digest), 4))


def to_json(report: Report) -> bytes:
    """The whole report as JSON, with `ok` first so a script can read the verdict at once."""
    data: dict[str, Any] = {"ok": report.ok, **msgspec.to_builtins(report)}
    return msgspec.json.encode(data)


def render(report: Report, console: Console) -> None:
    """The readable report."""
    title = report.election_name or report.election_id or "(unknown election)"
    console.print(f"[bold]Verifying[/bold] {report.directory}: {title}")
    definition = [f for f in report.files if f.kind in ("110a", "230b")]
    if definition:
        table = Table(title="Definition files: compare the hash codes with the paper", title_justify="left")
        table.add_column("file")
        table.add_column("type")
        table.add_column("hash code (SHA-256)")
        for f in definition:
            table.add_row(f.file, f.kind, hash_code(f.sha256))
        console.print(table)
    if report.keys:
        table = Table(
            title="Signing keys: compare the fingerprints with the signed letters", title_justify="left"
        )
        for col in ("role", "authority", "name", "district", "fingerprint"):
            table.add_column(col)
        for k in sorted(report.keys, key=lambda k: (k.role, k.authority_id)):
            table.add_row(k.role, k.authority_id, k.authority_name, k.district_id or "-", k.fingerprint)
        console.print(table)
    keyed = [p for p in report.sources if p.source.startswith("van papier")]
    if keyed:
        table = Table(title="Parts keyed from paper (not scanned): who typed them", title_justify="left")
        for col in ("total of", "part", "source"):
            table.add_column(col)
        for p in keyed:
            table.add_row(p.parent, p.unit, p.source)
        console.print(table)
    if report.sources:
        console.print(
            f"Sources of the parts: {len(report.sources) - len(keyed)} scanned and signed, "
            f"{len(keyed)} keyed from paper"
        )
    kinds: dict[str, int] = {}
    for f in report.files:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    console.print("Files read: " + ", ".join(f"{n} × {k}" for k, n in sorted(kinds.items())))
    console.print("Checks made: " + ", ".join(f"{n} {k}" for k, n in sorted(report.checked.items())))
    if report.deceased:
        console.print(f"Deceased candidates left out (Kieswet P 19a, deceased.json): {report.deceased}")
    if report.seats:
        table = Table(title="Seats (recomputed from the central totals)", title_justify="left")
        table.add_column("list", justify="right")
        table.add_column("seats", justify="right")
        for number, seats in sorted(report.seats.items(), key=lambda kv: int(kv[0])):
            if seats:
                table.add_row(number, str(seats))
        console.print(table)
    if report.findings:
        table = Table(title=f"{len(report.findings)} finding(s)", title_justify="left", show_lines=False)
        for col in ("check", "file", "unit", "field", "expected", "found"):
            table.add_column(col, overflow="fold")
        for finding in report.findings[:MAX_SHOWN]:
            table.add_row(
                finding.check, finding.file, finding.unit, finding.field, finding.expected, finding.found
            )
        console.print(table)
        if len(report.findings) > MAX_SHOWN:
            console.print(f"… and {len(report.findings) - MAX_SHOWN} more (use --json for all of them)")
        console.print("[bold red]NOT VERIFIED[/bold red]: the published files do not hold together.")
    elif report.ok:
        total = sum(report.checked.values())
        console.print(
            f"[bold green]VERIFIED[/bold green]: {total} checks hold, {report.elected} candidates elected."
        )
    else:
        console.print("[bold red]NOT VERIFIED[/bold red]: nothing to verify.")
