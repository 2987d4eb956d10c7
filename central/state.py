"""The central polling office's state file: one SQLite file per election in a state directory.

The tables of every receiving office are `shared.office.state`'s; the central office adds `deceased`, the
candidates recorded as deceased before the computation (Kieswet P 19a), and `outputs` + `output_files`, every
result it produced with its files.
"""

from __future__ import annotations

from pathlib import Path

from shared.adapters.store import Migration
from shared.office import state

DEFAULT_STATE = Path("telketen-csb")
SUFFIX = ".csb.sqlite"

OWN_TABLES = """
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

# Lot outcomes drawn in public and recorded on the coordinator's lot page before finalise (central.lots).
LOTS_TABLE = """
CREATE TABLE lots (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    options TEXT NOT NULL,
    outcome INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    *state.migrations(OWN_TABLES),
    (6, LOTS_TABLE),  # after the receiving offices' own 1–5 (5: the desk's Dutch refusal reasons)
)

LAYOUT = state.StateLayout(
    app="central",
    command="telketen central",
    suffix=SUFFIX,
    default_state=DEFAULT_STATE,
    scope="election",
    per="election",
    migrations=MIGRATIONS,
)


def db_name(election_id: str) -> str:
    """File name of the central state of one election: `TK2025-CSB.csb.sqlite`."""
    return state.db_name(election_id, "CSB", SUFFIX)
