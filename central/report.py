"""Model P 22 as PDF: P 22-2 for a single-district election, P 22-1 (OSV layout) for several districts.

Every number of the seat distribution is taken from the steps of the result (`shared.domain.seats`): the
quota, full seats with their remainders, each residual seat with the value that won it and the rule and
article that gave it, lots, the P 9 and P 10 changes, and who was elected how. Nothing is recomputed here or
in the template; this module only formats (spec/reports.md §7, §8)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import Any

from shared.adapters.pdf import compile_typst, pdf_date, pdf_timestamp
from shared.domain.apportionment import (
    AbsoluteMajorityStep,
    ExhaustionStep,
    FullSeatsStep,
    LotStep,
    QuotaStep,
    ResidualSeatStep,
    UnassignedStep,
)
from shared.domain.candidates import CandidateElectedStep, PreferenceThresholdStep
from shared.domain.election import Candidate, District, Election
from shared.domain.groups import (
    GroupElectedStep,
    GroupExhaustionStep,
    GroupOutcome,
    GroupResidualStep,
    build_groups,
)
from shared.domain.seats import SeatsResult
from shared.domain.tally import Tally
from shared.formats import dutch

RULE_TEXT = {
    "largest_averages": "grootste gemiddelde",
    "largest_remainders": "grootste overschot",
    "one_per_list_averages": "grootste gemiddelde, één per lijst",
    "plain_averages": "grootste gemiddelde",
}


def _text(s: str) -> str:
    """A fixed Dutch statement written over several source lines, as one line."""
    return " ".join(s.split())


LOT_NOTE = _text("""
    De lijsten {lists} hebben gelijke gemiddelden of overschotten, maar er zijn niet voldoende restzetels om
    aan elk van deze lijsten een zetel toe te wijzen. Er is daarom geloot welke lijst de restzetel krijgt
    (artikel P 7/P 8 van de Kieswet): de restzetel is toegewezen aan Lijst {winner}.""")
MAJORITY_NOTE = _text("""
    Lijst {to} heeft meer dan de helft van de stemmen behaald (volstrekte meerderheid), maar kreeg bij de
    verdeling niet meer dan de helft van de zetels. Door toepassing van artikel P 9 van de Kieswet is een
    extra zetel toegewezen aan deze lijst. Daartegenover vervalt een zetel die was toegewezen aan Lijst
    {frm}{lot}.""")
DECEASED_NOTE = _text("""
    Bij de toewijzing van de zetels aan de kandidaten wordt ingevolge artikel P 19a van de Kieswet de
    kandidaat {name} buiten beschouwing gelaten, aangezien deze is overleden.""")
CANDIDATE_LOT_NOTE = _text("""
    Overeenkomstig artikel P 16 van de Kieswet heeft een loting plaatsgevonden tussen de kandidaten
    {options}; als gevolg hiervan is kandidaat {winner} gekozen.""")
BODY = {
    "TK": "de Tweede Kamer",
    "EP": "het Europees Parlement",
    "PS": "provinciale staten",
    "AB": "het algemeen bestuur van het waterschap",
    "GR": "de gemeenteraad",
    "ER": "de eilandsraad",
}


GROUP_LOT_NOTE = _text("""
    Overeenkomstig artikel {article} van de Kieswet heeft een loting plaatsgevonden tussen de lijsten
    {options} van deze lijstengroep; als gevolg hiervan is een zetel toegewezen aan {winner}.""")


def list_label(district: District, number: int) -> str:
    lst = district.list_by_number(number)
    return f"{number} {lst.name}" if lst is not None and lst.name else f"{number}"


def candidate_name(c: Candidate) -> str:
    return c.display_name


def _candidate(district: District, number: int, position: int) -> Candidate:
    lst = district.list_by_number(number)
    if lst is None:
        raise KeyError(number)
    for c in lst.candidates:
        if c.position == position:
            return c
    raise KeyError((number, position))


def member_label(districts: Sequence[str]) -> str:
    """How the P 22-1 names a list of a group: 'Kieskring 4', or a set of identical lists by kieskringen."""
    if len(districts) == 1:
        return f"Kieskring {districts[0]}"
    return f"Stel gelijkluidende lijsten (kieskringen {', '.join(districts)})"


def _group_rows(g: GroupOutcome, label: str) -> dict[str, Any]:
    """One group's P 12 split (group quota, full seats, remainders) and P 13 moves, formatted."""
    n = dutch.number
    members = [member_label(m.districts) for m in g.members]
    notes = []
    for s in g.steps:
        if isinstance(s, GroupExhaustionStep):
            k = s.seats
            notes.append(
                f"Overeenkomstig artikel P 13, eerste lid van de Kieswet vindt er een overgang plaats van "
                f"{'een zetel' if k == 1 else f'{k} zetels'} van {members[s.member - 1]} naar "
                f"{'een andere lijst' if k == 1 else 'andere lijsten'}."
            )
        elif isinstance(s, GroupResidualStep):
            notes.append(
                f"Overeenkomstig artikel P 13, tweede lid van de Kieswet is een zetel toegewezen aan "
                f"{members[s.member - 1]} (grootste gemiddelde {dutch.mixed(s.value)})."
            )
        elif isinstance(s, LotStep) and s.kind == "group_split":
            notes.append(
                GROUP_LOT_NOTE.format(
                    article="P 13" if s.reason.startswith("P 13") else "P 12, vijfde lid",
                    options=_names([members[o - 1] for o in s.options]),
                    winner=members[s.outcome - 1],
                )
            )
    return {
        "label": label,
        "votes": n(g.votes),
        "seats": str(g.seats),
        "quota": dutch.mixed(g.group_quota),
        "members": [
            {
                "where": members[i],
                "votes": n(m.votes),
                "full": str(m.full_seats),
                "remainder": dutch.mixed(m.remainder),
                "remainder_seat": "1" if m.remainder_seat else "-",
                "seats": str(m.seats),
            }
            for i, m in enumerate(g.members)
        ],
        "notes": notes,
    }


def submitted_lists(election: Election, labels: dict[int, str]) -> list[dict[str, str]]:
    """Rubric "Ingeleverde kandidatenlijsten" of the P 22-1: per party how its lists were handed in (P 1)."""
    out = []
    for g in build_groups(election, {}):
        districts = sorted({d for m in g.members for d in m.districts}, key=lambda d: (len(d), d))
        if len(g.members) > 1:
            kind = f"lijstengroep ({len(g.members)} lijsten)"
        elif len(districts) > 1:
            kind = "stel gelijkluidende lijsten"
        else:
            kind = "op zichzelf staande lijst"
        every = len(districts) == len(election.districts)
        out.append({"label": labels.get(g.number, str(g.number)), "kind": kind,
                    "districts": "alle" if every else ", ".join(districts)})  # fmt: skip
    return out


def elected_order(result: SeatsResult) -> list[tuple[int, int, int | None, str, str]]:
    """(list, candidate, votes, rule, where) of every elected candidate in order of election; `where` names
    the list of the group the seat is on (P 16, P 18), empty without list groups."""
    if not result.groups:
        return [
            (s.list_number, s.candidate, s.votes, s.rule, "")
            for s in result.steps
            if isinstance(s, CandidateElectedStep)
        ]
    return [
        (
            g.number,
            s.candidate,
            s.votes,
            s.rule,
            member_label(g.members[s.member - 1].districts) if len(g.members) > 1 else "",
        )
        for g in result.groups
        for s in g.steps
        if isinstance(s, GroupElectedStep)
    ]


def _names(items: Sequence[str]) -> str:
    """'A, B en C' (spec/reports.md §9)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def p22_data(
    election: Election,
    district: District,
    total: Tally,
    result: SeatsResult,
    *,
    place: str,
    at: datetime,
    eml_sha256: str,
    eml_510d_sha256: str,
    deceased: dict[int, tuple[int, ...]],
    parts: Sequence[tuple[str, str, Tally, str]],
) -> dict[str, Any]:
    """Everything the P 22 template prints, from the totals and the result's steps, formatted in Dutch.

    `district` is the election's single district (P 22-2) or the national view of the lists (P 22-1);
    `parts` are (id, name, tally, source) of the units added up (kieskringen or municipalities); `source`
    says in Dutch where its numbers came from (scanned under which key, or keyed from paper by whom).
    """
    multi = len(election.districts) > 1
    labels = {lst.number: list_label(district, lst.number) for lst in district.lists}
    per_list, alphabetical = candidate_rows(district, result, deceased, labels)
    return {
        **_heading(election, place=place, at=at, eml_sha256=eml_sha256, eml_510d_sha256=eml_510d_sha256),
        **_totals(election, total, labels),
        **_apportionment(district, result, labels),
        "threshold_pct": "",
        "threshold": "",
        **_threshold(result),
        "per_list": per_list,
        "grouped": bool(result.groups),
        "submitted": submitted_lists(election, labels) if multi else [],
        "groups": [_group_rows(g, labels[g.number]) for g in result.groups if len(g.members) > 1 and g.seats],
        "alphabetical": alphabetical,
        "votes_table": votes_table(district, total, labels),
        "parts": [
            {
                "id": pid,
                "name": name,
                "valid": dutch.number(t.votes_on_lists),
                "ballots": dutch.number(t.ballots_cast),
                "source": src,
            }
            for pid, name, t, src in parts
        ],
    }


def _heading(
    election: Election, *, place: str, at: datetime, eml_sha256: str, eml_510d_sha256: str
) -> dict[str, Any]:
    """The cover, header and footer: which election, which office where and when, the fingerprints."""
    return {
        "model": "P 22-1" if len(election.districts) > 1 else "P 22-2",
        "multi": len(election.districts) > 1,
        "body": BODY.get(election.category, election.name),
        "authority": f"Centraal stembureau {place}",
        "title1": election.name,
        "election_name": election.name,
        "election_date": dutch.long_date(election.date),
        "place": place,
        "session_date": dutch.long_date(at.date().isoformat()),
        "session_time": at.strftime("%H:%M") + " uur",
        "generated": dutch.timestamp(at),
        "pdf_date": pdf_date(at),
        "hash": dutch.hash_groups(eml_sha256),
        "hash_510d": dutch.hash_groups(eml_510d_sha256),
    }


def _totals(election: Election, total: Tally, labels: dict[int, str]) -> dict[str, Any]:
    """Rubrics 2.1-2.4: voters, votes per list, blank and invalid, and the differences (letters Z to J)."""
    n = dutch.number
    return {
        "eligible": n(total.eligible_voters),
        "poll_cards": n(total.poll_cards),
        "proxies": n(total.proxy_certificates),
        "voter_cards": n(total.voter_cards),
        "has_voter_cards": election.category != "GR",
        "admitted": n(total.admitted_voters),
        "lists": [{"label": labels[lst.number], "votes": n(lst.votes)} for lst in total.lists],
        "valid": n(total.votes_on_lists),
        "blank": n(total.blank),
        "invalid": n(total.invalid),
        "ballots": n(total.ballots_cast),
        "equal": total.more_ballots == 0 and total.fewer_ballots == 0,
        "more": n(total.more_ballots),
        "fewer": n(total.fewer_ballots),
    }


def _apportionment(district: District, result: SeatsResult, labels: dict[int, str]) -> dict[str, Any]:
    """Rubrics 2.5-2.8: the kiesdeler, full seats with their surpluses, each residual seat with the value that
    won it, the statements about lots, P 9 and P 10, and the seats per list; all from the result's steps."""
    steps = result.steps
    quota = next(s for s in steps if isinstance(s, QuotaStep))
    full = next(s for s in steps if isinstance(s, FullSeatsStep))
    seats = {int(k): v for k, v in result.seats.items()}
    return {
        "seats_total": str(quota.seats),
        "quota_votes": dutch.number(quota.total_votes),
        "quota": dutch.mixed(quota.quota),
        "full": [
            {
                "label": labels[f.list_number],
                "votes": dutch.number(f.votes),
                "full": str(f.full_seats),
                "remainder": dutch.mixed(f.remainder),
            }
            for f in full.lists
        ],
        "full_total": str(full.full_seats),
        "residual_total": str(full.residual_seats),
        "large": quota.seats >= 19,
        "residual": [
            {
                "seat": str(s.seat),
                "label": labels.get(s.list_number, str(s.list_number)),
                "value": dutch.mixed(s.value),
                "rule": RULE_TEXT.get(s.rule, s.rule),
                "article": s.article,
                "lot": "ja" if s.by_lot else "",
            }
            for s in steps
            if isinstance(s, ResidualSeatStep)
        ],
        "notes": seat_notes(steps, labels),
        "distribution": [
            {
                "label": (district.list_by_number(number) or district.lists[0]).name or str(number),
                "seats": str(k),
            }
            for number, k in sorted(seats.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "unassigned": str(result.unassigned),
    }


def seat_notes(steps: Sequence[object], labels: dict[int, str]) -> list[str]:
    """The numbered statements under 2.7, in the order of the PV: lots for a residual seat (P 7/P 8), the
    absolute majority (P 9), list exhaustion (P 10) and seats left unfilled."""
    notes: list[str] = []
    for s in steps:
        if isinstance(s, LotStep) and s.kind == "residual_seat":
            lists = _names([f"Lijst {labels.get(o, o)}" for o in s.options])
            notes.append(LOT_NOTE.format(lists=lists, winner=labels.get(s.outcome, s.outcome)))
    for s in steps:
        if isinstance(s, AbsoluteMajorityStep):
            notes.append(
                MAJORITY_NOTE.format(
                    to=labels.get(s.to_list, s.to_list),
                    frm=labels.get(s.from_list, s.from_list),
                    lot=" (na loting)" if s.by_lot else "",
                )
            )
    exhausted: dict[int, int] = {}
    for s in steps:
        if isinstance(s, ExhaustionStep):
            exhausted[s.list_number] = exhausted.get(s.list_number, 0) + 1
    for number, k in exhausted.items():
        notes.append(
            f"Door toepassing van artikel P 10 van de Kieswet {'is' if k == 1 else 'zijn'} als gevolg van "
            f"lijstuitputting bij Lijst {labels.get(number, number)} "
            f"{'een extra zetel' if k == 1 else f'{k} extra zetels'} toegewezen aan "
            f"{'een andere lijst' if k == 1 else 'andere lijsten'}."
        )
    for s in steps:
        if isinstance(s, UnassignedStep):
            notes.append(
                f"{s.seats} {'zetel blijft' if s.seats == 1 else 'zetels blijven'} onvervuld: geen lijst "
                "heeft nog kandidaten (artikel P 10 van de Kieswet)."
            )
    return notes


def _threshold(result: SeatsResult) -> dict[str, str]:
    """The preference threshold (P 15) the text of 2.9 names; nothing when no candidate was assigned."""
    threshold = next((s for s in result.steps if isinstance(s, PreferenceThresholdStep)), None)
    if threshold is None:
        return {}
    return {
        "threshold_pct": dutch.percentage(threshold.percentage),
        "threshold": dutch.mixed(threshold.threshold),
    }


def candidate_rows(
    district: District, result: SeatsResult, deceased: dict[int, tuple[int, ...]], labels: dict[int, str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Rubrics 2.9 and 2.10: per list with seats, who was elected by preference and by list order and who
    follows; and everyone elected in alphabetical order."""
    elected = elected_order(result)
    seats = {int(k): v for k, v in result.seats.items()}
    per_list = []
    alphabetical: list[tuple[tuple[str, str], dict[str, str]]] = []
    for lst in district.lists:
        mine = [row for row in elected if row[0] == lst.number]
        entry = _list_entry(district, lst.number, result, deceased.get(lst.number, ()), mine, labels)
        entry["seats"] = str(seats.get(lst.number, 0))
        for _, candidate, *_ in mine:
            c = _candidate(district, lst.number, candidate)
            alphabetical.append(
                (
                    (c.last_name.lower(), c.initials),
                    {"name": candidate_name(c), "locality": c.locality or "", "list": labels[lst.number]},
                )
            )
        if seats.get(lst.number, 0):
            per_list.append(entry)
    alphabetical.sort(key=lambda r: r[0])
    return per_list, [row for _, row in alphabetical]


def _list_entry(
    district: District,
    number: int,
    result: SeatsResult,
    dead: tuple[int, ...],
    elected: Sequence[tuple[int, int, int | None, str, str]],
    labels: dict[int, str],
) -> dict[str, Any]:
    """One list's part of 2.9: deceased candidates passed over (P 19a), the elected by preference and by list
    order with their seat numbers, lots between candidates (P 16), and the ranking for succession (P 19)."""
    entry: dict[str, Any] = {
        "label": labels[number],
        "deceased": [
            DECEASED_NOTE.format(name=candidate_name(_candidate(district, number, p))) for p in dead
        ],
        "preference": [],
        "list_order": [],
        "ranking": [],
        "lots": [
            CANDIDATE_LOT_NOTE.format(options=_names([str(o) for o in s.options]), winner=s.outcome)
            for s in result.steps
            if isinstance(s, LotStep) and s.kind == "candidate" and s.list_number == number
        ],
    }
    for seat_no, (_, candidate, votes, rule, where) in enumerate(elected, start=1):
        c = _candidate(district, number, candidate)
        row = {
            "seat": str(seat_no),
            "name": candidate_name(c),
            "locality": c.locality or "",
            "votes": dutch.number(votes or 0),
            "position": str(c.position),
            "where": where,
        }
        entry["preference" if rule == "preference" else "list_order"].append(row)
    passed = {candidate for _, candidate, *_ in elected} | set(dead)
    ranking = [pos for pos in (result.ranking or {}).get(str(number), []) if pos not in passed]
    for rank, pos in enumerate(ranking, start=1):
        c = _candidate(district, number, pos)
        entry["ranking"].append(
            {"rank": str(rank), "name": candidate_name(c), "locality": c.locality or "", "position": str(pos)}
        )
    return entry


def votes_table(district: District, total: Tally, labels: dict[int, str]) -> list[dict[str, Any]]:
    """Bijlage 1: the votes of every candidate of every list ("-" for none), and each list's total."""
    counted = {lst.number: lst for lst in total.lists}
    return [
        {
            "label": labels[lst.number],
            "name": lst.name,
            "number": str(lst.number),
            "votes": dutch.number(counted[lst.number].votes),
            "candidates": [
                {
                    "position": str(c.position),
                    "name": candidate_name(c),
                    "votes": dutch.number(v) if v else "-",
                }
                for c, v in zip(lst.candidates, counted[lst.number].candidate_votes, strict=True)
            ],
        }
        for lst in district.lists
    ]


def render_p22(data: dict[str, Any], *, at: datetime | None = None) -> bytes:
    """The P 22 PDF (with Bijlage 1, the votes per candidate); `at` (the session time, from the edge) is the
    PDF's date, so the same input gives the same bytes."""
    template = resources.files("central").joinpath("templates/p22.typ").read_text(encoding="utf-8")
    return compile_typst(
        template,
        {"data.json": json.dumps(data, ensure_ascii=False).encode("utf-8")},
        timestamp=pdf_timestamp(at),
    )
