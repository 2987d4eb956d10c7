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
from station.form import Form, FormField

#: Short Dutch titles of the findings, as on the typist's screen (Abacus wording, shortened).
MESSAGES_NL: dict[str, str] = {
    "F.101": "Extra onderzoek: één vraag beantwoord en de andere niet",
    "F.102": "Extra onderzoek: meerdere antwoorden op één vraag",
    "F.111": "Verschillen met stembureau: niet alle vragen beantwoord",
    "F.112": "Verschillen met stembureau: meerdere antwoorden op één vraag",
    "F.121": "Over het proces-verbaal: niet alle vragen beantwoord",
    "F.122": "Wel een corrigendum, maar de pagina 'controles en correcties' ontbreekt",
    "F.131": "Controles en correcties: niet alle vragen beantwoord",
    "F.132": "Corrigendum aanwezig, maar 'gecorrigeerde telresultaten' = nee",
    "F.133": "Geen corrigendum, maar 'gecorrigeerde telresultaten' = ja",
    "F.134": "Meer dan één antwoord op 'zijn er gecorrigeerde telresultaten?'",
    "F.135": "'Op verzoek van het centraal stembureau' kan niet in de eerste zitting",
    "F.201": "A, B en C tellen niet op tot D",
    "F.202": "De stemmen op lijsten (E.1 t/m E.n) tellen niet op tot E",
    "F.203": "E, F en G tellen niet op tot H",
    "F.204": "Er zijn stemmen op lijsten, maar E is leeg of 0",
    "F.301": "'D en H zijn gelijk' aangevinkt, maar D en H verschillen",
    "F.302": "'H is groter dan D' aangevinkt, maar H is niet groter",
    "F.303": "'H is kleiner dan D' aangevinkt, maar H is niet kleiner",
    "F.304": "Niet precies één vakje aangevinkt bij 'Vergelijk D en H'",
    "F.305": "D en H zijn gelijk, maar I en/of J is ingevuld",
    "F.306": "I is niet gelijk aan H min D",
    "F.307": "H is groter dan D, maar J is ingevuld (I en J verwisseld?)",
    "F.308": "J is niet gelijk aan D min H",
    "F.309": "H is kleiner dan D, maar I is ingevuld (I en J verwisseld?)",
    "F.310": "Verschil tussen D en H: 'volledig verklaard?' niet of dubbel beantwoord",
    "F.311": "Onverklaard verschil, maar 'vanwege een onverklaard verschil' niet aangevinkt",
    "F.312": "D is niet gelijk aan H min I plus J",
    "F.313": "D en H zijn gelijk, maar 'volledig verklaard?' is beantwoord",
    "F.401": "Er zijn stemmen op deze lijst, maar het lijsttotaal is leeg of 0",
    "F.402": "De stemmen op de kandidaten tellen niet op tot het lijsttotaal",
    "F.403": "Het lijsttotaal is niet gelijk aan E bij deze lijst",
    "W.001": "Verschil met eerste invoer: controleer de gemarkeerde velden",
    "W.002": "De coördinator heeft deze velden leeggemaakt: neem ze opnieuw over van papier",
    "W.201": "Aantal blanco stemmen is erg hoog (3 % of meer)",
    "W.202": "Aantal ongeldige stemmen is erg hoog (3 % of meer)",
    "W.203": "Groot verschil tussen toegelaten kiezers (D) en uitgebrachte stemmen (H)",
    "W.204": "Het totaal aantal uitgebrachte stemmen (H) is nul",
    "W.205": "Het aantal kiesgerechtigden (Z) is leeg of nul",
    "W.206": "Minder kiesgerechtigden (Z) dan stempassen (A)",
}

#: The bucket for findings that concern no box of the form (e.g. Z on a CSB entry).
GENERAL = "algemeen"

_TICK_ON = frozenset({"x", "j", "ja", "1", "v"})
_TICK_OFF = frozenset({"n", "nee", "0", "-"})


def parse_typed(field: FormField, text: str) -> Leaf:
    """The value a typist means by `text` in `field`; InputError (in Dutch: it is shown to the typist)."""
    raw = text.strip().lower()
    if field.kind == "tick":
        if raw in _TICK_ON:
            return True
        if raw in _TICK_OFF or raw == "":
            return False
        raise InputError(
            f"'{text}' is geen antwoord: typ x om aan te vinken, n om leeg te laten", where=field.path
        )
    cleaned = raw.replace(" ", "").replace(".", "")
    if cleaned == "":
        return 0
    if not cleaned.isdigit():
        raise InputError(f"'{text}' is geen geheel getal", where=field.path)
    value = int(cleaned)
    if value > MAX_COUNT:
        raise InputError(f"{value} is groter dan 999.999.999", where=field.path)
    return value


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
    text = f"{finding.code} {MESSAGES_NL.get(finding.code, '')}".rstrip()
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
