"""Plausibility at a receiving office's desk: the summaries received so far, compared with each other.

A summary alone holds only its own sums (checked on receipt); what the desk can add is how it sits among the
others — a municipality whose turnout or list shares are far from the rest of the kieskring, two lists
that look swapped, an impossible size. Advice for the operator to compare with the paper, never a refusal
(docs/plausibility.md)."""

from __future__ import annotations

from shared.errors import TelketenError
from shared.formats.plausibility import Advice, advise_units, named_lists, unit_of
from shared.office.keyed import child_numbers
from shared.office.office import Office


def received_advice(office: Office) -> list[Advice]:
    """The advice on every part that counts now (a part that cannot be opened is the finalise's refusal)."""
    register = office.register()
    parts = []
    for rec in office.book().counting():
        try:
            tally, _, _ = child_numbers(office.message(rec.digest), register, where=rec.authority)
        except TelketenError:
            continue
        parts.append((rec.authority, tally))
    names: dict[int, str] = {}
    for authority, tally in parts:
        known = office.list_names(authority)
        for lst in tally.lists:
            names.setdefault(lst.number, known.get(lst.number, ""))
    numbers = sorted(names)
    units = [unit_of(a, office.child_name(a), t, numbers) for a, t in parts]
    return advise_units(units, named_lists(names), stations=False)
