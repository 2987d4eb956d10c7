"""The interactive entry of one station report in the terminal, wired to the service.

The form itself (station/terminal.py) knows nothing of storage; here every committed box is saved through
`Service.save` in its own transaction, so a kill -9 loses at most the box being typed, and a later run resumes
near where the typist stopped. Findings shown while typing come from the stored entry, so W.001 (second entry)
and W.002 (correction) appear exactly as the coordinator will see them.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from municipality.service import Service, User
from shared.domain import double_entry as de
from shared.domain.election import Station
from shared.domain.station_report import StationReport
from shared.domain.validation import Leaf, ValidationResults
from shared.errors import StateError
from station.entry import EntrySession
from station.form import build_form
from station.terminal import ReadLine, run_terminal_form


def resume_point(paths: list[str], progress: int) -> str | None:
    """The first box whose share of the form reaches the saved progress (re-shows the last box typed)."""
    if not paths or progress <= 0:
        return None
    for i in range(len(paths)):
        if (100 * i) // len(paths) >= progress:
            return paths[i]
    return paths[-1]


def run_terminal(
    svc: Service,
    user: User,
    station: Station,
    claimed: de.Claimed,
    *,
    accept: bool,
    stamp: Callable[[], str],
    read_line: ReadLine = input,
    console: Console | None = None,
) -> int:
    """Type the claimed entry box by box, then finalise when the typist confirms; returns an exit code."""
    out = console or Console()
    form = build_form(claimed.report.model, svc.district.lists, voter_cards=svc.voter_cards)

    def on_commit(path: str, value: Leaf, report: StationReport) -> None:
        svc.save(user, station.id, report, progress=session.progress(path), at=stamp())

    def extra(report: StationReport) -> ValidationResults:
        return svc.findings(user, station.id)

    session = EntrySession(form, svc.validation_context(), claimed.report, on_commit=on_commit, extra=extra)
    out.print(
        f"[bold]Stembureau {station.number} {station.name}[/bold] — "
        f"invoer {claimed.entry_number} door {user.name}"
    )
    if claimed.correction_fields:
        out.print(
            f"[yellow]W.002: neem {len(claimed.correction_fields)} leeggemaakte velden opnieuw over.[/yellow]"
        )
    outcome = run_terminal_form(
        session, read_line=read_line, console=out, start_at=resume_point(form.paths(), claimed.progress)
    )
    if not outcome.finished:
        return 0
    results = svc.findings(user, station.id)
    answer = read_line("Invoer afronden? (j/n): ").strip().lower()
    if answer not in ("j", "ja", "y"):
        out.print("Opgeslagen, niet afgerond.")
        return 0
    accept_warnings = accept
    accept_errors = False
    if results.has_warnings and not accept:
        accept_warnings = read_line(
            "Waarschuwingen gecontroleerd met het papier? (j/n): "
        ).strip().lower() in ("j", "ja")
    if results.has_errors:
        accept_errors = read_line("Fouten staan zo op het papier? (j/n): ").strip().lower() in ("j", "ja")
    try:
        after = svc.finalise_entry(
            user, station.id, accept_warnings=accept_warnings, accept_errors=accept_errors, at=stamp()
        )
    except StateError as exc:
        out.print(f"[red]{exc.message}[/red]")
        return exc.exit_code
    out.print(f"Afgerond: {de.STATE_LABELS_NL[after.state]}")
    return 0
