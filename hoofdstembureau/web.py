"""`telketen hoofdstembureau serve`: the scanning desk of a hoofdstembureau in a browser.

The desk is every receiving office's (`shared.office.web` over `shared.adapters.desk_site`); the
hoofdstembureau heads it with its own name and lists its municipalities in, missing and refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from starlette.applications import Starlette

from hoofdstembureau import publish
from hoofdstembureau.office import Office
from hoofdstembureau.state import DEFAULT_STATE
from shared.adapters.desk_site import register_desk_commands
from shared.office.cli import system_clock
from shared.office.office import Clock
from shared.office.web import desk_app, office_audit


def create_hsb_app(state_dir: Path, *, clock: Clock = system_clock) -> Starlette:
    """The hoofdstembureau's desk app on a state folder (tests and `serve` call this), on `clock`."""
    return desk_app(
        Office,
        state_dir,
        title=lambda office: f"{office.meta('authority_name')} — {office.election.name}",
        status=publish.status,
        clock=clock,
    )


def register_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `web-user` to `telketen hoofdstembureau` (call with its sub-parsers)."""
    register_desk_commands(
        subparsers,
        default_state=DEFAULT_STATE,
        make_app=create_hsb_app,
        audit=office_audit(Office, system_clock),
        what="hoofdstembureau",
    )
