"""An open central polling office: a receiving office (`shared.office`) that adds up the whole election.

Which authorities it adds up depends on the election (ARCHITECTURE §1): with several districts the
hoofdstembureaus (`HSB1` … `HSB20`), each reporting its kieskring; with one district (a municipal council, and
any other single-district election) the municipalities directly, since their hoofdstembureau is the central
office itself. Its own state beyond that: the candidates recorded as deceased (Kieswet P 19a).
"""

from __future__ import annotations

from pathlib import Path

from central.state import LAYOUT
from shared.domain.election import District, Election
from shared.domain.keyregister import EnrolmentRecord, Receiver, Role
from shared.errors import InputError
from shared.formats.summary import Summary
from shared.office import office
from shared.office.cli import system_clock
from shared.office.office import Clock

ROLE = "central"
AUTHORITY_ID = "CSB"
#: The district of the central office's enrolment record and of its signed summary: none (docs/tiers.md). Its
#: key speaks for no single kieskring and its summary covers them all; the contest id of its EML (`geen` for a
#: single district, `alle` for several) is another thing. One constant, so the two can never differ again.
DISTRICT_ID = ""


def hsb_id(district_id: str) -> str:
    """The EML authority id of a district's hoofdstembureau: `HSB6` for kieskring 6."""
    if not district_id.isdigit():
        raise InputError(f"kieskring '{district_id}' is not a number; cannot name its hoofdstembureau")
    return f"HSB{int(district_id)}"


def child_role(election: Election) -> Role:
    """Whose summaries the central office receives for this election."""
    return Role.MUNICIPALITY if len(election.districts) == 1 else Role.HOOFDSTEMBUREAU


def children_of(election: Election) -> tuple[str, ...]:
    """The authorities the central office adds up, in report order."""
    if child_role(election) is Role.MUNICIPALITY:
        return tuple(m.code for m in election.municipalities)
    return tuple(hsb_id(d.id) for d in election.districts)


def district_of_child(election: Election, authority_id: str) -> District:
    """The district (kieskring) an authority below reports for."""
    if child_role(election) is Role.MUNICIPALITY:
        return election.district(election.municipality(authority_id).district_id)
    for d in election.districts:
        if hsb_id(d.id) == authority_id:
            return d
    raise KeyError(authority_id)


class Office(office.Office):
    """The state of one central polling office, opened from its state folder."""

    layout = LAYOUT

    @property
    def child_role(self) -> Role:
        return child_role(self.election)

    def children(self) -> tuple[str, ...]:
        return children_of(self.election)

    def child_name(self, authority_id: str) -> str:
        """A readable name of an authority below: 'Kieskring 6 Nijmegen' or the municipality's name."""
        try:
            if self.child_role is Role.MUNICIPALITY:
                return self.election.municipality(authority_id).name
            d = district_of_child(self.election, authority_id)
        except KeyError:
            return authority_id
        return f"Kieskring {d.id}" + (f" {d.name}" if d.name else "")

    def district_of(self, authority_id: str) -> District | None:
        try:
            return district_of_child(self.election, authority_id)
        except KeyError:
            return None

    def receiver(self) -> Receiver:
        """Not bound to one district: each summary is checked against its sender's (`summary_problem`)."""
        return Receiver(election_id=self.election_id, district_id="", child_role=self.child_role)

    def summary_problem(self, summary: Summary) -> InputError | None:
        district = self.district_of(summary.authority_id)
        if district is not None and summary.district_id != district.id:
            who = summary.authority_id
            return InputError(
                f"{who} reports for kieskring {district.id}, the summary says {summary.district_id}",
                code="summary.wrong_district",
                params={"who": who, "expected": district.id, "found": summary.district_id},
            )
        return super().summary_problem(summary)

    def key_scope_problem(self, record: EnrolmentRecord) -> str | None:
        children = set(self.children())
        if record.role is not self.child_role or record.authority_id not in children:
            return (
                f"the key is for {record.role.value} {record.authority_id}, not for a "
                f"{self.child_role.value} this office adds up ({', '.join(sorted(children))})"
            )
        district = district_of_child(self.election, record.authority_id)
        if record.district_id and record.district_id != district.id:
            return (
                f"the key is for kieskring {record.district_id}, {record.authority_id} reports for "
                f"kieskring {district.id}"
            )
        return None

    def deceased(self) -> dict[int, tuple[int, ...]]:
        """List number → positions of candidates recorded as deceased (Kieswet P 19a)."""
        out: dict[int, list[int]] = {}
        for number, position in self.conn.execute(
            "SELECT list_number, position FROM deceased ORDER BY list_number, position"
        ).fetchall():
            out.setdefault(int(number), []).append(int(position))
        return {k: tuple(v) for k, v in out.items()}


def open_office(state_dir: Path, user: str, *, clock: Clock = system_clock) -> Office:
    """Open the central office in `state_dir`, on the machine's clock unless given another (a test's)."""
    return Office.open(state_dir, user, clock=clock)
