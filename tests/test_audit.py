"""The hash-chained audit log: an intact log verifies; a changed, removed or inserted row is named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.adapters.audit import GENESIS, append_event, events, head, install, row_hash, verify_audit
from shared.adapters.store import connect, transaction


def make_log(tmp_path: Path, n: int = 5) -> sqlite3.Connection:
    conn = connect(tmp_path / "a.sqlite")
    install(conn)
    for i in range(n):
        append_event(
            conn, at=f"2026-03-18T21:0{i}:00", user="anna", action="save", payload={"i": i, "ü": "é"}
        )
    return conn


def unlock(conn: sqlite3.Connection) -> None:
    """What a tamperer with a SQL shell does first."""
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")


def test_an_intact_log_verifies(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    assert verify_audit(conn) == []
    evs = events(conn)
    assert [e.seq for e in evs] == [1, 2, 3, 4, 5]
    assert evs[0].prev_hash == GENESIS and evs[1].prev_hash == evs[0].hash
    assert evs[2].data() == {"i": 2, "ü": "é"}
    assert head(conn) == (5, evs[-1].hash)


def test_the_program_cannot_update_or_delete_rows(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET user = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log WHERE seq = 1")


@pytest.mark.parametrize("column", ["at", "user", "action", "payload"])
def test_a_changed_row_is_detected(tmp_path: Path, column: str) -> None:
    conn = make_log(tmp_path)
    unlock(conn)
    conn.execute(f"UPDATE audit_log SET {column} = {column} || ' ' WHERE seq = 3")
    problems = verify_audit(conn)
    assert [(p.seq, p.kind) for p in problems] == [(3, "changed")]


def test_a_changed_row_with_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    unlock(conn)
    ev = events(conn)[2]
    new_hash = row_hash(ev.seq, ev.at, "mallory", ev.action, ev.payload, ev.prev_hash)
    conn.execute("UPDATE audit_log SET user = 'mallory', hash = ? WHERE seq = 3", (new_hash,))
    assert [(p.seq, p.kind) for p in verify_audit(conn)] == [(4, "inserted")]


def test_a_removed_row_is_detected(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    unlock(conn)
    conn.execute("DELETE FROM audit_log WHERE seq = 2")
    problems = verify_audit(conn)
    assert [(p.seq, p.kind) for p in problems] == [(3, "removed")]
    assert "rows 2..2" in str(problems[0])


def test_a_removed_last_row_is_detected_through_the_head(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    unlock(conn)
    conn.execute("DELETE FROM audit_log WHERE seq = 5")
    assert [(p.seq, p.kind) for p in verify_audit(conn)] == [(4, "removed")]


def test_an_inserted_row_is_detected(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    unlock(conn)
    # shift rows 3.. up by one and slip a forged row in at 3
    for seq in (5, 4, 3):
        conn.execute("UPDATE audit_log SET seq = seq + 1 WHERE seq = ?", (seq,))
    prev = events(conn)[1]
    forged = row_hash(3, "2026-03-18T21:02:30", "anna", "save", "{}", prev.hash)
    conn.execute(
        "INSERT INTO audit_log VALUES (3, '2026-03-18T21:02:30', 'anna', 'save', '{}', ?, ?)",
        (prev.hash, forged),
    )
    problems = verify_audit(conn)
    assert (4, "changed") in [(p.seq, p.kind) for p in problems]
    assert problems and all(p.seq >= 3 for p in problems)


def test_an_appended_row_outside_the_program_is_detected(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    last = events(conn)[-1]
    forged = row_hash(6, "t", "mallory", "save", "{}", last.hash)
    conn.execute("INSERT INTO audit_log VALUES (6, 't', 'mallory', 'save', '{}', ?, ?)", (last.hash, forged))
    assert [(p.seq, p.kind) for p in verify_audit(conn)] == [(6, "inserted")]


def test_a_printed_head_anchors_a_recomputed_chain(tmp_path: Path) -> None:
    conn = make_log(tmp_path)
    printed = head(conn)
    assert verify_audit(conn, expected_head=printed) == []
    unlock(conn)
    # a careful forger rewrites row 5 and recomputes its hash and the head
    ev = events(conn)[4]
    new_hash = row_hash(ev.seq, ev.at, ev.user, ev.action, '{"i":99}', ev.prev_hash)
    conn.execute("UPDATE audit_log SET payload = '{\"i\":99}', hash = ? WHERE seq = 5", (new_hash,))
    conn.execute("UPDATE audit_head SET hash = ?", (new_hash,))
    assert verify_audit(conn) == []  # the chain alone cannot tell …
    assert [p.kind for p in verify_audit(conn, expected_head=printed)] == ["changed"]  # … the paper can


def test_an_event_rolls_back_with_its_transaction(tmp_path: Path) -> None:
    conn = make_log(tmp_path, 1)
    with pytest.raises(RuntimeError), transaction(conn):
        append_event(conn, at="t", user="u", action="a")
        raise RuntimeError
    assert head(conn)[0] == 1 and verify_audit(conn) == []


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=8), st.dictionaries(st.text(max_size=4), st.integers())), max_size=6),
    st.data(),
)
def test_any_single_edit_is_detected(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, dict[str, int]]], data: st.DataObject
) -> None:
    conn = connect(tmp_path_factory.mktemp("h") / "a.sqlite")
    install(conn)
    for user, payload in rows:
        append_event(conn, at="t", user=user, action="x", payload=payload)
    assert verify_audit(conn) == []
    assume(rows)
    seq = data.draw(st.integers(1, len(rows)))
    unlock(conn)
    if data.draw(st.booleans()):
        conn.execute("UPDATE audit_log SET action = 'y' WHERE seq = ?", (seq,))
    else:
        conn.execute("DELETE FROM audit_log WHERE seq = ?", (seq,))
    assert verify_audit(conn) != []
