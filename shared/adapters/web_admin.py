"""The coordinator's pages every tier app has: users, the logged-in sessions and the audit log.

Why shared: the municipality keeps its users in its state file and the upper tiers in `web-users.json`, but
what a coordinator does with them is the same everywhere — add a user with a password shown once, take a
user's access away, give a new password, end a session left open on another machine, read the log. Each tier
passes a `UserAdmin` (its own service functions, which check and audit) and how to open its audit log; the
pages only turn forms into those calls. The sessions are the site's own server-side table
(`shared.adapters.web_auth`): disabling a user or resetting a password also ends that user's sessions, so a
cookie left in a browser stops working at once.

The one-time password is drawn here, at the edge (randomness never enters the service layer), from an
alphabet without look-alikes (no 0/O, 1/l/I), and shown once on the response to the POST (pages are
`no-store`); only its scrypt hash is kept.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import msgspec
from markupsafe import Markup
from starlette.responses import Response

from shared.adapters import audit
from shared.adapters.web import Ctx, NavItem, WebRoute, WebUser
from shared.adapters.web_auth import session_digest
from shared.errors import InputError
from shared.formats import dutch

PAGE_SIZE = 50
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS = 4


class UserRow(msgspec.Struct, frozen=True, kw_only=True):
    """A user as the list shows it: never the password hash."""

    name: str
    role: str
    created: str = ""
    disabled: str = ""


class UserAdmin(Protocol):
    """A tier's user functions; each checks its input, refuses what may not be done and audits what it did."""

    def users(self) -> list[UserRow]: ...

    def add(self, actor: WebUser, name: str, role: str, password: str) -> None: ...

    def disable(self, actor: WebUser, name: str) -> None: ...

    def reset_password(self, actor: WebUser, name: str, password: str) -> None: ...

    def change_own(self, user: WebUser, current: str, new: str) -> None: ...


@dataclass(frozen=True)
class Admin:
    """What a tier gives the shared pages.

    `roles` may use them (the coordinator); `user_roles` are the roles a new user may get, with their Dutch
    names; `audit_log` opens the tier's log for one page view; `audit_problems` are the tier's own checks on
    top of the chain (the municipality's proof of each definitive report); `record(user, action, payload)`
    writes an event the pages cause themselves (a session ended).
    """

    roles: tuple[str, ...]
    user_roles: tuple[tuple[str, str], ...]
    users: Callable[[], UserAdmin]
    audit_log: Callable[[], AbstractContextManager[sqlite3.Connection]]
    record: Callable[[WebUser, str, dict[str, Any]], None]
    audit_problems: Callable[[sqlite3.Connection], list[str]] = lambda conn: []


def one_time_password() -> str:
    """Four groups of four from `PASSWORD_ALPHABET` (~79 bits), shown once to the coordinator who hands it
    over."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(PASSWORD_GROUPS)
    )


def when(value: str | int) -> str:
    """An ISO timestamp or Unix seconds as 'dd-mm-jjjj uu:mm:ss' in local time; other text as given."""
    try:
        at = (
            datetime.fromtimestamp(value).astimezone()
            if isinstance(value, int)
            else datetime.fromisoformat(value)
        )
    except (ValueError, OverflowError, OSError):
        return str(value)
    return dutch.timestamp(at)


def breakable_time(text: str) -> Markup:
    """A 'dd-mm-jjjj uu:mm:ss' time that may break between date and time, never inside either (narrow
    columns)."""
    return Markup(" ").join(
        Markup('<span class="nowrap">{}</span>').format(part) for part in text.split(" ", 1)
    )


def hash_parts(hex_digest: str) -> list[str]:
    """A hash in four parts of four groups: a line break only ever falls between parts, never leaves one
    group alone (issue 15: a lone 'f8bb')."""
    groups = dutch.hash_groups(hex_digest).split(" ")
    return [" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]


def _int_param(value: str, where: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise InputError(
            f"'{value[:20]}' is geen regelnummer",
            where=where,
            code="admin.not_a_line",
            params={"value": value[:20]},
        )
    return int(value)


def admin_routes(admin: Admin, *, prefix: str = "/beheer") -> list[WebRoute]:
    """The pages `{prefix}/gebruikers`, `{prefix}/sessies` and `{prefix}/logboek`, for `admin.roles` only."""
    labels = dict(admin.user_roles)

    def users_page(ctx: Ctx, *, shown: tuple[str, str, str] | None = None) -> Response:
        return ctx.render(
            "admin_users.html",
            title="Gebruikers",
            users=admin.users().users(),
            labels=labels,
            user_roles=admin.user_roles,
            shown=shown,
            prefix=prefix,
            when=when,
        )

    def users_get(ctx: Ctx) -> Response:
        return users_page(ctx)

    def users_add(ctx: Ctx) -> Response:
        name, role = ctx.field("name").strip(), ctx.field("role")
        if role not in labels:
            raise InputError(
                f"kies een rol: {', '.join(labels.values())}",
                where="rol",
                code="admin.choose_role",
                params={"roles": ", ".join(labels.values())},
            )
        password = one_time_password()
        admin.users().add(ctx.user, name, role, password)
        return users_page(ctx, shown=(name, "toegevoegd", password))

    def users_disable(ctx: Ctx) -> Response:
        name = ctx.field("name")
        if ctx.field("confirm") != "1":
            raise InputError(
                f"vink aan dat {name} niet meer mag inloggen",
                where="bevestiging",
                code="admin.confirm_disable",
                params={"name": name},
            )
        admin.users().disable(ctx.user, name)
        ended = ctx.site.sessions.store.revoke_user(name)
        admin.record(ctx.user, "web-sessions-ended", {"name": name, "sessions": ended, "why": "disabled"})
        return ctx.redirect(f"{prefix}/gebruikers")

    def users_password(ctx: Ctx) -> Response:
        name = ctx.field("name")
        password = one_time_password()
        admin.users().reset_password(ctx.user, name, password)
        ended = ctx.site.sessions.store.revoke_user(name)
        admin.record(ctx.user, "web-sessions-ended", {"name": name, "sessions": ended, "why": "password"})
        return users_page(ctx, shown=(name, "heeft een nieuw wachtwoord", password))

    def sessions_get(ctx: Ctx) -> Response:
        return ctx.render(
            "admin_sessions.html",
            title="Sessies",
            sessions=ctx.site.sessions.store.listing(),
            own=session_digest(ctx.sid) if ctx.sid else "",
            labels=labels,
            prefix=prefix,
            when=when,
            breakable=breakable_time,
        )

    def sessions_revoke(ctx: Ctx) -> Response:
        digest = ctx.field("session")
        match = [s for s in ctx.site.sessions.store.listing() if s.digest == digest]
        if not match or not ctx.site.sessions.store.revoke_digest(digest):
            raise InputError("deze sessie bestaat niet (meer)", where="sessie", code="admin.no_session")
        who = match[0]
        admin.record(
            ctx.user, "web-session-revoke", {"name": who.user, "role": who.role, "session": digest[:16]}
        )
        return ctx.redirect(f"{prefix}/sessies")

    def audit_get(ctx: Ctx) -> Response:
        q = ctx.request.query_params
        user, action = q.get("gebruiker", ""), q.get("soort", "")
        before = _int_param(q.get("voor", ""), "voor")
        with admin.audit_log() as conn:
            rows = audit.page(conn, user=user, action=action, before=before, limit=PAGE_SIZE + 1)
            problems = [str(p) for p in audit.verify_audit(conn)] + admin.audit_problems(conn)
            head = audit.head(conn)
            users, actions = audit.distinct(conn, "user"), audit.distinct(conn, "action")
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        filters = {k: v for k, v in (("gebruiker", user), ("soort", action)) if v}
        older = urlencode({**filters, "voor": rows[-1].seq}) if more and rows else ""
        return ctx.render(
            "admin_audit.html",
            title="Logboek",
            rows=rows,
            problems=problems,
            head=head,
            head_parts=hash_parts(head[1]),
            users=users,
            actions=actions,
            chosen_user=user,
            chosen_action=action,
            older=older,
            newest=urlencode(filters),
            paged=before is not None,
            prefix=prefix,
            when=when,
            breakable=breakable_time,
            hash_parts=hash_parts,
        )

    r = admin.roles
    return [
        WebRoute(f"{prefix}/gebruikers", users_get, r),
        WebRoute(f"{prefix}/gebruikers", users_add, r, methods=("POST",)),
        WebRoute(f"{prefix}/gebruikers/uitschakelen", users_disable, r, methods=("POST",)),
        WebRoute(f"{prefix}/gebruikers/wachtwoord", users_password, r, methods=("POST",)),
        WebRoute(f"{prefix}/sessies", sessions_get, r),
        WebRoute(f"{prefix}/sessies/intrekken", sessions_revoke, r, methods=("POST",)),
        WebRoute(f"{prefix}/logboek", audit_get, r),
    ]


def password_routes(users: Callable[[], UserAdmin], roles: tuple[str, ...]) -> list[WebRoute]:
    """`/wachtwoord`: every user replaces their own password (the one-time password they were handed); the
    current one must match, the new one is typed twice, and the user's other sessions end."""

    def page(ctx: Ctx, *, status: int = 200, message: str = "", done: bool = False) -> Response:
        return ctx.render(
            "admin_password.html", status=status, title="Wachtwoord", message=message, done=done
        )

    def get(ctx: Ctx) -> Response:
        return page(ctx)

    def post(ctx: Ctx) -> Response:
        current, new = ctx.field("current"), ctx.field("new")
        if new != ctx.field("repeat"):
            return page(ctx, status=400, message="De twee nieuwe wachtwoorden verschillen.")
        if not current:
            return page(ctx, status=400, message="Vul uw huidige wachtwoord in.")
        users().change_own(ctx.user, current, new)
        store = ctx.site.sessions.store
        own = session_digest(ctx.sid) if ctx.sid else ""
        for other in store.listing():
            if other.user == ctx.user.name and other.digest != own:
                store.revoke_digest(other.digest)
        return page(ctx, done=True)

    return [WebRoute("/wachtwoord", get, roles), WebRoute("/wachtwoord", post, roles, methods=("POST",))]


def admin_nav(roles: tuple[str, ...], *, prefix: str = "/beheer") -> tuple[NavItem, ...]:
    return (
        NavItem(f"{prefix}/gebruikers", "Gebruikers", roles),
        NavItem(f"{prefix}/sessies", "Sessies", roles),
        NavItem(f"{prefix}/logboek", "Logboek", roles),
    )


def closing(
    open_conn: Callable[[], sqlite3.Connection],
) -> Callable[[], AbstractContextManager[sqlite3.Connection]]:
    """`Admin.audit_log` from a function that opens a connection: closed after the page is read."""

    @contextmanager
    def opened() -> Iterator[sqlite3.Connection]:
        conn = open_conn()
        try:
            yield conn
        finally:
            conn.close()

    return opened
