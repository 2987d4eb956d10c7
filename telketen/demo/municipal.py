"""One municipality through its own app, in-process: hash-checked import, key, users, double entry, finalise.

Everything goes through the municipality's service layer (`municipality.setup`, `municipality.service`),
the same functions its command line calls, so the demo exercises the real app: the state is a real SQLite
file, the key file is encrypted with the (demo) passphrase, the report is a real PDF with the signed QR
summary.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from pathlib import Path

import msgspec

from municipality import setup
from municipality.dso import Counting, model_for
from municipality.service import Service
from shared.adapters.files import atomic_write_many
from shared.domain.station_report import StationReport, YesNo, report_from_tally
from shared.domain.tally import Tally
from shared.formats.eml.build import build_election
from shared.formats.eml.model import CandidateLists230b, Definition110a
from shared.formats.eml.read import read_110b
from telketen.demo.clock import DEMO_PASSPHRASE, DEMO_PASSWORD, DemoClock, demo_key
from telketen.demo.investigations import chosen, next_session
from telketen.demo.typists import EntryStats, enter_station


class DefinitionFiles(msgspec.Struct, frozen=True, kw_only=True):
    """The published definition: file names and bytes, parsed once (every tier imports the same bytes)."""

    name_110a: str
    data_110a: bytes
    name_230b: str
    data_230b: bytes
    d110a: Definition110a
    d230b: CandidateLists230b
    stations_110b: dict[str, tuple[str, bytes]]
    #: The two hash-code groups an operator reads from the paper that came with each file (spec/eml.md §3).
    typed_110a: str
    typed_230b: str


class MunicipalOutput(msgspec.Struct, frozen=True, kw_only=True):
    """What a finalised municipality hands on: its report PDF, enrolment sheet, 510b and signed summary."""

    code: str
    district_id: str
    report_pdf: Path
    enrolment_sheet: Path
    enrolment: bytes
    fingerprint: str
    eml_name: str
    eml: bytes
    signed: bytes
    #: The corrigendum (Na 14-2) of a next session with investigations, when the demo held one.
    corrigendum_pdf: Path | None = None


def _add(timings: dict[str, float], stage: str, seconds: float) -> None:
    timings[stage] = timings.get(stage, 0.0) + seconds


#: Share of decentral stations whose N 10-1 carries the "controles en correcties" insert: the municipality
#: re-examined the station on its own initiative and found nothing to correct (spec/reports.md §2).
INSERT_RATE = 0.1


def station_paper(
    tally: Tally, counting: Counting, rng: random.Random, *, voter_cards: bool
) -> StationReport:
    """The paper the typists key for one station: the Na 31-2 Bijlage 1 the municipality filled in (central
    count), or the station's own N 10-1 (decentral), now and then with the insert of a check that corrected
    nothing."""
    paper = report_from_tally(model_for(counting, 1), tally, with_voter_cards=voter_cards)
    about, checks = paper.about_report, paper.checks_and_corrections
    if about is not None and checks is not None and rng.random() < INSERT_RATE:
        about.checks_page_present = YesNo(yes=True)
        checks.reason_other_error = True
        checks.corrected_own_initiative = YesNo(no=True)
    return paper


def run_municipality(
    date: str,
    tallies: Mapping[str, Tally],
    code: str,
    definition: DefinitionFiles,
    work: Path,
    published: Path,
    *,
    seed: int,
    stats: EntryStats,
    timings: dict[str, float],
    investigate: bool = False,
    counting: Counting = "central",
) -> MunicipalOutput:
    """Set up, type, resolve and finalise one municipality; publish its files under `published/<code>/`.

    `timings` collects CPU seconds per stage (setup, enter, finalise: this process, all its threads) for the
    demo's table and the benchmark.
    """
    started = time.process_time()
    clock = DemoClock(date)
    rng = random.Random(f"{seed}:typists:{code}")
    state, out = work / code / "state", work / code / "output"
    name_110b, data_110b = definition.stations_110b[code]
    files = {
        "110a": (Path(definition.name_110a), definition.data_110a),
        "230b": (Path(definition.name_230b), definition.data_230b),
        "110b": (Path(name_110b), data_110b),
    }
    for kind, typed in (("110a", definition.typed_110a), ("230b", definition.typed_230b)):
        path, data = files[kind]
        setup.confirm_hash(kind, path, data, typed.split(), ask=None)
    election = build_election(definition.d110a, [definition.d230b], [read_110b(data_110b, name_110b)])
    private_key = demo_key(seed, code)
    init = setup.initialise(
        state,
        election,
        code,
        sources=[setup.source_of(kind, path, data) for kind, (path, data) in files.items()],
        passphrase=DEMO_PASSPHRASE,
        at=clock.tick(),
        private_key=private_key,
        counting=counting,
    )
    svc = Service.open(state, at=clock.stamp())
    try:
        coordinator = svc.add_user("coordinator", "coordinator", DEMO_PASSWORD, at=clock.stamp(), by="setup")
        typists = (
            svc.add_user("typist1", "typist", DEMO_PASSWORD, at=clock.stamp(), by=coordinator.name),
            svc.add_user("typist2", "typist", DEMO_PASSWORD, at=clock.stamp(), by=coordinator.name),
        )
        municipality = election.municipality(code)
        voter_cards = svc.voter_cards
        typing = time.process_time()
        _add(timings, "setup", typing - started)
        papers = random.Random(f"{seed}:papers:{code}")
        for station in municipality.stations:
            paper = station_paper(tallies[station.id], counting, papers, voter_cards=voter_cards)
            enter_station(svc, station.id, paper, typists, coordinator, rng, clock.stamp, stats)
        finalising = time.process_time()
        _add(timings, "enter", finalising - typing)
        also = {name_110b: data_110b}  # the municipality publishes its 110b, under its signed manifest
        result = setup.finalise(svc, coordinator, out, private_key, at=clock.tick(60), also=also)
        first_pdf = next(p for p in result.paths if p.name.endswith(".pdf"))
        pair = chosen(municipality.stations, dict(tallies)) if investigate else None
        if pair is not None:
            next_session(svc, pair, dict(tallies), typists, coordinator, rng, clock.stamp, stats)
            result = setup.finalise(
                svc, coordinator, out.with_name("output2"), private_key, at=clock.tick(600), also=also
            )
    finally:
        svc.close()
    by_name = {p.name: p for p in result.paths}
    eml_name = next(n for n in by_name if n.startswith("Telling_"))
    tks_name = "summary.tks"
    pdfs = sorted(n for n in by_name if n.endswith(".pdf"))  # Na 31-2, or Na 14-2 and P 2a
    pdf_name = pdfs[0]
    enrolment_path = state / f"{setup.key_base(election, code)}.tke"
    sheet = state / f"{setup.key_base(election, code)}-sleutelregistratie.pdf"
    enrolment = enrolment_path.read_bytes()
    eml, signed = by_name[eml_name].read_bytes(), by_name[tks_name].read_bytes()
    # The municipality publishes its finalise output as it is: its 110b (stations), 510b, the osv4-3 CSV made
    # from it (the file people open), signed summary, key record, reports, and the manifest signing them all;
    # after a corrigendum also the first Na 31-2, which that manifest still lists (municipality/publication).
    atomic_write_many(
        published / code,
        {first_pdf.name: first_pdf.read_bytes(), **{p.name: p.read_bytes() for p in result.paths}},
    )
    _add(timings, "finalise", time.process_time() - finalising)
    return MunicipalOutput(
        code=code,
        district_id=municipality.district_id,
        report_pdf=first_pdf,
        corrigendum_pdf=by_name[pdf_name] if pair is not None else None,
        enrolment_sheet=sheet,
        enrolment=enrolment,
        fingerprint=init.fingerprint,
        eml_name=eml_name,
        eml=eml,
        signed=signed,
    )
