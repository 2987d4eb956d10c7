"""The municipal report (Na 31-2) and corrigendum (Na 14-2) as PDF: data prepared here, layout in templates/.

Why split: the typst templates only lay out what `data.json` says, so every number on paper comes from one
place (the tallies passed in) and the wording can be reviewed as text. Nothing is computed in typst but
formatting. The signed summary's QR pages (shared.adapters.sheets) are appended to the same document, so the
paper that is signed is the paper that is scanned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

import msgspec

from shared.adapters.pdf import compile_typst, pdf_date, pdf_timestamp
from shared.domain.election import Election, Municipality, Station
from shared.domain.tally import Tally
from shared.formats import dutch

#: Candidates per column on the votes tables: two columns per page, 25 + 25 then 15 + 15 (reports.md §1.6).
COLUMN_CAPACITY = (25, 25, 15, 15)


class StationFlags(msgspec.Struct, frozen=True, kw_only=True):
    """The three investigation ticks of Na 31-2 rubric 1.2.1, from the station's B1-1 and B1-2 answers."""

    readmitted: bool = False
    investigated: bool = False
    recounted: bool = False


class StationResult(msgspec.Struct, frozen=True, kw_only=True):
    """One station's definitive counts for the report."""

    station: Station
    tally: Tally
    flags: StationFlags = StationFlags()


def station_sentence(numbers: Sequence[int]) -> str:
    """'Voor de stembureaus met de nummers 1, 4, 7' or 'In geen van de stembureaus' (Na 31-2 rubric 2.4.2)."""
    if not numbers:
        return "In geen van de stembureaus"
    return "Voor de stembureaus met de nummers " + ", ".join(str(n) for n in numbers)


#: Longest candidate name on a votes table line: each name must stay on one line to line up with its votes.
NAME_MAX = 48


def _one_line(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pages(rows: list[dict[str, Any]], *, corrected: bool) -> tuple[list[list[dict[str, Any]]], int]:
    columns: list[dict[str, Any]] = []
    i = 0
    while i < len(rows) or not columns:
        cap = COLUMN_CAPACITY[len(columns) % len(COLUMN_CAPACITY)]
        chunk = rows[i : i + cap]
        col: dict[str, Any] = {
            "index": len(columns) + 1,
            "candidates": chunk,
            "subtotal": sum(r["votes"] for r in chunk),
        }
        if corrected:
            col["original_subtotal"] = sum(r["original"] for r in chunk)
        else:
            col["text"] = {
                "names": "\n".join(_one_line(r["name"], NAME_MAX) for r in chunk),
                "numbers": "\n".join(str(r["nr"]) for r in chunk),
                "votes": "\n".join(dutch.number(r["votes"]) if r["votes"] else "-" for r in chunk),
                "subtotal": dutch.number(col["subtotal"]),
                "lines": len(chunk),
            }
        columns.append(col)
        i += cap
    return [columns[k : k + 2] for k in range(0, len(columns), 2)], len(columns)


def letter_rows(
    t: Tally, names: dict[int, str], *, local: bool, station: bool, original: Tally | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    voters: list[tuple[str, str, int, int, bool]] = [
        ("A", "Stempassen", t.poll_cards, original.poll_cards if original else 0, False),
        (
            "B",
            "Volmachtbewijzen (schriftelijk of via ingevulde achterkant stempas"
            + (")" if local else " of kiezerspas)"),
            t.proxy_certificates,
            original.proxy_certificates if original else 0,
            False,
        ),
    ]
    if not local:
        voters.append(("C", "Kiezerspassen", t.voter_cards, original.voter_cards if original else 0, False))
    voters.append(
        (
            "D",
            "Totaal toegelaten kiezers (A+B)" if local else "Totaal toegelaten kiezers (A+B+C)",
            t.admitted_voters,
            original.admitted_voters if original else 0,
            True,
        )
    )
    votes: list[tuple[str, str, int, int, bool]] = []
    orig_lists = {lst.number: lst.votes for lst in original.lists} if original else {}
    for lst in t.lists:
        votes.append(
            (f"E.{lst.number}", f"Totaal lijst {lst.number} - {names.get(lst.number, '')}", lst.votes,
             orig_lists.get(lst.number, 0), False)
        )  # fmt: skip
    last = max((lst.number for lst in t.lists), default=0)  # list numbers can have gaps (Nijmegen TK2025: 26)
    votes += [
        ("E", f"Totaal stemmen op kandidaten (tel E.1 t/m E.{last} op)", t.votes_on_lists,
         original.votes_on_lists if original else 0, True),
        ("F", "Blanco stemmen", t.blank, original.blank if original else 0, False),
        ("G", "Ongeldige stemmen", t.invalid, original.invalid if original else 0, False),
        ("H", "Totaal uitgebrachte stemmen (E+F+G)", t.ballots_cast,
         original.ballots_cast if original else 0, True),
    ]  # fmt: skip
    if station:
        votes += [
            ("I", "Aantal méér getelde stemmen (bereken: H min D)", t.more_ballots,
             original.more_ballots if original else 0, True),
            ("J", "Aantal minder getelde stemmen (bereken: D min H)", t.fewer_ballots,
             original.fewer_ballots if original else 0, True),
        ]  # fmt: skip

    def rows(items: list[tuple[str, str, int, int, bool]]) -> list[dict[str, Any]]:
        return [
            {"code": c, "label": label, "value": v, "original": o, "total": tot, "text": dutch.number(v)}
            for c, label, v, o, tot in items
        ]

    return rows(voters), rows(votes)


def authority_of(m: Municipality) -> dict[str, Any]:
    public_body = m.code in ("9001", "9002", "9003") or m.name in ("Bonaire", "Saba", "Sint Eustatius")
    return {
        "code": m.code,
        "name": m.name,
        "label": f"Openbaar lichaam {m.name}" if public_body else f"Gemeente {m.code} {m.name}",
        "title": m.name if public_body else f"{m.code} {m.name}",
        "body": "Stembureau voor het openbaar lichaam" if public_body else "Gemeentelijk stembureau",
    }


def signatures_of(local: bool) -> dict[str, Any]:
    """Who signs (reports.md §1.5): at least 3 members for a local election, 5 otherwise."""
    return (
        {"min": 3, "board": 2, "members_text": "twee", "extra": 3}
        if local
        else {"min": 5, "board": 4, "members_text": "vier", "extra": 1}
    )


def list_tables(
    election: Election, district_id: str, totals: Tally, original: Tally | None = None
) -> list[dict[str, Any]]:
    """The per-list votes tables (§1.6): names from the election, numbers from the tally."""
    district = election.district(district_id)
    out = []
    orig = {lst.number: lst for lst in original.lists} if original else {}
    for lst in totals.lists:
        cl = district.list_by_number(lst.number)
        cands = cl.candidates if cl else ()
        o = orig.get(lst.number)
        rows = [
            {
                "nr": i + 1,
                "name": cands[i].display_name if i < len(cands) else f"Kandidaat {i + 1}",
                "votes": v,
                "original": o.candidate_votes[i] if o and i < len(o.candidate_votes) else 0,
            }
            for i, v in enumerate(lst.candidate_votes)
        ]
        pages, ncols = _pages(rows, corrected=original is not None)
        out.append(
            {
                "number": lst.number,
                "name": cl.name if cl else "",
                "votes": lst.votes,
                "votes_text": dutch.number(lst.votes),
                "original": o.votes if o else 0,
                "pages": pages,
                "columns": ncols,
            }
        )
    return out


def na31_2_data(
    election: Election,
    municipality: Municipality,
    totals: Tally,
    stations: Sequence[StationResult],
    *,
    generated: datetime,
    eml_sha256: str,
    audit_head: tuple[int, str],
    session_text: str,
    decentral: bool = False,
) -> dict[str, Any]:
    """Everything the Na 31-2 template prints, as JSON-ready data; `decentral` makes it the Na 31-1 (§4)."""
    local = election.category in ("GR", "ER")
    model = "Na 31-1" if decentral else "Na 31-2"
    names = {cl.number: cl.name for cl in election.district(municipality.district_id).lists}
    voters, votes = letter_rows(totals, names, local=local, station=False, original=None)
    lists = list_tables(election, municipality.district_id, totals)
    more = [s.station.number for s in stations if s.tally.ballots_cast > s.tally.admitted_voters]
    fewer = [s.station.number for s in stations if s.tally.ballots_cast < s.tally.admitted_voters]
    station_rows = [
        {
            "number": s.station.number,
            "name": s.station.name,
            "postal_code": s.station.postal_code or "",
            "readmitted": s.flags.readmitted,
            "investigated": s.flags.investigated,
            "recounted": s.flags.recounted,
        }
        for s in stations
    ]
    return {
        "title": f"Model {model} {municipality.code} {municipality.name} {election.name}",
        "decentral": decentral,
        "authority": authority_of(municipality),
        "election": {"name": election.name, "date_text": dutch.long_date(election.date), "local": local},
        "generated": dutch.timestamp(generated),
        "pdf_date": pdf_date(generated),
        "session_text": session_text,
        "eml_hash": dutch.hash_groups(eml_sha256),
        "audit": {"seq": audit_head[0], "hash": dutch.hash_groups(audit_head[1])},
        "totals": _totals_map(totals),
        "rows_voters": voters,
        "rows_votes": votes,
        "all_equal": not more and not fewer,
        "more_sentence": station_sentence(more),
        "fewer_sentence": station_sentence(fewer),
        "lists": lists,
        "stations": station_rows,
        "widest": widest_texts(lists),
        "signatures": signatures_of(local),
    }


def _longest(texts: Iterable[str]) -> str:
    return max(texts, key=len, default="0")


def widest_texts(lists: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The widest text of each narrow column of §2.6, so the template sizes those columns once for the whole
    report instead of laying out every cell to measure it (bench/reports.py). Digits are tabular, so the
    longest number is the widest."""
    columns = [c for lst in lists for page in lst["pages"] for c in page]
    return {
        "nr": str(max((r["nr"] for c in columns for r in c["candidates"]), default=0)),
        "votes": _longest(c["text"]["subtotal"] for c in columns),
    }


def _totals_map(t: Tally) -> dict[str, int]:
    return {
        "Z": t.eligible_voters,
        "A": t.poll_cards,
        "B": t.proxy_certificates,
        "C": t.voter_cards,
        "D": t.admitted_voters,
        "E": t.votes_on_lists,
        "F": t.blank,
        "G": t.invalid,
        "H": t.ballots_cast,
        "I": t.more_ballots,
        "J": t.fewer_ballots,
    }


def template_files() -> dict[str, bytes]:
    """The typst templates shipped with the package."""
    folder = resources.files("municipality") / "templates"
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.endswith(".typ")}


def report_source(
    template: str, data: dict[str, Any], appendix_markup: str = ""
) -> tuple[str, dict[str, bytes]]:
    """The typst source (the template plus appended QR pages) and its files (templates + data.json)."""
    files = template_files()
    source = files.pop(template).decode("utf-8")
    files["data.json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    if appendix_markup:
        source += "\n#pagebreak(weak: true)\n" + appendix_markup
    return source, files


def render_report(
    template: str,
    data: dict[str, Any],
    appendix_markup: str = "",
    appendix_files: dict[str, bytes] | None = None,
    *,
    at: datetime | None = None,
) -> bytes:
    """The report's PDF: `template` laid out over `data`, then the appended (QR) pages.

    `at` is the time the report is about (the finalise time passed in from the edge); it becomes the PDF's
    creation date, so the same input gives byte-identical PDFs.
    """
    source, files = report_source(template, data, appendix_markup)
    return compile_typst(source, {**files, **(appendix_files or {})}, timestamp=pdf_timestamp(at))


def render_na31_2(
    data: dict[str, Any],
    appendix_markup: str = "",
    appendix_files: dict[str, bytes] | None = None,
    *,
    at: datetime | None = None,
) -> bytes:
    """The Na 31-2 PDF (reports.md §3) from `na31_2_data`, with the QR pages appended."""
    return render_report("na31_2.typ", data, appendix_markup, appendix_files, at=at)
