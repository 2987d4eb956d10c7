"""Consistency of a 510 count file: do its numbers add up the way the paper models say they must?

Per unit (the total and every reporting unit): D = A + B + C, E.x = sum of the list's candidate votes,
TotalCounted = sum of the list votes (E), H = E + F + G = D + I − J. Across units: every field of TotalVotes
is the sum of the reporting units (Kieswet N 11/O 3: the body adds up the reports of the units below it) —
except the eligible voters (Cast) when every unit reports 0, as TK files do since voters may vote at any
station.
"""

from __future__ import annotations

import msgspec

from shared.domain.tally import SumMismatch, add_tallies, check_internal, compare_tallies
from shared.formats.eml.model import Count510, ListLayout, UnitVotes


def total_label(count: Count510) -> str:
    return f"TotalVotes ({count.authority_id} {count.authority_name})".replace(" )", ")")


#: The admission codes each identity needs (a file that leaves one out cannot be checked on it).
_NEEDS = {
    "D ": ("geldige stempassen", "geldige volmachtbewijzen", "geldige kiezerspassen", "toegelaten kiezers"),
    "H ": ("toegelaten kiezers", "meer getelde stembiljetten", "minder getelde stembiljetten"),
}


def check_unit(label: str, unit: UnitVotes) -> list[SumMismatch]:
    """The identities inside one unit; the admitted-voter ones only when the file carries what they need."""
    out = [m for m in check_internal(label, unit.tally) if _checkable(unit, m.field)]
    e = unit.tally.votes_on_lists
    if unit.total_counted != e:
        out.append(SumMismatch(label, "TotalCounted = sum of list votes (E)", e, unit.total_counted))
    return out


def _checkable(unit: UnitVotes, field: str) -> bool:
    for prefix, codes in _NEEDS.items():
        if field.startswith(prefix):
            return unit.has_admissions and not any(code in unit.missing_admissions for code in codes)
    return True


def check_count(count: Count510) -> list[SumMismatch]:
    """Every identity that does not hold in the file, naming unit and field (empty when consistent)."""
    label = total_label(count)
    out = check_unit(label, count.total)
    for unit in count.units:
        out.extend(check_unit(unit.id, unit))
    if not count.units:
        return out
    if any(u.layout is not None for u in count.units):
        return out + _check_districts(label, count)
    summed = add_tallies(((u.id, u.tally) for u in count.units), unit=label)
    mismatches = compare_tallies(label, summed, count.total.tally)
    if all(u.tally.eligible_voters == 0 for u in count.units):
        mismatches = [m for m in mismatches if not m.field.startswith("Z ")]
    out.extend(mismatches)
    counted = sum(u.total_counted for u in count.units)
    if counted != count.total.total_counted:
        out.append(SumMismatch(label, "TotalCounted = sum of the units", counted, count.total.total_counted))
    return out


def _check_districts(label: str, count: Count510) -> list[SumMismatch]:
    """A national 510d whose kieskringen have their own lists: every field of TotalVotes is the sum of the
    kieskringen, a list's votes over the kieskringen that have it, a candidate's by ShortCode or position."""
    bare = [(u.id, msgspec.structs.replace(u.tally, lists=())) for u in count.units]
    summed = add_tallies(bare, unit=label)
    out = compare_tallies(label, summed, msgspec.structs.replace(count.total.tally, lists=()))
    if all(u.tally.eligible_voters == 0 for u in count.units):
        out = [m for m in out if not m.field.startswith("Z ")]
    list_votes: dict[int, int] = {}
    candidate_votes: dict[tuple[int, int | str], int] = {}
    for unit in count.units:
        for lay, tally in zip(count.layout_of(unit), unit.tally.lists, strict=True):
            list_votes[lay.number] = list_votes.get(lay.number, 0) + tally.votes
            for key, votes in zip(_keys(lay), tally.candidate_votes, strict=True):
                candidate_votes[lay.number, key] = candidate_votes.get((lay.number, key), 0) + votes
    for lay, tally in zip(count.lists, count.total.tally.lists, strict=True):
        if list_votes.get(lay.number, 0) != tally.votes:
            field = f"E.{lay.number} (list {lay.number} votes)"
            out.append(SumMismatch(label, field, list_votes.get(lay.number, 0), tally.votes))
        for key, votes in zip(_keys(lay), tally.candidate_votes, strict=True):
            found = candidate_votes.get((lay.number, key), 0)
            if found != votes:
                out.append(SumMismatch(label, f"list {lay.number} candidate {key}", found, votes))
    counted = sum(u.total_counted for u in count.units)
    if counted != count.total.total_counted:
        out.append(SumMismatch(label, "TotalCounted = sum of the units", counted, count.total.total_counted))
    return out


def _keys(layout: ListLayout) -> list[int | str]:
    """How a candidate is matched across kieskringen: its ShortCode where it has one, else its position."""
    return [code or position for position, code in layout.candidate_keys()]
