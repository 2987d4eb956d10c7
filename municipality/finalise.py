"""Finalise a session: municipal totals, EML 510b, osv4-3 CSV, the signed summary and the printed report.

Why one function builds everything in memory first: the set of files is one legal act (the PV names the 510b's
hash, the summary carries the same hash and totals), so they are produced together, checked against each
other, and only then written atomically to the output folder (shared.adapters.files.atomic_write_many).
Totals are the field-wise sum of the stations' definitive tallies (Kieswet hoofdstuk N, model Na 31-2: the
gemeentelijk stembureau adds up the stations), but for Z, the municipality's electorate where it has one;
`_sum_mismatches` re-verifies them against the 510b as read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality import eml_out
from municipality.corrigendum import na14_2_data
from municipality.dso import Counting, dso_flags
from municipality.investigation import Investigation
from municipality.na14_1 import na14_1_data
from municipality.p2a import p2a_data, render_p2a
from municipality.report import StationFlags, StationResult, na31_2_data, report_source
from shared.adapters.pdf import compile_typst
from shared.adapters.sheets import SheetFooter, sheet_markup
from shared.domain.election import Election, Municipality, Station
from shared.domain.keyregister import Role
from shared.domain.station_report import StationReport
from shared.domain.tally import Tally, add_tallies, check_sum, compare_tallies
from shared.errors import IntegrityError
from shared.formats import dutch
from shared.formats.signing import message_digest, sign_summary, signer_fingerprint
from shared.formats.summary import (
    FORMAT_VERSION,
    INVESTIGATIONS_VERSION,
    StationInvestigation,
    Summary,
    counts_from_tally,
    encode_summary,
)

#: The signed summary's file name in the output folder, as the published layout names it (docs/tiers.md).
SUMMARY_FILE = "summary.tks"


class Outputs(msgspec.Struct, frozen=True, kw_only=True):
    """What a finalise produced: file name → bytes, plus the identities other steps refer to."""

    files: dict[str, bytes]
    totals: Tally
    eml_sha256: str
    summary: Summary
    signed: bytes
    digest: str
    eml_name: str
    pdf_name: str
    summary_name: str


def flags_of(report: StationReport) -> StationFlags:
    """Na 31-2 rubric 1.2.1 ticks from the station's B1-1 / B1-2 answers (central count, first session), or
    the Na 31-1's from the N 10-1 insert (decentral)."""
    if report.model.startswith("dso"):
        return dso_flags(report)
    ei, cd = report.extra_investigation, report.counting_differences
    readmitted = bool(cd and (cd.unexplained_difference.yes or cd.list_totals_differ.yes))
    return StationFlags(
        readmitted=readmitted,
        investigated=bool(ei and ei.other_reason.yes),
        recounted=bool(ei and ei.ballots_recounted.yes),
    )


def station_results(results: Sequence[tuple[Station, StationReport]]) -> list[StationResult]:
    return [
        StationResult(station=st, tally=rep.to_tally(st.eligible_voters or 0), flags=flags_of(rep))
        for st, rep in results
    ]


def municipal_totals(stations: Sequence[StationResult], *, electorate: int | None = None) -> Tally:
    """The municipality's totals: the sum of its stations (Na 31-2 Deel 2), with the municipality's own
    electorate as Z when it has one (the official 510b's municipal `Cast`; the stations' may all be 0)."""
    summed = add_tallies(((s.station.id, s.tally) for s in stations), unit="gemeente")
    if electorate is None:
        return summed
    return msgspec.structs.replace(summed, eligible_voters=electorate)


def _sum_mismatches(written: Tally, totals: Tally, stations: Sequence[StationResult]) -> list[str]:
    """What in the 510b's total is not what was meant: every field the stations' sum, Z the electorate."""
    out = [str(m) for m in compare_tallies("510b", totals, written)]
    summed = check_sum("510b", written, {s.station.id: s.tally for s in stations})
    out.extend(str(m) for m in summed if not m.field.startswith("Z "))
    return out


def file_stem(election: Election, municipality: Municipality) -> str:
    """'GR2022_WestMaasenWaal' for a municipal council, 'TK2025_gemeente_West_Maas_en_Waal' otherwise."""
    if election.category in ("GR", "ER"):
        return election.id
    return f"{election.id}_gemeente_{municipality.name.replace(' ', '_')}"


def csv_name(election: Election, municipality: Municipality) -> str:
    """The osv4-3 CSV's name as the Kiesraad publishes it (lower case, the name without spaces):
    `osv4-3_telling_gr2022_westmaasenwaal.csv`, `osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv`."""
    if election.category in ("GR", "ER"):
        return f"osv4-3_telling_{election.id.lower()}.csv"
    return f"osv4-3_telling_{election.id.lower()}_gemeente_{municipality.name.replace(' ', '').lower()}.csv"


def build_outputs(
    election: Election,
    municipality: Municipality,
    results: Sequence[tuple[Station, StationReport]],
    *,
    at: datetime,
    private_key: Ed25519PrivateKey,
    phase: int,
    supersedes: bytes,
    previous: Sequence[tuple[Station, StationReport]] | None,
    investigations: Sequence[tuple[Station, Investigation]] = (),
    audit_head: tuple[int, str],
    session_text: str,
    counting: Counting = "central",
) -> Outputs:
    """Everything a finalise writes, consistent with itself; `previous` (a corrigendum) means Na 14-2, or
    Na 14-1 per station under decentral counting, whose first report is the Na 31-1."""
    decentral = counting == "decentral"
    stations = station_results(results)
    totals = municipal_totals(stations, electorate=municipality.electorate)
    created = at.isoformat(timespec="milliseconds")
    by_station = {st.id: inv for st, inv in investigations}
    # the Na 31-2 ticks as CSO flags; the N 10-1 insert's (decentral) are not written yet (docs/eml.md)
    eml_bytes = eml_out.write_510b(
        election,
        municipality,
        stations,
        totals,
        created=created,
        investigations=by_station,
        ticks=not decentral,
    )
    written = eml_out.read_back(eml_bytes)
    mismatches = _sum_mismatches(written.total.tally, totals, stations)
    if mismatches:
        raise IntegrityError(
            "the 510b does not add up: " + "; ".join(mismatches[:5]), code="finalise.eml_mismatch"
        )
    eml_sha = hashlib.sha256(eml_bytes).hexdigest()
    summary = Summary(
        version=INVESTIGATIONS_VERSION if investigations else FORMAT_VERSION,
        election_id=election.id,
        district_id=municipality.district_id,
        role=Role.MUNICIPALITY,
        authority_id=municipality.code,
        phase=phase,
        supersedes=supersedes,
        issued_at=at.isoformat(timespec="seconds"),
        counts=counts_from_tally(totals),
        eml_sha256=bytes.fromhex(eml_sha),
        children=[],
        seats=[],
        investigations=[
            StationInvestigation(station=st.id, corrected=bool(inv.corrected)) for st, inv in investigations
        ],
    )
    signed = sign_summary(encode_summary(summary), private_key)
    digest = message_digest(signed).hex()
    # the report the QR sheets end: Na 31-2 / Na 14-2, decentral Na 31-1 / Na 14-1, and their Bijlage number
    printed = f"Na 14-{1 if decentral else 2}" if previous else f"Na 31-{1 if decentral else 2}"
    number = (1 if decentral else 2) if previous else 3
    qr_title = f"Samenvatting {municipality.code} {municipality.name}"
    qr_sub = f"{election.name} - fase {phase} - vingerafdruk {dutch.hash_groups(digest)[:39]}"
    qr_markup, qr_files = sheet_markup(
        signed,
        title=qr_title,
        subtitle=qr_sub,
        fingerprint=signer_fingerprint(signed),
        footer=SheetFooter(
            appendix=f"Bijlage {number} bij Model {printed}: "
            "ondertekende samenvatting in QR-codes (voor het volgende stembureau)",
            fingerprint="Digitale vingerafdruk van EML-telbestand bij dit PV: " + dutch.hash_groups(eml_sha),
        ),
    )
    if previous is None:
        data = na31_2_data(
            election,
            municipality,
            totals,
            stations,
            generated=at,
            eml_sha256=eml_sha,
            audit_head=audit_head,
            session_text=session_text,
            decentral=decentral,
        )
        template, model = "na31_2.typ", "Na31-1" if decentral else "Na31-2"
    else:
        before = station_results(previous)
        data = (na14_1_data if decentral else na14_2_data)(
            election,
            municipality,
            totals,
            municipal_totals(before, electorate=municipality.electorate),
            stations,
            before,
            investigations,
            generated=at,
            eml_sha256=eml_sha,
            audit_head=audit_head,
            session_text=session_text,
            phase=phase,
            supersedes=supersedes.hex(),
        )
        template, model = ("na14_1.typ", "Na14-1") if decentral else ("na14_2.typ", "Na14-2")
    source, files = report_source(template, data, qr_markup)
    pdf = compile_typst(source, {**files, **qr_files})
    stem = file_stem(election, municipality)
    pdf_name = f"Model_{model}_{election.id}_{municipality.code}.pdf"
    extra: dict[str, bytes] = {}
    if previous is not None:
        session_report = p2a_data(
            election,
            municipality,
            investigations,
            generated=at,
            eml_sha256=eml_sha,
            session_text=session_text,
        )
        extra[f"Model_P2a_{election.id}_{municipality.code}.pdf"] = render_p2a(session_report, at=at)
    eml_name = f"Telling_{stem}.eml.xml"
    summary_name = SUMMARY_FILE  # the name `verify` and `publish --gather` look for; the phase is inside
    csv_bytes = eml_out.osv43_csv(election, written)
    hashes = (
        f"Hashcodes {election.name}, {municipality.code} {municipality.name}, fase {phase}\n"
        f"{eml_name}: {dutch.hash_groups(eml_sha)}\n"
        f"{summary_name}: {dutch.hash_groups(digest)}\n"
    )
    return Outputs(
        files={
            eml_name: eml_bytes,
            csv_name(election, municipality): csv_bytes,
            pdf_name: pdf,
            summary_name: signed,
            "Hashcodes.txt": hashes.encode("utf-8"),
            **extra,
        },
        totals=totals,
        eml_sha256=eml_sha,
        summary=summary,
        signed=signed,
        digest=digest,
        eml_name=eml_name,
        pdf_name=pdf_name,
        summary_name=summary_name,
    )
