"""An open hoofdstembureau: a receiving office (`shared.office`) adding up its district's municipalities.

What is its own: the district it was set up for (meta `district_id`), that every summary it receives comes
from a municipality of that district and must fit that district's lists, and that it enrols only those
municipalities' keys.
"""

from __future__ import annotations

from pathlib import Path

from hoofdstembureau.state import LAYOUT
from shared.domain.election import District
from shared.domain.keyregister import EnrolmentRecord, Receiver, Role
from shared.office import office
from shared.office.cli import system_clock
from shared.office.office import Clock

ROLE = "hoofdstembureau"


class Office(office.Office):
    """The state of one hoofdstembureau, opened from its state folder."""

    layout = LAYOUT

    @property
    def district_id(self) -> str:
        return self.meta("district_id")

    @property
    def child_role(self) -> Role:
        return Role.MUNICIPALITY

    def municipalities(self) -> tuple[str, ...]:
        """The municipality codes of this district, in the order of the definition."""
        return tuple(m.code for m in self.election.municipalities if m.district_id == self.district_id)

    def municipality_name(self, code: str) -> str:
        try:
            return self.election.municipality(code).name
        except KeyError:
            return code

    def children(self) -> tuple[str, ...]:
        return self.municipalities()

    def child_name(self, authority_id: str) -> str:
        return self.municipality_name(authority_id)

    def district_of(self, authority_id: str) -> District:
        """This district, whoever sent it: a summary of another district is refused by `admit` already."""
        return self.election.district(self.district_id)

    def receiver(self) -> Receiver:
        return Receiver(
            election_id=self.election_id, district_id=self.district_id, child_role=Role.MUNICIPALITY
        )

    def key_scope_problem(self, record: EnrolmentRecord) -> str | None:
        if record.role is not Role.MUNICIPALITY or record.authority_id not in set(self.municipalities()):
            return (
                f"the key is for {record.role.value} {record.authority_id}, not for a municipality of "
                f"kieskring {self.district_id}"
            )
        if record.district_id and record.district_id != self.district_id:
            return f"the key is for kieskring {record.district_id}, this is kieskring {self.district_id}"
        return None


def open_office(state_dir: Path, user: str, *, clock: Clock = system_clock) -> Office:
    """Open the hoofdstembureau in `state_dir`, on the machine's clock unless given another (a test's)."""
    return Office.open(state_dir, user, clock=clock)
