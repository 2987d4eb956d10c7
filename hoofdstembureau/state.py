"""The hoofdstembureau's state file: one SQLite file per district and election in a state directory.

The tables of every receiving office are `shared.office.state`'s; the hoofdstembureau adds `outputs`: every
signed summary it produced with its 510c and O 3 (so a corrigendum can name the one it supersedes, and
publish writes exactly what was printed).
"""

from __future__ import annotations

from pathlib import Path

from shared.adapters.store import Migration
from shared.office import state

DEFAULT_STATE = Path("telketen-hsb")
SUFFIX = ".hsb.sqlite"

OUTPUTS = """
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

MIGRATIONS: tuple[Migration, ...] = state.migrations(OUTPUTS)

LAYOUT = state.StateLayout(
    app="hoofdstembureau",
    command="telketen hsb",
    suffix=SUFFIX,
    default_state=DEFAULT_STATE,
    scope="district and election",
    per="district",
    migrations=MIGRATIONS,
)


def db_name(election_id: str, district_id: str) -> str:
    """File name of one district's state in one election: `TK2025-HSB6.hsb.sqlite`."""
    return state.db_name(election_id, f"HSB{district_id}", SUFFIX)
