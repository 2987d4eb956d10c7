"""The hoofdstembureau's state file: one SQLite file per district and election in a state directory.

Why these tables: `definition` keeps the imported 110a/230b bytes (published again as they were received, and
hashed on every report); `register` the enrolled keys of the municipalities, each with the exact self-signed
record scanned; `received` every signed summary ever scanned, accepted or not, with the outcome: rows of stage
'check' failed the signature/key/election/district/issuer checks and never reach the count, rows of stage
'intake' passed them, and replaying those in order rebuilds the book of received summaries
(`shared.domain.intake`); `outputs` every signed summary this office produced (so a corrigendum can name the
one it supersedes); plus the hash-chained `audit_log`.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from shared.adapters import audit
from shared.adapters.store import Migration, connect, migrate
from shared.errors import InputError, StateError

DEFAULT_STATE = Path("telketen-hsb")
SUFFIX = ".hsb.sqlite"

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
CREATE TABLE outputs (
    phase INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    digest TEXT NOT NULL,
    eml_sha256 TEXT NOT NULL,
    signed_message BLOB NOT NULL,
    eml BLOB NOT NULL,
    eml_name TEXT NOT NULL,
    pdf BLOB NOT NULL,
    pdf_name TEXT NOT NULL
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


def db_name(election_id: str, district_id: str) -> str:
    """File name of one district's state in one election: `TK2025-HSB6.hsb.sqlite`."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", election_id)
    return f"{safe}-HSB{district_id}{SUFFIX}"


def locate(state_dir: Path) -> Path:
    """The one state file in `state_dir`."""
    if not state_dir.is_dir():
        raise StateError("no state folder here; run `telketen hsb init` first", where=str(state_dir))
    found = sorted(state_dir.glob(f"*{SUFFIX}"))
    if not found:
        raise StateError("no hoofdstembureau state file; run `telketen hsb init` first", where=str(state_dir))
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(f"several state files in this folder ({names}); use one folder per district")
    return found[0]


def open_db(path: Path, *, at: str, create: bool = False) -> sqlite3.Connection:
    """Open (creating when asked) and migrate the state file."""
    if create and path.exists():
        raise StateError("a state file for this district and election already exists", where=str(path))
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
