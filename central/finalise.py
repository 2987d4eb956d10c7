"""Finalising the election: totals, seats and elected candidates, EML 510d and 520, P 22, signed summary.

The totals are the field-wise sum of the summaries that count in the book (the kieskringen, or for a municipal
council the municipality). Seats and candidates come from `shared.domain.seats` (Kieswet P 5–P 19a): deceased
candidates are entered before the computation (P 19a) and left out; lots are drawn physically and their
outcomes passed in, in the order they are asked (P 7/P 8/P 9/P 16: "beslist het lot"), and every lot used is
written to the audit log. The result, the files and the audit entry are stored in one transaction."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import cast

import msgspec

from central.lots import check_recorded, recorded_first
from central.office import AUTHORITY_ID, DISTRICT_ID, Office, district_of_child
from central.report import p22_data, render_p22
from shared.adapters import audit
from shared.adapters.keyfiles import load_signing_key
from shared.domain.apportionment import LotRequest
from shared.domain.election import CATEGORIES, District, DistrictId, Election
from shared.domain.groups import ListGroup, build_groups, group_tally, list_label, national_view
from shared.domain.keyregister import Role
from shared.domain.seats import Category, ListInput, SeatsInput, SeatsResult, compute, compute_groups
from shared.domain.tally import Tally, add_tallies, check_internal
from shared.errors import InputError, StateError
from shared.formats.eml.model import Count510, ElectedCandidate, ListLayout, ResultInput
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510, write_520
from shared.formats.keyed import source_text
from shared.formats.signing import message_digest, sign_summary
from shared.formats.summary import (
    SOURCES_VERSION,
    ChildDigest,
    ChildSource,
    Summary,
    counts_from_tally,
    encode_summary,
)
from shared.office.keyed import child_numbers

SUMMARY_FILE = "summary.tks"
#: The candidates left out as deceased (Kieswet P 19a): the 520 cannot say it, and a recomputation needs it.
DECEASED_FILE = "deceased.json"
NATIONAL = DistrictId("alle")

AskLot = Callable[[LotRequest], int]


class Part(msgspec.Struct, frozen=True, kw_only=True):
    """A summary that counts: the authority, its digest and phase, its district and its tally."""

    authority: str
    name: str
    digest: bytes
    phase: int
    district_id: str
    tally: Tally
    children: tuple[tuple[str, bytes], ...] = ()
    source: ChildSource | None = None  # scanned (its key id) or keyed from paper (its typists)


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What one finalise produced."""

    phase: int
    digest: str
    total: Tally
    result: SeatsResult
    files: tuple[str, ...]
    lots: tuple[int, ...]
    warnings: tuple[str, ...] = ()


def lists_differ(election: Election) -> bool:
    """Whether some party's list differs between kieskringen, so list groups decide (Kieswet P 1, P 12)."""
    shapes = {layout_of(d) for d in election.districts}
    return len(shapes) > 1


def result_view(election: Election) -> District:
    """The contest the result is about: the single district, or for several districts the national view.

    With the same lists in every district (gelijkluidende lijsten) that is those lists; when lists differ per
    district, one list per list group with its candidates once each (`shared.domain.groups.national_view`).
    """
    if len(election.districts) == 1:
        return election.districts[0]
    if lists_differ(election):
        return national_view(election, build_groups(election, {}), NATIONAL)
    return District(id=NATIONAL, name=None, lists=election.districts[0].lists)


def result_election(election: Election) -> Election:
    """The election with its result contest as its only district (what the 510d and 520 writers need)."""
    view = result_view(election)
    return election if view is election.districts[0] else msgspec.structs.replace(election, districts=(view,))


def counted_parts(office: Office) -> list[Part]:
    """Every part that counts, in report order: a summary opened again from the exact bytes received, or a
    report keyed from paper (`shared.office.keyed`)."""
    register = office.register()
    out = []
    for rec in office.book().counting():
        tally, children, source = child_numbers(office.message(rec.digest), register, where=rec.authority)
        district = district_of_child(office.election, rec.authority)
        out.append(
            Part(
                authority=rec.authority,
                name=office.child_name(rec.authority),
                digest=rec.digest,
                phase=rec.phase,
                district_id=district.id,
                tally=tally,
                children=children,
                source=source,
            )
        )
    return out


def _category(election: Election) -> Category:
    if election.category not in CATEGORIES:
        raise InputError(f"election category {election.category} has no seat computation", where="110a")
    return cast(Category, election.category)


def seats_input(election: Election, view: District, total: Tally, deceased: dict[int, tuple[int, ...]],
                lots: Sequence[int]) -> SeatsInput:  # fmt: skip
    """The seats computation's input: list votes, candidate votes and deceased candidates per list."""
    known = {lst.number for lst in view.lists}
    for number in deceased:
        if number not in known:
            raise InputError(f"list {number} is not on the ballot", where="deceased")
    return SeatsInput(
        id=election.id,
        category=election.category,  # type: ignore[arg-type]
        seats=election.seats,
        lists=tuple(
            ListInput(
                number=lst.number,
                votes=lst.votes,
                name=(view.list_by_number(lst.number) or view.lists[0]).name,
                candidate_votes=lst.candidate_votes,
                deceased=deceased.get(lst.number, ()),
            )
            for lst in total.lists
        ),
        lots=tuple(lots),
    )


def compute_with_lots(
    run: Callable[[tuple[int, ...]], SeatsResult], lots: Sequence[int], ask: AskLot | None
) -> tuple[SeatsResult, tuple[int, ...], list[LotRequest]]:
    """Compute (`run` with the lot outcomes so far), asking the operator for each lot not given yet; never
    draws a lot itself.

    Returns the result, the lots used (given + asked) and the requests they answered, for the audit log.
    """
    outcomes = list(lots)
    asked: list[LotRequest] = []
    while True:
        result = run(tuple(outcomes))
        if result.status == "complete":
            return result, tuple(outcomes), asked
        assert result.lot is not None
        if ask is None:
            given = f" (given: {', '.join(map(str, outcomes))})" if outcomes else ""
            raise StateError(
                f"a lot must be drawn: {result.lot.reason}; options {list(result.lot.options)}. Draw it "
                f"physically and run finalise again with --lot N for every lot in the order asked{given}",
                where="finalise",
            )
        outcome = ask(result.lot)
        if outcome not in result.lot.options:
            raise InputError(f"{outcome} is not one of the options {list(result.lot.options)}", where="lot")
        asked.append(result.lot)
        outcomes.append(outcome)


def list_groups_of(election: Election, parts: Sequence[Part]) -> tuple[ListGroup, ...]:
    """The list groups with the votes of every kieskring's summary (Kieswet P 1)."""
    votes = {p.district_id: {lst.number: lst.candidate_votes for lst in p.tally.lists} for p in parts}
    return build_groups(election, votes)


def national_total(election: Election, parts: Sequence[Part]) -> Tally:
    """The field-wise sum of the parts; with list groups, one list per group (`group_tally`)."""
    if not lists_differ(election):
        return add_tallies(((p.authority, p.tally) for p in parts), unit=AUTHORITY_ID)
    counts = add_tallies(
        ((p.authority, msgspec.structs.replace(p.tally, lists=())) for p in parts), unit=AUTHORITY_ID
    )
    return group_tally(list_groups_of(election, parts), counts)


def _unit_layout(district: District) -> tuple[ListLayout, ...]:
    """A kieskring's lists in the 510d, a list without a designation named as the Kiesraad does."""
    return tuple(
        msgspec.structs.replace(lay, name=list_label(lst))
        for lay, lst in zip(layout_of(district), district.lists, strict=True)
    )


def _elected_520(result: SeatsResult, grouped: bool) -> tuple[ElectedCandidate, ...]:
    """The 520's elected candidates; a group's numbered in order of election and ranked 1 (preference) or 2
    (list order), as the Kiesraad's national 520 does."""
    if not grouped:
        return tuple(
            ElectedCandidate(list_number=int(number), position=pos)
            for number, positions in (result.elected or {}).items()
            for pos in positions
        )
    return tuple(
        ElectedCandidate(
            list_number=g.number,
            position=pos,
            candidate_id=i,
            ranking=1 if pos in g.by_preference else 2,
        )
        for g in result.groups
        for i, pos in enumerate(g.elected, start=1)
    )


def deceased_json(election: Election, view: District, deceased: dict[int, tuple[int, ...]]) -> bytes:
    """`{"election", "article": "P 19a", "deceased": [{"list", "position", "name"}]}`, always written."""
    rows = []
    for number, positions in sorted(deceased.items()):
        lst = view.list_by_number(number)
        for pos in positions:
            cand = next((c for c in lst.candidates if c.position == pos), None) if lst else None
            rows.append({"list": number, "position": pos, "name": cand.display_name if cand else ""})
    doc = {"election": election.id, "article": "P 19a", "deceased": rows}
    return msgspec.json.format(msgspec.json.encode(doc)) + b"\n"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")


def previous_output(office: Office) -> tuple[int, bytes] | None:
    row = office.conn.execute("SELECT phase, digest FROM outputs ORDER BY phase DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), bytes.fromhex(row[1]))


def complete_parts(office: Office) -> list[Part]:
    """The parts that count, refusing (naming them) while some authority is still missing."""
    book = office.book()
    if not book.complete:
        names = ", ".join(f"{c} {office.child_name(c)}" for c in book.missing)
        raise StateError(f"not every {office.child_role.value} is in; missing: {names}", where="finalise")
    return counted_parts(office)


def seat_run(office: Office, parts: Sequence[Part], total: Tally) -> Callable[[tuple[int, ...]], SeatsResult]:
    """The seat computation of this office's totals as a function of the lot outcomes (what `finalise` runs,
    and what the coordinator's lot page runs to show the tie before it is drawn)."""
    election = office.election
    if lists_differ(election):
        groups = list_groups_of(election, parts)

        def run_groups(outcomes: tuple[int, ...]) -> SeatsResult:
            return compute_groups(election.id, _category(election), election.seats, groups, outcomes)

        return run_groups
    inp = seats_input(election, result_view(election), total, office.deceased(), ())

    def run(outcomes: tuple[int, ...]) -> SeatsResult:
        return compute(msgspec.structs.replace(inp, lots=outcomes))

    return run


def finalise(
    office: Office, *, passphrase: bytes, lots: Sequence[int] = (), ask_lot: AskLot | None = None
) -> Outcome:
    """Add up, compute seats and candidates, write 510d/520/P 22, sign; all stored in one transaction.

    Lot outcomes recorded beforehand (`central.lots`, the coordinator's lot page) are answered first, each
    checked against the tie it was recorded for; `lots` (`--lot`) and `ask_lot` are the command line's."""
    parts = complete_parts(office)
    election = office.election
    view = result_view(election)
    grouped = lists_differ(election)
    total = national_total(election, parts)
    warnings = tuple(str(m) for m in check_internal(AUTHORITY_ID, total))
    deceased = office.deceased()
    run = seat_run(office, parts, total)
    check_recorded(office, run)
    result, used, asked = compute_with_lots(run, lots, recorded_first(office, lots, ask_lot))
    previous = previous_output(office)
    phase = 0 if previous is None else previous[0] + 1
    supersedes = b"" if previous is None else previous[1]
    at = office.now()
    created = at.isoformat()
    place = office.meta("place")
    authority_name = office.meta("authority_name")
    rel = result_election(election)
    count = Count510(
        message_id="510d",
        election=identifier_of(election),
        contest_id=view.id,
        contest_name=view.name,
        authority_id=AUTHORITY_ID,
        authority_name=authority_name,
        created=created,
        lists=layout_of(view),
        total=unit_votes(AUTHORITY_ID, authority_name, total),
        units=tuple(
            msgspec.structs.replace(
                unit_votes(p.authority, p.name, p.tally),
                layout=_unit_layout(election.district(p.district_id)) if grouped else None,
            )
            for p in parts
        ),
    )
    eml_510d = write_510(count, rel)
    seats = tuple((int(k), v) for k, v in result.seats.items())
    elected = _elected_520(result, grouped)
    eml_520 = write_520(
        ResultInput(
            district_id=view.id,
            authority_id=AUTHORITY_ID,
            authority_name=authority_name,
            created=created,
            seats=seats,
            elected=elected,
        ),
        rel,
    )
    sha_520 = hashlib.sha256(eml_520).hexdigest()
    sha_510d = hashlib.sha256(eml_510d).hexdigest()
    key = load_signing_key(office.key_path, passphrase)
    summary = Summary(
        version=SOURCES_VERSION,
        election_id=election.id,
        district_id=DISTRICT_ID,
        role=Role.CENTRAL,
        authority_id=AUTHORITY_ID,
        phase=phase,
        supersedes=supersedes,
        issued_at=created,
        counts=counts_from_tally(total),
        eml_sha256=bytes.fromhex(sha_520),
        children=[ChildDigest(authority_id=p.authority, digest=p.digest) for p in parts],
        seats=[result.seats.get(str(lst.number), 0) for lst in total.lists],
        sources=[p.source for p in parts if p.source is not None],
    )
    signed = sign_summary(encode_summary(summary), key.private_key)
    digest = message_digest(signed)
    data = p22_data(
        election,
        view,
        total,
        result,
        place=place,
        at=at,
        eml_sha256=sha_520,
        eml_510d_sha256=sha_510d,
        deceased=deceased,
        parts=[(p.authority, p.name, p.tally, source_text(p.source) if p.source else "") for p in parts],
    )
    pdf = render_p22(data, at=at)
    model = "P22-1" if len(election.districts) > 1 else "P22-2"
    files = {
        f"Totaaltelling_{_slug(election.id)}.eml.xml": eml_510d,
        f"Resultaat_{_slug(election.id)}.eml.xml": eml_520,
        f"Model_{model}_{_slug(election.id)}.pdf": pdf,
        SUMMARY_FILE: signed,
        DECEASED_FILE: deceased_json(election, view, deceased),
    }
    with office.transaction():
        office.conn.execute(
            "INSERT INTO outputs (phase, created_at, digest, signed_message, result) VALUES (?,?,?,?,?)",
            (phase, created, digest.hex(), signed, msgspec.json.encode(result).decode()),
        )
        for name, content in files.items():
            office.conn.execute(
                "INSERT INTO output_files (phase, name, content) VALUES (?,?,?)", (phase, name, content)
            )
        for n, request in enumerate(asked, start=len(used) - len(asked)):
            office.log(
                "lot_drawn",
                {"n": n + 1, "reason": request.reason, "options": list(request.options), "outcome": used[n]},
                at,
            )
        office.log(
            "finalised",
            {
                "phase": phase,
                "summary_digest": digest.hex(),
                "supersedes": supersedes.hex(),
                "520_sha256": sha_520,
                "510d_sha256": sha_510d,
                "seats": result.seats,
                "elected": result.elected,
                "lots": list(used),
                "deceased": {str(k): list(v) for k, v in deceased.items()},
                "children": [p.digest.hex() for p in parts],
                "files": {name: hashlib.sha256(c).hexdigest() for name, c in files.items()},
                "previous_audit_head": audit.head(office.conn)[1],
            },
            at,
        )
    return Outcome(
        phase=phase,
        digest=digest.hex(),
        total=total,
        result=result,
        files=tuple(files),
        lots=used,
        warnings=warnings,
    )


def latest(office: Office) -> tuple[int, SeatsResult, dict[str, bytes]]:
    """(phase, result, files) of the latest finalise."""
    row = office.conn.execute("SELECT phase, result FROM outputs ORDER BY phase DESC LIMIT 1").fetchone()
    if row is None:
        raise StateError("not finalised yet; run finalise first")
    phase = int(row[0])
    result = msgspec.json.decode(row[1], type=SeatsResult)
    files = {
        str(name): bytes(content)
        for name, content in office.conn.execute(
            "SELECT name, content FROM output_files WHERE phase = ? ORDER BY name", (phase,)
        ).fetchall()
    }
    return phase, result, files


def enter_deceased(office: Office, list_number: int, position: int) -> str:
    """Record a deceased candidate before the computation (Kieswet P 19a); returns the candidate's name."""
    if previous_output(office) is not None:
        raise StateError(
            "the result is already finalised; a deceased candidate must be entered before it",
            code="deceased.after_finalise",
        )
    if lists_differ(office.election):
        raise StateError(
            "deceased candidates (P 19a) with lists that differ per kieskring are not supported yet",
            where="deceased",
            code="deceased.unsupported",
        )
    view = result_view(office.election)
    lst = view.list_by_number(list_number)
    if lst is None:
        raise InputError(
            f"there is no list {list_number}",
            where="deceased",
            code="deceased.no_list",
            params={"list": list_number},
        )
    cand = next((c for c in lst.candidates if c.position == position), None)
    if cand is None:
        raise InputError(
            f"list {list_number} has no candidate {position}",
            where="deceased",
            code="deceased.no_candidate",
            params={"list": list_number, "position": position},
        )
    at = office.now()
    with office.transaction():
        exists = office.conn.execute(
            "SELECT 1 FROM deceased WHERE list_number = ? AND position = ?", (list_number, position)
        ).fetchone()
        if exists:
            raise StateError(
                f"candidate {position} of list {list_number} is already recorded as deceased",
                code="deceased.already",
                params={"list": list_number, "position": position},
            )
        office.conn.execute(
            "INSERT INTO deceased (list_number, position, entered_at, entered_by) VALUES (?,?,?,?)",
            (list_number, position, at.isoformat(), office.user),
        )
        office.log("deceased", {"list": list_number, "position": position, "name": cand.display_name}, at)
    return cand.display_name
