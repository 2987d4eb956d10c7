"""What the scanning desk shows: one received summary, the dashboard's rows and refusals, and the backend a
tier plugs in (hoofdstembureau and central may not import each other, so the desk is shared and each passes
its own backend)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import msgspec

from shared.adapters.web import WebUser
from shared.formats.plausibility import Advice


class DeskItem(msgspec.Struct, frozen=True, kw_only=True):
    """One received summary as the desk shows it: outcome, message, and the numbers to compare with paper."""

    source: str
    outcome: str
    text: str
    authority: str = ""
    name: str = ""
    rows: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.outcome == "refuse"


class DeskRow(msgspec.Struct, frozen=True, kw_only=True):
    """One authority on the dashboard: in, missing, or in by corrigendum."""

    code: str
    name: str
    state: str
    phase: int | None = None
    digest: str = ""
    duplicates: int = 0
    superseded: int = 0
    source: str = ""  # where its numbers came from (Dutch): scanned under a key, or keyed from paper by whom


class DeskRefusal(msgspec.Struct, frozen=True, kw_only=True):
    """A refused summary: when (ISO, shown in Dutch local time), from where, and why — `reason` in English
    for the command line, `reason_nl` as the desk showed it."""

    at: str
    source: str
    authority: str
    reason: str
    reason_nl: str = ""


class DeskStatus(msgspec.Struct, frozen=True, kw_only=True):
    rows: tuple[DeskRow, ...]
    refused: tuple[DeskRefusal, ...]
    finalised_phase: int | None = None
    #: plausibility advice on the parts received so far (shared.office.plausible): shown, never blocking
    advice: tuple[Advice, ...] = ()


class DeskBackend(Protocol):
    """What a tier gives the shared scanning desk: receive checked messages, and the dashboard."""

    title: str

    def receive(self, user: WebUser, messages: Sequence[tuple[str, bytes]]) -> list[DeskItem]: ...

    def status(self) -> DeskStatus: ...
