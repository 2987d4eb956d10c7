"""The whole chain at national scale, stage by stage: seconds and peak memory, against a same-run baseline.

    python bench/chain.py [--size full|small] [--jobs N] [--seed N] [--out DIR] [--json FILE]

Runs `telketen demo` in-process (`telketen.demo.run.run_demo`) for a Tweede Kamer election — full: 20
districts, 340 municipalities, 10,000 stations, 26 lists, ~1,100 candidates per district; small: 20
districts, 40 municipalities, 400 stations — and prints every stage (generate, definition, municipalities:
setup / enter / finalise+print / print & scan, hoofdstembureaus: aggregate + O 3 / print & scan, central:
seats + publish, verify) with its wall-clock seconds (CPU seconds summed over workers for the municipal
and district sub-stages) and the peak resident memory of the main process and of the largest worker.

Baseline, measured in the same run first: the municipal demo (one council, 20 stations, the same code path),
so the ratios say how the national chain scales against the smallest complete chain on this machine, whatever
its speed or load. Target (issue 6): whole chain ≤ 120 s and ≤ 2 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telketen.demo.run import ElectionSpec, Stage, run_demo

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
