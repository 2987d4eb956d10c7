"""The interactive terminal form (rich), in Dutch, box by box in the order of the paper.

Why a terminal form: the municipality's machines are offline and often plain; a keyboard-only form that
follows the paper is fast to type and easy to check. Enter goes to the next box (keeping the value shown),
running totals and the findings of the current rubric are shown after every box, `q` saves and stops, `<`
goes back one box. Each committed box is handed to the session's `on_commit`, so the app persists it at once
and a later run can resume (`start_at`). Input and output are injected (`read_line`, a rich `Console`) so a
test can type a script.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shared.domain.validation import ValidationResult
from shared.errors import InputError
from station.entry import GENERAL, EntrySession, describe
from station.form import FormField, FormSection

ReadLine = Callable[[str], str]

QUIT = "q"
BACK = "<"
HELP = "?"

HELP_NL = (
    "Typ het getal van het papier en druk op Enter. Enter zonder getal: de getoonde waarde blijft staan.\n"
    "Vakjes: x = aangevinkt, n = niet aangevinkt. "
    "'<' = vorig veld, 'q' = opslaan en stoppen, '?' = deze hulp."
)


class TerminalOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How the form ended: `finished` (every box passed) or stopped, with the box to resume at."""

    finished: bool
    resume_at: str | None = None


def _prompt(field: FormField, value: object) -> str:
    if field.kind == "tick":
        return f"{field.label} — nu {'aangevinkt' if value else 'leeg'}: "
    shown = f"{value:,}".replace(",", ".") if isinstance(value, int) else "-"
    return f"{field.letter} {field.label} [{shown}]: " if field.letter else f"{field.label} [{shown}]: "


def console_reader(console: Console) -> ReadLine:
    """The `read_line` for a real terminal: the prompt printed literally (labels hold brackets)."""
    return lambda prompt: console.input(escape(prompt))


def _totals_line(session: EntrySession, section: FormSection) -> str | None:
    t = session.totals()
    if section.key == "voters":
        letters = "A+B+C" if session.ctx.voter_cards else "A+B"
        return f"{letters} = {t.abc}   D = {t.d}"
    if section.key == "votes":
        return f"E.1 t/m E.n = {t.list_sum}   E = {t.e}   E+F+G = {t.efg}   H = {t.h}"
    if section.key == "differences":
        return f"D = {t.d}   H = {t.h}   H min D = {t.h - t.d}"
    if section.list_number is not None:
        for number, candidates, total in t.candidate_sums:
            if number == section.list_number:
                return f"Kandidaten samen = {candidates}   Totaal lijst = {total}"
    return None


def _print_findings(console: Console, findings: list[ValidationResult]) -> None:
    if not findings:
        console.print("  [green]✓ geen fouten of waarschuwingen in deze rubriek[/green]")
        return
    for finding in findings:
        if finding.kind == "error":
            console.print(f"  [red]✗ fout {describe(finding)}[/red]")
        else:
            console.print(f"  [yellow]! waarschuwing {describe(finding)}[/yellow]")


def _summary(console: Console, session: EntrySession) -> None:
    grouped = session.results_by_section()
    titles = {s.key: s.title for s in session.form.sections} | {GENERAL: "Algemeen"}
    if not grouped:
        console.print("[green]Klaar: geen fouten of waarschuwingen.[/green]")
        return
    table = Table(title="Fouten en waarschuwingen", show_lines=False)
    table.add_column("Rubriek")
    table.add_column("Code")
    table.add_column("Melding")
    for key, findings in grouped.items():
        for finding in findings:
            table.add_row(
                escape(titles[key]), finding.code, describe(finding).removeprefix(finding.code).strip()
            )
    console.print(table)
    console.print(
        "Controleer deze velden met het papieren proces-verbaal. Klopt alles met het papier? "
        "Dan kunt u de invoer afronden; fouten gaan naar de coördinator."
    )


def run_terminal_form(
    session: EntrySession, *, read_line: ReadLine, console: Console, start_at: str | None = None
) -> TerminalOutcome:
    """Type the form box by box from `start_at` (default: the first box). Returns how it ended."""
    order = list(session.form.fields())
    index = 0
    if start_at is not None:
        paths = [f.path for _, f in order]
        if start_at not in paths:
            raise InputError("no such box on this form", where=start_at)
        index = paths.index(start_at)
    console.print(f"[bold]Invoer proces-verbaal[/bold] — {HELP_NL.splitlines()[-1]}")
    shown_section: str | None = None
    shown_questions: list[str] = []
    while index < len(order):
        section, field = order[index]
        if section.key != shown_section:
            console.rule(escape(section.title))
            shown_section, shown_questions = section.key, []
        if field.question is not None and field.question not in shown_questions:
            console.print(f"[bold]{escape(field.question)}[/bold]")  # once per rubric, as on paper
            shown_questions.append(field.question)
        current = session.value(field.path)
        try:
            text = read_line(_prompt(field, current))
        except EOFError:
            text = QUIT
        command = text.strip().lower()
        if command == QUIT:
            console.print(
                f"Opgeslagen. U gaat later verder bij: {field.letter} {field.label}".replace("  ", " ")
            )
            return TerminalOutcome(finished=False, resume_at=field.path)
        if command == HELP:
            console.print(HELP_NL)
            continue
        if command == BACK:
            index = max(0, index - 1)
            continue
        try:
            if command == "":
                session.commit(field.path, current)  # Enter keeps the value, and marks the box as passed
            else:
                session.commit_text(field.path, text)
        except InputError as exc:
            console.print(f"  [red]{escape(exc.message)}[/red]")
            continue
        line = _totals_line(session, section)
        if line is not None:
            console.print(f"  {line}")
        _print_findings(console, session.results_by_section().get(section.key, []))
        index += 1
    _summary(console, session)
    return TerminalOutcome(finished=True)
