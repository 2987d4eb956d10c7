"""The blank forms the municipality prints before the count (reports.md §2 and §3.1): the polling station's
own paper report N 10-2, the Na 31-2 Bijlage 1 the gemeentelijk stembureau fills in per station, and the
Na 31-2 insert (inlegvel) it adds when the central stembureau has it re-examine its figures. Under decentral
counting (municipality.dso) the station's report is the N 10-1, with the votes per candidate, and there is
no Bijlage 1 (the station counted the candidates itself); the N 10-1 insert "controles en correcties"
follows it, and the municipality's insert is the Na 31-1's (reports.md §4).

Why here and not in report.py: these forms carry no figures, no hash and no date (reports.md §1.2); they are
prefilled only with what the election and the station list say, so the typists later key the paper that the
same software printed. Layout lives in templates/n10_2.typ and templates/na31_2_b1.typ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from municipality.dso import DEFAULT_COUNTING, Counting
from municipality.report import COLUMN_CAPACITY, NAME_MAX, authority_of, render_report
from shared.domain.election import Election, Municipality, Station
from shared.formats import dutch

#: The fixed letter boxes of a blank station form (reports.md §1.7); the list rows E.n come in between.
_VOTES_TAIL = (("F", "Blanco stemmen", False), ("G", "Ongeldige stemmen", False))


def _name(text: str) -> str:
    return text if len(text) <= NAME_MAX else text[: NAME_MAX - 1] + "…"


def blank_voters(*, local: bool) -> list[dict[str, Any]]:
    """Boxes A–D; C is a struck 'Niet invullen' box for a local election (reports.md §1.7)."""
    rows: list[dict[str, Any]] = [
        {"code": "A", "label": "Stempassen", "total": False, "struck": False},
        {
            "code": "B",
            "label": "Volmachtbewijzen (schriftelijk of via ingevulde achterkant stempas"
            + (")" if local else " of kiezerspas)"),
            "total": False,
            "struck": False,
        },
        {
            "code": "C",
            "label": "Kiezerspassen (niet van toepassing bij gemeente- en eilandraadsverkiezingen)"
            if local
            else "Kiezerspassen",
            "total": False,
            "struck": local,
        },
        {
            "code": "D",
            "label": "Totaal toegelaten kiezers (A+B)" if local else "Totaal toegelaten kiezers (A+B+C)",
            "total": True,
            "struck": False,
        },
    ]
    return rows


def blank_votes(lists: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    """Boxes E.1…E.n, E, F, G, H (reports.md §1.7)."""
    rows: list[dict[str, Any]] = [
        {"code": f"E.{nr}", "label": f"Totaal lijst {nr} - {name}", "total": False, "struck": False}
        for nr, name in lists
    ]
    last = max((nr for nr, _ in lists), default=0)
    rows.append(
        {"code": "E", "label": f"Totaal stemmen op kandidaten (tel E.1 t/m E.{last} op)", "total": True,
         "struck": False}
    )  # fmt: skip
    rows += [{"code": c, "label": label, "total": tot, "struck": False} for c, label, tot in _VOTES_TAIL]
    rows.append({"code": "H", "label": "Totaal uitgebrachte stemmen (E+F+G)", "total": True, "struck": False})
    return rows


def _columns(names: Sequence[tuple[int, str]]) -> tuple[list[list[dict[str, Any]]], int]:
    """Candidates in columns of 25, 25, 15, 15 … and pages of two columns (reports.md §1.6)."""
    columns: list[dict[str, Any]] = []
    i = 0
    while i < len(names) or not columns:
        cap = COLUMN_CAPACITY[len(columns) % len(COLUMN_CAPACITY)]
        chunk = names[i : i + cap]
        columns.append(
            {
                "index": len(columns) + 1,
                "names": "\n".join(_name(name) for _, name in chunk),
                "numbers": "\n".join(str(nr) for nr, _ in chunk),
                "lines": len(chunk),
            }
        )
        i += cap
    return [columns[k : k + 2] for k in range(0, len(columns), 2)], len(columns)


def _common(election: Election, municipality: Municipality, station: Station) -> dict[str, Any]:
    local = election.category in ("GR", "ER")
    district = election.district(municipality.district_id)
    lists = [(cl.number, cl.name) for cl in district.lists]
    return {
        "authority": authority_of(municipality),
        "election": {"name": election.name, "date_text": dutch.long_date(election.date), "local": local},
        "station": {"number": station.number, "name": station.name, "postal_code": station.postal_code or ""},
        "rows_voters": blank_voters(local=local),
        "rows_votes": blank_votes(lists),
    }


def n10_2_data(election: Election, municipality: Municipality, station: Station) -> dict[str, Any]:
    """What the blank N 10-2 of one station prints (reports.md §2)."""
    return {
        **_common(election, municipality, station),
        "title": f"Model N 10-2 {municipality.name} stembureau {station.number} {election.name}",
    }


def _candidate_tables(election: Election, municipality: Municipality) -> dict[str, Any]:
    """Every list's blank votes table (reports.md §1.6), and the widest candidate number to size them."""
    district = election.district(municipality.district_id)
    lists = []
    for cl in district.lists:
        pages, ncols = _columns([(c.position, c.display_name) for c in cl.candidates])
        lists.append({"number": cl.number, "name": cl.name, "pages": pages, "columns": ncols})
    return {
        "lists": lists,
        "widest_nr": str(max((c.position for cl in district.lists for c in cl.candidates), default=1)),
    }


def na31_2_b1_data(election: Election, municipality: Municipality, station: Station) -> dict[str, Any]:
    """What the blank Na 31-2 Bijlage 1 of one station prints (reports.md §3.1), with every candidate."""
    return {
        **_common(election, municipality, station),
        "title": f"Model Na 31-2 Bijlage 1 {municipality.name} stembureau {station.number} {election.name}",
        **_candidate_tables(election, municipality),
    }


def n10_1_data(election: Election, municipality: Municipality, station: Station) -> dict[str, Any]:
    """What the blank N 10-1 of one station prints (reports.md §2): the N 10-2's pages plus rubric 2.4, the
    votes per candidate the station counts itself (the `lists` tell the template it is the N 10-1)."""
    return {
        **_common(election, municipality, station),
        "title": f"Model N 10-1 {municipality.name} stembureau {station.number} {election.name}",
        **_candidate_tables(election, municipality),
    }


def station_forms(
    election: Election, municipality: Municipality, station: Station, counting: Counting
) -> dict[str, Any]:
    """One station's forms: N 10-2 and Na 31-2 Bijlage 1 (central), or N 10-1 and its insert (decentral)."""
    if counting == "decentral":
        return {
            "n10_2": n10_1_data(election, municipality, station),
            "insert": {"station": {"number": station.number, "name": station.name}},
        }
    return {
        "n10_2": n10_2_data(election, municipality, station),
        "b1": na31_2_b1_data(election, municipality, station),
    }


def render_forms(
    election: Election,
    municipality: Municipality,
    stations: Sequence[Station],
    counting: Counting = DEFAULT_COUNTING,
) -> bytes:
    """One PDF: for each station its N 10-2 followed by its Na 31-2 Bijlage 1 (decentral: its N 10-1 and the
    insert), each numbered on its own."""
    forms = [station_forms(election, municipality, s, counting) for s in stations]
    return _render(election, municipality, forms=forms, insert=None)


def render_corrigenda(election: Election, municipality: Municipality, stations: Sequence[Station]) -> bytes:
    """One PDF of blank Na 14-1 (versie 1, reports.md §4) for the given stations: the corrigendum the GSB of a
    decentral count writes when its own check of a station's N 10-1 finds an error in the first session."""
    forms = [{"na14_1": n10_1_data(election, municipality, s)} for s in stations]
    return _render(election, municipality, forms=forms, insert=None)


def render_insert(
    election: Election, municipality: Municipality, counting: Counting = DEFAULT_COUNTING
) -> bytes:
    """The blank Na 31-2 (decentral: Na 31-1) insert (reports.md §3.2, §4): the page the GSB adds to its
    report when the central stembureau had it re-examine its figures."""
    insert = {"authority": authority_of(municipality), "decentral": counting == "decentral"}
    return _render(election, municipality, forms=[], insert=insert)


def _render(
    election: Election,
    municipality: Municipality,
    *,
    forms: list[dict[str, Any]],
    insert: dict[str, Any] | None,
) -> bytes:
    data = {
        "forms": forms,
        "insert": insert,
        "title": f"Blanco formulieren {municipality.name} {election.name}",
        "authority": authority_of(municipality),
    }
    return render_report("forms.typ", data)
