"""The SQLite store: WAL, all-or-nothing transactions, migrations, and atomic file writes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.files import atomic_write, atomic_write_many
from shared.adapters.passwords import hash_password, verify_password
from shared.adapters.store import connect, migrate, schema_version, split_sql, transaction
from shared.errors import EnvironmentProblem, InputError, StateError

MIGRATIONS = [
    (1, "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL);"),
    (2, "ALTER TABLE t ADD COLUMN note TEXT;\nCREATE INDEX t_v ON t (v);"),
]


def test_connect_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_connect_must_exist_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="run init"):
        connect(tmp_path / "missing.sqlite", must_exist=True)


def test_migrations_apply_once_in_order(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite")
    assert schema_version(conn) == 0
    assert migrate(conn, MIGRATIONS[:1], at="t1") == 1
    assert migrate(conn, MIGRATIONS, at="t2") == 2
    assert migrate(conn, MIGRATIONS, at="t3") == 2
    rows = conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version").fetchall()
    assert rows == [(1, "t1"), (2, "t2")]
    conn.execute("INSERT INTO t (k, v, note) VALUES ('a', 1, 'x')")


def test_a_newer_file_is_refused(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite")
    migrate(conn, MIGRATIONS, at="t")
    with pytest.raises(StateError, match="schema version 2"):
        migrate(conn, MIGRATIONS[:1], at="t")


def test_a_failing_migration_leaves_the_file_unchanged(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite")
    migrate(conn, MIGRATIONS[:1], at="t")
    bad = [*MIGRATIONS[:1], (2, "ALTER TABLE t ADD COLUMN x TEXT;\nCREATE TABLE t (k TEXT);")]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, bad, at="t")
    assert schema_version(conn) == 1
    cols = [r[1] for r in conn.execute("PRAGMA table_info(t)")]
    assert cols == ["k", "v"]


def test_transaction_rolls_back_everything_on_error(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite")
    migrate(conn, MIGRATIONS, at="t")
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t (k, v) VALUES ('a', 1)")
        with transaction(conn):  # nested joins the outer one
            conn.execute("INSERT INTO t (k, v) VALUES ('b', 2)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    with transaction(conn):
        conn.execute("INSERT INTO t (k, v) VALUES ('a', 1)")
    other = connect(tmp_path / "s.sqlite")
    assert other.execute("SELECT v FROM t WHERE k = 'a'").fetchone()[0] == 1


def test_split_sql_keeps_triggers_whole() -> None:
    script = "CREATE TABLE a (x);\nCREATE TRIGGER tr BEFORE DELETE ON a\nBEGIN SELECT 1; SELECT 2; END;\n"
    parts = split_sql(script)
    assert len(parts) == 2 and parts[1].endswith("END;")
    with pytest.raises(ValueError, match="incomplete"):
        split_sql("CREATE TABLE a (x")


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "f.txt"
    atomic_write(target, "één")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.txt"]


def test_atomic_write_many_writes_nothing_when_one_fails(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("old")
    with pytest.raises(ValueError):
        atomic_write_many(tmp_path, {"a": "new", "../evil": "x"})
    assert (tmp_path / "a").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    atomic_write_many(tmp_path, {"a": "new", "b": b"\x00"})
    assert (tmp_path / "a").read_text() == "new" and (tmp_path / "b").read_bytes() == b"\x00"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_atomic_write_into_a_read_only_folder_is_an_environment_problem(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(EnvironmentProblem, match="cannot write"):
            atomic_write(ro / "f", "x")
    finally:
        ro.chmod(0o700)


def test_password_round_trip_and_refusals() -> None:
    stored = hash_password("correct horse", n=2**10)
    assert stored.startswith("scrypt$1024$")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert not verify_password("correct horse", stored.replace("scrypt", "md5"))
    assert not verify_password("correct horse", "garbage")
    assert not verify_password("correct horse", stored[:-4] + "AAAA")
    assert hash_password("correct horse", n=2**10) != stored  # fresh salt
    with pytest.raises(InputError, match="at least 8"):
        hash_password("short")


@settings(max_examples=15, deadline=None)
@given(st.text(min_size=8, max_size=40), st.text(min_size=8, max_size=40))
def test_passwords_match_only_themselves(a: str, b: str) -> None:
    stored = hash_password(a, salt=b"0123456789abcdef", n=2**8)
    assert verify_password(a, stored)
    assert verify_password(b, stored) == (a == b)
