"""The central polling office's state file: one SQLite file per election in a state directory.

Why these tables: `definition` keeps the imported 110a/230b bytes (published again as received);
`register` the enrolled keys of the tier below (the hoofdstembureaus, or for a municipal council the
municipality itself), each with the exact self-signed record scanned; `received` every signed summary ever
scanned with its outcome (stage 'check' = refused by the signature/key/election/district/issuer checks, never
counted; stage 'intake' = passed them, and replaying those in order rebuilds the book of
`shared.domain.intake`); `deceased` the candidates recorded as deceased before the computation (Kieswet
P 19a); `outputs` + `output_files` every result this office produced with its files; plus the hash-chained
`audit_log`.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from shared.adapters import audit
from shared.adapters.store import Migration, connect, migrate
from shared.errors import InputError, StateError

DEFAULT_STATE = Path("telketen-csb")
SUFFIX = ".csb.sqlite"

MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE definition (
    kind TEXT PRIMARY KEY CHECK (kind IN ('110a', '230b')),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE register (
    key_id TEXT PRIMARY KEY,
    authority_id TEXT NOT NULL,
    record BLOB NOT NULL,
    enrolled_at TEXT NOT NULL,
    enrolled_by TEXT NOT NULL
);
CREATE TABLE received (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    digest TEXT NOT NULL,
    key_id TEXT NOT NULL,
    authority_id TEXT,
    phase INTEGER,
    supersedes TEXT,
    stage TEXT NOT NULL CHECK (stage IN ('check', 'intake')),
    outcome TEXT NOT NULL CHECK (outcome IN ('accept', 'duplicate', 'replace', 'refuse')),
    reason TEXT,
    message BLOB NOT NULL
);
CREATE TABLE deceased (
    list_number INTEGER NOT NULL,
    position INTEGER NOT NULL,
    entered_at TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    PRIMARY KEY (list_number, position)
);
CREATE TABLE outputs (
    phase INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    signed_message BLOB NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE output_files (
    phase INTEGER NOT NULL REFERENCES outputs (phase),
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (phase, name)
);
"""
        + audit.SCHEMA,
    ),
    (
        2,
        # The parsed election, keyed by the SHA-256 of the 110a and 230b (IF NOT EXISTS: early state files of
        # version 1 already had it).
        """
CREATE TABLE IF NOT EXISTS election_cache (
    sources TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
""",
    ),
)


def db_name(election_id: str) -> str:
    """File name of the central state of one election: `TK2025-CSB.csb.sqlite`."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", election_id)
    return f"{safe}-CSB{SUFFIX}"


def locate(state_dir: Path) -> Path:
    """The one state file in `state_dir`."""
    if not state_dir.is_dir():
        raise StateError("no state folder here; run `telketen central init` first", where=str(state_dir))
    found = sorted(state_dir.glob(f"*{SUFFIX}"))
    if not found:
        raise StateError("no central state file; run `telketen central init` first", where=str(state_dir))
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(f"several state files in this folder ({names}); use one folder per election")
    return found[0]


def open_db(path: Path, *, at: str, create: bool = False) -> sqlite3.Connection:
    """Open (creating when asked) and migrate the state file."""
    if create and path.exists():
        raise StateError("a state file for this election already exists", where=str(path))
    conn = connect(path, must_exist=not create)
    migrate(conn, MIGRATIONS, at=at)
    return conn


def get_meta(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise StateError(f"the state file has no '{key}'; was init completed?")
    return str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
