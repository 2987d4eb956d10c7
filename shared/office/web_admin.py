"""The coordinator's users, sessions and audit log at a receiving office's desk (hoofdstembureau, central).

The desk's users live in `web-users.json` beside the state (`shared.adapters.web.UserFile`: operators scan,
observers look, the coordinator also manages); every change to them is written to the office's own audit
log under the coordinator's name, as the office's other actions are. The pages are
`shared.adapters.web_admin`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.adapters.desk_site import COORDINATOR, DESK_ROLES
from shared.adapters.web import USERS_FILE, UserFile, WebUser
from shared.adapters.web_admin import Admin, UserRow, closing
from shared.errors import InputError, StateError
from shared.office.office import Office

ROLE_LABELS = (
    ("operator", "operator (scant)"),
    ("observer", "waarnemer (kijkt)"),
    ("coordinator", "coördinator"),
)

OpenOffice = Callable[[str], Office]


class OfficeUsers:
    """The `UserAdmin` of a desk: `web-users.json`, each change audited in the office's log."""

    def __init__(self, state_dir: Path, open_office: OpenOffice) -> None:
        self._file = UserFile(state_dir / USERS_FILE, DESK_ROLES)
        self._open = open_office

    def _logged(
        self, actor: WebUser, action: str, payload: dict[str, Any], change: Callable[[str], None]
    ) -> None:
        """Run `change(at)` and write `action` to the office's log under the coordinator's name."""
        if actor.role != COORDINATOR:
            raise StateError(
                f"this is for a coordinator; {actor.name} is a {actor.role}",
                where="role",
                code="user.wrong_role",
                params={"role": "coordinator", "name": actor.name, "user_role": actor.role},
            )
        office = self._open(actor.name)
        try:
            at = office.now()
            change(at.isoformat())
            office.log(action, payload, at)
        finally:
            office.conn.close()

    def _not_self(self, actor: WebUser, name: str) -> None:
        if name == actor.name:
            raise StateError(
                "a coordinator cannot disable or reset their own account",
                where="NAME",
                code="admin.own_account",
            )
        if name not in {u.name for u in self._file.names()}:
            raise InputError(f"no user '{name}'", where="NAME", code="admin.no_user", params={"name": name})

    def users(self) -> list[UserRow]:
        return [UserRow(name=u.name, role=u.role, created=c, disabled=d) for u, c, d in self._file.details()]

    def add(self, actor: WebUser, name: str, role: str, password: str) -> None:
        self._logged(
            actor,
            "web-user-add",
            {"name": name, "role": role},
            lambda at: self._add(name, role, password, at),
        )

    def _add(self, name: str, role: str, password: str, at: str) -> None:
        self._file.add(name, role, password, at=at)

    def disable(self, actor: WebUser, name: str) -> None:
        self._not_self(actor, name)
        self._logged(actor, "web-user-disable", {"name": name}, lambda at: self._file.disable(name, at=at))

    def reset_password(self, actor: WebUser, name: str, password: str) -> None:
        self._not_self(actor, name)
        self._logged(
            actor,
            "web-user-password-reset",
            {"name": name},
            lambda at: self._file.reset_password(name, password),
        )

    def change_own(self, user: WebUser, current: str, new: str) -> None:
        """Replace one's own password; the current one must match, as at login (a refusal is audited)."""
        office = self._open(user.name)
        try:
            if self._file.lookup(user.name, current) is None:
                office.log("web-password-change-refused", {"name": user.name})
                raise InputError(
                    "the current password is not right",
                    where="huidig wachtwoord",
                    code="admin.wrong_password",
                )
            self._file.reset_password(user.name, new)
            office.log("web-password-change", {"name": user.name})
        finally:
            office.conn.close()


def office_admin(state_dir: Path, open_office: OpenOffice) -> Admin:
    """The desk's `Admin`: its users, its office's audit log, events written under the coordinator's name."""

    def record(user: WebUser, action: str, payload: dict[str, Any]) -> None:
        office = open_office(user.name)
        try:
            office.log(action, payload)
        finally:
            office.conn.close()

    return Admin(
        roles=(COORDINATOR,),
        user_roles=ROLE_LABELS,
        users=lambda: OfficeUsers(state_dir, open_office),
        audit_log=closing(lambda: open_office("web").conn),
        record=record,
    )
