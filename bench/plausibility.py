"""Plausibility checks on real Kiesraad counts: false alarms on the files as published, and detection of
errors planted in them, measured in the same run.

    python bench/plausibility.py [--trials 6] [--seed 1]

Data (from ../shared/data/eml): the 19 TK2021 kieskring files (municipalities as units: 349 units in files of
4 or more) and the per-station 510b files of West Maas en Waal (TK2025: 11 stations, GR2022: 21 stations).
Errors are planted in one unit at a time, as a paper that is itself wrong but adds up would carry them:
  swap       two lists' counts exchanged (both lists ≥ 1 % of the unit's votes)
  neighbour  a list's whole pile counted for the next list on the ballot
  drop       one digit of a list's count left out (lists ≥ 10 votes and ≥ 1 % of the unit)
  transpose  two neighbouring digits of a list's count exchanged
Detection is counted on units that raised no advice before the error was planted (so a false alarm is
never counted as a catch), for every error and for errors that move at least 2 % of the unit's votes.
The time per file is compared with reading the file (the baseline).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.domain import plausibility as rules
from shared.domain.plausibility import Unit, check_units
from shared.formats.eml.read import read_510, read_path
from shared.formats.plausibility import units_of

EML = Path(__file__).resolve().parents[2] / "shared" / "data" / "eml"
#: Advice about a unit's counts of lists (the kinds planted errors can cause); turnout, blank, invalid and
#: electorate advice is reported separately as false alarms only.
LIST_KINDS = {"shares", "swap", "shift", "cell"}


def files() -> list[Path]:
    found = sorted((EML / "tk2021").glob("Telling_TK2021_kieskring_*.eml.xml"))
    found += [
        EML / "samples" / "tk2025_westmaasenwaal" / "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        EML / "samples" / "gr2022_westmaasenwaal" / "Telling_GR2022_WestMaasenWaal.eml.xml",
    ]
    return [p for p in found if p.exists()]


Planter = Callable[[list[int], random.Random], tuple[list[int], int] | None]


def _big(votes: list[int]) -> list[int]:
    total = sum(votes)
    return [j for j, v in enumerate(votes) if v >= max(10, 0.01 * total)]


def swap(votes: list[int], rng: random.Random) -> tuple[list[int], int] | None:
    pairs = [(i, j) for i in _big(votes) for j in _big(votes) if i < j and votes[i] != votes[j]]
    if not pairs:
        return None
    i, j = rng.choice(pairs)
    out = list(votes)
    out[i], out[j] = out[j], out[i]
    return out, abs(votes[i] - votes[j])


def neighbour(votes: list[int], rng: random.Random) -> tuple[list[int], int] | None:
    options = [i for i in _big(votes) if i + 1 < len(votes)]
    if not options:
        return None
    i = rng.choice(options)
    out = list(votes)
    out[i + 1] += out[i]
    out[i] = 0
    return out, votes[i]


def drop(votes: list[int], rng: random.Random) -> tuple[list[int], int] | None:
    i = rng.choice(_big(votes))
    s = str(votes[i])
    k = rng.randrange(len(s))
    out = list(votes)
    out[i] = int(s[:k] + s[k + 1 :] or "0")
    return out, votes[i] - out[i]


def transpose(votes: list[int], rng: random.Random) -> tuple[list[int], int] | None:
    options = [
        i for i in _big(votes) if any(a != b for a, b in zip(str(votes[i]), str(votes[i])[1:], strict=False))
    ]
    if not options:
        return None
    i = rng.choice(options)
    s = str(votes[i])
    k = rng.choice([k for k in range(len(s) - 1) if s[k] != s[k + 1]])
    out = list(votes)
    out[i] = int(s[:k] + s[k + 1] + s[k] + s[k + 2 :])
    return out, abs(out[i] - votes[i])


PLANTERS: dict[str, Planter] = {"swap": swap, "neighbour": neighbour, "drop": drop, "transpose": transpose}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6, help="planted errors per file and kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = files()
    if not paths:
        print("bench/plausibility.py: ../shared/data/eml is not beside the repository; nothing measured")
        return 0

    started = time.perf_counter()
    counts = [read_510(read_path(p), str(p)) for p in paths]
    read_s = time.perf_counter() - started
    sets = [(units_of(c), c.message_id == "510b") for c in counts]
    started = time.perf_counter()
    clean = [check_units(units, stations=at_stations) for units, at_stations in sets]
    check_s = time.perf_counter() - started
    print(f"{len(paths)} files, {sum(len(u) for u, _ in sets)} units")
    print(f"time: read {read_s:.2f} s (baseline), check {check_s:.2f} s = {check_s / read_s:.1f}× reading\n")

    print("False alarms on the files as published (units with ≥ 3 peers):")
    flagged_before: set[tuple[int, str]] = set()
    for level in (True, False):
        units_total = 0
        per_kind: Counter[str] = Counter()
        any_list = 0
        for index, ((units, at_stations), findings) in enumerate(zip(sets, clean, strict=True)):
            if at_stations != level or len(units) <= rules.MIN_PEERS:
                continue
            units_total += len(units)
            for _, kind in {(f.unit, f.kind) for f in findings}:
                per_kind[kind] += 1
            listed = {f.unit for f in findings if f.kind in LIST_KINDS}
            any_list += len(listed)
            flagged_before |= {(index, u) for u in listed}
        name = "stations (510b)" if level else "municipalities (510c)"
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(per_kind.items())) or "none"
        rate = any_list / units_total if units_total else 0.0
        print(f"  {name:22} {units_total:4} units: list advice on {any_list} ({rate:.1%}); by kind: {kinds}")

    rng = random.Random(args.seed)
    print(f"\nDetection of planted errors ({args.trials} per file and kind, seed {args.seed}):")
    print(f"  {'error':10} {'planted':>7} {'found':>6} {'rate':>6}   {'≥2 % moved':>11}   found as")
    for name, plant in PLANTERS.items():
        tried = found = big_tried = big_found = 0
        as_kind: Counter[str] = Counter()
        for index, (units, at_stations) in enumerate(sets):
            if len(units) <= rules.MIN_PEERS:
                continue
            for _ in range(args.trials):
                k = rng.randrange(len(units))
                unit = units[k]
                if unit.valid < rules.MIN_VOTES or (index, unit.id) in flagged_before:
                    continue
                planted = plant(list(unit.list_votes), rng)
                if planted is None:
                    continue
                votes, moved = planted
                changed = list(units)
                changed[k] = Unit(
                    id=unit.id,
                    name=unit.name,
                    list_votes=tuple(votes),
                    blank=unit.blank,
                    invalid=unit.invalid,
                    eligible=unit.eligible,
                )
                advice = [
                    f
                    for f in check_units(changed, stations=at_stations)
                    if f.unit == unit.id and f.kind in LIST_KINDS
                ]
                big = moved >= 0.02 * unit.valid
                tried += 1
                big_tried += big
                if advice:
                    found += 1
                    big_found += big
                    as_kind[advice[0].kind] += 1
        rate = found / tried if tried else 0.0
        big_rate = f"{big_found / big_tried:.0%} of {big_tried}" if big_tried else "-"
        kinds = ", ".join(f"{k} {n}" for k, n in as_kind.most_common())
        print(f"  {name:10} {tried:7} {found:6} {rate:6.0%}   {big_rate:>11}   {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
