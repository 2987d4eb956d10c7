"""The entry logic of a station report, in one place for every interface (terminal form, browser, scripts).

Why one place: what a typed value means, which totals are shown while typing and how findings are grouped must
be the same whether a typist uses the terminal form or the browser, and whether a trainer replays a file.

`REPORT.json` (the scripted entry, `telketen municipality entry STATION --from REPORT.json`) is either

- a whole `StationReport` in JSON (msgspec field names; an object with a ``"model"`` key), or
- an object of field path → value, applied in order onto the blank form, e.g.
  ``{"voters.poll_cards": 120, "votes.list_votes[0]": 80, "differences.equal": true}``.

Both are checked against the election's shape; a wrong field, value or type raises InputError naming the file
and the field. Typed text (one box at a time) is parsed by `parse_typed`: digits (spaces and thousands dots
allowed) for counts, empty for 0; for tick boxes "x"/"j"/"1" ticks and "n"/"0"/"-" unticks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from shared.domain.station_report import MAX_COUNT, StationReport
from shared.domain.validation import (
    Leaf,
    ValidationContext,
    ValidationResult,
    ValidationResults,
    check_shape,
    copy_report,
    get_field,
    set_field,
    validate,
)
from shared.errors import InputError
from shared.i18n import catalogue
from shared.i18n.catalogue import RULES
from station.form import Form, FormField

#: The bucket for findings that concern no box of the form (e.g. Z on a CSB entry).
GENERAL = "algemeen"

_TICK_ON = frozenset({"x", "j", "ja", "1", "v"})
_TICK_OFF = frozenset({"n", "nee", "0", "-"})


def parse_typed(field: FormField, text: str) -> Leaf:
    """The value a typist means by `text` in `field`; InputError in Dutch from the catalogue (its message is
    what the terminal form prints; the browser shows it by its code)."""
    raw = text.strip().lower()
    if field.kind == "tick":
        if raw in _TICK_ON:
            return True
        if raw in _TICK_OFF or raw == "":
            return False
        raise _typed_error(field, "typed.tick", text=text)
    cleaned = raw.replace(" ", "").replace(".", "")
    if cleaned == "":
        return 0
    if not cleaned.isdigit():
        raise _typed_error(field, "typed.not_a_number", text=text)
    value = int(cleaned)
    if value > MAX_COUNT:
        raise _typed_error(field, "typed.too_large", value=f"{value:,}".replace(",", "."))
    return value


def _typed_error(field: FormField, code: str, **params: object) -> InputError:
    return InputError(catalogue.text(code, params), where=field.path, code=code, params=params)


def apply_values(report: StationReport, values: Mapping[str, Any], *, where: str = "") -> StationReport:
    """A copy of `report` with path → value applied; InputError names the file (`where`) and the path."""
    out = copy_report(report)
    for path, value in values.items():
        at = f"{where}:{path}" if where else path
        if value is not None and not isinstance(value, bool | int):
            raise InputError(f"expects a whole number or true/false, got {value!r}", where=at)
        try:
            set_field(out, path, value)
        except InputError as exc:
            raise InputError(exc.message, where=at) from None
    return out


def read_report_json(
    data: bytes, blank: StationReport, ctx: ValidationContext, *, where: str
) -> StationReport:
    """Read a REPORT.json (a whole report, or path → value onto `blank`) and check its shape."""
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", where=where) from None
    if not isinstance(raw, dict):
        raise InputError("expected a JSON object (a station report, or field path → value)", where=where)
    if "model" in raw:
        try:
            report = msgspec.json.decode(data, type=StationReport, strict=True)
        except msgspec.ValidationError as exc:
            raise InputError(f"not a station report: {exc}", where=where) from None
    else:
        report = apply_values(blank, raw, where=where)
    if report.model != blank.model:
        raise InputError(
            f"report is model {report.model}, this entry is {blank.model}", where=f"{where}:model"
        )
    try:
        check_shape(report, ctx)
    except InputError as exc:
        raise InputError(exc.message, where=f"{where}:{exc.where}") from None
    return report


def encode_report(report: StationReport) -> bytes:
    """A report as REPORT.json (whole-report form), for saving and replay."""
    return msgspec.json.format(msgspec.json.encode(report), indent=2) + b"\n"


class Totals(msgspec.Struct, frozen=True, kw_only=True):
    """The sums a typist sees while typing, next to the totals they typed."""

    abc: int
    d: int
    list_sum: int
    e: int
    efg: int
    h: int
    candidate_sums: tuple[
        tuple[int, int, int], ...
    ]  # (list number, sum of candidate votes, typed list total)


def running_totals(report: StationReport) -> Totals:
    """A+B+C, ΣE.x, E+F+G and per list the sum of its candidates, each with the typed total beside it."""
    v, votes = report.voters, report.votes
    return Totals(
        abc=v.poll_cards + v.proxy_certificates + (v.voter_cards or 0),
        d=v.admitted_voters,
        list_sum=sum(votes.list_votes),
        e=votes.votes_on_candidates,
        efg=votes.votes_on_candidates + votes.blank + votes.invalid,
        h=votes.ballots_cast,
        candidate_sums=tuple((lst.number, sum(lst.candidate_votes), lst.total) for lst in report.lists),
    )


def group_by_section(form: Form, results: ValidationResults) -> dict[str, list[ValidationResult]]:
    """Findings per form section (in form order; a finding about several sections appears in each)."""
    grouped: dict[str, list[ValidationResult]] = {}
    for finding in results.all:
        keys: list[str] = []
        for path in finding.fields:
            section = form.section_of(path)
            key = section.key if section is not None else GENERAL
            if key not in keys:
                keys.append(key)
        for key in keys or [GENERAL]:
            grouped.setdefault(key, []).append(finding)
    order = [s.key for s in form.sections] + [GENERAL]
    return {k: grouped[k] for k in order if k in grouped}


def describe(finding: ValidationResult) -> str:
    """One line for a typist: code, Dutch title, and the list for F.4xx."""
    text = f"{finding.code} {RULES.get(finding.code, '')}".rstrip()
    if finding.list_number is not None:
        text += f" (lijst {finding.list_number})"
    return text


CommitHook = Callable[[str, Leaf, StationReport], None]


class EntrySession:
    """One typist's report being typed: commit values box by box, see totals and findings after each.

    `on_commit(path, value, report)` runs after every committed box, so the app can persist at once (a crash
    loses at most the box being typed). `extra`, if given, replaces plain validation by findings that also
    depend on the double-entry state (W.001, W.002: `shared.domain.double_entry.entry_results`).
    """

    def __init__(
        self,
        form: Form,
        ctx: ValidationContext,
        report: StationReport,
        *,
        on_commit: CommitHook | None = None,
        extra: Callable[[StationReport], ValidationResults] | None = None,
    ) -> None:
        check_shape(report, ctx)
        self.form = form
        self.ctx = ctx
        self.report = copy_report(report)
        self.on_commit = on_commit
        self.extra = extra

    def value(self, path: str) -> Leaf:
        return get_field(self.report, path)

    def commit(self, path: str, value: Leaf) -> None:
        set_field(self.report, path, value)
        if self.on_commit is not None:
            self.on_commit(path, value, copy_report(self.report))

    def commit_text(self, path: str, text: str) -> Leaf:
        """Parse what was typed in the box at `path` and commit it; returns the value."""
        value = parse_typed(self.form.field(path), text)
        self.commit(path, value)
        return value

    def apply(self, values: Mapping[str, Any]) -> None:
        for path, value in values.items():
            if value is not None and not isinstance(value, bool | int):
                raise InputError(f"expects a whole number or true/false, got {value!r}", where=path)
            self.commit(path, value)

    def totals(self) -> Totals:
        return running_totals(self.report)

    def results(self) -> ValidationResults:
        if self.extra is not None:
            return self.extra(self.report)
        return validate(self.report, self.ctx)

    def results_by_section(self) -> dict[str, list[ValidationResult]]:
        return group_by_section(self.form, self.results())

    def progress(self, path: str | None) -> int:
        """0–100: the share of the form's boxes before `path` (None: the whole form is done)."""
        paths = self.form.paths()
        if path is None or not paths:
            return 100
        return (100 * paths.index(path)) // len(paths)
