"""The state file of a receiving office: the tables both upper tiers keep, and where the file lives.

Why these tables: `definition` keeps the imported 110a/230b bytes (published again as they were received,
and hashed on every report); `register` the enrolled keys of the tier below, each with the exact self-signed
record scanned; `received` every signed summary ever scanned, accepted or not, with the outcome: rows of stage
'check' failed the signature/key/election/district/issuer checks and never reach the count, rows of stage
'intake' passed them, and replaying those in order rebuilds the book of received summaries
(`shared.domain.intake`) — a keyed part (typed twice from paper, `shared.office.keyed`) is booked there too,
its `message` the keyed record and its key id empty; `keyed_entries` the double entry of those parts
while it is being typed; `election_cache` the parsed election; plus the hash-chained `audit_log`. What a
tier's `finalise` produces (its `outputs` tables) and anything else of its own it adds with
`migrations(own_tables)`.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from shared.adapters import audit
from shared.adapters.store import Migration, locate_state, open_state

RECEIVING_TABLES = """
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
"""

# The parsed election, keyed by the SHA-256 of the 110a and 230b (IF NOT EXISTS: early state files of
# version 1 already had it).
ELECTION_CACHE = """
CREATE TABLE IF NOT EXISTS election_cache (
    sources TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
"""


# The Kiesraad publishes a Tweede Kamer's candidate lists as one 230b per kieskring: the files after the first
# (which stays in `definition`), in the order they were imported.
MORE_CANDIDATE_LISTS = """
CREATE TABLE IF NOT EXISTS more_candidate_lists (
    seq INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL
);
"""

# The double entry of keyed parts (`shared.office.keyed`): per authority, its record of two entries.
KEYED_ENTRIES = """
CREATE TABLE keyed_entries (
    authority_id TEXT PRIMARY KEY,
    record BLOB NOT NULL
);
"""

# The Dutch reason of a refusal, as the desk showed it (`reason` stays the English of the CLI and the log).
REFUSAL_TEXTS = """
ALTER TABLE received ADD COLUMN reason_nl TEXT;
"""


def migrations(own_tables: str) -> tuple[Migration, ...]:
    """The schema of a receiving office whose tier adds `own_tables` (its outputs) to the common ones."""
    return (
        (1, RECEIVING_TABLES + own_tables + audit.SCHEMA),
        (2, ELECTION_CACHE),
        (3, MORE_CANDIDATE_LISTS),
        (4, KEYED_ENTRIES),
        (5, REFUSAL_TEXTS),
    )


def db_name(election_id: str, authority_id: str, suffix: str) -> str:
    """File name of an office's state in one election: `TK2025-HSB6.hsb.sqlite`."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", election_id)
    return f"{safe}-{authority_id}{suffix}"


@dataclass(frozen=True)
class StateLayout:
    """Where a tier keeps its state file and how it names itself in the messages about it."""

    app: str  # 'hoofdstembureau', 'central': 'no hoofdstembureau state file'
    command: str  # 'telketen hsb': 'run `telketen hsb init` first'
    suffix: str  # '.hsb.sqlite'
    default_state: Path
    scope: str  # 'district and election': 'a state file for this district and election already exists'
    per: str  # 'district': 'use one folder per district'
    migrations: tuple[Migration, ...]

    def locate(self, state_dir: Path) -> Path:
        """The one state file in `state_dir`."""
        return locate_state(
            state_dir,
            self.suffix,
            app=self.app,
            init=f"{self.command} init",
            several=f"several state files in this folder ({{names}}); use one folder per {self.per}",
        )

    def open_db(self, path: Path, *, at: str, create: bool = False) -> sqlite3.Connection:
        """Open (creating when asked) and migrate the state file."""
        return open_state(
            path,
            self.migrations,
            at=at,
            create=create,
            exists=f"a state file for this {self.scope} already exists",
        )
