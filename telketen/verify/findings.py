"""What `verify` reports: every mismatch as (check, file, unit, field, expected, found), and what it saw.

Why data, not exceptions: a verifier must list *everything* that does not hold, not stop at the first problem,
so each check returns findings and the report is printed (or written as JSON) once at the end.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Check = Literal[
    "file",
    "definition",
    "sum",
    "layout",
    "completeness",
    "signature",
    "hash",
    "paper",
    "seats",
    "elected",
    "manifest",
]


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One thing that does not hold, named so a person can find it in the published files."""

    check: Check
    file: str
    unit: str
    field: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.file} [{self.unit}] {self.field}: expected {self.expected}, found {self.found}"


class KeyInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A published signing key: whose it is and its fingerprint, to compare with the signed paper letter."""

    file: str
    role: str
    authority_id: str
    authority_name: str
    district_id: str
    fingerprint: str


class FileInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A published file as read: its kind (110a, 510b, summary, enrolment, pdf …) and SHA-256."""

    file: str
    kind: str
    sha256: str


class PartSource(msgspec.Struct, frozen=True, kw_only=True):
    """One part of a total as its parent's signed summary declares it: scanned (and signed by which key)
    or keyed from paper (by whom); the text is Dutch, as the O 3 prints it."""

    parent: str
    unit: str
    source: str


class Note(msgspec.Struct, frozen=True, kw_only=True):
    """A status that is not a failure: what a set does not contain or cannot show (Dutch, for the reader)."""

    subject: str
    text: str


class ElectedRow(msgspec.Struct, frozen=True, kw_only=True):
    """One elected candidate: as verify recomputed it (`how`: preference / list order; "" = not recomputed)
    next to whether the published 520 names them."""

    list: int
    candidate: str
    name: str
    how: str
    in_520: bool


class Compared(msgspec.Struct, frozen=True, kw_only=True):
    """A check that held, as what was compared with what: `parts` units of kind `part` in `file` add up to
    the total of `authority` (`votes` valid votes); `telketen.verify.words` says it in the reader's words."""

    check: str
    file: str
    authority: str
    part: str
    parts: int
    votes: int


class Plausibility(msgspec.Struct, frozen=True, kw_only=True):
    """Advice, not a finding: a unit of a published count that looks unlike its peers
    (shared.formats.plausibility; `detail` is Dutch). It never changes the verdict."""

    file: str
    unit: str
    kind: str
    score: float
    detail: str


class Report(msgspec.Struct, kw_only=True):
    """The outcome of verifying a published folder; `ok` only when there is no finding at all."""

    directory: str
    election_id: str = ""
    election_name: str = ""
    files: list[FileInfo] = msgspec.field(default_factory=list)
    keys: list[KeyInfo] = msgspec.field(default_factory=list)
    findings: list[Finding] = msgspec.field(default_factory=list)
    checked: dict[str, int] = msgspec.field(default_factory=dict)
    seats: dict[str, int] = msgspec.field(default_factory=dict)
    elected: int = 0
    deceased: int = 0
    sources: list[PartSource] = msgspec.field(default_factory=list)
    signed: bool = True
    notes: list[Note] = msgspec.field(default_factory=list)
    candidates: list[ElectedRow] = msgspec.field(default_factory=list)
    list_names: dict[str, str] = msgspec.field(default_factory=dict)
    compared: list[Compared] = msgspec.field(default_factory=list)
    plausibility: list[Plausibility] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings and bool(self.files)

    def count(self, check: str, n: int = 1) -> None:
        """Record that `n` checks of a kind were made, so the report can say how much held."""
        self.checked[check] = self.checked.get(check, 0) + n

    def note(self, subject: str, text: str) -> None:
        self.notes.append(Note(subject=subject, text=text))

    def add(self, check: Check, file: str, unit: str, field: str, expected: object, found: object) -> None:
        self.findings.append(
            Finding(check=check, file=file, unit=unit, field=field, expected=str(expected), found=str(found))
        )
