"""The whole chain for a generated election: generate → municipalities → paper → upper tiers → publish → verify.

Why in-process: the apps' service layers are called directly (the functions behind their commands), so a
national election of ~10,000 stations runs in minutes, not hours of process start-ups; the paper between the
tiers is still real (PDF → degraded scanner images on disk → decoded by the scanner code).

Deterministic for a seed: the election, the typists' slips, the scanner damage, the timestamps and the
municipal keys all derive from it (`telketen.demo.clock`). Stages report progress through `Progress`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import msgspec

from shared.adapters.files import atomic_write_many
from shared.domain.generate import GeneratedElection, generate_municipal, generate_national
from shared.errors import InputError
from shared.formats.eml.definition_writer import write_110a, write_110b, write_230b
from shared.formats.eml.read import read_110a, read_230b
from telketen.demo.clock import DemoClock
from telketen.demo.municipal import DefinitionFiles, MunicipalOutput, run_municipality
from telketen.demo.tiers import CentralOutput, Delivered, run_central, run_hoofdstembureau, scan_delivery
from telketen.demo.typists import EntryStats
from telketen.verify.findings import Report
from telketen.verify.run import verify_dir

Scale = Literal["municipal", "national"]


class Stage(msgspec.Struct, kw_only=True):
    """One stage of the chain: what it did and how long it took."""

    name: str
    items: int = 0
    seconds: float = 0.0


class DemoResult(msgspec.Struct, kw_only=True):
    """Everything the final table shows."""

    out: Path
    published: Path
    election_id: str
    election_name: str
    scale: str
    seed: int
    municipalities: int
    stations: int
    candidates: int
    entries: EntryStats
    stages: list[Stage]
    central: CentralOutput | None = None
    verify: Report | None = None

    @property
    def site(self) -> Path:
        return self.published / "site" / "index.html"


class Progress:
    """Where the chain reports progress; the command line shows rich progress bars, tests pass this no-op."""

    def start(self, stage: str, total: int) -> None:
        """A stage with `total` steps begins."""

    def advance(self, stage: str) -> None:
        """One step of the stage is done."""


def generate(scale: Scale, seed: int) -> GeneratedElection:
    """The election of the demo: a municipal council of ~20 stations, or a Tweede Kamer of ~10,000."""
    rng = random.Random(seed)
    if scale == "municipal":
        return generate_municipal(rng)
    return generate_national(rng)


def write_definition(g: GeneratedElection, folder: Path, clock: DemoClock) -> DefinitionFiles:
    """The files the Kiesraad (or the municipality, for its 110b) publishes before election day."""
    el = g.election
    created = clock.stamp().replace("T", "T") + ".000"
    name_110a, name_230b = f"Verkiezingsdefinitie_{el.id}.eml.xml", f"Kandidatenlijsten_{el.id}.eml.xml"
    data_110a, data_230b = write_110a(el, created=created), write_230b(el, created=created)
    files = {name_110a: data_110a, name_230b: data_230b}
    stations: dict[str, tuple[str, bytes]] = {}
    for m in el.municipalities:
        name = f"Stembureaus_{el.id}_{m.code}.eml.xml"
        data = write_110b(el, m, created=created)
        files[name] = data
        stations[m.code] = (name, data)
    atomic_write_many(folder, files)
    return DefinitionFiles(
        name_110a=name_110a,
        data_110a=data_110a,
        name_230b=name_230b,
        data_230b=data_230b,
        d110a=read_110a(data_110a, name_110a),
        d230b=read_230b(data_230b, name_230b),
        stations_110b=stations,
    )


@contextmanager
def _stage(stages: list[Stage], name: str) -> Iterator[Stage]:
    stage = Stage(name=name)
    started = time.perf_counter()
    try:
        yield stage
    finally:
        stage.seconds += time.perf_counter() - started
        stages.append(stage)


def run_demo(
    out: Path,
    *,
    scale: Scale = "municipal",
    seed: int = 1,
    progress: Progress | None = None,
    on_stage: Callable[[Stage], None] | None = None,
) -> DemoResult:
    """Run the whole chain into `out` (which must be empty or absent) and verify what was published."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("choose an empty or new folder: the demo does not mix with earlier files", where=str(out))
    progress = progress or Progress()
    stages: list[Stage] = []
    work, published, scans = out / "work", out / "published", out / "scans"

    def done(stage: Stage) -> None:
        if on_stage is not None:
            on_stage(stage)

    with _stage(stages, "generate") as st:
        g = generate(scale, seed)
        el = g.election
        st.items = len(g.tallies)
    done(st)
    clock = DemoClock(el.date, hour=8)
    with _stage(stages, "definition") as st:
        definition = write_definition(g, out / "definition", clock)
        st.items = 2 + len(el.municipalities)
    done(st)
    stats = EntryStats()
    timings: dict[str, float] = {}
    outputs: list[MunicipalOutput] = []
    started = time.perf_counter()
    progress.start("municipalities", len(el.municipalities))
    for m in el.municipalities:
        outputs.append(
            run_municipality(g, m.code, definition, work / "municipalities", published, seed=seed, stats=stats,
                             timings=timings)
        )  # fmt: skip
        progress.advance("municipalities")
    elapsed = time.perf_counter() - started
    for name in ("setup", "enter", "finalise"):
        share = timings.get(name, 0.0)
        stage = Stage(name=f"municipality {name}", items=stats.stations if name == "enter" else len(outputs))
        stage.seconds = share if sum(timings.values()) else elapsed
        stages.append(stage)
        done(stage)
    rng = random.Random(f"{seed}:scanner")
    with _stage(stages, "print & scan (municipal)") as st:
        progress.start("scan municipal reports", len(outputs))
        deliveries: list[tuple[str, Delivered]] = []
        for o in outputs:
            d = scan_delivery(o.code, o.fingerprint, o.report_pdf, o.enrolment_sheet, scans, rng)
            deliveries.append((o.district_id, d))
            progress.advance("scan municipal reports")
        st.items = sum(len(d.report.files) + len(d.enrolment.files) for _, d in deliveries)
    done(st)
    national = len(el.districts) > 1
    upper: list[Delivered] = [d for _, d in deliveries]
    if national:
        with _stage(stages, "hoofdstembureaus") as st:
            progress.start("hoofdstembureaus", len(el.districts))
            tier_outputs = []
            for district in el.districts:
                mine = [d for did, d in deliveries if did == district.id]
                tier_outputs.append(run_hoofdstembureau(district.id, definition, mine, work, published))
                progress.advance("hoofdstembureaus")
            st.items = len(tier_outputs)
        done(st)
        with _stage(stages, "print & scan (districts)") as st:
            upper = [
                scan_delivery(t.authority, t.fingerprint, t.report_pdf, t.enrolment_sheet, scans, rng)
                for t in tier_outputs
            ]
            st.items = sum(len(d.report.files) + len(d.enrolment.files) for d in upper)
        done(st)
    with _stage(stages, "central: seats & publish") as st:
        central = run_central(definition, upper, work, published, random.Random(f"{seed}:lots"))
        st.items = central.elected
    done(st)
    with _stage(stages, "verify") as st:
        report = verify_dir(published)
        st.items = sum(report.checked.values())
    done(st)
    return DemoResult(
        out=out,
        published=published,
        election_id=el.id,
        election_name=el.name,
        scale=scale,
        seed=seed,
        municipalities=len(el.municipalities),
        stations=len(g.tallies),
        candidates=sum(len(cl.candidates) for cl in el.districts[0].lists),
        entries=stats,
        stages=stages,
        central=central,
        verify=report,
    )
