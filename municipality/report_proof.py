"""Proof that every definitive station report is the one its typist saved, as the audit chain recorded it.

Why: a definitive report is a JSON blob in `data_entries`; anyone with the state file and a SQL shell can
change a number in it, and the audit chain, which never reads that table, would still be intact. Every save
appends an `entry-save` row carrying the SHA-256 of the report as typed (`report_sha256`), so the log already
holds what each typist entered. Before the municipality signs (`finalise`) and when anyone checks the log
(`audit --verify`), each definitive report is hashed the same way and compared with the last save of the
typist whose entry it is, in that session, for that station. A report that was changed outside the program
no longer matches; the station is named and nothing is signed.

A forger would have to append a matching `entry-save` row too, which breaks the chain unless they recompute
it and its head; that is what the head printed on the paper report anchors (ARCHITECTURE §4).
"""

from __future__ import annotations

import hashlib
import sqlite3

import msgspec

from shared.adapters import audit
from shared.domain import double_entry as de
from shared.domain.station_report import StationReport


def report_sha256(report: StationReport) -> str:
    """The digest an `entry-save` audit row records for the report it stored."""
    return hashlib.sha256(msgspec.msgpack.encode(report)).hexdigest()


class UnprovenReport(msgspec.Struct, frozen=True, kw_only=True):
    """A definitive report that is not the one the audit chain recorded: where and what differs."""

    session: int
    station: str
    typist: str
    found: str
    recorded: str | None

    def __str__(self) -> str:
        recorded = "no save in the audit log" if self.recorded is None else f"audit log {self.recorded[:16]}…"
        return (
            f"station {self.station}, session {self.session}: the definitive report (typed by {self.typist}) "
            f"has sha256 {self.found[:16]}…, {recorded}; it was changed outside the program"
        )


def _last_saves(conn: sqlite3.Connection) -> dict[tuple[int, str, str], str]:
    """(session, station, typist) → report_sha256 of that typist's last save there."""
    last: dict[tuple[int, str, str], str] = {}
    for ev in audit.events(conn):
        if ev.action != "entry-save":
            continue
        data = ev.data()
        if isinstance(data, dict) and isinstance(data.get("report_sha256"), str):
            last[(int(data.get("session", 0)), str(data.get("station", "")), ev.user)] = data["report_sha256"]
    return last


def unproven_reports(conn: sqlite3.Connection) -> list[UnprovenReport]:
    """Every definitive report, in any session, whose digest differs from its typist's last recorded save."""
    saves = _last_saves(conn)
    out: list[UnprovenReport] = []
    rows = conn.execute("SELECT session, station, state FROM data_entries ORDER BY session, station")
    for session, station, blob in rows:
        session, station = int(session), str(station)
        try:
            entry = msgspec.json.decode(blob, type=de.DataEntry)
        except msgspec.DecodeError:
            out.append(
                UnprovenReport(
                    session=session, station=station, typist="?", found="unreadable", recorded=None
                )
            )
            continue
        if entry.state != "definitive" or entry.first is None:
            continue
        found = report_sha256(entry.first.report)
        recorded = saves.get((session, station, entry.first.typist))
        if found != recorded:
            out.append(
                UnprovenReport(
                    session=session,
                    station=station,
                    typist=entry.first.typist,
                    found=found,
                    recorded=recorded,
                )
            )
    return out
