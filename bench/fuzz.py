"""Fuzz each reader of outside input with mutations of real inputs: tracebacks and hangs must both be 0.

    python bench/fuzz.py [--seconds 60] [--timeout 30] [--seed 1] [--only paper|eml|seats|verify] [--out DIR]

Readers, each for `--seconds`: `telketen paper decode` (a QR-sheet PDF and a PNG scan of it), `telketen eml
check` (real Kiesraad files: a 510b, a 230b, a 110b, a 520), `telketen seats` (official seat inputs from the
oracle) and `telketen verify` (a published folder of the demo, one of its files mutated per run). Mutations:
flipped and overwritten bytes, cut-off ends, deleted and duplicated chunks, digits changed, numbers made very
long (`9` × 5,000) or negative, and for `seats` edits of the parsed JSON (edge-case numbers, lists dropped or
doubled) — what a damaged scan, a truncated download or a hostile file gives.

Each input runs through the real command line (`telketen.cli.main`) in a worker process, with a timeout: an
exception out of `main` is a traceback, no answer within `--timeout` is a hang (the worker is killed and
replaced). Each traceback's input is saved under `--out` to replay. Printed per reader: inputs tried, inputs
per second, exit codes seen, tracebacks and hangs. Baseline, measured in the same run: the unmutated seed
inputs, so `× seed` says how much slower a mutated input is on average.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing as mp
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLES = SHARED / "eml" / "samples"
EML_SEEDS = [
    SAMPLES / "gr2022_westmaasenwaal" / "Telling_GR2022_WestMaasenWaal.eml.xml",
    SAMPLES / "gr2022_westmaasenwaal" / "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
    SAMPLES / "juinen" / "eml110b_stembureaulijst-juinen.eml.xml",
    SHARED / "eml" / "tk2021" / "Resultaat_TK2021.eml.xml",
]
ORACLE = SHARED / "oracle"


# ------------------------------------------------------------------------------------------------ mutations


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of `data`."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            break
        at = rng.randrange(len(out))
        kind = rng.randrange(8)
        if kind == 7:  # another digit: the file stays well-formed and valid, its numbers change
            digits = [i for i in range(at, min(len(out), at + 4000)) if 48 <= out[i] <= 57]
            if digits:
                out[rng.choice(digits)] = rng.randrange(48, 58)
        elif kind == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            out[at] = rng.randrange(256)
        elif kind == 2:
            del out[at:]
        elif kind == 3:
            del out[at : at + rng.randint(1, 200)]
        elif kind == 4:
            chunk = out[at : at + rng.randint(1, 200)]
            out[at:at] = chunk
        else:  # a number made huge, or negative, where a digit was
            digits = [i for i in range(at, min(len(out), at + 4000)) if 48 <= out[i] <= 57]
            if digits:
                where = digits[0]
                out[where:where] = b"-" if kind == 5 else b"9" * 5000
    return bytes(out)


# ------------------------------------------------------------------------------------------------ the worker


def _worker(conn: Connection) -> None:
    from telketen.cli import main

    while True:
        args = conn.recv()
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = main(args)
            conn.send(("exit", code))
        except SystemExit as exc:
            conn.send(("exit", exc.code if isinstance(exc.code, int) else 2))
        except BaseException:
            conn.send(("traceback", traceback.format_exc(limit=-3)))


class Runner:
    """One worker process at a time; a hang kills it and starts the next."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._start()

    def _start(self) -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.get_context("fork").Process(target=_worker, args=(child,), daemon=True)
        self.process.start()

    def run(self, args: list[str]) -> tuple[str, object]:
        self.conn.send(args)
        if self.conn.poll(self.timeout):
            try:
                answer: tuple[str, object] = self.conn.recv()
                return answer
            except EOFError:
                outcome: tuple[str, object] = ("traceback", "the worker died")
        else:
            outcome = ("hang", None)
        self.process.kill()
        self.process.join()
        self._start()
        return outcome

    def close(self) -> None:
        self.process.kill()
        self.process.join()


# ------------------------------------------------------------------------------------------------ the readers


@dataclass
class Tally:
    tried: int = 0
    seconds: float = 0.0
    codes: Counter[object] = field(default_factory=Counter)
    tracebacks: int = 0
    hangs: int = 0


Case = Callable[[random.Random, bool], list[str]]


def paper_case(tmp: Path) -> Case:
    from shared.adapters.qr_scan import load_images
    from shared.adapters.sheets import render_sheets

    pdf = render_sheets(bytes(range(256)) * 3, title="Fuzz", timestamp=0)
    (tmp / "seed.pdf").write_bytes(pdf)
    png = io.BytesIO()
    load_images(tmp / "seed.pdf", dpi=150)[0].save(png, format="PNG")
    seeds = {".pdf": pdf, ".png": png.getvalue()}

    def case(rng: random.Random, mutated: bool) -> list[str]:
        suffix = rng.choice(sorted(seeds))
        data = mutate(seeds[suffix], rng) if mutated else seeds[suffix]
        path = tmp / f"in{suffix}"
        path.write_bytes(data)
        return ["paper", "decode", str(path), "--dpi", "150", "-o", str(tmp / "out.bin")]

    return case


def eml_case(tmp: Path) -> Case:
    seeds = [(p.name, p.read_bytes()) for p in EML_SEEDS if p.exists()]

    def case(rng: random.Random, mutated: bool) -> list[str]:
        name, data = rng.choice(seeds)
        path = tmp / name
        path.write_bytes(mutate(data, rng) if mutated else data)
        return ["eml", "check", str(path)]

    return case


def seats_inputs() -> list[bytes]:
    """`telketen seats` inputs from the oracle: the Tweede Kamer 2021 (list votes and candidate counts) and
    Roermond 2026 (every candidate's votes, a lot)."""
    tk = json.loads((ORACLE / "TK20210317.json").read_bytes())
    gr = json.loads((ORACLE / "GR2026_Roermond_lot_abacus.json").read_bytes())
    return [
        json.dumps(one).encode()
        for one in (
            {
                "id": "TK2021",
                "category": "TK",
                "seats": tk["number_of_seats"],
                "lists": [
                    {"number": n, "votes": lst["votes"], "candidates": lst.get("number_of_candidates") or 50}
                    for n, lst in enumerate(tk["lists"], 1)
                ],
            },
            {
                "id": "GR2026",
                "category": "GR",
                "seats": gr["number_of_seats"],
                "lots": [1],
                "lists": [
                    {
                        "number": lst["list_number_in_test"],
                        "votes": lst["votes"],
                        "candidate_votes": [c["votes"] for c in lst["candidate_votes"]],
                    }
                    for lst in gr["lists"]
                ],
            },
        )
    ]


EDGE_NUMBERS = (0, 1, -1, 2**31, 2**63, 10**30, 10_000, 10_001)


def mutate_json(value: object, rng: random.Random) -> object:
    """`value` with one number replaced by an edge case or one list entry dropped or doubled: inputs that
    parse, so the computation itself is fuzzed and not only the JSON reader."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        return {**value, key: mutate_json(value[key], rng)}
    if isinstance(value, list) and value:
        at = rng.randrange(len(value))
        kind = rng.randrange(3)
        if kind == 0:
            return value[:at] + value[at + 1 :]
        if kind == 1:
            return value[: at + 1] + value[at:]
        return [*value[:at], mutate_json(value[at], rng), *value[at + 1 :]]
    if isinstance(value, int) and not isinstance(value, bool):
        return rng.choice([*EDGE_NUMBERS, value + 1, max(0, value - 1), rng.randrange(0, 2 * value + 2)])
    return value


def seats_case(tmp: Path) -> Case:
    seeds = seats_inputs()

    def case(rng: random.Random, mutated: bool) -> list[str]:
        data = rng.choice(seeds)
        if mutated and rng.random() < 0.7:
            data = json.dumps(mutate_json(json.loads(data), rng)).encode()
        elif mutated:
            data = mutate(data, rng)
        path = tmp / "seats.json"
        path.write_bytes(data)
        return ["seats", str(path)]

    return case


def verify_case(tmp: Path) -> Case:
    from telketen.demo.run import ElectionSpec, run_demo

    run_demo(tmp / "demo", spec=ElectionSpec(seed=7, sizes={"stations": 3, "lists": 3}))
    seed = tmp / "demo" / "published"
    files = sorted(p.relative_to(seed) for p in seed.rglob("*") if p.is_file() and p.suffix != ".css")
    work = tmp / "published"

    def case(rng: random.Random, mutated: bool) -> list[str]:
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(seed, work)
        if mutated:
            rel = rng.choice(files)
            (work / rel).write_bytes(mutate((seed / rel).read_bytes(), rng))
        return ["verify", str(work)]

    return case


READERS: dict[str, Callable[[Path], Case]] = {
    "paper": paper_case,
    "eml": eml_case,
    "seats": seats_case,
    "verify": verify_case,
}


def fuzz(name: str, make: Callable[[Path], Case], args: argparse.Namespace, out: Path) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix=f"telketen-fuzz-{name}-") as scratch:
        tmp = Path(scratch)
        case = make(tmp)
        runner = Runner(args.timeout)
        try:
            seed_runs, seed_start = 0, time.perf_counter()
            while seed_runs < 3:
                runner.run(case(rng, False))
                seed_runs += 1
            seed_each = (time.perf_counter() - seed_start) / seed_runs
            tally = Tally()
            start = time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                argv = case(rng, True)
                kind, value = runner.run(argv)
                tally.tried += 1
                if kind == "exit":
                    tally.codes[value] += 1
                elif kind == "hang":
                    tally.hangs += 1
                    keep(out, name, tally.tried, argv, "hang")
                else:
                    tally.tracebacks += 1
                    keep(out, name, tally.tried, argv, str(value))
            tally.seconds = time.perf_counter() - start
        finally:
            runner.close()
    each = tally.seconds / max(1, tally.tried)
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(tally.codes.items(), key=lambda kv: str(kv[0])))
    rate = tally.tried / tally.seconds
    print(
        f"{name:7} {tally.tried:6} inputs  {rate:6.1f}/s  {each / seed_each:5.2f}× seed"
        f"  tracebacks {tally.tracebacks}  hangs {tally.hangs}  exit codes {{{codes}}}"
    )


def keep(out: Path, name: str, number: int, argv: list[str], what: str) -> None:
    """Save the input files of a failing case (paths in argv under the scratch folder) and what happened."""
    target = out / f"{name}-{number}"
    target.mkdir(parents=True, exist_ok=True)
    for arg in argv:
        path = Path(arg)
        if path.is_file():
            shutil.copy(path, target / path.name)
        elif path.is_dir():
            shutil.copytree(path, target / path.name, dirs_exist_ok=True)
    (target / "what.txt").write_text(" ".join(argv) + "\n" + what)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="fuzzing time per reader")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before one input counts as a hang")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=sorted(READERS), action="append")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "telketen-fuzz")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"bench/fuzz.py: ../shared/data is not beside the repository ({SHARED})")
    print(
        f"fuzz: {args.seconds:.0f} s per reader, timeout {args.timeout:.0f} s, seed {args.seed}, "
        f"failing inputs kept in {args.out}"
    )
    for name in args.only or list(READERS):
        fuzz(name, READERS[name], args, args.out)


if __name__ == "__main__":
    main()
