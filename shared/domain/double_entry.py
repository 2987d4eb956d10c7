"""The double-entry state machine of one station report (four-eyes principle, spec/station-reports.md §1.3).

Why it exists: every number that becomes definitive must have been typed identically twice, from the paper, by
two different people, and nobody's number may be overwritten silently — the coordinator decides which entry to
keep, but never types a number. The Kieswet makes the municipality responsible for a correct count of every
station (Kieswet hoofdstuk N); this state machine is how software keeps typing errors out of it.

Pure: every action takes the current `DataEntry` and returns a new one (the input is never changed), or raises
`StateError` naming the rule that forbids it. Validation needs a `ValidationContext`, time is passed in.

States (as in Abacus): empty → first_entry_in_progress → (first_entry_has_errors | first_entry_finalised) →
second_entry_in_progress → (entries_different | definitive), plus first_entry_correction /
second_entry_correction when the coordinator returns the differing fields of one entry to its typist.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.station_report import StationReport
from shared.domain.validation import (
    ValidationContext,
    ValidationResult,
    ValidationResults,
    blank_fields,
    check_shape,
    copy_report,
    differing_fields,
    validate,
)
from shared.errors import InputError, StateError

Role = Literal["typist", "coordinator"]
State = Literal[
    "empty",
    "first_entry_in_progress",
    "first_entry_has_errors",
    "first_entry_finalised",
    "second_entry_in_progress",
    "entries_different",
    "definitive",
    "first_entry_correction",
    "second_entry_correction",
]
ErrorResolution = Literal["resume_first", "discard_first"]
DifferenceResolution = Literal[
    "keep_first", "keep_second", "discard_both", "keep_first_correct_second", "keep_second_correct_first"
]

#: What the coordinator's dashboard shows (Dutch, as the users say it).
STATE_LABELS_NL: dict[State, str] = {
    "empty": "Nog niet ingevoerd",
    "first_entry_in_progress": "Eerste invoer bezig",
    "first_entry_has_errors": "Eerste invoer met fouten (coördinator)",
    "first_entry_finalised": "Eerste invoer klaar",
    "second_entry_in_progress": "Tweede invoer bezig",
    "entries_different": "Verschil tussen invoer (coördinator)",
    "definitive": "Definitief",
    "first_entry_correction": "Eerste invoer wordt gecorrigeerd",
    "second_entry_correction": "Tweede invoer wordt gecorrigeerd",
}


class Actor(msgspec.Struct, frozen=True):
    """Who acts: a user name and a role. Roles are checked here; logging in is the app's business."""

    name: str
    role: Role


class Entry(msgspec.Struct, kw_only=True):
    """One typist's entry: the report as typed so far, progress 0–100, and how it was finalised. `saved`:
    its typist saved it at least once — a form nobody saved yet has no findings to show."""

    typist: str
    report: StationReport
    progress: int = 0
    saved: bool = False
    finalised: bool = False
    with_warnings: bool = False
    with_errors: bool = False
    finalised_at: str | None = None


class DataEntry(msgspec.Struct, kw_only=True):
    """The double-entry record of one station: its state, both entries, and fields returned for correction."""

    state: State = "empty"
    first: Entry | None = None
    second: Entry | None = None
    correction_fields: tuple[str, ...] = ()


class Claimed(msgspec.Struct, frozen=True, kw_only=True):
    """What a typist gets on claiming: only their own entry (a second typist never sees the first)."""

    entry_number: Literal[1, 2]
    report: StationReport
    progress: int
    correction_fields: tuple[str, ...] = ()


_TYPING_STATES: dict[State, Literal[1, 2]] = {
    "first_entry_in_progress": 1,
    "second_entry_in_progress": 2,
    "first_entry_correction": 1,
    "second_entry_correction": 2,
}


def _copy(entry: DataEntry) -> DataEntry:
    return msgspec.msgpack.decode(msgspec.msgpack.encode(entry), type=DataEntry)


def _slot(entry: DataEntry, number: Literal[1, 2]) -> Entry:
    slot = entry.first if number == 1 else entry.second
    if slot is None:  # pragma: no cover - the states guarantee the slot
        raise StateError(f"entry {number} is missing in state {entry.state}")
    return slot


def _require_typist(actor: Actor) -> None:
    if actor.role != "typist":
        raise StateError(
            f"{actor.name} is a {actor.role}: only typists enter numbers (the coordinator never types)",
            code="entry.typist_only",
            params={"name": actor.name},
        )


def _require_coordinator(actor: Actor) -> None:
    if actor.role != "coordinator":
        raise StateError(
            f"{actor.name} is a {actor.role}: only a coordinator can do this",
            code="entry.coordinator_only",
            params={"name": actor.name},
        )


def _same_typist(actor: Actor) -> StateError:
    return StateError(
        f"{actor.name} typed the first entry: the second entry must be by a different user",
        code="entry.same_typist",
        params={"name": actor.name},
    )


def _unknown_resolution(action: str) -> InputError:
    return InputError(
        f"unknown resolution {action!r}", where="action", code="resolve.unknown", params={"action": action}
    )


def _typing_slot(entry: DataEntry, actor: Actor, action: str) -> tuple[Literal[1, 2], Entry]:
    """The entry the actor is typing; refuses anyone but its typist and states where nobody types."""
    _require_typist(actor)
    number = _TYPING_STATES.get(entry.state)
    if number is None:
        raise StateError(
            f"cannot {action} in state {entry.state}: no entry is being typed",
            code="entry.not_typing",
            params={"action": action, "state": entry.state},
        )
    slot = _slot(entry, number)
    if slot.typist != actor.name:
        raise StateError(
            f"cannot {action}: entry {number} is claimed by {slot.typist}, not by {actor.name}",
            code="entry.not_yours",
            params={"action": action, "number": number, "typist": slot.typist, "name": actor.name},
        )
    return number, slot


def claim(entry: DataEntry, actor: Actor, blank: StationReport) -> tuple[DataEntry, Claimed]:
    """Start or resume typing. `blank` is the empty (or next-session pre-filled) form for a new entry.

    The second entry must be by another user than the first (Abacus: SecondEntryNeedsDifferentUser); an
    entry in progress belongs to whoever claimed it.
    """
    _require_typist(actor)
    out = _copy(entry)
    if out.state == "empty":
        out.first = Entry(typist=actor.name, report=copy_report(blank))
        out.state = "first_entry_in_progress"
    elif out.state == "first_entry_finalised":
        first = _slot(out, 1)
        if first.typist == actor.name:
            raise _same_typist(actor)
        out.second = Entry(typist=actor.name, report=copy_report(blank))
        out.state = "second_entry_in_progress"
    elif out.state in _TYPING_STATES:
        number = _TYPING_STATES[out.state]
        slot = _slot(out, number)
        if slot.typist != actor.name:
            if number == 2 and _slot(out, 1).typist == actor.name:
                raise _same_typist(actor)
            raise StateError(
                f"entry {number} is claimed by {slot.typist}; {actor.name} cannot take it over",
                code="entry.taken",
                params={"number": number, "typist": slot.typist, "name": actor.name},
            )
    else:
        raise StateError(
            f"cannot claim in state {out.state}: it waits for the coordinator or is definitive",
            code="entry.cannot_claim",
            params={"state": out.state},
        )
    number = _TYPING_STATES[out.state]
    slot = _slot(out, number)
    return out, Claimed(
        entry_number=number,
        report=copy_report(slot.report),
        progress=slot.progress,
        correction_fields=out.correction_fields,
    )


def save(
    entry: DataEntry, actor: Actor, report: StationReport, ctx: ValidationContext, progress: int
) -> DataEntry:
    """Store a partial entry (findings allowed, shape checked); only by the typist who claimed it."""
    number, _ = _typing_slot(entry, actor, "save")
    check_shape(report, ctx)
    if not 0 <= progress <= 100:
        raise InputError(f"progress {progress} is outside 0–100", where="progress")
    out = _copy(entry)
    slot = _slot(out, number)
    slot.report = copy_report(report)
    slot.progress = progress
    slot.saved = True
    return out


def _check_acceptance(results: ValidationResults, accept_warnings: bool, accept_errors: bool) -> None:
    if results.has_errors and not accept_errors:
        codes = ", ".join(r.code for r in results.errors)
        raise StateError(
            f"errors {codes} must be checked against the paper and accepted before finalising",
            code="entry.accept_errors",
            params={"codes": codes},
        )
    if results.has_warnings and not accept_warnings:
        codes = ", ".join(r.code for r in results.warnings)
        raise StateError(
            f"warnings {codes} must be checked against the paper and accepted before finalising",
            code="entry.accept_warnings",
            params={"codes": codes},
        )


def finalise(
    entry: DataEntry,
    actor: Actor,
    ctx: ValidationContext,
    *,
    accept_warnings: bool = False,
    accept_errors: bool = False,
    at: str | None = None,
) -> DataEntry:
    """Finish the entry being typed. Findings must be accepted explicitly (the typist checked the paper).

    First entry: with errors it goes to the coordinator (first_entry_has_errors). Second or corrected
    entry: it is compared with the other one for exact equality — equal and error-free becomes definitive,
    different goes to the coordinator, equal but with errors is refused. W.001 (fields that differ from the
    first entry) counts as a warning to accept.
    """
    number, _ = _typing_slot(entry, actor, "finalise")
    results = entry_results(entry, actor, ctx)
    shown = ValidationResults(
        errors=results.errors, warnings=tuple(r for r in results.warnings if r.code != "W.002")
    )
    _check_acceptance(shown, accept_warnings, accept_errors)
    out = _copy(entry)
    mine = _slot(out, number)
    mine.finalised = True
    mine.progress = 100
    mine.with_errors = results.has_errors
    mine.with_warnings = shown.has_warnings
    mine.finalised_at = at
    if out.state == "first_entry_in_progress":
        out.state = "first_entry_has_errors" if results.has_errors else "first_entry_finalised"
        return out
    first, second = _slot(out, 1), _slot(out, 2)
    if (
        first.typist == second.typist
    ):  # pragma: no cover - claim() makes this impossible; a last line of defence
        raise _same_typist(actor)
    if first.report == second.report:
        if results.has_errors:
            raise StateError(
                "both entries are equal but have errors: the paper must be corrected first",
                code="entry.equal_with_errors",
            )
        out.state = "definitive"
    else:
        out.state = "entries_different"
    out.correction_fields = ()
    return out


def discard(entry: DataEntry, actor: Actor) -> DataEntry:
    """The typist throws away their own unfinished entry; a finalised other entry is kept."""
    _typing_slot(entry, actor, "discard")
    out = _copy(entry)
    if out.state == "first_entry_in_progress":
        return DataEntry()
    if out.state == "first_entry_correction":
        out.first = out.second  # the kept entry becomes the first entry
    out.second = None
    out.correction_fields = ()
    out.state = "first_entry_finalised"
    return out


def resolve_errors(entry: DataEntry, actor: Actor, action: ErrorResolution) -> DataEntry:
    """Coordinator on a first entry with errors: give it back to its typist, or discard it."""
    _require_coordinator(actor)
    if entry.state != "first_entry_has_errors":
        raise StateError(
            f"cannot resolve errors in state {entry.state}: only a first entry with errors can be",
            code="resolve.not_errors",
            params={"state": entry.state},
        )
    if action == "discard_first":
        return DataEntry()
    if action != "resume_first":
        raise _unknown_resolution(action)
    out = _copy(entry)
    first = _slot(out, 1)
    first.finalised = False
    first.with_errors = first.with_warnings = False
    first.finalised_at = None
    out.state = "first_entry_in_progress"
    return out


def _after_keeping(kept: Entry, ctx: ValidationContext) -> DataEntry:
    results = validate(kept.report, ctx)
    kept.with_errors = results.has_errors
    state: State = "first_entry_has_errors" if results.has_errors else "first_entry_finalised"
    return DataEntry(state=state, first=kept)


def resolve_differences(
    entry: DataEntry, actor: Actor, action: DifferenceResolution, ctx: ValidationContext
) -> DataEntry:
    """Coordinator on two different entries: keep one, discard both, or keep one and return the other's
    differing fields (blanked) to its own typist for re-keying — only if the kept entry has no errors."""
    _require_coordinator(actor)
    if entry.state != "entries_different":
        raise StateError(
            f"cannot resolve differences in state {entry.state}: the entries are not different",
            code="resolve.not_different",
            params={"state": entry.state},
        )
    out = _copy(entry)
    first, second = _slot(out, 1), _slot(out, 2)
    if action == "discard_both":
        return DataEntry()
    if action == "keep_first":
        return _after_keeping(first, ctx)
    if action == "keep_second":
        return _after_keeping(second, ctx)
    if action not in ("keep_first_correct_second", "keep_second_correct_first"):
        raise _unknown_resolution(action)
    keep_first = action == "keep_first_correct_second"
    kept, other = (first, second) if keep_first else (second, first)
    if validate(kept.report, ctx).has_errors:
        raise StateError(
            "the kept entry has errors: it cannot be the reference for a correction",
            code="resolve.kept_has_errors",
        )
    fields = differing_fields(kept.report, other.report)
    other.report = blank_fields(other.report, fields)
    other.finalised = False
    other.with_errors = other.with_warnings = False
    other.finalised_at = None
    out.correction_fields = tuple(fields)
    out.state = "second_entry_correction" if keep_first else "first_entry_correction"
    return out


def reset(entry: DataEntry, actor: Actor) -> DataEntry:
    """Coordinator puts the station back to empty: both entries are gone (and published output is stale)."""
    _require_coordinator(actor)
    return DataEntry()


def differences(entry: DataEntry) -> list[str]:
    """For the coordinator: the fields where the two entries differ (empty unless both exist)."""
    if entry.first is None or entry.second is None:
        return []
    return differing_fields(entry.first.report, entry.second.report)


def entry_results(entry: DataEntry, actor: Actor, ctx: ValidationContext) -> ValidationResults:
    """Findings for the typist's screen: the rules, plus W.001 on a second entry (the fields that differ from
    the first, never their values) or W.002 on a correction entry (the fields the coordinator blanked)."""
    _, slot = _typing_slot(entry, actor, "see findings")
    results = validate(slot.report, ctx)
    extra: ValidationResult | None = None
    if entry.state == "second_entry_in_progress":
        differing = differences(entry)
        if differing:
            extra = ValidationResult(code="W.001", kind="warning", fields=tuple(differing))
    elif entry.state in ("first_entry_correction", "second_entry_correction") and entry.correction_fields:
        extra = ValidationResult(code="W.002", kind="warning", fields=entry.correction_fields)
    if extra is None:
        return results
    return ValidationResults(
        errors=results.errors, warnings=tuple(sorted((extra, *results.warnings), key=lambda r: r.code))
    )
