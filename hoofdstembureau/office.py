"""An open hoofdstembureau: its state file, who it is, its election, its key register and its intake book.

Every command opens the office once, does its work in transactions and appends to the audit log in the same
transaction as the change. The clock is read here, at the edge, and passed down.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from hoofdstembureau import state
from hoofdstembureau.definition import election_from_eml
from shared.adapters import audit
from shared.adapters.store import transaction
from shared.domain.election import Election
from shared.domain.intake import Book, Received, new_book, receive
from shared.domain.keyregister import EnrolmentRecord, KeyRegister, RegisteredKey
from shared.errors import StateError
from shared.formats.signing import message_digest, open_enrolment

ROLE = "hoofdstembureau"


_ELECTION = msgspec.msgpack.Decoder(Election)


def now() -> datetime:
    """Local time without microseconds: what reports, EML and the audit log print."""
    return datetime.now().replace(microsecond=0)


class Office:
    """The state of one hoofdstembureau, opened from its state folder."""

    def __init__(self, state_dir: Path, conn: sqlite3.Connection, user: str) -> None:
        self.state_dir = state_dir
        self.conn = conn
        self.user = user
        self._election: Election | None = None

    # ------------------------------------------------------------------------------------------- identity
    def meta(self, key: str) -> str:
        return state.get_meta(self.conn, key)

    @property
    def election_id(self) -> str:
        return self.meta("election_id")

    @property
    def district_id(self) -> str:
        return self.meta("district_id")

    @property
    def authority_id(self) -> str:
        return self.meta("authority_id")

    @property
    def key_path(self) -> Path:
        return self.state_dir / self.meta("key_file")

    def definition(self, kind: str) -> tuple[str, str, bytes]:
        """(file name, sha256 hex, bytes) of an imported definition file ('110a' or '230b')."""
        row = self.conn.execute(
            "SELECT file_name, sha256, content FROM definition WHERE kind = ?", (kind,)
        ).fetchone()
        if row is None:
            raise StateError(f"no {kind} imported; run init first")
        return str(row[0]), str(row[1]), bytes(row[2])

    @property
    def election(self) -> Election:
        """The election of the imported 110a + 230b.

        Reading a national 230b (~23,000 candidates) takes seconds, every command needs the election: the
        parsed form is cached in the state file, keyed by the SHA-256 of both files: the files stay the truth.
        """
        if self._election is None:
            _, sha_a, a110 = self.definition("110a")
            _, sha_b, b230 = self.definition("230b")
            key = f"{sha_a}:{sha_b}"
            row = self.conn.execute("SELECT data FROM election_cache WHERE sources = ?", (key,)).fetchone()
            if row is not None:
                self._election = _ELECTION.decode(bytes(row[0]))
            else:
                self._election = election_from_eml(a110, b230)
                with transaction(self.conn):
                    self.conn.execute(
                        "INSERT OR REPLACE INTO election_cache (sources, data) VALUES (?, ?)",
                        (key, msgspec.msgpack.encode(self._election)),
                    )
        return self._election

    def municipalities(self) -> tuple[str, ...]:
        """The municipality codes of this district, in the order of the definition."""
        return tuple(m.code for m in self.election.municipalities if m.district_id == self.district_id)

    def municipality_name(self, code: str) -> str:
        try:
            return self.election.municipality(code).name
        except KeyError:
            return code

    # ------------------------------------------------------------------------------------------- register
    def register(self) -> KeyRegister:
        rows = self.conn.execute(
            "SELECT record, enrolled_at FROM register ORDER BY enrolled_at, key_id"
        ).fetchall()
        keys = []
        for message, enrolled_at in rows:
            record: EnrolmentRecord = open_enrolment(bytes(message), where="key register")
            keys.append(
                RegisteredKey(
                    record=record, enrolled_at=str(enrolled_at), record_digest=message_digest(message)
                )
            )
        return KeyRegister(election_id=self.election_id, keys=tuple(keys))

    # ------------------------------------------------------------------------------------------- intake
    def book(self) -> Book:
        """The book of received summaries, rebuilt from every summary that passed its checks."""
        book = new_book(self.municipalities())
        rows = self.conn.execute(
            "SELECT authority_id, digest, phase, supersedes FROM received WHERE stage = 'intake' ORDER BY seq"
        ).fetchall()
        for who, digest, phase, supersedes in rows:
            rec = Received(
                authority=str(who),
                digest=bytes.fromhex(digest),
                phase=int(phase),
                supersedes=bytes.fromhex(supersedes) if supersedes else None,
            )
            book, _ = receive(book, rec)
        return book

    def message(self, digest: bytes) -> bytes:
        row = self.conn.execute(
            "SELECT message FROM received WHERE digest = ? ORDER BY seq LIMIT 1", (digest.hex(),)
        ).fetchone()
        if row is None:
            raise StateError(f"no received summary with digest {digest.hex()[:16]}…")
        return bytes(row[0])

    # ------------------------------------------------------------------------------------------- audit
    def log(self, action: str, payload: dict[str, Any] | msgspec.Struct, at: datetime | None = None) -> None:
        audit.append_event(
            self.conn,
            at=(at or now()).isoformat(),
            user=self.user,
            action=action,
            payload=msgspec.to_builtins(payload),
        )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn) as conn:
            yield conn


def open_office(state_dir: Path, user: str) -> Office:
    path = state.locate(state_dir)
    conn = state.open_db(path, at=now().isoformat())
    return Office(state_dir, conn, user)
