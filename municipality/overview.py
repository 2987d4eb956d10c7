"""What the municipality's state was set up with and which counting sessions it has: the coordinator's set-up
page, read from the state file (the command line prints the same at `init`).

Why its own module: the set-up page shows what `init` checked (the typed hash groups of the 110a and 230b,
the 110b's stations and electorate, the key) long after the terminal that printed it was closed; it only
reads, so it never changes what the service layer guards.
"""

from __future__ import annotations

import msgspec

from municipality.service import Service, SourceFile
from shared.adapters import audit
from shared.errors import StateError


class SessionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A counting session (zitting): 1 is the count itself, later ones investigate stations (P 2a)."""

    number: int
    started_at: str
    started_by: str
    finalised_at: str | None
    investigations: int


class SetupOverview(msgspec.Struct, frozen=True, kw_only=True):
    sources: tuple[SourceFile, ...]
    initialised_at: str
    initialised_by: str
    key_fingerprint: str
    stations: int
    stations_electorate: int
    electorate: int | None
    sessions: tuple[SessionRow, ...]
    current: int
    current_finalised: bool


def sessions(svc: Service) -> tuple[SessionRow, ...]:
    rows = svc.conn.execute(
        "SELECT s.number, s.started_at, s.started_by, s.finalised_at, "
        "(SELECT COUNT(*) FROM investigations i WHERE i.session = s.number) "
        "FROM sessions s ORDER BY s.number"
    ).fetchall()
    return tuple(
        SessionRow(number=r[0], started_at=r[1], started_by=r[2], finalised_at=r[3], investigations=r[4])
        for r in rows
    )


def setup_overview(svc: Service) -> SetupOverview:
    """The definition loaded, the hashes checked at init, the electorate and the sessions."""
    init = next((e for e in audit.page(svc.conn, action="init", limit=1)), None)
    m = svc.municipality
    current = svc.current_session()
    try:
        fingerprint = svc.meta("key_fingerprint")
    except StateError:  # a state made without a key (never by init) shows no fingerprint
        fingerprint = ""
    return SetupOverview(
        sources=tuple(svc.sources),
        initialised_at=init.at if init else "",
        initialised_by=init.user if init else "",
        key_fingerprint=fingerprint,
        stations=len(m.stations),
        stations_electorate=sum(s.eligible_voters or 0 for s in m.stations),
        electorate=m.electorate,
        sessions=sessions(svc),
        current=current,
        current_finalised=svc.session_finalised(current),
    )
