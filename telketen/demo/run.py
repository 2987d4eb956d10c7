"""The whole chain for a generated election: generate, municipalities, paper, upper tiers, publish, verify.

Why in-process: the apps' service layers are called directly (the functions behind their commands), so a
national election of ~10,000 stations runs without hours of process start-ups; the paper between the tiers
is still real (PDF → degraded scanner images on disk → decoded by the scanner code).

Municipalities and hoofdstembureaus are independent machines in reality, so the demo may run them in
parallel worker processes (`jobs`, `telketen.demo.pool`); each task carries only what that office's machine
would have (its stations' paper reports, or the paper its municipalities delivered), each hoofdstembureau has
its own clock, and every random choice is derived from (seed, authority), so the published result does not
depend on `jobs` or on scheduling.

Deterministic for a seed: the election, the typists' slips, the scanner damage, the timestamps and every
office's key derive from it (`telketen.demo.clock`), handed to the apps through their `at=`, `clock=` and
`private_key=` parameters. Stages report progress through `Progress`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal, TypeVar

import msgspec

from municipality.dso import Counting
from shared.adapters.files import atomic_write_many
from shared.domain.election import Election
from shared.domain.generate import GeneratedElection, generate_municipal, generate_national
from shared.domain.tally import Tally
from shared.errors import InputError
from shared.formats.eml.definition_writer import write_110a, write_110b, write_230b
from shared.formats.eml.hashcode import typed_groups
from shared.formats.eml.read import read_110a, read_230b
from telketen.demo.clock import DemoClock, demo_key
from telketen.demo.draws import BulkRandom
from telketen.demo.municipal import DefinitionFiles, run_municipality
from telketen.demo.pool import Measured, peak_mb, run_pooled
from telketen.demo.tiers import (
    CentralOutput,
    Delivered,
    central_place,
    district_place,
    run_central,
    run_hoofdstembureau,
    scan_delivery,
)
from telketen.demo.typists import EntryStats
from telketen.verify.findings import Report
from telketen.verify.run import verify_dir

Scale = Literal["municipal", "national"]
T = TypeVar("T")
R = TypeVar("R", bound=Measured)


class ElectionSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What to generate: the scale, the seed, optional sizes (smaller elections for tests and benches), and
    how every municipality counts (municipality.dso)."""

    scale: Scale = "municipal"
    seed: int = 1
    sizes: dict[str, int] = {}
    #: Whether the first municipality holds a next session with investigations (telketen/demo/investigations).
    investigations: bool = True
    counting: Counting = "central"


def generate(spec: ElectionSpec) -> GeneratedElection:
    """The election of the demo: a municipal council of ~20 stations, or a Tweede Kamer of ~10,000.

    `BulkRandom` gives the values of `random.Random(seed)`, drawing the ballots in bulk."""
    rng = BulkRandom(spec.seed)
    if spec.scale == "municipal":
        return generate_municipal(
            rng, stations=spec.sizes.get("stations", 20), lists=spec.sizes.get("lists", 8)
        )
    return generate_national(rng, **spec.sizes)


class Stage(msgspec.Struct, kw_only=True):
    """A stage of the chain: what it did, how long it took (wall clock; `cpu`: CPU seconds of the workers,
    all their threads, summed: typst lays out on more than one)."""

    name: str
    items: int = 0
    seconds: float = 0.0
    cpu: bool = False


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


def write_definition(g: GeneratedElection, folder: Path, clock: DemoClock) -> DefinitionFiles:
    """The files the Kiesraad (and each municipality, its 110b) publishes before election day."""
    el = g.election
    created = clock.stamp() + ".000"
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
        typed_110a=typed_groups(data_110a),
        typed_230b=typed_groups(data_230b),
    )


# ------------------------------------------------------------------------------------------- municipalities


class MunicipalTask(msgspec.Struct, frozen=True, kw_only=True):
    """What one municipality's machine gets: the election date and the paper reports of its stations."""

    code: str
    date: str
    tallies: dict[str, Tally]
    #: Whether the central office asks this municipality for a next session with investigations.
    investigate: bool = False


class MunicipalJob(msgspec.Struct, frozen=True, kw_only=True):
    """A municipality's outcome as a worker returns it: its delivery to the next tier and its statistics."""

    district_id: str
    delivery: Delivered
    stats: EntryStats
    timings: dict[str, float]
    worker_mb: float = 0.0


class Shared(msgspec.Struct, frozen=True, kw_only=True):
    """What every worker gets once: the election to run, its published definition and the output folder."""

    spec: ElectionSpec
    definition: DefinitionFiles
    out: Path


def municipality_job(shared: Shared, task: MunicipalTask) -> MunicipalJob:
    """One municipality's machine: its app from setup to finalise, then its paper printed and scanned."""
    out = shared.out
    code = task.code
    stats = EntryStats()
    timings: dict[str, float] = {}
    o = run_municipality(
        task.date,
        task.tallies,
        code,
        shared.definition,
        out / "work" / "municipalities",
        out / "published",
        seed=shared.spec.seed,
        stats=stats,
        timings=timings,
        investigate=task.investigate,
        counting=shared.spec.counting,
    )
    started = time.process_time()
    rng = random.Random(f"{shared.spec.seed}:scan:{code}")
    delivery = scan_delivery(
        o.code,
        o.fingerprint,
        o.report_pdf,
        o.enrolment_sheet,
        out / "scans",
        rng,
        corrigendum=o.corrigendum_pdf,
    )
    timings["print & scan"] = time.process_time() - started
    return MunicipalJob(
        district_id=o.district_id, delivery=delivery, stats=stats, timings=timings, worker_mb=peak_mb()
    )


def _on_workers(
    stage: str,
    job: Callable[[Shared, T], R],
    tasks: list[T],
    weight: Callable[[T], int],
    shared: Shared,
    jobs: int,
    progress: Progress,
) -> list[R]:
    """One stage of offices on the worker pool, the heaviest first, with its progress bar."""
    progress.start(stage, len(tasks))
    return run_pooled(job, tasks, shared, jobs=jobs, done=lambda: progress.advance(stage), weight=weight)


def municipal_tasks(g: GeneratedElection, *, investigations: bool = True) -> list[MunicipalTask]:
    """What each municipality's machine gets, in election order."""
    return [
        MunicipalTask(
            code=m.code,
            date=g.election.date,
            tallies={s.id: g.tallies[s.id] for s in m.stations},
            investigate=investigations and n == 0,  # a next session (telketen/demo/investigations)
        )
        for n, m in enumerate(g.election.municipalities)
    ]


def run_municipalities(
    spec: ElectionSpec,
    g: GeneratedElection,
    definition: DefinitionFiles,
    out: Path,
    *,
    jobs: int,
    progress: Progress,
) -> list[MunicipalJob]:
    """Every municipality (results in election order) on `jobs` worker processes (1: in this process)."""
    # weighed by stations: a 650-station city takes ~30 small towns' time
    tasks = municipal_tasks(g, investigations=spec.investigations)
    shared = Shared(spec=spec, definition=definition, out=out)
    return _on_workers(
        "municipalities", municipality_job, tasks, lambda t: len(t.tallies), shared, jobs, progress
    )


# ------------------------------------------------------------------------------------------ hoofdstembureaus


class DistrictTask(msgspec.Struct, frozen=True, kw_only=True):
    """What one hoofdstembureau gets: the election date and the paper its municipalities delivered."""

    district_id: str
    place: str
    date: str
    deliveries: list[Delivered]


class DistrictJob(msgspec.Struct, frozen=True, kw_only=True):
    """A hoofdstembureau's outcome: its paper as the central office scans it, and when its clock stopped."""

    delivery: Delivered
    finished: datetime
    timings: dict[str, float]
    worker_mb: float = 0.0


def _district_job(shared: Shared, task: DistrictTask) -> DistrictJob:
    """One hoofdstembureau on its own clock (the districts work at the same time on election night)."""
    seed = shared.spec.seed
    clock = DemoClock(task.date, hour=23)
    started = time.process_time()
    t = run_hoofdstembureau(
        task.district_id,
        shared.definition,
        task.deliveries,
        shared.out / "work",
        shared.out / "published",
        clock=clock.tick,
        private_key=demo_key(seed, f"HSB{task.district_id}"),
        place=task.place,
    )
    scanning = time.process_time()
    delivery = scan_delivery(
        t.authority,
        t.fingerprint,
        t.report_pdf,
        t.enrolment_sheet,
        shared.out / "scans",
        random.Random(f"{seed}:scan:{t.authority}"),
    )
    timings = {"aggregate + O 3": scanning - started, "print & scan": time.process_time() - scanning}
    return DistrictJob(delivery=delivery, finished=clock.now, timings=timings, worker_mb=peak_mb())


def run_districts(
    spec: ElectionSpec,
    election: Election,
    definition: DefinitionFiles,
    municipal: Sequence[MunicipalJob],
    out: Path,
    *,
    jobs: int,
    progress: Progress,
) -> list[DistrictJob]:
    """Every hoofdstembureau, in district order, on `jobs` worker processes (1: in this process)."""
    tasks = [
        DistrictTask(
            district_id=d.id,
            place=district_place(election, d.id),
            date=election.date,
            deliveries=[j.delivery for j in municipal if j.district_id == d.id],
        )
        for d in election.districts
    ]
    # weighed by the municipalities a district adds up
    shared = Shared(spec=spec, definition=definition, out=out)
    return _on_workers(
        "hoofdstembureaus", _district_job, tasks, lambda t: len(t.deliveries), shared, jobs, progress
    )


def _cpu_stages(
    jobs: Sequence[MunicipalJob] | Sequence[DistrictJob],
    items: Sequence[tuple[str, int]],
    stages: list[Stage],
    on_stage: Callable[[Stage], None] | None,
) -> None:
    """Sub-stages measured inside the workers: their CPU seconds, summed over all workers."""
    for name, count in items:
        stage = Stage(name=f"  {name}", items=count, cpu=True)
        stage.seconds = sum(j.timings.get(name, 0.0) for j in jobs)
        stages.append(stage)
        if on_stage is not None:
            on_stage(stage)


# ------------------------------------------------------------------------------------------------- the chain


@contextmanager
def _stage(stages: list[Stage], name: str, on_stage: Callable[[Stage], None] | None) -> Iterator[Stage]:
    stage = Stage(name=name)
    started = time.perf_counter()
    try:
        yield stage
    finally:
        stage.seconds += time.perf_counter() - started
        stages.append(stage)
        if on_stage is not None:
            on_stage(stage)


def require_empty(out: Path) -> None:
    """Refuse a folder that holds anything: the demo does not mix with earlier files."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            "choose an empty or new folder: the demo does not mix with earlier files", where=str(out)
        )


def run_demo(
    out: Path,
    *,
    spec: ElectionSpec | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    on_stage: Callable[[Stage], None] | None = None,
) -> DemoResult:
    """Run the whole chain into `out` (which must be empty or absent) and verify what was published."""
    require_empty(out)
    spec = spec or ElectionSpec()
    progress = progress or Progress()
    stages: list[Stage] = []
    work, published = out / "work", out / "published"
    seed = spec.seed

    with _stage(stages, "generate", on_stage) as st:
        g = generate(spec)
        el = g.election
        st.items = len(g.tallies)
    with _stage(stages, "definition (110a, 230b, 110b)", on_stage) as st:
        definition = write_definition(g, out / "definition", DemoClock(el.date, hour=8))
        st.items = 2 + len(el.municipalities)
    with _stage(stages, f"municipalities ({jobs} worker{'s' if jobs > 1 else ''})", on_stage) as st:
        municipal = run_municipalities(spec, g, definition, out, jobs=jobs, progress=progress)
        st.items = len(municipal)
    stats = EntryStats()
    for job in municipal:
        for field in stats.__struct_fields__:
            setattr(stats, field, getattr(stats, field) + getattr(job.stats, field))
    scanned = sum(len(j.delivery.report.files) + len(j.delivery.enrolment.files) for j in municipal)
    _cpu_stages(
        municipal,
        [
            ("setup", len(municipal)),
            ("enter", stats.stations),
            ("finalise", len(municipal)),
            ("print & scan", scanned),
        ],
        stages,
        on_stage,
    )
    upper: list[Delivered] = [j.delivery for j in municipal]
    tier_clock = DemoClock(el.date, hour=23)
    if len(el.districts) > 1:
        with _stage(stages, f"hoofdstembureaus ({jobs} worker{'s' if jobs > 1 else ''})", on_stage) as st:
            districts = run_districts(spec, el, definition, municipal, out, jobs=jobs, progress=progress)
            st.items = len(districts)
        upper = [j.delivery for j in districts]
        scanned = sum(len(d.report.files) + len(d.enrolment.files) for d in upper)
        _cpu_stages(
            districts, [("aggregate + O 3", len(districts)), ("print & scan", scanned)], stages, on_stage
        )
        tier_clock.now = max(j.finished for j in districts)  # the central office counts after the last
    with _stage(stages, "central: seats, 510d/520, site", on_stage) as st:
        central = run_central(
            definition,
            upper,
            work,
            published,
            random.Random(f"{seed}:lots"),
            clock=tier_clock.tick,
            private_key=demo_key(seed, "CSB"),
            place=central_place(el),
        )
        st.items = central.elected
    with _stage(stages, "verify", on_stage) as st:
        report = verify_dir(published)
        st.items = sum(report.checked.values())
    return DemoResult(
        out=out,
        published=published,
        election_id=el.id,
        election_name=el.name,
        scale=spec.scale,
        seed=seed,
        municipalities=len(el.municipalities),
        stations=len(g.tallies),
        candidates=sum(len(cl.candidates) for cl in el.districts[0].lists),
        entries=stats,
        stages=stages,
        central=central,
        verify=report,
    )
