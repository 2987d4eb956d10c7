"""The tiers above the municipality, in-process: hoofdstembureau per district and the central office.

Each runs its own app through its service functions (the ones its command line calls): import the
definition with the typed hash check, make its key and enrolment sheet, enrol the keys of the tier below by
*scanning their enrolment sheets* and confirming the fingerprints from the (simulated) signed letters, scan
the summaries from the (simulated) scans of the printed reports, finalise, and publish into the shared
`published/` folder.

Time and keys are handed in, as to any caller of the apps: each office is set up at a moment of the demo's
clock (`at=`) with the seed's key for its authority (`private_key=`), and opened on that clock (`clock=`), so
its `key.tke`, `summary.tks` and EML files are the same bytes for the same seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central import finalise as central_finalise
from central import publish as central_publish
from central import receive as central_receive
from central import setup as central_setup
from central.office import Office as CentralOffice
from hoofdstembureau import finalise as hsb_finalise
from hoofdstembureau import publish as hsb_publish
from hoofdstembureau import receive as hsb_receive
from hoofdstembureau import setup as hsb_setup
from hoofdstembureau.office import Office as HsbOffice
from shared.domain.apportionment import LotRequest
from shared.domain.election import Election
from shared.domain.keyregister import EnrolmentRecord
from shared.errors import IntegrityError
from shared.office.office import Clock
from telketen.demo.clock import DEMO_PASSPHRASE
from telketen.demo.municipal import DefinitionFiles
from telketen.demo.paper import Scanned, print_and_scan

DEMO_USER = "demo-operator"


class Delivered(msgspec.Struct, frozen=True, kw_only=True):
    """What a lower body sends up on paper: its scanned report and its scanned enrolment sheet."""

    authority: str
    fingerprint: str
    report: Scanned
    enrolment: Scanned


class TierOutput(msgspec.Struct, frozen=True, kw_only=True):
    """A finalised upper body: its printed report and enrolment sheet (to be scanned by the tier above)."""

    authority: str
    fingerprint: str
    report_pdf: Path
    enrolment_sheet: Path
    accepted: int
    refused: int


def scan_delivery(
    authority: str,
    fingerprint: str,
    report_pdf: Path,
    sheet_pdf: Path,
    scans: Path,
    rng: random.Random,
    *,
    corrigendum: Path | None = None,
) -> Delivered:
    """Print and scan a body's report and enrolment sheet, as the courier's paper arrives at the next tier;
    a corrigendum (Na 14-2) is scanned after the report it corrects, so the next tier replaces it."""
    report = print_and_scan(report_pdf, scans, rng, stem=f"{authority}-report")
    if corrigendum is not None:
        later = print_and_scan(corrigendum, scans, rng, stem=f"{authority}-corrigendum")
        report = Scanned(
            files=report.files + later.files,
            messages=report.messages + later.messages,
            symbols=report.symbols + later.symbols,
        )
    return Delivered(
        authority=authority,
        fingerprint=fingerprint,
        report=report,
        enrolment=print_and_scan(sheet_pdf, scans, rng, stem=f"{authority}-enrolment"),
    )


def _quiet(record: EnrolmentRecord) -> None:
    """The operator reads the fingerprint on screen; the demo's progress bar is the screen."""


def _messages(deliveries: Sequence[Delivered], kind: str) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for d in deliveries:
        scanned = d.report if kind == "report" else d.enrolment
        out += [(f"scan of {d.authority} {kind}", m) for m in scanned.messages]
    return out


def central_place(election: Election) -> str:
    """Where the demo's centraal stembureau sits, as the election says: the Kiesraad in 's-Gravenhage for a
    Tweede Kamer or European Parliament election, else the town hall of the one municipality (a council
    election's hoofdstembureau is also its centraal stembureau), else the seat of the first kieskring."""
    if election.category in ("TK", "EP"):
        return "'s-Gravenhage"
    if len(election.municipalities) == 1:
        return election.municipalities[0].name
    return district_place(election, election.districts[0].id)


def district_place(election: Election, district_id: str) -> str:
    """Where a kieskring's hoofdstembureau sits: the town the kieskring is named after (Kieswet E 1; the 110a
    names each kieskring by it)."""
    name = election.district(district_id).name
    return name or f"kieskring {district_id}"


def run_hoofdstembureau(
    district_id: str,
    definition: DefinitionFiles,
    deliveries: Sequence[Delivered],
    work: Path,
    published: Path,
    *,
    clock: Clock,
    private_key: Ed25519PrivateKey,
    place: str,
) -> TierOutput:
    """One district's hoofdstembureau at `place`: enrol and scan its municipalities, finalise O 3 and 510c,
    publish."""
    state = work / f"HSB{district_id}"
    init = hsb_setup.init(
        state,
        definition=(definition.name_110a, definition.data_110a),
        candidates=(definition.name_230b, definition.data_230b),
        typed_110a=definition.typed_110a,
        typed_230b=definition.typed_230b,
        district_id=district_id,
        place=place,
        passphrase=DEMO_PASSPHRASE,
        user=DEMO_USER,
        at=clock(),
        private_key=private_key,
    )
    office = HsbOffice.open(state, DEMO_USER, clock=clock)
    try:
        hsb_setup.enrol_messages(
            office,
            _messages(deliveries, "enrolment"),
            expected=[d.fingerprint for d in deliveries],
            ask=None,
            show=_quiet,
        )
        items = [hsb_receive.receive_message(office, src, m) for src, m in _messages(deliveries, "report")]
        refused = [i for i in items if i.refused]
        if refused:
            raise IntegrityError(f"HSB{district_id} refused a scanned summary: {refused[0].text}")
        hsb_finalise.finalise(office, passphrase=DEMO_PASSPHRASE)
        hsb_publish.publish(office, published, DEMO_PASSPHRASE)
        _, _, _, _, pdf, pdf_name = hsb_finalise.latest(office)
    finally:
        office.conn.close()
    report_pdf = state / "output" / pdf_name
    report_pdf.parent.mkdir(parents=True, exist_ok=True)
    report_pdf.write_bytes(pdf)
    return TierOutput(
        authority=f"HSB{district_id}",
        fingerprint=init.fingerprint,
        report_pdf=report_pdf,
        enrolment_sheet=init.sheet_file,
        accepted=len(items),
        refused=0,
    )


class CentralOutput(msgspec.Struct, frozen=True, kw_only=True):
    """The central office's result: seats per list, number elected, and the lots the demo drew."""

    seats: dict[str, int]
    elected: int
    lots: tuple[int, ...]
    accepted: int


def run_central(
    definition: DefinitionFiles,
    deliveries: Sequence[Delivered],
    work: Path,
    published: Path,
    rng: random.Random,
    *,
    clock: Clock,
    private_key: Ed25519PrivateKey,
    place: str,
) -> CentralOutput:
    """The central office at `place`: enrol and scan the tier below, seats and candidates, publish with the
    site."""
    state = work / "CSB"
    central_setup.init(
        state,
        definition=(definition.name_110a, definition.data_110a),
        candidates=(definition.name_230b, definition.data_230b),
        typed_110a=definition.typed_110a,
        typed_230b=definition.typed_230b,
        place=place,
        passphrase=DEMO_PASSPHRASE,
        user=DEMO_USER,
        at=clock(),
        private_key=private_key,
    )
    office = CentralOffice.open(state, DEMO_USER, clock=clock)

    def draw_lot(request: LotRequest) -> int:
        """A lot is drawn physically in public (Kieswet P 7 lid 4); the demo's stand-in uses the seed."""
        return rng.choice(request.options)

    try:
        central_setup.enrol_messages(
            office,
            _messages(deliveries, "enrolment"),
            expected=[d.fingerprint for d in deliveries],
            ask=None,
            show=_quiet,
        )
        items = [
            central_receive.receive_message(office, src, m) for src, m in _messages(deliveries, "report")
        ]
        refused = [i for i in items if i.refused]
        if refused:
            raise IntegrityError(f"the central office refused a scanned summary: {refused[0].text}")
        outcome = central_finalise.finalise(office, passphrase=DEMO_PASSPHRASE, ask_lot=draw_lot)
        central_publish.publish(office, published, DEMO_PASSPHRASE)
    finally:
        office.conn.close()
    elected = sum(len(v) for v in (outcome.result.elected or {}).values())
    return CentralOutput(
        seats=dict(outcome.result.seats), elected=elected, lots=outcome.lots, accepted=len(items)
    )
