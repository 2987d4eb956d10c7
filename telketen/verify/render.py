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


#: The checks by the names a reader knows them (the JSON keeps the short English codes).
CHECK_NAMES = {
    "file": "bestand",
    "definition": "definitie",
    "sum": "optelling",
    "layout": "lijsten",
    "completeness": "volledigheid",
    "signature": "handtekening",
    "hash": "hash",
    "paper": "papier",
    "seats": "zetels",
    "elected": "gekozen",
    "chain": "keten",
    "csv": "osv4-3-CSV",
    "summary": "samenvatting tegen EML",
    "manifest": "gepubliceerde bestanden (manifest)",
}
#: Roles and kinds of files by their Dutch names (the JSON keeps the codes).
ROLES = {"municipality": "gemeente", "hoofdstembureau": "hoofdstembureau", "central": "centraal stembureau"}
KINDS = {
    "summary": "samenvatting",
    "enrolment": "sleutelbrief",
    "keyed": "van papier ingevoerd",
    "manifest": "manifest",
    "deceased": "overleden kandidaten",
    "other": "overig",
    "error": "onleesbaar",
}
HOW = {"preference": "voorkeurstemmen", "list_order": "lijstvolgorde", "": "-"}


def render(report: Report, console: Console) -> None:
    """The readable report, in Dutch: the person reading it compares it with Dutch paper."""
    title = report.election_name or report.election_id or "(onbekende verkiezing)"
    console.print(f"[bold]Controle van[/bold] {report.directory}: {title}")
    definition = [f for f in report.files if f.kind in ("110a", "230b")]
    if definition:
        table = Table(title="Definitiebestanden: vergelijk de hashcodes met het papier", title_justify="left")
        table.add_column("bestand")
        table.add_column("soort")
        table.add_column("hashcode (SHA-256)")
        for f in definition:
            table.add_row(f.file, f.kind, hash_code(f.sha256))
        console.print(table)
    if report.keys:
        table = Table(
            title="Sleutels: vergelijk de vingerafdrukken met de ondertekende brieven", title_justify="left"
        )
        for col in ("rol", "instantie", "naam", "kieskring", "vingerafdruk"):
            table.add_column(col)
        for k in sorted(report.keys, key=lambda k: (k.role, k.authority_id)):
            role = ROLES.get(k.role, k.role)
            table.add_row(role, k.authority_id, k.authority_name, k.district_id or "-", k.fingerprint)
        console.print(table)
    keyed = [p for p in report.sources if p.source.startswith("van papier")]
    if keyed:
        table = Table(title="Delen van papier ingevoerd (niet gescand): wie ze typten", title_justify="left")
        for col in ("totaal van", "deel", "herkomst"):
            table.add_column(col)
        for p in keyed:
            table.add_row(p.parent, p.unit, p.source)
        console.print(table)
    if report.sources:
        console.print(
            f"Herkomst van de delen: {len(report.sources) - len(keyed)} gescand en ondertekend, "
            f"{len(keyed)} van papier ingevoerd"
        )
    kinds: dict[str, int] = {}
    for f in report.files:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    console.print(
        "Gelezen bestanden: " + ", ".join(f"{n} × {KINDS.get(k, k)}" for k, n in sorted(kinds.items()))
    )
    console.print(
        "Gedane controles: "
        + ", ".join(f"{n} {CHECK_NAMES.get(k, k)}" for k, n in sorted(report.checked.items()))
    )
    if report.deceased:
        console.print(f"Overleden kandidaten weggelaten (Kieswet P 19a, deceased.json): {report.deceased}")
    for note in report.notes:
        console.print(f"[yellow]Status[/yellow] ({note.subject}): {note.text}")
    if report.seats:
        table = Table(
            title="Zetels (herberekend uit de totalen van het centraal stembureau)", title_justify="left"
        )
        table.add_column("lijst", justify="right")
        table.add_column("zetels", justify="right")
        for number, seats in sorted(report.seats.items(), key=lambda kv: int(kv[0])):
            if seats:
                table.add_row(number, str(seats))
        console.print(table)
    if report.candidates:
        table = Table(title="Gekozen kandidaten (herberekend, naast de 520)", title_justify="left")
        for col in ("lijst", "kandidaat", "naam", "gekozen met", "in de 520"):
            table.add_column(col, overflow="fold")
        for row in report.candidates:
            table.add_row(
                str(row.list),
                row.candidate,
                row.name,
                HOW.get(row.how, row.how),
                "ja" if row.in_520 else "nee",
            )
        console.print(table)
    if report.findings:
        table = Table(title=f"{len(report.findings)} bevinding(en)", title_justify="left", show_lines=False)
        for col in ("controle", "bestand", "eenheid", "veld", "verwacht", "gevonden"):
            table.add_column(col, overflow="fold")
        for finding in report.findings[:MAX_SHOWN]:
            table.add_row(
                CHECK_NAMES.get(finding.check, finding.check),
                finding.file,
                finding.unit,
                finding.field,
                finding.expected,
                finding.found,
            )
        console.print(table)
        if len(report.findings) > MAX_SHOWN:
            console.print(f"… en nog {len(report.findings) - MAX_SHOWN} (alle staan in --json)")
        console.print(
            "[bold red]NIET GEVERIFIEERD[/bold red]: de gepubliceerde bestanden kloppen niet met elkaar."
        )
    elif report.ok:
        total = sum(report.checked.values())
        unsigned = "" if report.signed else " (niet ondertekend: alleen de inhoud van de bestanden)"
        console.print(
            f"[bold green]GEVERIFIEERD[/bold green]{unsigned}: {total} controles kloppen, "
            f"{report.elected} kandidaten gekozen."
        )
    else:
        console.print("[bold red]NIET GEVERIFIEERD[/bold red]: niets te controleren.")
