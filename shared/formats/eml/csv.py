"""The osv4-3 CSV export of a municipal 510b ("telling per stembureau"), byte for byte as Kiesraad's eml2csv.

Layout (semicolon separated, every non-empty cell in double quotes, UTF-8 with BOM, LF line ends, no final
line end): four header rows (election, date, area, number), an empty row, then the stations as columns (Totaal
first): names without "Stembureau "/"Briefstembureau " and without " (postcode: …)", station numbers,
postcodes; then the admission and ballot rows, and per list its total followed by its candidates ("prefix last
name, initials").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.domain.election import CandidateList, District, Election
from shared.errors import InputError
from shared.formats.eml.model import CandidateLists230b, Count510, UnitVotes

_SB_PREFIX = re.compile(r"^((Stembureau )|(Briefstembureau ))+")
_ZIP = re.compile(r" \(postcode: (\d{4} \w{2})\)")
_SB_ID = re.compile(r"^\d+::SB")
_PUBLIC_BODIES = ("Bonaire", "Saba", "Sint Eustatius")


def _cell(c: str) -> str:
    return f'"{c.replace(chr(34), chr(34) * 2)}"' if c else ""


def _row(cells: list[str]) -> str:
    return ";".join(map(_cell, cells))


def _numbers(values: Iterable[int]) -> str:
    """The cells of a row of counts as `_row` writes them (never empty, never a quote), in one join."""
    return '"' + '";"'.join(map(str, values)) + '"'


def _station_name(name: str) -> str:
    return _ZIP.sub("", _SB_PREFIX.sub("", name))


def _postcode(name: str) -> str:
    m = _ZIP.search(name)
    return m.group(1) if m else ""


def _explanation(u: UnitVotes, code: str) -> str:
    return str(dict(u.tally.explanations).get(code, 0))


def _district_for(count: Count510, lists: CandidateLists230b | Election | District) -> District:
    if isinstance(lists, District):
        return lists
    if isinstance(lists, CandidateLists230b):
        if lists.election.id != count.election.id:
            raise InputError(
                f"the candidate lists are for election {lists.election.id}, the count for {count.election.id}"
            )
        districts = lists.districts
    else:
        if lists.id != count.election.id:
            raise InputError(f"the election is {lists.id}, the count is for {count.election.id}")
        districts = lists.districts
    for d in districts:
        if d.id == count.contest_id:
            return d
    raise InputError(
        f"the candidate lists have no contest {count.contest_id} "
        f"(they have {', '.join(d.id for d in districts)})"
    )


def _candidate_names(lst: CandidateList) -> dict[int, str]:
    """Position → "prefix last name, initials"; the first candidate of a position, as a scan would find."""
    names: dict[int, str] = {}
    for c in lst.candidates:
        if c.position not in names:
            names[c.position] = (f"{c.prefix} " if c.prefix else "") + f"{c.last_name}, {c.initials}"
    return names


def osv43_csv(count: Count510, candidate_lists: CandidateLists230b | Election | District) -> bytes:
    """The osv4-3 CSV of a 510b with the names from the 230b (or an Election / District)."""
    district = _district_for(count, candidate_lists)
    units = [count.total, *count.units]
    kind = "Openbaar lichaam" if count.authority_name in _PUBLIC_BODIES else "Gemeente"
    rows: list[str] = [
        _row(["Verkiezing", "", count.election.name or ""]),
        _row(["Datum", "", count.election.date or ""]),
        _row(["Gebied", "", f"{kind} {count.authority_name}"]),
        _row(["Nummer", "", count.authority_id]),
        "",
        _row(
            ["Lijstnummer", "Aanduiding", "Volgnummer", "Naam kandidaat", "Totaal"]
            + [_station_name(u.name) for u in count.units]
        ),
        _row(["Gebiednummer", "", "", "", "", *(_SB_ID.sub("", u.id) for u in count.units)]),
        _row(["Postcode", "", "", "", "", *(_postcode(u.name) for u in count.units)]),
    ]

    def metric(label: str, values: list[int] | list[str]) -> None:
        rows.append(_row(["", label, "", "", *(str(v) for v in values)]))

    metric("opgeroepenen", [u.tally.eligible_voters for u in units])
    metric("geldige stempas", [u.tally.poll_cards for u in units])
    metric("geldig volmachtbewijs", [u.tally.proxy_certificates for u in units])
    metric("geldige kiezerspas", [u.tally.voter_cards for u in units])
    metric("toegelaten kiezers", [u.tally.admitted_voters for u in units])
    metric("geldige stembiljetten", [u.total_counted for u in units])
    metric("blanco stembiljetten", [u.tally.blank for u in units])
    metric("ongeldige stembiljetten", [u.tally.invalid for u in units])
    metric("aangetroffen stembiljetten", [u.total_counted + u.tally.blank + u.tally.invalid for u in units])
    metric("meer stembiljetten dan toegelaten kiezers", [u.tally.more_ballots for u in units])
    metric("minder stembiljetten dan toegelaten kiezers", [u.tally.fewer_ballots for u in units])
    metric(
        "kiezers met stembiljet hebben niet gestemd",
        [_explanation(u, "meegenomen stembiljetten") for u in units],
    )
    metric(
        "er zijn te weinig stembiljetten uitgereikt",
        [_explanation(u, "te weinig uitgereikte stembiljetten") for u in units],
    )
    metric(
        "er zijn te veel stembiljetten uitgereikt",
        [_explanation(u, "te veel uitgereikte stembiljetten") for u in units],
    )
    metric("geen verklaring", [_explanation(u, "geen verklaring") for u in units])
    metric("andere verklaring", [_explanation(u, "andere verklaring") for u in units])

    index = {lay.number: i for i, lay in enumerate(count.lists)}
    for lst in district.lists:
        i = index.get(lst.number)
        if i is None:
            raise InputError(f"list {lst.number} of the candidate lists is not in the count")
        layout = count.lists[i]
        tallies = [u.tally.lists[i] for u in units]
        rows.append(_row([str(lst.number), lst.name, "", "", ""]) + _numbers(t.votes for t in tallies))
        names = _candidate_names(lst)
        columns = zip(*(t.candidate_votes for t in tallies), strict=True)
        for position, votes in zip(layout.positions, columns, strict=True):
            name = names.get(position)
            if name is None:
                raise InputError(f"list {lst.number} has no candidate {position} in the candidate lists")
            rows.append(f';;"{position}";{_cell(name)};' + _numbers(votes))
    missing = set(index) - {lst.number for lst in district.lists}
    if missing:
        raise InputError(f"list(s) {sorted(missing)} of the count are not in the candidate lists")
    return "\ufeff".encode() + "\n".join(rows).encode("utf-8")
