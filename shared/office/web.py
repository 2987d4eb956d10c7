"""The scanning desk of a receiving office in a browser (`telketen hsb serve`, `telketen central serve`).

The desk itself (upload, webcam frames, results, dashboard) is `shared.adapters.desk_site` with
`desk_routes` and `desk_upload`; this plugs in the office: `receive_message` checks every sheet (signature
against the key register, election, district, issuer, corrigendum chain; ARCHITECTURE §1) and the tier's
`status` lists who is in, missing and refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette

from shared.adapters.desk_site import COORDINATOR, DESK_ROLES, OfficeDesk, desk_site
from shared.adapters.web import NavItem, WebRoute, create_app
from shared.adapters.web_admin import admin_nav, admin_routes, password_routes
from shared.office.office import Clock, Office
from shared.office.receive import receive_message
from shared.office.status import Status
from shared.office.web_admin import office_admin

OfficeT = TypeVar("OfficeT", bound=Office)


def desk_app(
    office_type: type[OfficeT],
    state_dir: Path,
    *,
    title: Callable[[OfficeT], str],
    status: Callable[[OfficeT], Status],
    clock: Clock,
    pages: tuple[Sequence[WebRoute], Sequence[NavItem]] = ((), ()),
    templates: Path | None = None,
) -> Starlette:
    """The desk app on a state folder; `title(office)` heads every page; every office it opens (one per
    request) takes its timestamps from `clock`. The coordinator's users, sessions and audit log come with
    it; `pages` (and their `templates`) are the tier's own coordinator pages and menu items."""
    office = office_type.open(state_dir, "web", clock=clock)
    try:
        heading = title(office)
    finally:
        office.conn.close()
    desk = OfficeDesk(
        heading,
        open_office=lambda user: office_type.open(state_dir, user, clock=clock),
        receive=receive_message,
        status=status,
        list_names=lambda office, authority: office.list_names(authority),
        name_of=lambda office, code: office.child_name(code),
    )
    record = office_audit(office_type, clock)
    admin = office_admin(state_dir, lambda user: office_type.open(state_dir, user, clock=clock))
    own_routes, own_nav = pages
    site = desk_site(
        heading,
        state_dir,
        lambda: desk,
        lambda *row: record(state_dir, *row),
        admin=(
            [*own_routes, *admin_routes(admin), *password_routes(admin.users, DESK_ROLES)],
            [*own_nav, *admin_nav((COORDINATOR,)), NavItem("/wachtwoord", "Wachtwoord", DESK_ROLES)],
        ),
        templates=templates,
    )
    return create_app(site)


def office_audit(office_type: type[Office], clock: Clock) -> Callable[[Path, str, str, dict[str, Any]], None]:
    """How the web edge writes to an office's audit log (logins, refused logins, an air-gap override):
    `record(state_dir, user, action, payload)` opens the office for that one row."""

    def record(state_dir: Path, user: str, action: str, payload: dict[str, Any]) -> None:
        office = office_type.open(state_dir, user, clock=clock)
        try:
            office.log(action, payload)
        finally:
            office.conn.close()

    return record
