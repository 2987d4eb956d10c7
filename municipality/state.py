"""The municipality's state file: one SQLite file per municipality and election in a state directory.

Why one file: the whole municipal count (definition, users, every entry, every output) lives in one place that
survives kill -9 (WAL + a transaction per save) and can be archived with the paper. The tables mirror the
domain: `data_entries` holds one JSON blob per station and session (the double-entry state, as Abacus does),
`sessions` and `investigations` the next sessions, `outputs` every signed summary produced (so a corrigendum
can name the one it supersedes), and the hash-chained `audit_log` every change."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from shared.adapters import audit
from shared.adapters.store import Migration, locate_state, open_state
from shared.adapters.store import get_meta as get_meta  # the service reads and writes `meta` through here
from shared.adapters.store import set_meta as set_meta

DEFAULT_STATE = Path("telketen-state")
SUFFIX = ".telketen.sqlite"

MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('typist', 'coordinator')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    number INTEGER PRIMARY KEY CHECK (number >= 1),
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    finalised_at TEXT
);
CREATE TABLE data_entries (
    session INTEGER NOT NULL REFERENCES sessions (number),
    station TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (session, station)
);
CREATE TABLE investigations (
    session INTEGER NOT NULL REFERENCES sessions (number),
    station TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (session, station)
);
CREATE TABLE outputs (
    session INTEGER NOT NULL REFERENCES sessions (number),
    phase INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    summary_digest TEXT NOT NULL,
    eml_sha256 TEXT NOT NULL,
    signed_message BLOB NOT NULL,
    totals TEXT NOT NULL,
    folder TEXT NOT NULL,
    PRIMARY KEY (session)
);
"""
        + audit.SCHEMA,
    ),
    (
        2,
        # An investigation is closed with its findings and whether the result was corrected (P 2a 1.2);
        # `corrected` stays NULL while it is open.
        """
ALTER TABLE investigations ADD COLUMN findings TEXT;
ALTER TABLE investigations ADD COLUMN corrected INTEGER CHECK (corrected IN (0, 1));
ALTER TABLE investigations ADD COLUMN closed_at TEXT;
ALTER TABLE investigations ADD COLUMN closed_by TEXT;
""",
    ),
    # A user whose access the coordinator took away: the row stays, so the audit log's names keep meaning.
    (3, "ALTER TABLE users ADD COLUMN disabled_at TEXT;"),
)


def db_name(election_id: str, municipality: str) -> str:
    """The state file of one municipality in one election: `GR2022_WestMaasenWaal-0668.telketen.sqlite`."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", election_id)
    return f"{safe}-{municipality}{SUFFIX}"


def locate(state_dir: Path, election: str | None = None) -> Path:
    """The state file in `state_dir`: the only one, or the one whose name starts with `election`."""
    return locate_state(
        state_dir,
        SUFFIX,
        app="municipality",
        init="telketen municipality init",
        several="several elections in this state folder ({names}); choose one with --election",
        prefix=election,
    )


def open_db(path: Path, *, at: str, create: bool = False) -> sqlite3.Connection:
    """Open (creating when asked) and migrate the state file."""
    return open_state(
        path,
        MIGRATIONS,
        at=at,
        create=create,
        exists="a state file for this municipality and election already exists",
    )
