"""The whole chain at national scale, stage by stage: seconds and peak memory, against a same-run baseline.

    python bench/chain.py [--size full|small] [--jobs N] [--seed N] [--out DIR] [--json FILE] [--no-floor]

Runs `telketen demo` in-process (`telketen.demo.run.run_demo`) for a Tweede Kamer election — full: 20
districts, 340 municipalities, 10,000 stations, 26 lists, ~1,100 candidates per district; small: 20
districts, 40 municipalities, 400 stations — and prints every stage (generate, definition, municipalities:
setup / enter / finalise+print / print & scan, hoofdstembureaus: aggregate + O 3 / print & scan, central:
seats + publish, verify) with its wall-clock seconds (CPU seconds summed over workers for the municipal
and district sub-stages) and the peak resident memory of the main process and of the largest worker.

Baseline, measured in the same run first: the municipal demo (one council, 20 stations, the same code path),
so the ratios say how the national chain scales against the smallest complete chain on this machine, whatever
its speed or load. Target (issue 6): whole chain ≤ 120 s and ≤ 2 GB on 2 cores.

Afterwards (skip with --no-floor), the floor of the municipal stage, measured: eight municipalities from the
smallest to the largest run one after another in this process, each sub-stage fitted as seconds per
municipality plus seconds per station and summed over the election; divided by the workers, that is the least
the stage can take with a perfect split and no contention. Printed beside the chain's own CPU-seconds, and
with the part that is scrypt at production cost (one office's four key derivations, timed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.adapters.keyfiles import KDF_N, KDF_P, KDF_R
from shared.adapters.passwords import SCRYPT_N, SCRYPT_P, SCRYPT_R
from telketen.demo.clock import DemoClock
from telketen.demo.run import (
    ElectionSpec,
    Shared,
    Stage,
    generate,
    municipal_tasks,
    municipality_job,
    run_demo,
    write_definition,
)

SIZES = {
    "full": {},
    "small": {"municipalities": 40, "stations": 400},
}
TARGET_SECONDS = 120.0
TARGET_MB = 2048.0


def peak_mb() -> tuple[float, float]:
    """Peak resident set of this process and of the largest finished child (worker), in MB (Linux: KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


#: Where the sample for the floor is taken, as quantiles of the municipalities sorted by size.
FLOOR_QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.97, 1.0)
MUNICIPAL_STAGES = ("setup", "enter", "finalise", "print & scan")


def _fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares `seconds = fixed + per_station × stations`."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    per_station = sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0
    return my - per_station * mx, per_station


def _scrypt_per_office() -> float:
    """One office's key derivations at production cost: the key file's passphrase and three users."""
    started = time.process_time()
    hashlib.scrypt(b"passphrase", salt=bytes(16), n=KDF_N, r=KDF_R, p=KDF_P, dklen=32, maxmem=2**28)
    for _ in range(3):
        hashlib.scrypt(
            b"password", salt=bytes(16), n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32, maxmem=2**26
        )
    return time.process_time() - started


def floor(spec: ElectionSpec, root: Path, jobs: int, chain: dict[str, float]) -> dict[str, float]:
    """The least the municipal stage can take on `jobs` cores, measured: a sample of municipalities run one
    after another in this process (no other work on the machine), each stage fitted as fixed seconds per
    municipality plus seconds per station, summed over the whole election and divided by `jobs` (a perfect
    split, no contention). `chain`: the same stages' CPU-seconds as the chain above measured them. Returns
    the figures for --json."""
    g = generate(spec)
    definition = write_definition(g, root / "definition", DemoClock(g.election.date, hour=8))
    shared = Shared(spec=spec, definition=definition, out=root)
    tasks = sorted(municipal_tasks(g, investigations=spec.investigations), key=lambda t: len(t.tallies))
    picks = sorted({round(q * (len(tasks) - 1)) for q in FLOOR_QUANTILES} - {1})
    municipality_job(shared, tasks[1])  # warm-up: imports and the parsed 230b, as each worker pays once
    samples = [(len(tasks[i].tallies), municipality_job(shared, tasks[i]).timings) for i in picks]
    offices, stations = len(tasks), sum(len(t.tallies) for t in tasks)
    print(
        f"floor of the municipal stage: {len(samples)} municipalities of "
        f"{', '.join(str(n) for n, _ in samples)} stations, one after another in this process"
    )
    total = 0.0
    figures: dict[str, float] = {}
    for stage in MUNICIPAL_STAGES:
        fixed, per_station = _fit([(n, t.get(stage, 0.0)) for n, t in samples])
        need = fixed * offices + per_station * stations
        total += need
        figures[f"{stage}: s per municipality"], figures[f"{stage}: s per station"] = fixed, per_station
        print(
            f"  {stage:14} {fixed:6.3f} s per municipality + {per_station * 1000:5.2f} ms per station "
            f"= {need:6.1f} cpu for the election (chain: {chain.get(stage, 0.0):6.1f} cpu, "
            f"{chain.get(stage, 0.0) / need if need else 0.0:4.2f}×)"
        )
    scrypt = _scrypt_per_office()
    print(
        f"  sum {total:.1f} cpu: at best {total / jobs:.1f} s on {jobs} worker(s), before generation, "
        f"the upper tiers and verify; of it scrypt at production cost, {scrypt:.3f} s per office: "
        f"{scrypt * offices:.1f} cpu"
    )
    return {**figures, "sum_cpu": total, "at_best_s": total / jobs, "scrypt_s_per_office": scrypt}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=None, help="keep the output here (default: a temp folder)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip measuring the floor of the municipal stage afterwards"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="telketen-chain-") as tmp:
        root = args.out or Path(tmp)
        started = time.perf_counter()
        base = run_demo(root / "baseline", spec=ElectionSpec(scale="municipal", seed=args.seed))
        baseline = time.perf_counter() - started
        print(f"baseline: municipal chain ({base.stations} stations) {baseline:.1f} s", flush=True)

        def show(stage: Stage) -> None:
            own, child = peak_mb()
            kind = "cpu" if stage.cpu else "s  "
            print(
                f"{stage.name:36} {stage.items:>7} items {stage.seconds:8.1f} {kind} "
                f"{stage.seconds / baseline:7.2f}× base   peak {own:6.0f} MB main, {child:6.0f} MB worker",
                flush=True,
            )

        started = time.perf_counter()
        result = run_demo(
            root / "national",
            spec=ElectionSpec(scale="national", seed=args.seed, sizes=SIZES[args.size]),
            jobs=args.jobs,
            on_stage=show,
        )
        total = time.perf_counter() - started
        own, child = peak_mb()
        measured_floor: dict[str, float] = {}
        if not args.no_floor:
            chain: dict[str, float] = {}
            for stage in result.stages:  # the municipal sub-stages come first ("print & scan" twice)
                if stage.cpu:
                    chain.setdefault(stage.name.strip(), stage.seconds)
            measured_floor = floor(
                ElectionSpec(scale="national", seed=args.seed, sizes=SIZES[args.size]),
                root / "floor",
                args.jobs,
                chain,
            )
    ok = result.verify is not None and result.verify.ok
    print(
        f"national ({args.size}): {result.municipalities} municipalities, {result.stations} stations, "
        f"{result.candidates} candidates/district, {args.jobs} worker(s)"
    )
    print(
        f"total {total:.1f} s = {total / baseline:.1f}× baseline; target {TARGET_SECONDS:.0f} s: "
        f"{'met' if total <= TARGET_SECONDS else 'NOT met'}"
    )
    print(
        f"peak memory {max(own, child):.0f} MB (main {own:.0f}, worker {child:.0f}); "
        f"target {TARGET_MB:.0f} MB: {'met' if max(own, child) <= TARGET_MB else 'NOT met'}"
    )
    print(f"verify: {'VERIFIED' if ok else 'NOT VERIFIED'}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "size": args.size,
                    "jobs": args.jobs,
                    "baseline_s": baseline,
                    "total_s": total,
                    "peak_mb_main": own,
                    "peak_mb_worker": child,
                    "verified": ok,
                    "municipal_floor": measured_floor,
                    "stages": [
                        {"name": s.name.strip(), "items": s.items, "seconds": s.seconds, "cpu": s.cpu}
                        for s in result.stages
                    ],
                },
                indent=2,
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
