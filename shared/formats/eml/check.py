"""Consistency of a 510 count file: do its numbers add up the way the paper models say they must?

Per unit (the total and every reporting unit): D = A + B + C, E.x = sum of the list's candidate votes,
TotalCounted = sum of the list votes (E), H = E + F + G = D + I − J. Across units: every field of TotalVotes
is the sum of the reporting units (Kieswet N 11/O 3: the body adds up the reports of the units below it) —
except the eligible voters (Cast) when every unit reports 0, as TK files do since voters may vote at any
station.
"""

from __future__ import annotations

from shared.domain.tally import SumMismatch, add_tallies, check_internal, compare_tallies
from shared.formats.eml.model import Count510, UnitVotes


def total_label(count: Count510) -> str:
    return f"TotalVotes ({count.authority_id} {count.authority_name})".replace(" )", ")")


def check_unit(label: str, unit: UnitVotes) -> list[SumMismatch]:
    """The identities inside one unit; the admitted-voter ones only when the file carries admission counts."""
    out = [
        m
        for m in check_internal(label, unit.tally)
        if unit.has_admissions or not (m.field.startswith("D ") or m.field.startswith("H "))
    ]
    e = unit.tally.votes_on_lists
    if unit.total_counted != e:
        out.append(SumMismatch(label, "TotalCounted = sum of list votes (E)", e, unit.total_counted))
    return out


def check_count(count: Count510) -> list[SumMismatch]:
    """Every identity that does not hold in the file, naming unit and field (empty when consistent)."""
    label = total_label(count)
    out = check_unit(label, count.total)
    for unit in count.units:
        out.extend(check_unit(unit.id, unit))
    if not count.units:
        return out
    summed = add_tallies(((u.id, u.tally) for u in count.units), unit=label)
    mismatches = compare_tallies(label, summed, count.total.tally)
    if all(u.tally.eligible_voters == 0 for u in count.units):
        mismatches = [m for m in mismatches if not m.field.startswith("Z ")]
    out.extend(mismatches)
    counted = sum(u.total_counted for u in count.units)
    if counted != count.total.total_counted:
        out.append(SumMismatch(label, "TotalCounted = sum of the units", counted, count.total.total_counted))
    return out
