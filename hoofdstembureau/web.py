"""`telketen hoofdstembureau serve`: the scanning desk of a hoofdstembureau in a browser.

Why here and so small: the desk itself (upload, webcam frames, results, dashboard) is shared with the central
office in `shared.adapters.web`, since tiers may not import each other; this module only plugs in the
hoofdstembureau's own functions — `receive_message` checks every sheet (signature against the key register,
election, district, issuer, corrigendum chain; ARCHITECTURE §1) and `publish.status` lists the
municipalities in, missing and refused.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette

from hoofdstembureau import publish
from hoofdstembureau.office import Office, open_office
from hoofdstembureau.receive import ScanItem, receive_message
from hoofdstembureau.state import DEFAULT_STATE
from shared.adapters.web import OfficeDesk, create_app, desk_site, register_desk_commands


def _list_names(office: Office, authority: str) -> Mapping[int, str]:
    return {lst.number: lst.name for lst in office.election.district(office.district_id).lists}


def _receive(office: Office, source: str, message: bytes) -> ScanItem:
    return receive_message(office, source, message)


def create_hsb_app(state_dir: Path) -> Starlette:
    """The hoofdstembureau's desk app on a state folder (tests and `serve` call this)."""
    office = open_office(state_dir, "web")
    try:
        title = f"{office.meta('authority_name')} — {office.election.name}"
    finally:
        office.conn.close()
    desk = OfficeDesk(
        title,
        open_office=lambda user: open_office(state_dir, user),
        receive=_receive,
        status=publish.status,
        list_names=_list_names,
        name_of=lambda office, code: office.municipality_name(code),
    )
    return create_app(desk_site(title, state_dir, lambda: desk))


def register_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `web-user` to `telketen hoofdstembureau` (call with its sub-parsers)."""
    register_desk_commands(
        subparsers, default_state=DEFAULT_STATE, make_app=create_hsb_app, what="hoofdstembureau"
    )
