"""`telketen central serve`: the scanning desk of the central polling office in a browser.

The desk is every receiving office's (`shared.office.web` over `shared.adapters.desk_site`): it checks
every sheet (from the hoofdstembureaus, or for a municipal council election directly from the
municipalities) and lists who is in, missing and refused. The coordinator also records deceased candidates
and lot outcomes (`central.web_admin`); seats and publication stay on the command line (`telketen central
finalise`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from starlette.applications import Starlette

from central import publish, web_admin
from central.office import Office
from central.state import DEFAULT_STATE
from shared.adapters.desk_site import register_desk_commands
from shared.office.cli import system_clock
from shared.office.office import Clock
from shared.office.web import desk_app, office_audit


def create_central_app(state_dir: Path, *, clock: Clock = system_clock) -> Starlette:
    """The central office's desk app on a state folder (tests and `serve` call this), on `clock`."""
    return desk_app(
        Office,
        state_dir,
        title=lambda office: f"Centraal stembureau — {office.election.name}",
        status=publish.status,
        clock=clock,
        pages=web_admin.central_pages(lambda user: Office.open(state_dir, user, clock=clock)),
        templates=web_admin.TEMPLATES,
    )


def register_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `web-user` to `telketen central` (call with its sub-parsers)."""
    register_desk_commands(
        subparsers,
        default_state=DEFAULT_STATE,
        make_app=create_central_app,
        audit=office_audit(Office, system_clock),
        what="central",
    )
