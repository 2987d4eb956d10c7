"""Keyed fallback: a municipal report's totals typed twice from its paper, when its QR sheet cannot be used.

Why: one torn, wet or faded sheet, or a municipality that counted with other software, must not block its
district. As the Kiesraad's Abacus does at the central office, two different users each type the totals of
the paper report (model Na 31-2 §2 and the list pages, in the paper's order), the second without seeing the
first; only two identical entries become a part of the count, and differences go to a coordinator, who
decides which entry to throw away but never types a number (spec/station-reports.md §1.3). The totals-level
rules run on every entry: F.201–F.204, F.312 and F.401–F.403 (errors: the entry is refused, the paper itself
is inconsistent and needs the municipality), W.204–W.206 (warnings: the typist confirms them against the
paper). The rules are those of `shared.domain.validation` at level "csb" (a central body re-keying a
municipality's totals); Z (kiesgerechtigden) is typed as well, as on the paper.

Pure: entries and users are passed in, time is a string passed in; nothing here reads a file or the clock.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.station_report import StationReport, empty_report
from shared.domain.tally import Tally
from shared.domain.validation import (
    ValidationContext,
    ValidationResults,
    differing_fields,
    validate,
)
from shared.errors import InputError, StateError

KeyedState = Literal["empty", "first_entry_done", "entries_different", "definitive"]
Resolution = Literal["keep_first", "keep_second", "discard_both"]

#: What the coordinator's overview shows (Dutch, as the users say it).
STATE_LABELS_NL: dict[KeyedState, str] = {
    "empty": "Nog niet ingevoerd",
    "first_entry_done": "Eerste invoer klaar, tweede invoer nodig",
    "entries_different": "Verschil tussen invoer (coördinator)",
    "definitive": "Definitief: ingevoerd van papier",
}


class KeyedTotals(msgspec.Struct, kw_only=True):
    """What one typist typed from a municipal report: Z, the totals A–J and the list pages, and the
    SHA-256 of the EML file where the paper prints one (hex; empty when not typed)."""

    eligible_voters: int = 0
    report: StationReport
    eml_sha256: str = ""

    def tally(self) -> Tally:
        return self.report.to_tally(self.eligible_voters)


class KeyedEntry(msgspec.Struct, frozen=True, kw_only=True):
    typist: str
    totals: KeyedTotals
    at: str


class KeyedRecord(msgspec.Struct, kw_only=True):
    """The double entry of one municipality: its state follows from the two entries."""

    first: KeyedEntry | None = None
    second: KeyedEntry | None = None

    @property
    def state(self) -> KeyedState:
        if self.first is None:
            return "empty"
        if self.second is None:
            return "first_entry_done"
        return "definitive" if not differences(self.first.totals, self.second.totals) else "entries_different"

    @property
    def keyed_by(self) -> tuple[str, str]:
        if self.first is None or self.second is None or self.state != "definitive":
            raise StateError("the totals are not definitive yet: two identical entries are needed")
        return self.first.typist, self.second.typist


def blank_totals(ctx: ValidationContext) -> KeyedTotals:
    """An empty form for the lists of `ctx` (level csb: no tick boxes, only numbers)."""
    return KeyedTotals(report=empty_report("cso_next", list(ctx.lists), with_voter_cards=ctx.voter_cards))


def normalise_hash(text: str) -> str:
    """The typed hash as 64 lower-case hex digits (groups and spaces as printed are fine), or empty."""
    digits = "".join(text.split()).lower()
    if digits and (len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits)):
        raise InputError("the printed hash is 64 hexadecimal digits (in groups)", where="eml_sha256")
    return digits


def check(totals: KeyedTotals, ctx: ValidationContext) -> ValidationResults:
    """The totals-level rules on one entry (InputError for a shape no paper can have)."""
    csb = msgspec.structs.replace(ctx, level="csb", eligible_voters=totals.eligible_voters)
    return validate(totals.report, csb)


def differences(first: KeyedTotals, second: KeyedTotals) -> list[str]:
    """The fields where two entries differ, as field paths (for the coordinator; W.001 in Abacus)."""
    out = differing_fields(first.report, second.report)
    if first.eligible_voters != second.eligible_voters:
        out.insert(0, "eligible_voters")
    if first.eml_sha256 != second.eml_sha256:
        out.append("eml_sha256")
    return out


def enter(
    record: KeyedRecord,
    typist: str,
    totals: KeyedTotals,
    ctx: ValidationContext,
    *,
    at: str,
    accept_warnings: bool = False,
) -> tuple[KeyedRecord, ValidationResults]:
    """Add one typist's finished entry; the record after it, and the findings on the entry.

    Refused (StateError naming the rule): a third entry, the same user twice, an entry with errors (the
    paper is inconsistent: the municipality must correct it), warnings not confirmed against the paper.
    """
    if record.state == "entries_different":
        raise StateError("the two entries differ; the coordinator decides first", where="keyed entry")
    if record.state == "definitive":
        raise StateError("already definitive: two identical entries were typed", where="keyed entry")
    if record.first is not None and record.first.typist == typist:
        raise StateError(
            f"{typist} typed the first entry; the second must be typed by another user", where="keyed entry"
        )
    totals = msgspec.structs.replace(totals, eml_sha256=normalise_hash(totals.eml_sha256))
    results = check(totals, ctx)
    if results.has_errors:
        codes = ", ".join(sorted({r.code for r in results.errors}))
        raise StateError(
            f"the totals break {codes}; compare with the paper, and if the paper says so the municipality "
            "must correct its report",
            where="keyed entry",
        )
    if results.has_warnings and not accept_warnings:
        codes = ", ".join(sorted({r.code for r in results.warnings}))
        raise StateError(
            f"warnings {codes}: check them against the paper and accept them", where="keyed entry"
        )
    entry = KeyedEntry(typist=typist, totals=totals, at=at)
    if record.first is None:
        return KeyedRecord(first=entry), results
    return KeyedRecord(first=record.first, second=entry), results


def resolve(record: KeyedRecord, action: Resolution) -> KeyedRecord:
    """The coordinator's decision on two differing entries: keep one (the other is typed again by someone
    else) or discard both. The coordinator never types a number."""
    if record.state != "entries_different" or record.first is None or record.second is None:
        raise StateError("there are no differing entries to resolve", where="keyed resolve")
    if action == "keep_first":
        return KeyedRecord(first=record.first)
    if action == "keep_second":
        return KeyedRecord(first=record.second)
    return KeyedRecord()
