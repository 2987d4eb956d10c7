"""An open receiving office: its state file, who it is, its election, its key register and its intake book.

Every command opens the office once, does its work in transactions and appends to the audit log in the same
transaction as the change. The office never reads the machine's clock: whoever opens it hands it a `Clock`
(the command line and the web desk the machine's, the demo and the tests a fixed or seeded one), so a run is
reproducible from its inputs, its clock and its key (docs/tiers.md). A tier subclasses `Office`
and says whom it adds up (`child_role`, `children`, `child_name`), which district a summary from one of them
must fit (`district_of`) and which keys it accepts (`key_scope_problem`).
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Self

import msgspec

from shared.adapters import audit
from shared.adapters.store import get_meta, transaction
from shared.domain.election import District, Election
from shared.domain.intake import Book, Received, new_book, receive
from shared.domain.keyregister import EnrolmentRecord, KeyRegister, Receiver, RegisteredKey, Role
from shared.errors import InputError, StateError
from shared.formats.signing import message_digest, open_enrolment
from shared.formats.summary import Summary
from shared.office.definition import election_from_eml
from shared.office.state import StateLayout

_ELECTION = msgspec.msgpack.Decoder(Election)

#: Where an office takes every timestamp from (the audit log, the received summaries, the EML `created`, the
#: signed summary's `issued_at`, the reports): passed in when the office is opened, called at each use.
Clock = Callable[[], datetime]


def shape_problem(summary: Summary, lists: Mapping[int, int]) -> InputError | None:
    """Why the summary's lists/candidates do not fit a district's 230b (None when they do); the refusal is
    returned, not raised: the desk books it."""
    got = {lst.number: len(lst.candidate_votes) for lst in summary.counts.lists}
    if got == lists:
        return None
    extra = sorted(set(got) - set(lists))
    missing = sorted(set(lists) - set(got))
    if extra or missing:
        return InputError(
            f"its lists {sorted(got)} are not this district's lists {sorted(lists)}",
            code="summary.lists_differ",
            params={"found": sorted(got), "expected": sorted(lists)},
        )
    n = next(n for n in sorted(lists) if got[n] != lists[n])
    return InputError(
        f"list {n} has {got[n]} candidates, the 230b has {lists[n]}",
        code="summary.candidates_differ",
        params={"number": n, "found": got[n], "expected": lists[n]},
    )


class Office(ABC):
    """The state of one receiving office, opened from its state folder."""

    layout: ClassVar[StateLayout]

    def __init__(self, state_dir: Path, conn: sqlite3.Connection, user: str, *, clock: Clock) -> None:
        self.state_dir = state_dir
        self.conn = conn
        self.user = user
        self.clock = clock
        self._election: Election | None = None

    @classmethod
    def open(cls, state_dir: Path, user: str, *, clock: Clock) -> Self:
        """Open the one state file in `state_dir` for `user`, taking every timestamp from `clock`."""
        path = cls.layout.locate(state_dir)
        conn = cls.layout.open_db(path, at=clock().isoformat())
        return cls(state_dir, conn, user, clock=clock)

    def now(self) -> datetime:
        """The moment of the action being recorded, from the clock the office was opened with."""
        return self.clock()

    # ------------------------------------------------------------------------------------------- identity
    def meta(self, key: str) -> str:
        return get_meta(self.conn, key)

    @property
    def election_id(self) -> str:
        return self.meta("election_id")

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

    def more_candidate_lists(self) -> list[tuple[str, str, bytes]]:
        """(file name, sha256 hex, bytes) of the 230b files imported after the first, in import order."""
        rows = self.conn.execute(
            "SELECT file_name, sha256, content FROM more_candidate_lists ORDER BY seq"
        ).fetchall()
        return [(str(r[0]), str(r[1]), bytes(r[2])) for r in rows]

    @property
    def election(self) -> Election:
        """The election of the imported 110a + 230b.

        Reading a national 230b (~23,000 candidates) takes seconds, every command needs the election: the
        parsed form is cached in the state file, keyed by the SHA-256 of both files: the files stay the truth.
        """
        if self._election is None:
            name_a, sha_a, a110 = self.definition("110a")
            name_b, sha_b, b230 = self.definition("230b")
            more = self.more_candidate_lists()
            key = ":".join((sha_a, sha_b, *(sha for _, sha, _ in more)))
            row = self.conn.execute("SELECT data FROM election_cache WHERE sources = ?", (key,)).fetchone()
            if row is not None:
                self._election = _ELECTION.decode(bytes(row[0]))
            else:
                self._election = election_from_eml(
                    a110, b230, *((name, data) for name, _, data in more), where=(name_a, name_b)
                )
                with transaction(self.conn):
                    self.conn.execute(
                        "INSERT OR REPLACE INTO election_cache (sources, data) VALUES (?, ?)",
                        (key, msgspec.msgpack.encode(self._election)),
                    )
        return self._election

    # ------------------------------------------------------------------------------------ the tier below
    @property
    @abstractmethod
    def child_role(self) -> Role:
        """Whose summaries this office receives."""

    @abstractmethod
    def children(self) -> tuple[str, ...]:
        """The authorities this office adds up, in report order."""

    @abstractmethod
    def child_name(self, authority_id: str) -> str:
        """A readable name of an authority below (the id itself when it is not one of ours)."""

    @abstractmethod
    def district_of(self, authority_id: str) -> District | None:
        """The district whose lists a summary of `authority_id` must have (None: not one of ours)."""

    @abstractmethod
    def receiver(self) -> Receiver:
        """What `shared.formats.signing.admit` checks a received summary against."""

    @abstractmethod
    def key_scope_problem(self, record: EnrolmentRecord) -> str | None:
        """Why a key may not be enrolled here (another role, authority or district), None when it may."""

    def summary_problem(self, summary: Summary) -> InputError | None:
        """Why an admitted summary does not fit the district it reports for (None when it does)."""
        district = self.district_of(summary.authority_id)
        if district is None:
            return None  # not one of ours: the book refuses it with that reason
        return shape_problem(summary, {lst.number: len(lst.candidates) for lst in district.lists})

    def list_names(self, authority_id: str) -> dict[int, str]:
        """List number → name on the ballot of the district `authority_id` reports for."""
        district = self.district_of(authority_id)
        return {} if district is None else {lst.number: lst.name for lst in district.lists}

    # ------------------------------------------------------------------------------------------- register
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

    # ------------------------------------------------------------------------------------------- intake
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

    # ------------------------------------------------------------------------------------------- audit
    def log(self, action: str, payload: dict[str, Any] | msgspec.Struct, at: datetime | None = None) -> None:
        audit.append_event(
            self.conn,
            at=(at or self.now()).isoformat(),
            user=self.user,
            action=action,
            payload=msgspec.to_builtins(payload),
        )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn) as conn:
            yield conn
