"""`telketen central serve`: the scanning desk of the central polling office in a browser.

The desk is shared with the hoofdstembureau (`shared.adapters.web`); this module plugs in the central
office's own functions: `receive_message` checks every sheet (from the hoofdstembureaus, or for a municipal
council election directly from the municipalities) and `publish.status` lists who is in, missing and refused.
Seats, lots and publication stay on the command line (`telketen central finalise`), where the lot outcomes
are asked from the operator.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette

from central import publish
from central.office import Office, district_of_child, open_office
from central.receive import ScanItem, receive_message
from central.state import DEFAULT_STATE
from shared.adapters.web import OfficeDesk, create_app, desk_site, register_desk_commands


def _list_names(office: Office, authority: str) -> Mapping[int, str]:
    try:
        district = district_of_child(office.election, authority)
    except KeyError:
        return {}
    return {lst.number: lst.name for lst in district.lists}


def _receive(office: Office, source: str, message: bytes) -> ScanItem:
    return receive_message(office, source, message)


def create_central_app(state_dir: Path) -> Starlette:
    """The central office's desk app on a state folder (tests and `serve` call this)."""
    office = open_office(state_dir, "web")
    try:
        title = f"Centraal stembureau — {office.election.name}"
    finally:
        office.conn.close()
    desk = OfficeDesk(
        title,
        open_office=lambda user: open_office(state_dir, user),
        receive=_receive,
        status=publish.status,
        list_names=_list_names,
        name_of=lambda office, code: office.child_name(code),
    )
    return create_app(desk_site(title, state_dir, lambda: desk))


def register_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `web-user` to `telketen central` (call with its sub-parsers)."""
    register_desk_commands(
        subparsers, default_state=DEFAULT_STATE, make_app=create_central_app, what="central"
    )
