"""The append-only, hash-chained audit log of a tier app, kept in the app's own SQLite file.

Every state change (who, what, when) is one row: seq, at, user, action, payload (canonical JSON), the hash of
the previous row, and this row's hash = SHA-256 over a domain-separated encoding of all of those. Editing,
removing or inserting a row breaks the chain at that row; `verify_audit` names the row and what broke.

Two more guards: triggers refuse UPDATE and DELETE on the log (so an honest program cannot rewrite history by
mistake), and `audit_head` keeps the last seq and hash, updated in the same transaction as the append, so a
removed *last* row is seen too. A person with the file and a SQL shell can of course recompute the whole
chain; that is why the head hash is printed on the signed paper report (ARCHITECTURE §4): the paper anchors
the log.

The event is appended in the caller's transaction, so a state change and its audit row commit together or
not at all. Time comes from the caller (the edge), never from here.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from shared.adapters.store import split_sql, transaction

GENESIS = "0" * 64
_DOMAIN = b"telketen-audit-v1\x00"

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

ProblemKind = Literal["changed", "removed", "inserted", "head"]


class AuditEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the log as stored."""

    seq: int
    at: str
    user: str
    action: str
    payload: str
    prev_hash: str
    hash: str

    def data(self) -> Any:
        return json.loads(self.payload)


class AuditProblem(msgspec.Struct, frozen=True, kw_only=True):
    """A place where the chain does not hold: which row, what kind of edit it looks like, and why."""

    seq: int
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return f"audit row {self.seq}: {self.kind}: {self.detail}"


def install(conn: sqlite3.Connection) -> None:
    """Create the log tables and triggers (idempotent; also usable as a migration script: `SCHEMA`)."""
    with transaction(conn):
        for statement in split_sql(SCHEMA):
            conn.execute(statement)


def canonical_payload(payload: Mapping[str, Any] | None) -> str:
    """The payload as canonical JSON (sorted keys, no spaces, UTF-8 kept) so its hash is reproducible."""
    return json.dumps(
        msgspec.to_builtins(payload or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def row_hash(seq: int, at: str, user: str, action: str, payload: str, prev_hash: str) -> str:
    """SHA-256 over the domain tag and the length-prefixed fields: no two different rows encode alike."""
    h = hashlib.sha256(_DOMAIN)
    for part in (str(seq), at, user, action, payload, prev_hash):
        raw = part.encode("utf-8")
        h.update(len(raw).to_bytes(8, "big"))
        h.update(raw)
    return h.hexdigest()


def append_event(
    conn: sqlite3.Connection, *, at: str, user: str, action: str, payload: Mapping[str, Any] | None = None
) -> AuditEvent:
    """Append one event in the caller's transaction (or its own when there is none)."""
    text = canonical_payload(payload)
    with transaction(conn):
        head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        seq, prev = (int(head[0]) + 1, str(head[1])) if head else (1, GENESIS)
        digest = row_hash(seq, at, user, action, text, prev)
        conn.execute(
            "INSERT INTO audit_log (seq, at, user, action, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
            (seq, at, user, action, text, prev, digest),
        )
        conn.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            (seq, digest),
        )
    return AuditEvent(seq=seq, at=at, user=user, action=action, payload=text, prev_hash=prev, hash=digest)


def events(conn: sqlite3.Connection, *, since: int = 0) -> list[AuditEvent]:
    """The log in order (rows with seq > since)."""
    rows = conn.execute(
        "SELECT seq, at, user, action, payload, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq",
        (since,),
    ).fetchall()
    return [
        AuditEvent(seq=r[0], at=r[1], user=r[2], action=r[3], payload=r[4], prev_hash=r[5], hash=r[6])
        for r in rows
    ]


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(last seq, its hash): what a printed report carries to anchor the log; (0, GENESIS) when empty."""
    row = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def verify_audit(
    conn: sqlite3.Connection, *, expected_head: tuple[int, str] | None = None
) -> list[AuditProblem]:
    """Every place where the chain breaks; an empty list means the log is intact.

    A row whose own hash does not match its fields was *changed*; a gap in the sequence means rows were
    *removed*; a row whose link to its predecessor does not hold without a gap was *inserted* (or the rows
    around it renumbered); a last row that differs from the recorded head means the tail was cut or extended
    outside the program. `expected_head` (e.g. typed from a printed report) is checked as well.
    """
    problems: list[AuditProblem] = []
    prev_seq, prev_hash = 0, GENESIS
    for ev in events(conn):
        if row_hash(ev.seq, ev.at, ev.user, ev.action, ev.payload, ev.prev_hash) != ev.hash:
            problems.append(
                AuditProblem(seq=ev.seq, kind="changed", detail="its content does not match its hash")
            )
        if ev.seq != prev_seq + 1:
            problems.append(
                AuditProblem(
                    seq=ev.seq,
                    kind="removed",
                    detail=f"rows {prev_seq + 1}..{ev.seq - 1} are missing before it",
                )
            )
        elif ev.prev_hash != prev_hash:
            problems.append(
                AuditProblem(seq=ev.seq, kind="inserted", detail="it does not link to the row before it")
            )
        prev_seq, prev_hash = ev.seq, ev.hash
    recorded = head(conn)
    if recorded != (prev_seq, prev_hash) and not (recorded == (0, GENESIS) and prev_seq == 0):
        kind: ProblemKind = "removed" if recorded[0] > prev_seq else "inserted"
        problems.append(
            AuditProblem(
                seq=prev_seq,
                kind=kind if recorded[0] != prev_seq else "head",
                detail=f"the recorded head is row {recorded[0]} ({recorded[1][:16]}…), the log ends at row "
                f"{prev_seq} ({prev_hash[:16]}…)",
            )
        )
    if expected_head is not None and expected_head != (prev_seq, prev_hash):
        seq, digest = expected_head
        found = next((e for e in events(conn, since=seq - 1) if e.seq == seq), None)
        if found is None or found.hash != digest:
            problems.append(
                AuditProblem(
                    seq=seq, kind="changed", detail="it does not match the head printed on the report"
                )
            )
    return problems


def page(
    conn: sqlite3.Connection,
    *,
    user: str | None = None,
    action: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[AuditEvent]:
    """One page of the log, newest first: rows below seq `before`, optionally of one user and one action.

    Why here: a screen shows the last rows of a log of thousands; reading them all to show fifty would grow
    with the night's work."""
    where: list[str] = ["1 = 1"]
    args: list[str | int] = []
    for column, value in (("user", user), ("action", action)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if before is not None:
        where.append("seq < ?")
        args.append(before)
    rows = conn.execute(
        "SELECT seq, at, user, action, payload, prev_hash, hash FROM audit_log "
        f"WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT ?",
        (*args, limit),
    ).fetchall()
    return [
        AuditEvent(seq=r[0], at=r[1], user=r[2], action=r[3], payload=r[4], prev_hash=r[5], hash=r[6])
        for r in rows
    ]


def distinct(conn: sqlite3.Connection, column: Literal["user", "action"]) -> list[str]:
    """Every user or every action that occurs in the log, sorted (what a filter offers)."""
    return [str(r[0]) for r in conn.execute(f"SELECT DISTINCT {column} FROM audit_log ORDER BY {column}")]
