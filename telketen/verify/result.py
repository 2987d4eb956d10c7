"""Recompute the seats and the elected candidates from the central totals; compare with the published result.

The seats follow Kieswet chapter P (quota P 5, full seats P 6, residual seats P 7/P 8, absolute majority P 9,
list exhaustion P 10), the list groups P 1/P 12 and the elected candidates P 15–P 18, computed by verify's own
reading of the law (`telketen.verify.law`, `telketen.verify.groups`) — not the central office's code, which it
exists to check — fed only with the published 510d totals, so any difference between the published 520 (or the
central summary's seat numbers) and the recomputation is a finding. Lots are drawn physically and not in the
files: when one is needed, its outcomes are passed in (`--lot`), as printed in the P 22 report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from shared.domain.election import Candidate, Election
from shared.errors import InputError, TelketenError
from shared.formats.eml.model import Count510, Result520
from telketen.verify import groups, law
from telketen.verify.collect import Blob, Eml
from telketen.verify.counts import _district_for
from telketen.verify.findings import ElectedRow, Report
from telketen.verify.tree import VerifiedSummary


class DeceasedRow(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    list: int
    position: int
    name: str = ""


class DeceasedFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """`deceased.json` beside the 510d: candidates left out as deceased (Kieswet P 19a)."""

    election: str
    article: str
    deceased: tuple[DeceasedRow, ...]


def read_deceased(blob: Blob, election: Election, report: Report) -> dict[int, tuple[int, ...]]:
    """The deceased candidates per list; a malformed file is a finding (and counts as no deceased)."""
    try:
        doc = msgspec.json.decode(blob.data, type=DeceasedFile)
    except msgspec.DecodeError as exc:
        report.add("file", blob.file, "-", "deceased candidates", "valid JSON (Kieswet P 19a list)", str(exc))
        return {}
    if doc.election != election.id:
        report.add("file", blob.file, "-", "election", election.id, doc.election)
    out: dict[int, list[int]] = {}
    for row in doc.deceased:
        out.setdefault(row.list, []).append(row.position)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@dataclass
class Recomputed:
    """Seats per list (or list group) and who is elected: list number -> [(candidate id, by preference)].

    A candidate id is the position on the list, or the ShortCode where the 510d names candidates that way
    (lists differing per kieskring); `names` gives each id's person as the 230b describes them."""

    seats: dict[int, int]
    elected: dict[int, list[tuple[str, bool]]]
    names: dict[tuple[int, str], Candidate]
    by_code: bool


def recompute(
    election: Election,
    central: Count510,
    lots: Sequence[int] = (),
    deceased: Mapping[int, tuple[int, ...]] | None = None,
) -> Recomputed | law.Lot:
    """Seats and elected candidates from the central totals (the input the central office used), or the lot
    that is needed first."""
    deceased = deceased or {}
    if any(u.layout is not None for u in central.units):
        if any(deceased.values()):
            # a position names a candidate on one kieskring's list only; a group's candidate needs a ShortCode
            raise InputError("deceased candidates of lists that differ per kieskring are not supported yet")
        return _recompute_groups(election, central, lots)
    lists = [
        law.ListVotes(
            lst.number,
            lst.votes,
            candidate_votes=lst.candidate_votes,
            deceased=frozenset(deceased.get(lst.number, ())),
        )
        for lst in central.total.tally.lists
    ]
    outcome = law.compute(election.category, election.seats, lists, lots)
    if outcome.lot is not None or outcome.seats is None:
        assert outcome.lot is not None
        return outcome.lot
    district = _district_for(election, central.contest_id) or election.districts[0]
    names = {(cl.number, str(c.position)): c for cl in district.lists for c in cl.candidates}
    elected = {
        number: [(str(pos), pos in chosen.by_preference) for pos in chosen.elected]
        for number, chosen in (outcome.elected or {}).items()
    }
    return Recomputed(outcome.seats, elected, names, by_code=False)


def _recompute_groups(election: Election, central: Count510, lots: Sequence[int]) -> Recomputed | law.Lot:
    """A national 510d whose kieskringen have lists of their own: list groups (Kieswet P 1, P 12–P 18)."""
    draws = law.Draws(lots)
    parties = [
        law.Party(layout.number, lst.votes, len(set(layout.candidate_keys())))
        for layout, lst in zip(central.lists, central.total.tally.lists, strict=True)
    ]
    names = _names_by_code(election, central)
    try:
        seats = law.apportion(
            election.seats, parties, quota_floor=election.category in law.QUOTA_FLOOR_BODIES, draws=draws
        )
        threshold = law.preference_threshold(election.seats, sum(p.votes for p in parties))
        elected: dict[int, list[tuple[str, bool]]] = {}
        for layout, lst in zip(central.lists, central.total.tally.lists, strict=True):
            won = seats.seats[layout.number]
            if won == 0:
                continue
            rows = []
            for u in central.units:
                for ul, ut in zip(central.layout_of(u), u.tally.lists, strict=True):
                    if ul.number == layout.number:
                        keys = tuple(_key(pos, code) for pos, code in ul.candidate_keys())
                        rows.append((_district_number(u.id), keys, ut.votes, ut.candidate_votes))
            lists = groups.gather(rows)
            groups.split(layout.number, won, lists, draws)
            national = {
                _key(pos, code): v
                for (pos, code), v in zip(layout.candidate_keys(), lst.candidate_votes, strict=True)
            }
            chosen = groups.elect(layout.number, won, lists, national, threshold, draws)
            elected[layout.number] = [(e.candidate, e.by_preference) for e in chosen]
    except law.LotMissing as stop:
        return stop.lot
    draws.all_taken()
    return Recomputed(seats.seats, elected, names, by_code=True)


def _key(position: int, code: str) -> str:
    return code or str(position)


def _district_number(unit_id: str) -> int:
    digits = "".join(ch for ch in unit_id.rsplit("::", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


def _names_by_code(election: Election, central: Count510) -> dict[tuple[int, str], Candidate]:
    """Each candidate's person from the 230b of a kieskring where they stand: the 510d unit of that kieskring
    ties its ShortCodes to the positions of the kieskring's lists."""
    out: dict[tuple[int, str], Candidate] = {}
    for u in central.units:
        district = _district_for(election, str(_district_number(u.id)))
        if district is None:
            continue
        for ul in central.layout_of(u):
            cl = district.list_by_number(ul.number)
            if cl is None:
                continue
            by_pos = {c.position: c for c in cl.candidates}
            for pos, code in ul.candidate_keys():
                if pos in by_pos:
                    out.setdefault((ul.number, _key(pos, code)), by_pos[pos])
    return out


def check_result(
    election: Election,
    counts: list[tuple[Eml, Count510]],
    results: list[tuple[Eml, Result520]],
    summaries: list[VerifiedSummary],
    report: Report,
    lots: Sequence[int] = (),
    deceased_files: Sequence[Blob] = (),
) -> None:
    """Compare the recomputed seats and elected candidates with each published 520 and the central summary."""
    central = [(f, c) for f, c in counts if c.message_id == "510d"]
    if len(central) != 1:
        return  # reported by the completeness check
    f510d, c510d = central[0]
    report.count("seats")
    deceased: dict[int, tuple[int, ...]] = {}
    for blob in deceased_files:
        if blob.folder == f510d.folder:
            deceased = read_deceased(blob, election, report)
            report.deceased = sum(len(v) for v in deceased.values())
    try:
        result = recompute(election, c510d, lots, deceased)
    except TelketenError as exc:
        report.add("seats", f510d.file, "CSB", "seat computation", "computable from the totals", exc.message)
        return
    if isinstance(result, law.Lot):
        report.add(
            "seats",
            f510d.file,
            "CSB",
            "lot",
            "outcome given with --lot (see the P 22 report)",
            f"a lot is needed ({result.kind}) between {', '.join(map(str, result.options))}",
        )
        return
    report.seats = {str(k): v for k, v in result.seats.items()}
    report.elected = sum(len(v) for v in result.elected.values())
    if not results:
        report.add("completeness", "CSB/", "CSB", "520 (result)", "published", "missing")
        report.candidates = _rows(result, set())
    for f, r in results:
        _compare_520(election, f, r, result, report)
    for v in summaries:
        if str(v.summary.role) != "central":
            continue
        report.count("seats")
        numbers = [lst.number for lst in v.summary.counts.lists]
        if v.summary.seats:
            for number, found in zip(numbers, v.summary.seats, strict=True):
                expected = result.seats.get(number, 0)
                if found != expected:
                    report.add(
                        "seats", v.file, f"list {number}", "seats in the central summary", expected, found
                    )
        else:
            report.add("seats", v.file, "CSB", "seats in the central summary", "the seats per list", "none")


def _rows(result: Recomputed, published: set[tuple[int, str]]) -> list[ElectedRow]:
    rows = []
    for number, chosen in sorted(result.elected.items()):
        for key, by_preference in chosen:
            person = result.names.get((number, key))
            rows.append(
                ElectedRow(
                    list=number,
                    candidate=key,
                    name=person.display_name if person else "",
                    how="preference" if by_preference else "list_order",
                    in_520=(number, key) in published,
                )
            )
    return rows


def _compare_520(election: Election, f: Eml, r: Result520, result: Recomputed, report: Report) -> None:
    report.count("elected")
    if r.election.id != election.id:
        report.add("elected", f.file, "-", "election", election.id, r.election.id)
        return
    found_seats = r.seats()
    for number in sorted(set(result.seats) | set(found_seats)):
        expected = result.seats.get(number, 0)
        if found_seats.get(number, 0) != expected:
            report.add(
                "seats",
                f.file,
                f"list {number}",
                "seats (elected candidates in the 520)",
                expected,
                found_seats.get(number, 0),
            )
    published: dict[tuple[int, str], Candidate] = {}
    for el in r.elected:
        key = (el.candidate.short_code or "") if result.by_code else str(el.candidate.position)
        published[(el.list_number, key)] = el.candidate
        known = result.names.get((el.list_number, key))
        if known is not None and (known.last_name, known.initials) != (
            el.candidate.last_name,
            el.candidate.initials,
        ):
            report.add(
                "elected",
                f.file,
                f"list {el.list_number} candidate {key}",
                "name",
                known.display_name,
                el.candidate.display_name,
            )
    report.candidates = _rows(result, set(published))
    mine = {(number, key) for number, chosen in result.elected.items() for key, _ in chosen}
    for number, key in sorted(mine - set(published)):
        person = result.names.get((number, key))
        report.add(
            "elected",
            f.file,
            f"list {number}",
            "gekozen volgens de herberekening, niet in de 520",
            f"{key} {person.display_name if person else ''}".strip(),
            "absent",
        )
    for number, key in sorted(set(published) - mine):
        report.add(
            "elected",
            f.file,
            f"list {number}",
            "gekozen volgens de 520, niet volgens de herberekening",
            "absent",
            f"{key} {published[(number, key)].display_name}".strip(),
        )
        report.candidates.append(
            ElectedRow(
                list=number, candidate=key, name=published[(number, key)].display_name, how="", in_520=True
            )
        )
