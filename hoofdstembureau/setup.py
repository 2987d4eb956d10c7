"""Setting up a hoofdstembureau: import the election, make the key pair, enrol the municipalities' keys.

The mechanics (typed hash check, key pair, enrolment sheet, fingerprint confirmation) are every receiving
office's (`shared.office.setup`); what is the hoofdstembureau's own is its identity: the kieskring it is set
up for (`--district`), named `HSB<n>`, adding up the municipalities the 110a places in that kieskring.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Unpack

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hoofdstembureau import state
from hoofdstembureau.office import Office
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

KEY_FILE = "hoofdstembureau.key"


class InitResult(Created, frozen=True, kw_only=True):
    @property
    def municipalities(self) -> tuple[str, ...]:
        """The municipalities of this kieskring, whose keys and summaries this office takes."""
        return self.children


def authority_of(district_id: str) -> str:
    """The EML authority id of a district's hoofdstembureau: `HSB6` for kieskring 6."""
    if not district_id.isdigit():
        raise InputError(f"a kieskring is a number (1, 2, …), not '{district_id}'", where="--district")
    return f"HSB{int(district_id)}"


def identity(election: Election, district_id: str, name_110a: str) -> Identity:
    """The hoofdstembureau of kieskring `district_id`; refuses a kieskring the election does not have."""
    authority_id = authority_of(district_id)
    try:
        district = election.district(district_id)
    except KeyError:
        known = ", ".join(d.id for d in election.districts)
        raise InputError(
            f"kieskring {district_id} is not in the 230b (it has {known})", where="--district"
        ) from None
    municipalities = tuple(m.code for m in election.municipalities if m.district_id == district.id)
    if not municipalities:
        raise InputError(f"the 110a names no municipality in kieskring {district_id}", where=name_110a)
    name = f"Hoofdstembureau kieskring {district_id}" + (f" {district.name}" if district.name else "")
    return Identity(
        role=Role.HOOFDSTEMBUREAU,
        authority_id=authority_id,
        authority_name=name,
        district_id=district.id,
        db_name=state.db_name(election.id, district.id),
        sheet_subtitle=f"hoofdstembureau {authority_id}, verkiezing {election.id}, kieskring {district.id}",
        children=municipalities,
        children_key="municipalities",
        meta={"district_id": district.id},
        log={"district": district.id},
    )


def init(
    state_dir: Path,
    *,
    district_id: str,
    at: datetime,
    private_key: Ed25519PrivateKey | None = None,
    **args: Unpack[InitArgs],
) -> InitResult:
    """Create the state: definition files (hash-checked), the district, the key pair, its enrolment sheet.

    `at` is the moment of setup (the command line passes the machine's clock) and `private_key` the office's
    signing key (None: a new one from the operating system), as `municipality.setup.initialise` takes them;
    the demo and the tests pass theirs.
    """
    return create_office(
        Office,
        state_dir,
        identify=lambda election, name_110a: identity(election, district_id, name_110a),
        key_file=KEY_FILE,
        result=InitResult,
        at=at,
        private_key=private_key,
        **args,
    )
