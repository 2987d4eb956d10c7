"""The upper tiers' scanning desk as a site: operators scan, observers look; the office behind it; `serve` and
`web-user` on the command line of the hoofdstembureau and the central office."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from shared.adapters import web
from shared.adapters.airgap import check_air_gap, require_air_gap
from shared.adapters.desk_model import DeskBackend, DeskItem, DeskRefusal, DeskRow, DeskStatus
from shared.adapters.desk_routes import desk_routes
from shared.adapters.web import (
    USERS_FILE,
    NavItem,
    Site,
    UserFile,
    WebRoute,
    WebUser,
    load_secret,
    login_failure,
)
from shared.adapters.web_airgap import AirGapGuard
from shared.adapters.web_auth import SESSIONS_FILE
from shared.domain.validation import has_voter_cards
from shared.errors import InputError, StateError
from shared.formats.dutch import tally_rows


def env_password(var: str | None, default_var: str) -> str | None:
    """A password from the environment (scripts, tests), or None to prompt."""
    name = var or default_var
    value = os.environ.get(name)
    if value is None and var:
        raise InputError(f"environment variable {var} is not set", where="--password-env")
    return value


OPERATOR, OBSERVER, COORDINATOR = "operator", "observer", "coordinator"
#: Operators scan, observers look, the coordinator also manages users, sessions and the audit log.
DESK_ROLES = (OPERATOR, OBSERVER, COORDINATOR)


class OfficeDesk:
    """A `DeskBackend` over a tier's own office functions (hoofdstembureau or central, which may not import
    each other): open the office per request, receive with the tier's `receive_message`, show its `status`."""

    def __init__(
        self,
        title: str,
        *,
        open_office: Callable[[str], Any],
        receive: Callable[[Any, str, bytes], Any],
        status: Callable[[Any], Any],
        list_names: Callable[[Any, str], Mapping[int, str]],
        name_of: Callable[[Any, str], str],
    ) -> None:
        self.title = title
        self._open = open_office
        self._receive = receive
        self._status = status
        self._list_names = list_names
        self._name_of = name_of

    def receive(self, user: WebUser, messages: Sequence[tuple[str, bytes]]) -> list[DeskItem]:
        office = self._open(user.name)
        try:
            out = []
            for source, message in messages:
                item = self._receive(office, source, message)
                who = item.authority or ""
                rows = (
                    tally_rows(
                        item.tally,
                        self._list_names(office, who),
                        voter_cards=has_voter_cards(office.election.category),
                    )
                    if item.tally is not None
                    else ()
                )
                out.append(
                    DeskItem(
                        source=item.source,
                        outcome=item.outcome,
                        text=item.text_nl,
                        authority=who,
                        name=self._name_of(office, who) if who else "",
                        rows=rows,
                        warnings=item.warnings_nl,
                    )
                )
            return out
        finally:
            office.conn.close()

    def status(self) -> DeskStatus:
        office = self._open("web")
        try:
            st = self._status(office)
            return DeskStatus(
                rows=tuple(
                    DeskRow(
                        code=r.code,
                        name=r.name,
                        state=r.state,
                        phase=r.phase,
                        digest=r.digest,
                        duplicates=r.duplicates,
                        superseded=r.superseded,
                        source=r.source,
                    )
                    for r in st.rows
                ),
                refused=tuple(
                    DeskRefusal(
                        at=x.at,
                        source=x.source,
                        authority=x.authority,
                        reason=x.reason,
                        reason_nl=x.reason_nl,
                    )
                    for x in st.refused
                ),
                finalised_phase=st.finalised_phase,
                advice=st.advice,
            )
        finally:
            office.conn.close()


def desk_site(
    title: str,
    state_dir: Path,
    backend: Callable[[], DeskBackend],
    audit: Callable[[str, str, dict[str, Any]], None],
    *,
    admin: tuple[Sequence[WebRoute], Sequence[NavItem]] = ((), ()),
    templates: Path | None = None,
) -> Site:
    """The site of a scanning desk: operators scan, observers look; users from `web-users.json`; logins and
    refused logins go to the office's audit log through `audit(user, action, payload)`. `admin` adds the
    coordinator's pages and their menu items (`shared.office.web_admin`)."""
    users = UserFile(state_dir / USERS_FILE, DESK_ROLES)
    routes, nav = admin
    return Site(
        on_login=lambda user: audit(user.name, "web-login", {"role": user.role}),
        on_login_failed=lambda name, address, reason: audit(
            "web", "web-login-failed", login_failure(name, address, reason)
        ),
        sessions_file=state_dir / SESSIONS_FILE,
        title=title,
        users=users.lookup,
        secret=load_secret(state_dir),
        routes=[*desk_routes(backend, DESK_ROLES, scan_roles=(OPERATOR,)), *routes],
        home={OPERATOR: "/balie", OBSERVER: "/status", COORDINATOR: "/status"},
        nav=(NavItem("/balie", "Scanbalie", DESK_ROLES), NavItem("/status", "Overzicht", DESK_ROLES), *nav),
        templates=templates,
    )


def register_desk_commands(
    subparsers: Any,
    *,
    default_state: Path,
    make_app: Callable[[Path], Starlette],
    what: str,
    audit: Callable[[Path, str, str, dict[str, Any]], None],
) -> None:
    """`serve` and `web-user add|list` for a tier with a scanning desk (hoofdstembureau, central).

    `serve` receives results, so it runs the air-gap check first; `audit(state, user, action, payload)`
    writes an overridden check to the office's audit log."""
    import argparse

    def cmd_serve(args: argparse.Namespace) -> int:
        state_dir = Path(args.state)
        if not UserFile(state_dir / USERS_FILE, DESK_ROLES).names():
            raise StateError(
                f"no web users yet: add one with `telketen {what} web-user add NAME --role operator`",
                where=str(state_dir / USERS_FILE),
            )
        require_air_gap(args.allow_network, lambda found: audit(state_dir, "serve", "airgap-override", found))
        app = AirGapGuard(make_app(state_dir), lambda: check_air_gap(allow_network=args.allow_network))
        print(
            f"Telketen {what}: http://{args.host}:{args.port}/ (Ctrl+C stops)", file=__import__("sys").stderr
        )
        web.serve(app, args.host, args.port)
        return 0

    def cmd_user_add(args: argparse.Namespace) -> int:
        password = env_password(args.password_env, "TELKETEN_PASSWORD")
        if password is None:
            import getpass

            password = getpass.getpass("Password for the new web user: ")
            if getpass.getpass("Repeat the password: ") != password:
                raise InputError("the two passwords differ", where="password")
        user = UserFile(Path(args.state) / USERS_FILE, DESK_ROLES).add(args.name, args.role, password)
        print(f"web user {user.name} ({user.role}) added")
        return 0

    def cmd_user_list(args: argparse.Namespace) -> int:
        for u in UserFile(Path(args.state) / USERS_FILE, DESK_ROLES).names():
            print(f"{u.name}\t{u.role}")
        return 0

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state", default=str(default_state), help="state folder (default: %(default)s)")
    s = subparsers.add_parser(
        "serve",
        parents=[common],
        help="the scanning desk in a browser",
        description=(
            "Serve the scanning desk in a browser on this machine: scan summaries with a webcam or upload, "
            "see what is in and missing."
        ),
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    s.add_argument("--port", type=int, default=8471, help="port (default %(default)s)")
    s.add_argument("--allow-network", action="store_true", help="skip the air-gap refusal (tests/training)")
    s.set_defaults(func=cmd_serve)
    w = subparsers.add_parser(
        "web-user",
        help="users of the scanning desk",
        description="Add and list the users who may log in to the scanning desk.",
    ).add_subparsers(dest="web_user_command")
    w.required = True
    s = w.add_parser(
        "add",
        parents=[common],
        help="add a web user",
        description="Add a user of the scanning desk (password from --password-env or asked).",
    )
    s.add_argument("name", metavar="NAME")
    s.add_argument("--role", choices=DESK_ROLES, default=OPERATOR)
    s.add_argument(
        "--password-env", metavar="VAR", help="read the password from VAR (default TELKETEN_PASSWORD)"
    )
    s.set_defaults(func=cmd_user_add)
    s = w.add_parser(
        "list", parents=[common], help="list web users", description="List the users of the scanning desk."
    )
    s.set_defaults(func=cmd_user_list)
