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
from municipality.service import Service
from shared.adapters.files import atomic_write_many
from shared.domain.station_report import report_from_tally
from shared.domain.tally import Tally
from shared.formats.eml.build import build_election
from shared.formats.eml.model import CandidateLists230b, Definition110a
from shared.formats.eml.read import read_110b
from telketen.demo.clock import DEMO_PASSPHRASE, DEMO_PASSWORD, DemoClock, demo_key
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


def _add(timings: dict[str, float], stage: str, seconds: float) -> None:
    timings[stage] = timings.get(stage, 0.0) + seconds


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
        for station in municipality.stations:
            paper = report_from_tally("cso_first", tallies[station.id], with_voter_cards=voter_cards)
            enter_station(svc, station.id, paper, typists, coordinator, rng, clock.stamp, stats)
        finalising = time.process_time()
        _add(timings, "enter", finalising - typing)
        result = setup.finalise(
            svc, coordinator, out, private_key, at=clock.tick(60), also={name_110b: data_110b}
        )
    finally:
        svc.close()
    by_name = {p.name: p for p in result.paths}
    eml_name = next(n for n in by_name if n.startswith("Telling_"))
    tks_name = "summary.tks"
    pdf_name = next(n for n in by_name if n.endswith(".pdf"))
    enrolment_path = state / f"{setup.key_base(election, code)}.tke"
    sheet = state / f"{setup.key_base(election, code)}-sleutelregistratie.pdf"
    enrolment = enrolment_path.read_bytes()
    eml, signed = by_name[eml_name].read_bytes(), by_name[tks_name].read_bytes()
    # The municipality publishes its finalise output as it is: its 110b (stations), 510b, the osv4-3 CSV made
    # from it (the file people open), signed summary, key record, report, and the manifest signing them all.
    atomic_write_many(published / code, {p.name: p.read_bytes() for p in result.paths})
    _add(timings, "finalise", time.process_time() - finalising)
    return MunicipalOutput(
        code=code,
        district_id=municipality.district_id,
        report_pdf=by_name[pdf_name],
        enrolment_sheet=sheet,
        enrolment=enrolment,
        fingerprint=init.fingerprint,
        eml_name=eml_name,
        eml=eml,
        signed=signed,
    )
