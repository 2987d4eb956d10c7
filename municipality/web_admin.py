"""The municipality coordinator's set-up, users, sessions and audit log in the browser.

Every action is a `municipality.service` function, as on the command line (`user add`, `session new`,
`audit --verify`): it checks the coordinator's role, refuses what the state does not allow and writes the
audit event in the same transaction. This module only adapts them to `shared.adapters.web_admin`'s pages and
adds the set-up page (`/coordinator/inrichting`, read by `municipality.overview`). Investigations have their
own screens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from municipality.overview import setup_overview
from municipality.report_proof import unproven_reports
from municipality.service import Service, User
from shared.adapters.web import Ctx, NavItem, WebRoute, WebUser
from shared.adapters.web_admin import (
    Admin,
    UserRow,
    admin_nav,
    admin_routes,
    breakable_time,
    closing,
    hash_parts,
    password_routes,
    when,
)
from shared.errors import InputError
from shared.formats import dutch

COORDINATOR = "coordinator"
ALL_ROLES = ("typist", COORDINATOR)
ROLE_LABELS = (("typist", "invoerder"), ("coordinator", "coördinator"))

Open = Callable[[], Service]
Stamp = Callable[[], str]


def _actor(user: WebUser) -> User:
    return User(user.name, "coordinator" if user.role == COORDINATOR else "typist")


class MunicipalityUsers:
    """The `UserAdmin` of the municipality: its users table, through the service."""

    def __init__(self, open_service: Open, stamp: Stamp) -> None:
        self._open, self._stamp = open_service, stamp

    def users(self) -> list[UserRow]:
        svc = self._open()
        try:
            return [
                UserRow(name=u.name, role=u.role, created=u.created_at, disabled=u.disabled_at or "")
                for u in svc.user_details()
            ]
        finally:
            svc.close()

    def add(self, actor: WebUser, name: str, role: str, password: str) -> None:
        svc = self._open()
        try:
            Service.require(_actor(actor), "coordinator")
            svc.add_user(name, role, password, at=self._stamp(), by=actor.name)
        finally:
            svc.close()

    def disable(self, actor: WebUser, name: str) -> None:
        svc = self._open()
        try:
            svc.disable_user(_actor(actor), name, at=self._stamp())
        finally:
            svc.close()

    def reset_password(self, actor: WebUser, name: str, password: str) -> None:
        svc = self._open()
        try:
            svc.reset_password(_actor(actor), name, password, at=self._stamp())
        finally:
            svc.close()

    def change_own(self, user: WebUser, current: str, new: str) -> None:
        svc = self._open()
        try:
            svc.change_own_password(user.name, current, new, at=self._stamp())
        finally:
            svc.close()


def municipality_admin(open_service: Open, stamp: Stamp) -> Admin:
    def record(user: WebUser, action: str, payload: dict[str, Any]) -> None:
        svc = open_service()
        try:
            svc.record_event(user.name, action, payload, at=stamp())
        finally:
            svc.close()

    return Admin(
        roles=(COORDINATOR,),
        user_roles=ROLE_LABELS,
        users=lambda: MunicipalityUsers(open_service, stamp),
        audit_log=closing(lambda: open_service().conn),
        record=record,
        audit_problems=lambda conn: [str(r) for r in unproven_reports(conn)],
    )


def setup_routes(open_service: Open, stamp: Stamp) -> list[WebRoute]:
    """The set-up page and opening the next counting session (`session new` on the command line)."""

    def setup_page(ctx: Ctx) -> Response:
        svc = open_service()
        try:
            view = setup_overview(svc)
            return ctx.render(
                "setup.html",
                title="Inrichting",
                election=svc.election,
                municipality=svc.municipality,
                district=svc.district,
                view=view,
                long_date=dutch.long_date,
                hash_parts=hash_parts,
                when=when,
                breakable=breakable_time,
                opened=ctx.request.query_params.get("geopend", ""),
            )
        finally:
            svc.close()

    def new_session(ctx: Ctx) -> Response:
        svc = open_service()
        try:
            if ctx.field("confirm") != "1":
                raise InputError(
                    "vink aan dat een nieuwe zitting wordt geopend",
                    where="bevestiging",
                    code="admin.confirm_session",
                )
            number = svc.new_session(_actor(ctx.user), at=stamp())
        finally:
            svc.close()
        return ctx.redirect(f"/coordinator/inrichting?geopend={number}")

    c = (COORDINATOR,)
    return [
        WebRoute("/coordinator/inrichting", setup_page, c),
        WebRoute("/coordinator/inrichting/zitting", new_session, c, methods=("POST",)),
    ]


def routes(open_service: Open, stamp: Stamp) -> list[WebRoute]:
    """Every coordinator page of this module (the municipality app adds them to its own)."""
    return [
        *setup_routes(open_service, stamp),
        *admin_routes(municipality_admin(open_service, stamp)),
        *password_routes(lambda: MunicipalityUsers(open_service, stamp), ALL_ROLES),
    ]


def nav() -> tuple[NavItem, ...]:
    return (
        NavItem("/coordinator/inrichting", "Inrichting", (COORDINATOR,)),
        *admin_nav((COORDINATOR,)),
        NavItem("/wachtwoord", "Wachtwoord", ALL_ROLES),
    )
