"""The book of received summaries: which lower-tier authority is in, and with which signed summary.

A hoofdstembureau (or central office) receives one signed summary per authority below it (a municipality, a
district's HSB). Paper gets scanned twice, corrected reports arrive later, and an old sheet can be replayed by
mistake or on purpose. The book decides, for each summary that has already passed its signature, election,
district and issuer checks, what it means for the count — and never silently changes an accepted number:

- **accept**: the first summary of an authority, for its first session (phase 0, naming no predecessor);
- **duplicate**: the same summary again (same digest): nothing changes, it is only noted;
- **replace**: a corrigendum (a later phase) that names the digest of the summary now accepted — the chain of
  a corrected report (model Na 14) after an investigation in a next session (Kieswet art. P 2a): the corrected
  report takes the place of the earlier one and refers to it;
- **refuse**, with a reason: an authority that does not belong here, a corrigendum that names another summary
  (or none), an older phase than the one accepted (a replay), a different summary for the same phase (two
  conflicting reports), or a corrigendum arriving before the summary it corrects.

Pure: no clock, no files. The book is a value; `decide` says what a summary would do and `record` returns the
new book, so a service can show the decision to the operator, write it to the audit log and store it in one
transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import msgspec


class Outcome(enum.Enum):
    """What receiving a summary does to the book."""

    ACCEPT = "accept"
    DUPLICATE = "duplicate"
    REPLACE = "replace"
    REFUSE = "refuse"


class Reason(enum.Enum):
    """Why a summary was refused; the value is the operator's one-line explanation (the CLI is English)."""

    UNKNOWN_AUTHORITY = "the issuer is not one of the authorities this office adds up"
    ORPHAN_CORRIGENDUM = (
        "a corrigendum for an authority whose first report has not been received; scan that first"
    )
    FIRST_NAMES_PREDECESSOR = "a first-session summary must not name a summary it supersedes"
    CHAIN_BROKEN = "the corrigendum does not name the summary that is accepted now"
    OLDER_PHASE = "older than the summary already accepted (a replayed earlier report)"
    CONFLICT = "a different summary for the same session as the one already accepted"


class Received(msgspec.Struct, frozen=True, kw_only=True):
    """The facts of a verified summary that the book needs.

    `digest` is the message digest of the signed summary (what a higher tier lists as a child digest and what
    a corrigendum names); `phase` is 0 for the first session and n for corrigendum n; `supersedes` the digest
    of the summary a corrigendum replaces (None for a first session).
    """

    authority: str
    digest: bytes
    phase: int
    supersedes: bytes | None = None


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """The book's answer for one summary; `replaced` is the digest taken out of the count by a REPLACE."""

    outcome: Outcome
    received: Received
    reason: Reason | None = None
    replaced: bytes | None = None

    @property
    def counts(self) -> bool:
        """Whether this summary now counts (accepted or replacing)."""
        return self.outcome in (Outcome.ACCEPT, Outcome.REPLACE)

    def message(self) -> str:
        who = self.received.authority
        phase = _phase_text(self.received.phase)
        if self.outcome is Outcome.ACCEPT:
            return f"{who}: accepted ({phase})"
        if self.outcome is Outcome.DUPLICATE:
            return f"{who}: already received this summary ({phase}); nothing changed"
        if self.outcome is Outcome.REPLACE:
            return f"{who}: accepted {phase}, it replaces the earlier summary"
        assert self.reason is not None
        return f"{who}: refused ({phase}): {self.reason.value}"


def _phase_text(phase: int) -> str:
    return "first session" if phase == 0 else f"corrigendum {phase}"


class Book(msgspec.Struct, frozen=True, kw_only=True):
    """The received summaries of one office.

    `expected`: the authorities it adds up (municipality codes of the district, or HSB ids), in report order.
    `current`: authority → the summary that counts.
    `superseded`: summaries taken out by a corrigendum, in order.
    `duplicates`: authority → how many times an identical summary was scanned again.
    `refused`: every refusal, in order (also those of unknown authorities).
    """

    expected: tuple[str, ...]
    current: tuple[tuple[str, Received], ...] = ()
    superseded: tuple[Received, ...] = ()
    duplicates: tuple[tuple[str, int], ...] = ()
    refused: tuple[Decision, ...] = ()

    def accepted(self, authority: str) -> Received | None:
        for who, rec in self.current:
            if who == authority:
                return rec
        return None

    @property
    def received_in(self) -> tuple[str, ...]:
        """Authorities with a summary that counts, in `expected` order."""
        have = {who for who, _ in self.current}
        return tuple(a for a in self.expected if a in have)

    @property
    def missing(self) -> tuple[str, ...]:
        have = {who for who, _ in self.current}
        return tuple(a for a in self.expected if a not in have)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def superseded_authorities(self) -> tuple[str, ...]:
        """Authorities whose count comes from a corrigendum (an earlier summary was replaced)."""
        hit = {rec.authority for rec in self.superseded}
        return tuple(a for a in self.expected if a in hit)

    @property
    def duplicated_authorities(self) -> tuple[str, ...]:
        hit = {who for who, n in self.duplicates if n}
        return tuple(a for a in self.expected if a in hit)

    def counting(self) -> tuple[Received, ...]:
        """The summaries that count, in `expected` order (the order of the report)."""
        by = dict(self.current)
        return tuple(by[a] for a in self.expected if a in by)


def new_book(expected: Iterable[str]) -> Book:
    """An empty book for these authorities; refuses an empty or repeated list (a setup mistake)."""
    names = tuple(expected)
    if not names:
        raise ValueError("an office must add up at least one authority")
    if len(set(names)) != len(names):
        raise ValueError("an authority is listed twice")
    return Book(expected=names)


def decide(book: Book, rec: Received) -> Decision:
    """What receiving `rec` would do; does not change the book."""
    if rec.authority not in book.expected:
        return Decision(outcome=Outcome.REFUSE, received=rec, reason=Reason.UNKNOWN_AUTHORITY)
    if rec.phase == 0 and rec.supersedes is not None:
        return Decision(outcome=Outcome.REFUSE, received=rec, reason=Reason.FIRST_NAMES_PREDECESSOR)
    now = book.accepted(rec.authority)
    if now is None:
        if rec.phase > 0:
            return Decision(outcome=Outcome.REFUSE, received=rec, reason=Reason.ORPHAN_CORRIGENDUM)
        return Decision(outcome=Outcome.ACCEPT, received=rec)
    if rec.digest == now.digest:
        return Decision(outcome=Outcome.DUPLICATE, received=rec)
    if rec.phase < now.phase or any(old.digest == rec.digest for old in book.superseded):
        return Decision(outcome=Outcome.REFUSE, received=rec, reason=Reason.OLDER_PHASE)
    if rec.phase == now.phase:
        return Decision(outcome=Outcome.REFUSE, received=rec, reason=Reason.CONFLICT)
    if rec.supersedes != now.digest:
        return Decision(outcome=Outcome.REFUSE, received=rec, reason=Reason.CHAIN_BROKEN)
    return Decision(outcome=Outcome.REPLACE, received=rec, replaced=now.digest)


def record(book: Book, decision: Decision) -> Book:
    """The book after `decision` (which must come from `decide` on this same book)."""
    rec = decision.received
    if decision.outcome is Outcome.REFUSE:
        return msgspec.structs.replace(book, refused=(*book.refused, decision))
    if decision.outcome is Outcome.DUPLICATE:
        counts = dict(book.duplicates)
        counts[rec.authority] = counts.get(rec.authority, 0) + 1
        return msgspec.structs.replace(book, duplicates=tuple(sorted(counts.items())))
    current = dict(book.current)
    superseded = book.superseded
    if decision.outcome is Outcome.REPLACE:
        old = current.get(rec.authority)
        if old is None or old.digest != decision.replaced:
            raise ValueError("decision does not belong to this book")
        superseded = (*superseded, old)
    elif rec.authority in current:
        raise ValueError("decision does not belong to this book")
    current[rec.authority] = rec
    order = {a: i for i, a in enumerate(book.expected)}
    return msgspec.structs.replace(
        book,
        current=tuple(sorted(current.items(), key=lambda kv: order[kv[0]])),
        superseded=superseded,
    )


def receive(book: Book, rec: Received) -> tuple[Book, Decision]:
    """Decide and record in one step."""
    decision = decide(book, rec)
    return record(book, decision), decision


def replay(expected: Iterable[str], history: Iterable[Received]) -> Book:
    """Rebuild a book from every summary ever received, in order: how a service restores it from its store."""
    book = new_book(expected)
    for rec in history:
        book, _ = receive(book, rec)
    return book
