"""Setting up a central polling office: import the election, make the key pair, enrol the lower tier's keys.

The mechanics (typed hash check, key pair, enrolment sheet, fingerprint confirmation) are every receiving
office's (`shared.office.setup`); the central office's own is its identity: `CSB`, not bound to one district,
adding up the hoofdstembureaus (for a municipal council: the municipality itself).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Unpack

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central import state
from central.office import AUTHORITY_ID, DISTRICT_ID, Office, children_of
from shared.domain.election import Election
from shared.domain.keyregister import Role
from shared.errors import InputError
from shared.office.setup import ENROLMENT_FILE as ENROLMENT_FILE
from shared.office.setup import SHEET_FILE as SHEET_FILE
from shared.office.setup import Created, Identity, InitArgs, create_office
from shared.office.setup import Enrolled as Enrolled
from shared.office.setup import ask_groups as ask_groups
from shared.office.setup import check_hash as check_hash
from shared.office.setup import enrol_messages as enrol_messages
from shared.office.setup import parse_groups as parse_groups

KEY_FILE = "central.key"


class InitResult(Created, frozen=True, kw_only=True):
    """What `init` made; `children` are the authorities this office adds up."""


def identity(election: Election, place: str, name_110a: str) -> Identity:
    """The central office of the election, and whom it adds up."""
    children = children_of(election)
    if not children:
        raise InputError("the 110a names no municipality", where=name_110a)
    return Identity(
        role=Role.CENTRAL,
        authority_id=AUTHORITY_ID,
        authority_name=f"Centraal stembureau {place}",
        district_id=DISTRICT_ID,
        db_name=state.db_name(election.id),
        sheet_subtitle=f"centraal stembureau, verkiezing {election.id}",
        children=children,
        children_key="children",
    )


def init(
    state_dir: Path,
    *,
    at: datetime,
    private_key: Ed25519PrivateKey | None = None,
    **args: Unpack[InitArgs],
) -> InitResult:
    """Create the state: definition files (hash-checked), the key pair and its enrolment sheet.

    `at` is the moment of setup (the command line passes the machine's clock) and `private_key` the office's
    signing key (None: a new one from the operating system), as `municipality.setup.initialise` takes them;
    the demo and the tests pass theirs.
    """
    return create_office(
        Office,
        state_dir,
        identify=lambda election, name_110a: identity(election, args["place"], name_110a),
        key_file=KEY_FILE,
        result=InitResult,
        at=at,
        private_key=private_key,
        **args,
    )
