"""Who is logged in, and who may try: the server-side session table and the login lockout of each site.

Why server-side: a signed cookie alone cannot be taken back; a stolen or left-behind cookie of a typist would
keep working for its whole lifetime after "Uitloggen". So a login records a random session id here and the
cookie carries it; every request checks that the id is still recorded; logout (and expiry) removes it. Only
the SHA-256 of an id is stored, so the state folder does not hold usable cookies. The table is an SQLite file
beside the tier's state (mode 0600), so several workers and a restarted server agree, and deleting it logs
everybody out. Anonymous visitors (the login form's CSRF token) stay in the signed cookie only, so unknown
visitors cannot fill the table.

Why the lockout counts attempts, not failures: a password check takes ~50 ms (scrypt); counting only after it
lets 40 parallel requests all pass the "fewer than five failures?" test before the first failure is counted.
`LoginGuard.begin` reserves the attempt under a lock *before* the password is checked, per name and per client
address (a second limit, for one machine trying many names); a successful login returns the name's attempt.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from shared.adapters.files import create_private_file
from shared.errors import EnvironmentProblem

SESSIONS_FILE = "web-sessions.sqlite"
PER_NAME = 5
PER_ADDRESS = 20
WINDOW_S = 60.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS web_sessions "
    "(id_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, issued INTEGER NOT NULL)"
)
#: When a session was last used, for the coordinator's list (files of an earlier version lack the column).
_LAST_SEEN = "ALTER TABLE web_sessions ADD COLUMN last_seen INTEGER"
#: How often a session's last use is written: a page view is not worth a write each time.
TOUCH_EVERY_S = 30


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", "replace")).hexdigest()


class SessionInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A recorded session as the coordinator sees it: `digest` (the SHA-256 of its id, which names it without
    being usable as a cookie), who, since when and when last used (Unix seconds)."""

    digest: str
    user: str
    role: str
    issued: int
    last_seen: int


def session_digest(sid: str) -> str:
    """The name of the session with id `sid` in the table (so a page can mark the visitor's own)."""
    return _digest(sid)


class SessionStore:
    """The recorded sessions: an SQLite file (or memory, for a site without a state folder)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:
            create_private_file(path)
        try:
            self._conn = sqlite3.connect(
                ":memory:" if path is None else str(path), check_same_thread=False, isolation_level=None
            )
            self._conn.execute("PRAGMA busy_timeout = 5000")
            self._conn.execute(_SCHEMA)
            self._add_last_seen()
        except sqlite3.Error as exc:
            raise EnvironmentProblem(f"cannot open the web sessions: {exc}", where=str(path)) from None
        self._lock = threading.Lock()

    def _add_last_seen(self) -> None:
        """Upgrade a sessions file of an earlier version; two servers starting at once both try, one wins."""
        if "last_seen" in {r[1] for r in self._conn.execute("PRAGMA table_info(web_sessions)")}:
            return
        try:
            self._conn.execute(_LAST_SEEN)
        except sqlite3.OperationalError:
            if "last_seen" not in {r[1] for r in self._conn.execute("PRAGMA table_info(web_sessions)")}:
                raise

    def create(self, user: str, role: str, *, issued: int) -> str:
        """A new session id for `user`, recorded; the id itself is only in the cookie."""
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._conn.execute(
                "INSERT INTO web_sessions (id_sha256, user, role, issued, last_seen) VALUES (?, ?, ?, ?, ?)",
                (_digest(sid), user, role, issued, issued),
            )
        return sid

    def alive(self, sid: str, user: str, role: str, *, not_before: int, now: int | None = None) -> bool:
        """Whether `sid` is recorded for this user and role and was issued at or after `not_before`; with
        `now`, a live session's last use is recorded (at most every TOUCH_EVERY_S seconds)."""
        digest = _digest(sid)
        with self._lock:
            row = self._conn.execute(
                "SELECT user, role, issued, last_seen FROM web_sessions WHERE id_sha256 = ?", (digest,)
            ).fetchone()
            ok = row is not None and (row[0], row[1]) == (user, role) and int(row[2]) >= not_before
            if ok and now is not None and now - int(row[3] or 0) >= TOUCH_EVERY_S:
                self._conn.execute("UPDATE web_sessions SET last_seen = ? WHERE id_sha256 = ?", (now, digest))
        return ok

    def listing(self) -> list[SessionInfo]:
        """Every recorded session, the most recently used first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id_sha256, user, role, issued, COALESCE(last_seen, issued) FROM web_sessions "
                "ORDER BY COALESCE(last_seen, issued) DESC, user"
            ).fetchall()
        return [SessionInfo(digest=r[0], user=r[1], role=r[2], issued=r[3], last_seen=r[4]) for r in rows]

    def revoke_digest(self, digest: str) -> bool:
        """Revoke the session named by `digest` (from `listing`); False when there is none (already gone)."""
        with self._lock:
            return self._conn.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (digest,)).rowcount > 0

    def revoke_user(self, user: str) -> int:
        """Revoke every session of `user` (a disabled user, a reset password); how many there were."""
        with self._lock:
            return self._conn.execute("DELETE FROM web_sessions WHERE user = ?", (user,)).rowcount

    def revoke(self, sid: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM web_sessions WHERE id_sha256 = ?", (_digest(sid),))

    def expire(self, *, not_before: int) -> None:
        """Forget sessions issued before `not_before` (their cookies have expired anyway)."""
        with self._lock:
            self._conn.execute("DELETE FROM web_sessions WHERE issued < ?", (not_before,))


class LoginGuard:
    """At most `per_name` attempts per name and `per_address` per client address within `window_s`."""

    def __init__(
        self,
        *,
        per_name: int = PER_NAME,
        per_address: int = PER_ADDRESS,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.per_name, self.per_address, self.window_s = per_name, per_address, window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._names: dict[str, list[float]] = {}
        self._addresses: dict[str, list[float]] = {}

    def _recent(self, table: dict[str, list[float]], key: str, now: float) -> list[float]:
        recent = [t for t in table.get(key, []) if now - t < self.window_s]
        if recent:
            table[key] = recent
        else:
            table.pop(key, None)  # keep the tables small: only names and addresses trying right now
        return recent

    def begin(self, name: str, address: str) -> bool:
        """Reserve one attempt; False (nothing reserved) when the name or the address is locked."""
        now = self._clock()
        with self._lock:
            by_name = self._recent(self._names, name, now)
            by_address = self._recent(self._addresses, address, now)
            if len(by_name) >= self.per_name or len(by_address) >= self.per_address:
                return False
            self._names[name] = [*by_name, now]
            self._addresses[address] = [*by_address, now]
            return True

    def succeeded(self, name: str) -> None:
        """A right password clears the name's attempts (the address keeps its count)."""
        with self._lock:
            self._names.pop(name, None)
