"""Plausibility advice for a 510 count file: its units as the domain checks see them, and each finding as the
Dutch sentence a coordinator, a hoofdstembureau or a journalist reads.

The domain (`shared.domain.plausibility`) knows counts and list positions; the names and the words live here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from shared.domain.plausibility import STATION_BALLOTS_MAX, Finding, Unit, check_units
from shared.domain.tally import Tally
from shared.formats.dutch import number
from shared.formats.eml.model import Count510, ListLayout


class Advice(msgspec.Struct, frozen=True, kw_only=True):
    """One finding as published (`telketen plausibility --json`): unit id, kind, score, Dutch detail."""

    unit: str
    kind: str
    score: float
    detail: str


def units_of(count: Count510) -> list[Unit]:
    """The reporting units of a 510 (stations of a 510b, municipalities of a 510c, districts of a 510d)."""
    return [
        Unit(
            id=u.id,
            name=u.name,
            list_votes=tuple(lst.votes for lst in u.tally.lists),
            blank=u.tally.blank,
            invalid=u.tally.invalid,
            eligible=u.tally.eligible_voters,
        )
        for u in count.units
    ]


def advise(count: Count510) -> list[Advice]:
    """The plausibility findings of one count file, strongest first, in Dutch."""
    return advise_units(units_of(count), count.lists, stations=count.message_id == "510b")


def advise_units(units: Sequence[Unit], lists: tuple[ListLayout, ...], *, stations: bool) -> list[Advice]:
    """The findings on `units` (each with its votes in `lists` order), strongest first, in Dutch: the same
    advice for a count file, the coordinator's stations before finalising, or the summaries at a desk."""
    names = {u.id: u.name for u in units}
    findings = check_units(units, stations=stations)
    return [
        Advice(
            unit=f.unit,
            kind=f.kind,
            score=round(f.score, 2),
            detail=f"{names.get(f.unit, f.unit)}: {describe(f, lists)}",
        )
        for f in findings
    ]


def named_lists(names: Mapping[int, str]) -> tuple[ListLayout, ...]:
    """Lists by number and name, in number order, as `describe` names them (no candidates needed)."""
    return tuple(ListLayout(number=n, name=names[n], positions=()) for n in sorted(names))


def unit_of(unit_id: str, name: str, tally: Tally, numbers: Sequence[int]) -> Unit:
    """A unit from a tally, its list votes in the order of `numbers` (0 for a list it does not carry): the
    parts at a desk may come from kieskringen with different lists."""
    votes = {lst.number: lst.votes for lst in tally.lists}
    return Unit(
        id=unit_id,
        name=name,
        list_votes=tuple(votes.get(n, 0) for n in numbers),
        blank=tally.blank,
        invalid=tally.invalid,
        eligible=tally.eligible_voters,
    )


def _list(lists: tuple[ListLayout, ...], position: int) -> str:
    layout = lists[position]
    return f"lijst {layout.number} ({layout.name})" if layout.name else f"lijst {layout.number}"


def _pct(per_mille: float) -> str:
    return f"{per_mille / 10:.1f}".replace(".", ",") + " %"


def _votes(value: float) -> str:
    return number(round(value))


def describe(finding: Finding, lists: tuple[ListLayout, ...]) -> str:
    """The Dutch sentence for one finding (docs/plausibility.md lists them)."""
    f = finding
    if f.kind == "swap":
        a, b = f.lists
        return (
            f"{_list(lists, a)} en {_list(lists, b)} lijken verwisseld ({_votes(f.observed[0])} en "
            f"{_votes(f.observed[1])} stemmen); omgewisseld lijkt de uitslag op die van de andere eenheden."
        )
    if f.kind == "shift":
        a, b = f.lists
        return (
            f"stemmen van {_list(lists, a)} en {_list(lists, b)}, naast elkaar op het stembiljet, lijken "
            f"bij de verkeerde lijst geteld: {_votes(f.observed[0])} en {_votes(f.observed[1])}, "
            f"verwacht ongeveer {_votes(f.expected[0])} en {_votes(f.expected[1])}."
        )
    if f.kind == "cell":
        return (
            f"het aantal stemmen op {_list(lists, f.lists[0])} ({_votes(f.observed[0])}) past niet bij de "
            f"rest van de uitslag; met {_votes(f.expected[0])} (één cijfer anders) wel. Een weggevallen, "
            "extra of verwisseld cijfer?"
        )
    if f.kind == "shares":
        return (
            f"de stemverdeling wijkt sterk af van die van de andere eenheden, het meest bij "
            f"{_list(lists, f.lists[0])}: {_pct(f.observed[0])} tegen gewoonlijk {_pct(f.expected[0])}."
        )
    if f.kind == "turnout":
        return f"opkomst {_pct(f.observed[0])} tegen gewoonlijk {_pct(f.expected[0])}."
    if f.kind == "turnout_limit":
        return (
            f"opkomst {_pct(f.observed[0])}: vanaf {_pct(f.expected[0])} is dat in geen Nederlandse gemeente "
            "ooit voorgekomen."
        )
    if f.kind in ("blank", "invalid"):
        what = "blanco stemmen" if f.kind == "blank" else "ongeldige stemmen"
        return f"aandeel {what} {_pct(f.observed[0])} tegen gewoonlijk {_pct(f.expected[0])}."
    if f.kind == "size":
        return (
            f"{_votes(f.observed[0])} getelde stembiljetten in één stembureau: meer dan een stembureau op "
            f"één dag kan verwerken (grens {number(STATION_BALLOTS_MAX)})."
        )
    if f.kind == "electorate":
        return "het aantal kiesgerechtigden is 0: het ontbreekt in het bestand."
    return f.kind
