"""Every sum bottom-up: inside each 510, from its units to its total, and from each file to the one above.

The chain is stations → 510b TotalVotes (municipality) → a unit of the 510c (district) → its TotalVotes → a
unit of the 510d (central) → its TotalVotes; for a municipal council the 510b's total is a unit of the 510d.
A unit is tied to the file below by its id: a municipality code (`0668`) is the authority of a 510b, `HSB6` is
the authority of the 510c of kieskring 6 (Kieswet art. O 3: the hoofdstembureau adds up the municipalities;
art. P 1: the central polling office adds up the districts).

Pure: works on parsed files (`collect.Eml`), adds findings to the report.
"""

from __future__ import annotations

import msgspec

from shared.domain.election import District, Election
from shared.domain.tally import SCALAR_FIELDS, ListTally, Tally, check_internal, compare_tallies
from shared.formats.eml.model import Count510, ListLayout, UnitVotes
from telketen.verify.collect import Eml
from telketen.verify.findings import Compared, Report


def _without_eligible(t: Tally) -> Tally:
    return msgspec.structs.replace(t, eligible_voters=0)


def _district_for(election: Election, contest_id: str) -> District | None:
    """The district whose lists a 510 carries; a national file (`alle`) carries those of every district."""
    for d in election.districts:
        if d.id == contest_id:
            return d
    if len(election.districts) == 1 or all(
        d.lists == election.districts[0].lists for d in election.districts
    ):
        return election.districts[0]
    return None


def check_layout(f: Eml, c: Count510, election: Election, report: Report) -> None:
    """The lists and candidates of a 510 are those of the 230b, in ballot order (Kieswet art. I 11).

    The Kiesraad's national 510d (contest `alle`) gives each kieskring's unit its own lists, since a party may
    hand in a different list per kieskring (Kieswet P 1): each unit is then held to its kieskring's 230b."""
    report.count("layout")
    if c.election.id != election.id:
        report.add("layout", f.file, "-", "election", election.id, c.election.id)
        return
    if any(u.layout is not None for u in c.units):
        for u in c.units:
            district = _district_for(election, _link_key(u.id).removeprefix("HSB"))
            if district is None:
                report.add("layout", f.file, u.id, "contest", "a kieskring of the election", u.id)
            elif district.lists:  # without its 230b the kieskring is a `definition` finding already
                _compare_layout(f.file, u.id, _expected_layout(district), list(c.layout_of(u)), report)
        return
    district = _district_for(election, c.contest_id)
    if district is None:
        report.add("layout", f.file, "-", "contest", "a kieskring of the election", c.contest_id)
        return
    _compare_layout(f.file, "-", _expected_layout(district), list(c.lists), report)


def _expected_layout(district: District) -> list[tuple[int, str, tuple[int, ...]]]:
    return [(cl.number, cl.name, tuple(x.position for x in cl.candidates)) for cl in district.lists]


def _compare_layout(
    file: str,
    unit: str,
    expected: list[tuple[int, str, tuple[int, ...]]],
    lists: list[ListLayout],
    report: Report,
) -> None:
    found = {lst.number: (lst.number, lst.name, lst.positions) for lst in lists}
    exp = {e[0]: e for e in expected}
    for number in sorted(set(exp) | set(found)):
        e, g = exp.get(number), found.get(number)
        if e is None or g is None:
            report.add(
                "layout",
                file,
                unit,
                f"list {number}",
                "present" if e else "absent",
                "present" if g else "absent",
            )
        elif e[1] != g[1] and not (e[1] == "" and g[1].startswith("Blanco")):
            # a list handed in without a designation has no name in the 230b; the Kiesraad's 510 files call
            # it "Blanco (<first candidate>)"
            report.add("layout", file, unit, f"list {number} name", e[1], g[1])
        elif e[2] != g[2] and any(g[2]):  # a 510d naming candidates by ShortCode only has no positions
            report.add("layout", file, unit, f"list {number} candidates", len(e[2]), len(g[2]))
    if [lst.number for lst in lists] != [e[0] for e in expected] and set(exp) == set(found):
        report.add(
            "layout", file, unit, "order of lists", [e[0] for e in expected], [lst.number for lst in lists]
        )


#: UncountedVotes reason code of each admissions field, as `compare_tallies` names the field (letter first).
_CODE_OF_FIELD = {"A": "geldige stempassen", "B": "geldige volmachtbewijzen", "C": "geldige kiezerspassen"}
_CODE_OF_FIELD |= {
    "D": "toegelaten kiezers",
    "I": "meer getelde stembiljetten",
    "J": "minder getelde stembiljetten",
}


def _stated(field: str, *units: UnitVotes) -> bool:
    """Whether every unit states the number a field names: a code a file leaves out is no number (the
    reader reads it as 0; the Kiesraad's TK2021 510c/510d record no admitted voters at all)."""
    code = _CODE_OF_FIELD.get(field.split(" ", 1)[0])
    return code is None or all(u.has_admissions and code not in u.missing_admissions for u in units)


def _internal(f: Eml, unit: UnitVotes, report: Report) -> None:
    report.count("sum")
    for m in check_internal(unit.id, unit.tally):
        needs = {"D ": "ABCD", "H ": "DIJ"}.get(m.field[:2], "")
        if not all(_stated(letter, unit) for letter in needs):
            continue
        report.add("sum", f.file, unit.id, m.field, m.expected, m.found)
    if unit.total_counted != unit.tally.votes_on_lists:
        report.add(
            "sum",
            f.file,
            unit.id,
            "TotalCounted = sum of list votes",
            unit.tally.votes_on_lists,
            unit.total_counted,
        )


def add_units(parts: list[Tally]) -> Tally | None:
    """The field-wise sum of the units' tallies, as `shared.domain.tally.add_tallies` adds them; None when
    their lists or candidates differ (the reader refuses such a file, so this is only a guard).

    Why not add_tallies itself: it adds candidate by candidate in Python, ~11 million additions for a national
    election; here each list's column sums are taken by `sum` over `zip` in C, ~20× faster."""
    if not parts:
        return Tally()
    shape = [(lst.number, len(lst.candidate_votes)) for lst in parts[0].lists]
    for t in parts:
        if len(t.lists) != len(shape) or any(
            lst.number != number or len(lst.candidate_votes) != n
            for lst, (number, n) in zip(t.lists, shape, strict=False)
        ):
            return None
    explanations: dict[str, int] = {}
    for t in parts:
        for code, n in t.explanations:
            explanations[code] = explanations.get(code, 0) + n
    lists = tuple(
        ListTally(
            number,
            sum(t.lists[i].votes for t in parts),
            tuple(map(sum, zip(*(t.lists[i].candidate_votes for t in parts), strict=True))) if n else (),
        )
        for i, (number, n) in enumerate(shape)
    )
    scalars = {field: sum(getattr(t, field) for t in parts) for field, _ in SCALAR_FIELDS}
    return Tally(**scalars, lists=lists, explanations=tuple(sorted(explanations.items())))


def check_file_sums(f: Eml, c: Count510, report: Report) -> None:
    """Inside one 510: each unit and the total add up in themselves, and the units add up to the total."""
    _internal(f, c.total, report)
    for u in c.units:
        _internal(f, u, report)
    if not c.units:
        return
    parts = [u.tally for u in c.units]
    total = c.total.tally
    # TK: voters may vote at any station, so stations carry Cast 0 and the total the electorate (spec/eml.md)
    if all(p.eligible_voters == 0 for p in parts) and total.eligible_voters:
        parts = [_without_eligible(p) for p in parts]
        total = _without_eligible(total)
    report.count("sum")
    unit = c.total.id or c.authority_id
    if any(u.layout is not None for u in c.units):
        _check_units_by_candidate(f, c, unit, report)
        parts = [msgspec.structs.replace(p, lists=()) for p in parts]
        total = msgspec.structs.replace(total, lists=())
    added = add_units(parts)
    if added is None:
        report.add("sum", f.file, f"TotalVotes {unit}", "units", "the same lists and candidates", "different")
        return
    before = len(report.findings)
    for m in compare_tallies(unit, added, total):
        report.add("sum", f.file, f"TotalVotes {unit}", f"{m.field} = sum of units", m.expected, m.found)
    if len(report.findings) == before:
        report.compared.append(_compared("sum", f.file, c, part_kind(c), len(c.units)))


def part_kind(c: Count510) -> str:
    """What a 510's units are: polling stations, municipalities or kieskringen (for the reader's sentence)."""
    ids = [u.id for u in c.units]
    if c.message_id == "510b" or any("::" in i and not i.startswith("HSB") for i in ids):
        return "station"
    if ids and all(_link_key(i).startswith("HSB") for i in ids):
        return "district"
    return "municipality"


def _compared(check: str, file: str, c: Count510, part: str, parts: int) -> Compared:
    name = f"{c.authority_id} {c.authority_name}".strip()
    return Compared(
        check=check, file=file, authority=name, part=part, parts=parts, votes=c.total.tally.votes_on_lists
    )


def _check_units_by_candidate(f: Eml, c: Count510, unit: str, report: Report) -> None:
    """Units with lists of their own (a national 510d): each list's votes, and each candidate's (by ShortCode
    or position), over the kieskringen add up to the total."""
    votes: dict[int, int] = {}
    cand: dict[tuple[int, int, str], int] = {}
    for u in c.units:
        for layout, lst in zip(c.layout_of(u), u.tally.lists, strict=True):
            votes[layout.number] = votes.get(layout.number, 0) + lst.votes
            for key, v in zip(_keys(layout), lst.candidate_votes, strict=True):
                cand[(layout.number, *key)] = cand.get((layout.number, *key), 0) + v
    for layout, lst in zip(c.lists, c.total.tally.lists, strict=True):
        if votes.get(layout.number, 0) != lst.votes:
            report.add(
                "sum",
                f.file,
                f"TotalVotes {unit}",
                f"E.{layout.number} = som van de kieskringen",
                votes.get(layout.number, 0),
                lst.votes,
            )
        for key, v in zip(_keys(layout), lst.candidate_votes, strict=True):
            if cand.get((layout.number, *key), 0) != v:
                who = key[1] or str(key[0])
                report.add(
                    "sum",
                    f.file,
                    f"TotalVotes {unit}",
                    f"lijst {layout.number} kandidaat {who} = som van de kieskringen",
                    cand.get((layout.number, *key), 0),
                    v,
                )


def _keys(layout: ListLayout) -> list[tuple[int, str]]:
    """How a candidate is matched across units: by ShortCode where the file has one, else by position."""
    return [(0, code) if code else (pos, "") for pos, code in layout.candidate_keys()]


def _link_key(unit_id: str) -> str:
    """A unit id as the authority id of the file below (`HSB6`, `0668`); `HSB6::0668` means `0668`."""
    return unit_id.rsplit("::", 1)[-1]


def check_chain(election: Election, counts: list[tuple[Eml, Count510]], report: Report) -> None:
    """Each unit of an upper file equals the total of the file below, and nothing is missing or left over."""
    by_level: dict[str, dict[str, tuple[Eml, Count510]]] = {"510b": {}, "510c": {}, "510d": {}}
    for f, c in counts:
        level = by_level.setdefault(c.message_id, {})
        key = c.authority_id
        if key in level and level[key][0].sha256 != f.sha256:
            report.add(
                "completeness",
                f.file,
                key,
                f"one {c.message_id} per authority",
                level[key][0].file,
                "a second, different file",
            )
            continue
        level.setdefault(key, (f, c))
    national = len(election.districts) > 1
    # A set without any signature and without any 510b is the Kiesraad's result set above the municipalities:
    # the municipal counts are published elsewhere, so their absence is said once, not 355 times.
    no_bottom = not report.signed and not by_level["510b"]
    if no_bottom:
        report.note(
            "510b",
            "Geen gemeentelijke tellingen (510b) in deze map: de optelling van de stembureaus en "
            "gemeenten is niet gecontroleerd, alleen die vanaf de 510c.",
        )
    # completeness of the bottom: every municipality has published its 510b, with every station of its 110b
    for muni in [] if no_bottom else election.municipalities:
        report.count("completeness")
        found = by_level["510b"].get(muni.code)
        if found is None:
            report.add("completeness", f"{muni.code}/", muni.code, "510b", "published", "missing")
        elif muni.stations:  # the 110b was published too: its stations are the 510b's units
            units = {u.id for u in found[1].units}
            for station in muni.stations:
                if station.id not in units:
                    report.add(
                        "completeness", found[0].file, station.id, "station (110b)", "present", "missing"
                    )
    upper_levels = [("510c", "510b"), ("510d", "510c")] if national else [("510d", "510b")]
    for upper, lower in upper_levels:
        for _key, (f, c) in sorted(by_level.get(upper, {}).items()):
            expected_units = _expected_units(election, upper, c)
            found_units = {_link_key(u.id) for u in c.units}
            report.count("completeness")
            for missing in sorted(expected_units - found_units):
                report.add("completeness", f.file, missing, "unit", "present", "missing")
            for extra in sorted(found_units - expected_units):
                report.add("completeness", f.file, extra, "unit", "not in the election", "present")
            before, linked = len(report.findings), 0
            for u in c.units:
                below = by_level.get(lower, {}).get(_link_key(u.id))
                if below is None:
                    if lower == "510b" and no_bottom:
                        continue
                    if not report.signed and lower == "510c":
                        _note_missing_district(f, u.id, report)
                        continue
                    if _link_key(u.id) in expected_units:
                        report.add(
                            "completeness", f.file, u.id, f"{lower} for this unit", "published", "missing"
                        )
                    continue
                bf, bc = below
                report.count("chain")
                linked += 1
                for m in compare_tallies(u.id, bc.total.tally, u.tally):
                    if _stated(m.field, u, bc.total):
                        report.add(
                            "sum", f.file, u.id, f"{m.field} (totaal van {bf.file})", m.expected, m.found
                        )
            if linked and len(report.findings) == before:
                report.compared.append(_compared("chain", f.file, c, lower, linked))
    if national:
        for d in election.districts:
            report.count("completeness")
            if f"HSB{d.id}" not in by_level["510c"] and report.signed:
                report.add(
                    "completeness",
                    f"HSB{d.id}/",
                    f"HSB{d.id}",
                    "510c of the kieskring",
                    "published",
                    "missing",
                )
    report.count("completeness")
    if len(by_level["510d"]) != 1:
        report.add(
            "completeness",
            "CSB/",
            "CSB",
            "510d (central totals)",
            "one file",
            f"{len(by_level['510d'])} files",
        )


def _note_missing_district(f: Eml, unit: str, report: Report) -> None:
    """An unsigned set without a kieskring's 510c: the Kiesraad publishes none for kieskring 20 (Bonaire),
    whose totals appear only as a unit of the 510d. Nothing contradicts them, but nothing backs them either;
    so this is said as a status naming the file, not as a failure (docs/verify.md argues the choice)."""
    report.note(
        f"510c {unit}",
        f"Geen telling van het hoofdstembureau (510c) voor {unit}: de totalen van deze kieskring staan "
        f"alleen in {f.file} en zijn niet na te rekenen tot op de gemeenten.",
    )


def _expected_units(election: Election, level: str, c: Count510) -> set[str]:
    if level == "510c":
        return {m.code for m in election.municipalities if m.district_id == c.contest_id}
    if len(election.districts) > 1:
        return {f"HSB{d.id}" for d in election.districts}
    return {m.code for m in election.municipalities}
