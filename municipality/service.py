"""The municipality's service layer: every action of the app, as functions of the state file.

Why a layer: the command line (municipality/cli.py), the terminal form and the browser interface (a later
issue) must do exactly the same things — so nothing here parses arguments, prints, prompts, reads the clock or
draws randomness. Time (`at`) and the acting, authenticated `User` are passed in. Every change runs in one
SQLite transaction together with its audit event, so the state and its log never disagree, and a kill -9 loses
at most the transaction in flight.

The four-eyes principle (the municipality's count, Kieswet hoofdstuk N; spec station-reports.md §1.3) lives in
`shared.domain.double_entry`; this layer stores its state per station (one JSON blob, as Abacus does), checks
roles, and records what happened."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import msgspec

from municipality import investigation as inquiry
from municipality import state as db
from municipality.dso import COUNTING_METHODS, DEFAULT_COUNTING, Counting, model_for, parse_counting
from municipality.investigation import Investigation
from municipality.prefill import blank_form, next_session_form
from municipality.report_proof import report_sha256, unproven_reports
from shared.adapters import audit
from shared.adapters.passwords import check_password, hash_password
from shared.adapters.store import transaction
from shared.domain import double_entry as de
from shared.domain.election import District, Election, Municipality, Station
from shared.domain.station_report import ReportModel, StationReport
from shared.domain.validation import ValidationContext, ValidationResults, has_voter_cards
from shared.errors import InputError, IntegrityError, StateError

Role = Literal["typist", "coordinator"]
ROLES: tuple[Role, ...] = ("typist", "coordinator")
_USER_NAME_MAX = 64


class User(msgspec.Struct, frozen=True):
    """An authenticated user of the app."""

    name: str
    role: Role


class SourceFile(msgspec.Struct, frozen=True, kw_only=True):
    """An imported EML file: kind (110a/230b/110b), file name and SHA-256 of its exact bytes."""

    kind: str
    name: str
    sha256: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Service:
    """One municipality in one election, backed by its state file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._election: Election | None = None
        # Derived from the election and municipality meta, which are written once when the file is created.
        self._municipality: Municipality | None = None
        self._context: ValidationContext | None = None
        self._stations: dict[str, Station] | None = None

    # ------------------------------------------------------------------------------------------ open/create

    @classmethod
    def create(
        cls,
        state_dir: Path,
        election: Election,
        municipality_code: str,
        *,
        sources: Iterable[SourceFile],
        at: str,
        by: str = "init",
        counting: str = DEFAULT_COUNTING,
    ) -> Service:
        """Create the state file for `municipality_code` in `election`, with session 1 open.

        `counting` is the municipality's counting method (municipality.dso), fixed for the election."""
        method = parse_counting(counting)
        srcs = list(sources)
        names = {src.kind: src.name for src in srcs}  # errors name the file, not only its kind
        try:
            municipality = election.municipality(municipality_code)
        except KeyError:
            known = ", ".join(m.code for m in election.municipalities) or "none"
            raise InputError(
                f"municipality {municipality_code} is not in this election (known: {known})",
                where="--municipality",
            ) from None
        try:
            election.district(municipality.district_id)
        except KeyError:
            raise InputError(
                f"the candidate lists have no district '{municipality.district_id}' for this municipality",
                where=names.get("230b", "230b"),
            ) from None
        if not municipality.stations:
            raise InputError("the municipality has no polling stations", where=names.get("110b", "110b"))
        path = state_dir / db.db_name(election.id, municipality.code)
        conn = db.open_db(path, at=at, create=True)
        with transaction(conn):
            db.set_meta(conn, "election", msgspec.json.encode(election).decode("utf-8"))
            db.set_meta(conn, "municipality", municipality.code)
            db.set_meta(conn, "sources", msgspec.json.encode(srcs).decode("utf-8"))
            db.set_meta(conn, "counting", method)
            conn.execute("INSERT INTO sessions (number, started_at, started_by) VALUES (1, ?, ?)", (at, by))
            audit.append_event(
                conn,
                at=at,
                user=by,
                action="init",
                payload={
                    "election": election.id,
                    "municipality": municipality.code,
                    "stations": len(municipality.stations),
                    "counting": method,
                    "sources": [msgspec.to_builtins(s) for s in srcs],
                },
            )
        svc = cls(conn, path)
        svc._election = election  # just written: no need to read it back
        return svc

    @classmethod
    def open(cls, state_dir: Path, *, at: str, election_id: str | None = None) -> Service:
        path = db.locate(state_dir, election_id)
        return cls(db.open_db(path, at=at), path)

    def close(self) -> None:
        self.conn.close()

    # -------------------------------------------------------------------------------------------- the setup

    @property
    def election(self) -> Election:
        if self._election is None:
            self._election = msgspec.json.decode(db.get_meta(self.conn, "election"), type=Election)
        return self._election

    @property
    def municipality(self) -> Municipality:
        if self._municipality is None:
            self._municipality = self.election.municipality(db.get_meta(self.conn, "municipality"))
        return self._municipality

    @property
    def district(self) -> District:
        return self.election.district(self.municipality.district_id)

    @property
    def sources(self) -> list[SourceFile]:
        return msgspec.json.decode(db.get_meta(self.conn, "sources"), type=list[SourceFile])

    @property
    def lists_shape(self) -> tuple[tuple[int, int], ...]:
        """(list number, number of candidates) in ballot order: the shape of every report and tally."""
        return tuple((cl.number, len(cl.candidates)) for cl in self.district.lists)

    @property
    def counting(self) -> Counting:
        """Central or decentral counting, as chosen at init (a state file from before the choice: central)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'counting'").fetchone()
        if row is None:
            return DEFAULT_COUNTING
        for method in COUNTING_METHODS:
            if row[0] == method:
                return method
        raise IntegrityError(
            f"the state file names an unknown counting method {row[0]!r}", where=str(self.path)
        )

    def model(self, session: int | None = None) -> ReportModel:
        """The paper model the typists key in `session` (default: the current one)."""
        return model_for(self.counting, self.current_session() if session is None else session)

    @property
    def voter_cards(self) -> bool:
        return has_voter_cards(self.election.category)

    def validation_context(self) -> ValidationContext:
        if self._context is None:
            self._context = ValidationContext(
                level="gsb", lists=self.lists_shape, voter_cards=self.voter_cards
            )
        return self._context

    def station(self, ref: str | int) -> Station:
        """A station by number (`3`), by id (`0668::SB3`) or by `SB3`."""
        text = str(ref).strip()
        if self._stations is None:  # every entry looks its station up: one dict, not a scan per call
            self._stations = {}
            for s in reversed(self.municipality.stations):  # the first station wins, as the scan did
                self._stations.update({str(s.number): s, s.id: s, s.id.split("::")[-1]: s})
        found = self._stations.get(text)
        if found is not None:
            return found
        raise InputError(
            f"no polling station '{text}' in {self.municipality.name}",
            where="STATION",
            code="station.unknown",
            params={"ref": text, "municipality": self.municipality.name},
        )

    def meta(self, key: str) -> str:
        return db.get_meta(self.conn, key)

    def set_meta(self, key: str, value: str, *, user: str, at: str) -> None:
        with transaction(self.conn):
            db.set_meta(self.conn, key, value)
            audit.append_event(
                self.conn, at=at, user=user, action="set-meta", payload={"key": key, "value": value}
            )
        self._election, self._municipality, self._context, self._stations = None, None, None, None

    # --------------------------------------------------------------------------------------------- users

    def add_user(self, name: str, role: str, password: str, *, at: str, by: str) -> User:
        """Add a typist or coordinator; the password is stored only as an scrypt hash."""
        if not name or len(name) > _USER_NAME_MAX or not name.isprintable() or name.strip() != name:
            raise InputError(
                "a user name is 1–64 printable characters without surrounding spaces",
                where="NAME",
                code="admin.bad_name",
            )
        if role not in ROLES:
            raise InputError(
                f"role must be one of {', '.join(ROLES)}",
                where="--role",
                code="admin.bad_role",
                params={"roles": ", ".join(ROLES)},
            )
        stored = hash_password(password)
        with transaction(self.conn):
            if self.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise StateError(
                    f"user '{name}' already exists",
                    where="NAME",
                    code="admin.user_exists",
                    params={"name": name},
                )
            self.conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, stored, at),
            )
            audit.append_event(
                self.conn, at=at, user=by, action="user-add", payload={"name": name, "role": role}
            )
        return User(name, role)

    def users(self) -> list[User]:
        rows = self.conn.execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [User(r[0], r[1]) for r in rows]

    def user_details(self) -> list[UserDetails]:
        """Every user with when it was made and, if so, disabled (never the password hash)."""
        rows = self.conn.execute("SELECT name, role, created_at, disabled_at FROM users ORDER BY name")
        return [UserDetails(name=r[0], role=r[1], created_at=r[2], disabled_at=r[3]) for r in rows]

    def _existing_user(self, actor: User, name: str) -> str | None:
        """The user's disabled_at, refusing an unknown name and a coordinator acting on their own account
        (a coordinator who disables or resets themselves could leave the office without one)."""
        self.require(actor, "coordinator")
        row = self.conn.execute("SELECT disabled_at FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise InputError(f"no user '{name}'", where="NAME", code="admin.no_user", params={"name": name})
        if name == actor.name:
            raise StateError(
                "a coordinator cannot disable or reset their own account",
                where="NAME",
                code="admin.own_account",
            )
        return None if row[0] is None else str(row[0])

    def disable_user(self, actor: User, name: str, *, at: str) -> None:
        """Take a user's access away for good; the name stays in the table and the audit log."""
        with transaction(self.conn):
            if self._existing_user(actor, name) is not None:
                raise StateError(
                    f"user '{name}' is already disabled",
                    where="NAME",
                    code="admin.already_disabled",
                    params={"name": name},
                )
            self.conn.execute("UPDATE users SET disabled_at = ? WHERE name = ?", (at, name))
            audit.append_event(
                self.conn, at=at, user=actor.name, action="user-disable", payload={"name": name}
            )

    def reset_password(self, actor: User, name: str, password: str, *, at: str) -> None:
        """A new password for a user who forgot theirs (stored only as an scrypt hash)."""
        stored = hash_password(password)
        with transaction(self.conn):
            if self._existing_user(actor, name) is not None:
                raise StateError(
                    f"user '{name}' is disabled",
                    where="NAME",
                    code="admin.user_disabled",
                    params={"name": name},
                )
            self.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (stored, name))
            audit.append_event(
                self.conn, at=at, user=actor.name, action="user-password-reset", payload={"name": name}
            )

    def change_own_password(self, name: str, current: str, new: str, *, at: str) -> None:
        """A user replaces their own password (e.g. the one-time password the coordinator handed over); the
        current one must match, as at login."""
        try:
            user = self.login(name, current)
        except InputError:
            self.record_event(name, "user-password-change-refused", {}, at=at)
            raise
        stored = hash_password(new)
        with transaction(self.conn):
            self.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (stored, user.name))
            audit.append_event(self.conn, at=at, user=user.name, action="user-password-change", payload={})

    def login(self, name: str, password: str) -> User:
        """The user, when the password matches and the user is not disabled; one message for unknown name,
        wrong password and disabled user alike."""
        row = self.conn.execute(
            "SELECT role, password_hash, disabled_at FROM users WHERE name = ?", (name,)
        ).fetchone()
        matches = check_password(password, None if row is None else row[1])
        if row is None or not matches or row[2] is not None:
            raise InputError("unknown user or wrong password", where="--user")
        return User(name, row[0])

    @staticmethod
    def require(user: User, role: Role) -> None:
        if user.role != role:
            raise StateError(
                f"this is for a {role}; {user.name} is a {user.role}",
                where="--user",
                code="user.wrong_role",
                params={"role": role, "name": user.name, "user_role": user.role},
            )

    # ------------------------------------------------------------------------------------------ sessions

    def current_session(self) -> int:
        return int(self.conn.execute("SELECT MAX(number) FROM sessions").fetchone()[0])

    def session_finalised(self, number: int) -> bool:
        row = self.conn.execute("SELECT finalised_at FROM sessions WHERE number = ?", (number,)).fetchone()
        return row is not None and row[0] is not None

    def _require_open_session(self) -> int:
        number = self.current_session()
        if self.session_finalised(number):
            raise StateError(
                f"session {number} is finalised; numbers can only change in a next session "
                "(`session new`, then `investigate`)",
                code="session.finalised",
                params={"session": number},
            )
        return number

    def new_session(self, user: User, *, at: str) -> int:
        """Open the next session (Kieswet art. P 2a: a new session at the request of the CSB)."""
        self.require(user, "coordinator")
        with transaction(self.conn):
            current = self.current_session()
            if not self.session_finalised(current):
                raise StateError(
                    f"session {current} is still open: finalise it first",
                    code="session.still_open",
                    params={"session": current},
                )
            number = current + 1
            self.conn.execute(
                "INSERT INTO sessions (number, started_at, started_by) VALUES (?, ?, ?)",
                (number, at, user.name),
            )
            audit.append_event(
                self.conn, at=at, user=user.name, action="session-new", payload={"session": number}
            )
        return number

    def investigations(self, session: int | None = None) -> list[Investigation]:
        """The investigations of a session (default: the current one), in the order they were opened."""
        s = self.current_session() if session is None else session
        rows = self.conn.execute(
            "SELECT station, reason, findings, corrected FROM investigations WHERE session = ? "
            "ORDER BY created_at, station",
            (s,),
        ).fetchall()
        return [
            Investigation(
                session=s,
                station=r[0],
                reason=r[1],
                findings=r[2],
                corrected=None if r[3] is None else bool(r[3]),
            )
            for r in rows
        ]

    def investigate(self, user: User, station_ref: str | int, reason: str, *, at: str) -> Station:
        """Start an investigation of a station in the current (next) session (Kieswet art. P 2a)."""
        self.require(user, "coordinator")
        station = self.station(station_ref)
        reason = inquiry.clean_text(
            reason, what="reason of the investigation (P 2a 'Aanleiding')", where="--reason"
        )
        with transaction(self.conn):
            session = self._require_open_session()
            if session == 1:
                raise StateError(
                    "investigations belong to a next session: run `session new` first",
                    code="inquiry.first_session",
                )
            if self.conn.execute(
                "SELECT 1 FROM investigations WHERE session = ? AND station = ?", (session, station.id)
            ).fetchone():
                raise StateError(
                    f"station {station.number} is already under investigation in session {session}",
                    code="inquiry.already",
                    params={"number": station.number, "session": session},
                )
            self.conn.execute(
                "INSERT INTO investigations (session, station, reason, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?)",
                (session, station.id, reason, at, user.name),
            )
            self._put_entry(session, station.id, de.DataEntry(), at)
            audit.append_event(
                self.conn,
                at=at,
                user=user.name,
                action="investigate",
                payload={"session": session, "station": station.id, "reason": reason},
            )
        return station

    def close_investigation(
        self, user: User, station_ref: str | int, findings: str, corrected: bool, *, at: str
    ) -> Investigation:
        """Record the findings and whether the result was corrected (P 2a rubric 1.2).

        Not corrected: the station's entry of this session is dropped, so its earlier definitive report stands
        and nobody types it again. Corrected: its report is entered twice again (before or after closing)."""
        self.require(user, "coordinator")
        station = self.station(station_ref)
        findings = inquiry.clean_text(findings, what="findings of the investigation", where="--findings")
        with transaction(self.conn):
            session = self._require_open_session()
            inv = next((i for i in self.investigations(session) if i.station == station.id), None)
            started = bool(inv and not inv.closed) and self._get_entry(session, station.id).state != "empty"
            inquiry.check_close(inv, station, entry_started=started, corrected=corrected)
            self.conn.execute(
                "UPDATE investigations SET findings = ?, corrected = ?, closed_at = ?, closed_by = ? "
                "WHERE session = ? AND station = ?",
                (findings, int(corrected), at, user.name, session, station.id),
            )
            if not corrected:
                self.conn.execute(
                    "DELETE FROM data_entries WHERE session = ? AND station = ?", (session, station.id)
                )
            audit.append_event(
                self.conn,
                at=at,
                user=user.name,
                action="investigate-close",
                payload={
                    "session": session,
                    "station": station.id,
                    "findings": findings,
                    "corrected": corrected,
                },
            )
        return Investigation(
            session=session,
            station=station.id,
            reason=inv.reason if inv else "",
            findings=findings,
            corrected=corrected,
        )

    def check_investigations(self) -> list[Investigation]:
        """The current session's investigations, refused (OZ.3–OZ.5) when one is not ready to finalise."""
        session = self.current_session()
        investigations = self.investigations(session)

        def definitive(station_id: str) -> StationReport | None:
            entry = self._get_entry(session, station_id)
            return entry.first.report if entry.state == "definitive" and entry.first else None

        inquiry.check_finalise(
            investigations,
            self.station,
            definitive,
            lambda sid: self.definitive_report(self.station(sid), before=session),
        )
        return investigations

    # ----------------------------------------------------------------------------------------- data entry

    def _stations_in_session(self, session: int) -> list[Station]:
        if session == 1:
            return list(self.municipality.stations)
        ids = {i.station for i in self.investigations(session) if i.corrected is not False}
        return [s for s in self.municipality.stations if s.id in ids]

    def _get_entry(self, session: int, station_id: str) -> de.DataEntry:
        row = self.conn.execute(
            "SELECT state FROM data_entries WHERE session = ? AND station = ?", (session, station_id)
        ).fetchone()
        if row is None:
            if session == 1:
                return de.DataEntry()
            raise StateError(
                f"station {station_id} is not under investigation in session {session}",
                code="inquiry.not_investigated",
                params={"number": station_id.split("::")[-1], "session": session},
            )
        return msgspec.json.decode(row[0], type=de.DataEntry)

    def _put_entry(self, session: int, station_id: str, entry: de.DataEntry, at: str) -> None:
        self.conn.execute(
            "INSERT INTO data_entries (session, station, state, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(session, station) DO UPDATE "
            "SET state = excluded.state, updated_at = excluded.updated_at",
            (session, station_id, msgspec.json.encode(entry).decode("utf-8"), at),
        )

    def entry(self, station_ref: str | int, session: int | None = None) -> de.DataEntry:
        """The double-entry record of a station (coordinator's view)."""
        s = self.current_session() if session is None else session
        return self._get_entry(s, self.station(station_ref).id)

    def _form_for(self, session: int, station: Station) -> StationReport:
        if session == 1:
            return blank_form(self.lists_shape, voter_cards=self.voter_cards, model=self.model(session))
        previous = self.definitive_report(station, before=session)
        return next_session_form(previous, self.model(session))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Several actions as one transaction: all of them are stored, or (on any error) none.

        Why: each action commits on its own, so that a kill -9 loses at most the one in flight; on a real
        disk that commit's fsync costs more than the action. A caller that runs a known sequence of actions
        with no person in between (the demo's simulated typists) commits them together. The audit trail is
        the same event for event.
        """
        with transaction(self.conn):
            yield

    def _change(
        self,
        user: User,
        station_ref: str | int,
        action: str,
        step: Callable[[de.DataEntry, de.Actor, int, Station], de.DataEntry],
        *,
        at: str,
        payload: dict[str, Any] | None = None,
    ) -> de.DataEntry:
        """Load, apply one pure state-machine step, store and audit — one transaction."""
        station = self.station(station_ref)
        actor = de.Actor(user.name, user.role)
        with transaction(self.conn):
            session = self._require_open_session()
            before = self._get_entry(session, station.id)
            after = step(before, actor, session, station)
            self._put_entry(session, station.id, after, at)
            audit.append_event(
                self.conn,
                at=at,
                user=user.name,
                action=action,
                payload={
                    "session": session,
                    "station": station.id,
                    "from": before.state,
                    "to": after.state,
                    **(payload or {}),
                },
            )
        return after

    def claim(self, user: User, station_ref: str | int, *, at: str) -> de.Claimed:
        """Start or resume an entry; returns only the typist's own entry (never the other one)."""
        claimed: list[de.Claimed] = []

        def step(entry: de.DataEntry, actor: de.Actor, session: int, station: Station) -> de.DataEntry:
            out, c = de.claim(entry, actor, self._form_for(session, station))
            claimed.append(c)
            return out

        self._change(user, station_ref, "entry-claim", step, at=at)
        return claimed[0]

    def save(
        self, user: User, station_ref: str | int, report: StationReport, *, progress: int, at: str
    ) -> ValidationResults:
        """Store the entry typed so far (one transaction: a kill -9 afterwards loses nothing)."""
        ctx = self.validation_context()

        def step(entry: de.DataEntry, actor: de.Actor, session: int, station: Station) -> de.DataEntry:
            expected = self.model(session)
            if report.model != expected:  # the paper of the other counting method, or of the other session
                raise InputError(
                    f"report is model {report.model}; this municipality keys {expected} in session {session}",
                    where="model",
                )
            return de.save(entry, actor, report, ctx, progress)

        digest = report_sha256(report)
        after = self._change(
            user,
            station_ref,
            "entry-save",
            step,
            at=at,
            payload={"progress": progress, "report_sha256": digest},
        )
        return de.entry_results(after, de.Actor(user.name, user.role), ctx)

    def findings(self, user: User, station_ref: str | int) -> ValidationResults:
        """Validation of the typist's own entry, with W.001/W.002 where they apply."""
        entry = self._get_entry(self.current_session(), self.station(station_ref).id)
        return de.entry_results(entry, de.Actor(user.name, user.role), self.validation_context())

    def finalise_entry(
        self,
        user: User,
        station_ref: str | int,
        *,
        accept_warnings: bool = False,
        accept_errors: bool = False,
        at: str,
    ) -> de.DataEntry:
        ctx = self.validation_context()

        def step(entry: de.DataEntry, actor: de.Actor, session: int, station: Station) -> de.DataEntry:
            return de.finalise(
                entry, actor, ctx, accept_warnings=accept_warnings, accept_errors=accept_errors, at=at
            )

        return self._change(
            user,
            station_ref,
            "entry-finalise",
            step,
            at=at,
            payload={"accept_warnings": accept_warnings, "accept_errors": accept_errors},
        )

    def discard_entry(self, user: User, station_ref: str | int, *, at: str) -> de.DataEntry:
        return self._change(user, station_ref, "entry-discard", lambda e, a, s, st: de.discard(e, a), at=at)

    def resolve(self, user: User, station_ref: str | int, action: str, *, at: str) -> de.DataEntry:
        """A coordinator's decision on a first entry with errors or on two different entries."""
        ctx = self.validation_context()

        def step(entry: de.DataEntry, actor: de.Actor, session: int, station: Station) -> de.DataEntry:
            if action in ERROR_RESOLUTIONS:
                return de.resolve_errors(entry, actor, ERROR_RESOLUTIONS[action])
            if action in DIFFERENCE_RESOLUTIONS:
                return de.resolve_differences(entry, actor, DIFFERENCE_RESOLUTIONS[action], ctx)
            raise InputError(
                f"unknown resolution '{action}'",
                where="resolve",
                code="resolve.unknown",
                params={"action": action},
            )

        return self._change(user, station_ref, "resolve", step, at=at, payload={"resolution": action})

    def reset(self, user: User, station_ref: str | int, *, at: str) -> de.DataEntry:
        """Coordinator: back to empty, both entries gone (they stay readable in the audit trail of saves)."""
        return self._change(user, station_ref, "reset", lambda e, a, s, st: de.reset(e, a), at=at)

    def record_event(self, user: str, action: str, payload: dict[str, Any], *, at: str) -> None:
        """An event without a state change (login, air-gap override, printed output)."""
        audit.append_event(self.conn, at=at, user=user, action=action, payload=payload)

    # ------------------------------------------------------------------------------------ status & results

    def status(self) -> list[StationStatus]:
        """Per station of the current session: state, typists, progress, whether it needs the coordinator."""
        session = self.current_session()
        rows = {
            r[0]: (msgspec.json.decode(r[1], type=de.DataEntry), r[2])
            for r in self.conn.execute(
                "SELECT station, state, updated_at FROM data_entries WHERE session = ?", (session,)
            )
        }
        out = []
        for st in self._stations_in_session(session):
            entry, updated = rows.get(st.id, (de.DataEntry(), None))
            out.append(
                StationStatus(
                    station=st,
                    state=entry.state,
                    first_typist=entry.first.typist if entry.first else None,
                    second_typist=entry.second.typist if entry.second else None,
                    progress=_progress(entry),
                    with_warnings=bool(entry.first and entry.first.with_warnings)
                    or bool(entry.second and entry.second.with_warnings),
                    updated_at=updated,
                )
            )
        return out

    def definitive_report(self, station: Station, *, before: int | None = None) -> StationReport:
        """The station's definitive report from the latest session (< `before`) where it had one."""
        limit = self.current_session() + 1 if before is None else before
        rows = self.conn.execute(
            "SELECT session, state FROM data_entries WHERE station = ? AND session < ? ORDER BY session DESC",
            (station.id, limit),
        ).fetchall()
        for _, blob in rows:
            entry = msgspec.json.decode(blob, type=de.DataEntry)
            if entry.state == "definitive" and entry.first is not None:
                return entry.first.report
        raise StateError(
            f"station {station.number} ({station.name}) has no definitive result yet",
            code="station.not_definitive",
            params={"number": station.number, "name": station.name},
        )

    def prove_definitive_reports(self) -> None:
        """Refuse (IntegrityError, naming the station) when a definitive report is not the one its typist
        saved as the audit log recorded it: the state file was edited outside the program."""
        unproven = unproven_reports(self.conn)
        if unproven:
            more = f" (and {len(unproven) - 1} more)" if len(unproven) > 1 else ""
            raise IntegrityError(f"{unproven[0]}{more}", where=str(self.path), code="finalise.edited")

    def definitive_results(self) -> list[tuple[Station, StationReport]]:
        """Every station's definitive report in the current session (carried over where not investigated).

        Refuses, naming them, when stations are not definitive yet.
        """
        session = self.current_session()
        waiting = [s for s in self.status() if s.state != "definitive"]
        if waiting:
            names = ", ".join(f"{s.station.number} ({de.STATE_LABELS_NL[s.state]})" for s in waiting[:10])
            more = f" and {len(waiting) - 10} more" if len(waiting) > 10 else ""
            raise StateError(
                f"not every station is definitive in session {session}: {names}{more}",
                code="finalise.not_definitive",
                params={"session": session, "names": f"{names}{more}"},
            )
        return [(st, self.definitive_report(st)) for st in self.municipality.stations]


def _progress(entry: de.DataEntry) -> int:
    current = entry.second or entry.first
    return current.progress if current is not None else 0


ERROR_RESOLUTIONS: dict[str, de.ErrorResolution] = {
    "resume-first": "resume_first",
    "discard-first": "discard_first",
}
DIFFERENCE_RESOLUTIONS: dict[str, de.DifferenceResolution] = {
    "keep-first": "keep_first",
    "keep-second": "keep_second",
    "discard-both": "discard_both",
    "return-to-second": "keep_first_correct_second",
    "return-to-first": "keep_second_correct_first",
}
RESOLUTIONS = (*ERROR_RESOLUTIONS, *DIFFERENCE_RESOLUTIONS)


class UserDetails(msgspec.Struct, frozen=True, kw_only=True):
    """A user as the coordinator's list shows it."""

    name: str
    role: Role
    created_at: str
    disabled_at: str | None


class StationStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the coordinator's dashboard."""

    station: Station
    state: de.State
    first_typist: str | None
    second_typist: str | None
    progress: int
    with_warnings: bool
    updated_at: str | None

    @property
    def needs_coordinator(self) -> bool:
        return self.state in ("first_entry_has_errors", "entries_different")
