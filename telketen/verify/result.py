"""Recompute the seats and the elected candidates from the central totals; compare with the published result.

The seats follow Kieswet chapter P (quota P 5, full seats P 6, residual seats P 7/P 8, absolute majority P 9,
list exhaustion P 10) and the elected candidates P 15–P 19, computed by `shared.domain.seats` — the same code
the central office runs, fed only with the published 510d totals, so any difference between the published 520
(or the central summary's seat numbers) and the recomputation is a finding. Lots are drawn physically and not
in the files: when one is needed, its outcomes are passed in (`--lot`), as printed in the P 22 report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from shared.domain.election import Election
from shared.domain.seats import ListInput, SeatsInput, SeatsResult, compute
from shared.errors import TelketenError
from shared.formats.eml.model import Count510, Result520
from telketen.verify.collect import Blob, Eml
from telketen.verify.counts import _district_for
from telketen.verify.findings import Report
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


def recompute(
    election: Election,
    central: Count510,
    lots: Sequence[int] = (),
    deceased: Mapping[int, tuple[int, ...]] | None = None,
) -> SeatsResult:
    """Seats and elected candidates from the central totals (the input the central office used)."""
    deceased = deceased or {}
    names = {cl.number: cl.name for d in election.districts for cl in d.lists}
    return compute(
        SeatsInput(
            id=election.id,
            category=election.category,  # type: ignore[arg-type]
            seats=election.seats,
            lists=tuple(
                ListInput(
                    number=lst.number,
                    votes=lst.votes,
                    name=names.get(lst.number, ""),
                    candidate_votes=lst.candidate_votes,
                    deceased=deceased.get(lst.number, ()),
                )
                for lst in central.total.tally.lists
            ),
            lots=tuple(lots),
        )
    )


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
    if result.status != "complete" or result.elected is None:
        lot = result.lot
        options = ", ".join(str(o) for o in lot.options) if lot else "?"
        report.add(
            "seats",
            f510d.file,
            "CSB",
            "lot",
            "outcome given with --lot (see the P 22 report)",
            f"a lot is needed between {options}: {lot.reason if lot else ''}",
        )
        return
    report.seats = {k: v for k, v in result.seats.items()}
    report.elected = sum(len(v) for v in result.elected.values())
    if not results:
        report.add("completeness", "CSB/", "CSB", "520 (result)", "published", "missing")
    for f, r in results:
        _compare_520(election, f, r, result, report)
    for v in summaries:
        if str(v.summary.role) != "central":
            continue
        report.count("seats")
        numbers = [lst.number for lst in v.summary.counts.lists]
        if v.summary.seats:
            for number, found in zip(numbers, v.summary.seats, strict=True):
                expected = result.seats.get(str(number), 0)
                if found != expected:
                    report.add(
                        "seats", v.file, f"list {number}", "seats in the central summary", expected, found
                    )
        else:
            report.add("seats", v.file, "CSB", "seats in the central summary", "the seats per list", "none")


def _compare_520(election: Election, f: Eml, r: Result520, result: SeatsResult, report: Report) -> None:
    report.count("elected")
    if r.election.id != election.id:
        report.add("elected", f.file, "-", "election", election.id, r.election.id)
        return
    found_seats = r.seats()
    for number in sorted({int(k) for k in result.seats} | set(found_seats)):
        expected = result.seats.get(str(number), 0)
        if found_seats.get(number, 0) != expected:
            report.add(
                "seats",
                f.file,
                f"list {number}",
                "seats (elected candidates in the 520)",
                expected,
                found_seats.get(number, 0),
            )
    elected = result.elected or {}
    district = _district_for(election, r.contest_id)
    names = {cl.number: {c.position: c for c in cl.candidates} for cl in district.lists} if district else {}
    by_list: dict[int, list[int]] = {}
    for el in r.elected:
        by_list.setdefault(el.list_number, []).append(el.candidate.position)
        known = names.get(el.list_number, {}).get(el.candidate.position)
        if known is not None and (known.last_name, known.initials) != (
            el.candidate.last_name,
            el.candidate.initials,
        ):
            report.add(
                "elected",
                f.file,
                f"list {el.list_number} candidate {el.candidate.position}",
                "name",
                known.display_name,
                el.candidate.display_name,
            )
    for number in sorted({int(k) for k in elected} | set(by_list)):
        exp = sorted(elected.get(str(number), []))
        got = sorted(by_list.get(number, []))
        if exp != got:
            report.add(
                "elected",
                f.file,
                f"list {number}",
                "elected candidates (positions)",
                ", ".join(map(str, exp)) or "none",
                ", ".join(map(str, got)) or "none",
            )
