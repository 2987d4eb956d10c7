"""The SQLite state file of a tier app: WAL, explicit transactions, and a schema-migrations table.

Why SQLite: one file per municipality (or district, or election) that survives kill -9 and power loss once a
transaction has committed. The connection runs in autocommit mode (`isolation_level=None`) so that the only
transactions are the explicit ones of `transaction()`, which begins IMMEDIATE (takes the write lock at once:
two processes never interleave a read-modify-write) and commits or rolls back as a whole. `synchronous=FULL`
makes a commit durable, not only atomic.

Migrations are numbered SQL scripts; `migrate` applies those not yet in `schema_migrations`, each in its own
transaction, so an app opened by a newer version upgrades its file in place and an older version refuses a
file that is newer than itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from shared.adapters.files import create_private_file
from shared.errors import EnvironmentProblem, InputError, StateError

Migration = tuple[int, str]


def connect(path: Path | str, *, must_exist: bool = False) -> sqlite3.Connection:
    """Open (or create) the state file with WAL, full sync, foreign keys and a busy timeout."""
    db = Path(path)
    if must_exist and not db.is_file():
        raise StateError("no state file here; run init first", where=str(db))
    create_private_file(db)
    try:
        conn = sqlite3.connect(db, isolation_level=None, timeout=10.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
    except sqlite3.DatabaseError as exc:
        raise EnvironmentProblem(f"cannot open the state file: {exc}", where=str(db)) from exc
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic unit of work: BEGIN IMMEDIATE … COMMIT, rolled back on any exception.

    Nested use joins the outer transaction (SQLite has no nested BEGIN), so a service function can call
    another that also opens a transaction.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    """The highest applied migration number (0 for a fresh file)."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration], *, at: str) -> int:
    """Apply the migrations not yet applied, in order; returns the resulting schema version.

    `at` is the timestamp recorded per migration (time comes from the edge). Refuses a file whose schema is
    newer than the newest migration this program knows: it would misread it.
    """
    versions = [v for v, _ in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise ValueError("migrations must be numbered 1, 2, … in increasing order")
    current = schema_version(conn)
    newest = versions[-1] if versions else 0
    if current > newest:
        raise StateError(
            f"the state file has schema version {current}, this program knows up to {newest}; "
            "use the newer program that wrote it"
        )
    for version, script in migrations:
        if version <= current:
            continue
        with transaction(conn):
            for statement in split_sql(script):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", (version, at))
        current = version
    return current


def split_sql(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buf.strip()[:60]}")
    return out


def open_state(
    path: Path, migrations: Sequence[Migration], *, at: str, create: bool, exists: str
) -> sqlite3.Connection:
    """Open (creating when asked) and migrate a tier's state file; `exists` is the refusal to create twice.

    Creating never reuses a file: a second `init` in the same folder would otherwise mix two elections.
    """
    if create and path.exists():
        raise StateError(exists, where=str(path))
    conn = connect(path, must_exist=not create)
    migrate(conn, migrations, at=at)
    return conn


def locate_state(
    state_dir: Path, suffix: str, *, app: str, init: str, several: str, prefix: str | None = None
) -> Path:
    """The one state file (`*<suffix>`, optionally starting with `prefix`) in a tier's state folder.

    `app` names the tier in the message ('no hoofdstembureau state file'), `init` the command that makes one,
    `several` the refusal when the folder holds more than one (with `{names}` for the files found).
    """
    if not state_dir.is_dir():
        raise StateError(f"no state folder here; run `{init}` first", where=str(state_dir))
    found = sorted(state_dir.glob(f"*{suffix}"))
    if prefix:
        found = [p for p in found if p.name.startswith(prefix)]
    if not found:
        raise StateError(f"no {app} state file; run `{init}` first", where=str(state_dir))
    if len(found) > 1:
        raise InputError(several.format(names=", ".join(p.name for p in found)))
    return found[0]


def get_meta(conn: sqlite3.Connection, key: str) -> str:
    """A value of the `meta` table every tier keeps (who this office is, for which election)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise StateError(f"the state file has no '{key}'; was init completed?")
    return str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
