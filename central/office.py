"""An open central polling office: its state file, its election, the key register and the intake book.

Which authorities it adds up depends on the election (ARCHITECTURE §1): with several districts the
hoofdstembureaus (`HSB1` … `HSB20`), each reporting its kieskring; with one district (a municipal council, and
any other single-district election) the municipalities directly, since their hoofdstembureau is the central
office itself. The clock is read here, at the edge, and passed down.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from central import state
from central.definition import election_from_eml
from shared.adapters import audit
from shared.adapters.store import transaction
from shared.domain.election import District, Election
from shared.domain.intake import Book, Received, new_book, receive
from shared.domain.keyregister import KeyRegister, RegisteredKey, Role
from shared.errors import InputError, StateError
from shared.formats.signing import message_digest, open_enrolment

ROLE = "central"
AUTHORITY_ID = "CSB"


_ELECTION = msgspec.msgpack.Decoder(Election)


def now() -> datetime:
    """Local time without microseconds: what reports, EML and the audit log print."""
    return datetime.now().replace(microsecond=0)


def hsb_id(district_id: str) -> str:
    """The EML authority id of a district's hoofdstembureau: `HSB6` for kieskring 6."""
    if not district_id.isdigit():
        raise InputError(f"kieskring '{district_id}' is not a number; cannot name its hoofdstembureau")
    return f"HSB{int(district_id)}"


def child_role(election: Election) -> Role:
    """Whose summaries the central office receives for this election."""
    return Role.MUNICIPALITY if len(election.districts) == 1 else Role.HOOFDSTEMBUREAU


def children_of(election: Election) -> tuple[str, ...]:
    """The authorities the central office adds up, in report order."""
    if child_role(election) is Role.MUNICIPALITY:
        return tuple(m.code for m in election.municipalities)
    return tuple(hsb_id(d.id) for d in election.districts)


def district_of_child(election: Election, authority_id: str) -> District:
    """The district (kieskring) an authority below reports for."""
    if child_role(election) is Role.MUNICIPALITY:
        return election.district(election.municipality(authority_id).district_id)
    for d in election.districts:
        if hsb_id(d.id) == authority_id:
            return d
    raise KeyError(authority_id)


class Office:
    """The state of one central polling office, opened from its state folder."""

    def __init__(self, state_dir: Path, conn: sqlite3.Connection, user: str) -> None:
        self.state_dir = state_dir
        self.conn = conn
        self.user = user
        self._election: Election | None = None

    def meta(self, key: str) -> str:
        return state.get_meta(self.conn, key)

    @property
    def election_id(self) -> str:
        return self.meta("election_id")

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

    @property
    def child_role(self) -> Role:
        return child_role(self.election)

    def children(self) -> tuple[str, ...]:
        return children_of(self.election)

    def child_name(self, authority_id: str) -> str:
        """A readable name of an authority below: 'Kieskring 6 Nijmegen' or the municipality's name."""
        try:
            if self.child_role is Role.MUNICIPALITY:
                return self.election.municipality(authority_id).name
            d = district_of_child(self.election, authority_id)
        except KeyError:
            return authority_id
        return f"Kieskring {d.id}" + (f" {d.name}" if d.name else "")

    def register(self) -> KeyRegister:
        rows = self.conn.execute(
            "SELECT record, enrolled_at FROM register ORDER BY enrolled_at, key_id"
        ).fetchall()
        keys = []
        for message, enrolled_at in rows:
            record = open_enrolment(bytes(message), where="key register")
            digest = message_digest(bytes(message))
            keys.append(RegisteredKey(record=record, enrolled_at=str(enrolled_at), record_digest=digest))
        return KeyRegister(election_id=self.election_id, keys=tuple(keys))

    def book(self) -> Book:
        """The book of received summaries, rebuilt from every summary that passed its checks."""
        book = new_book(self.children())
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

    def deceased(self) -> dict[int, tuple[int, ...]]:
        """List number → positions of candidates recorded as deceased (Kieswet P 19a)."""
        out: dict[int, list[int]] = {}
        for number, position in self.conn.execute(
            "SELECT list_number, position FROM deceased ORDER BY list_number, position"
        ).fetchall():
            out.setdefault(int(number), []).append(int(position))
        return {k: tuple(v) for k, v in out.items()}

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
