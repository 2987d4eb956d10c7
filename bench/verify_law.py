"""Benchmark: verify's own seat law (`telketen.verify.law`) against the central office's code
(`shared.domain.seats`, the baseline, measured in the same run on the same data) on every oracle election
(4 TK + 668 municipal councils), and a Tweede Kamer with candidate votes (37 lists × 80 candidates). Both must
give the same seats; the ratio says what the plain, step-free second reading costs or saves.
Then the whole `verify` of the Kiesraad's TK2021 result set (list groups over 20 kieskringen), once.

Run: python bench/verify_law.py   (needs ../shared/data beside the repository)
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.domain.seats import ListInput, SeatsInput, compute
from telketen.verify import law
from telketen.verify.run import verify_dir

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def elections() -> list[tuple[str, int, list[tuple[int, tuple[int, ...] | None]]]]:
    """(category, seats, [(votes, candidate votes or None)]): every oracle election, one with candidates."""
    out: list[tuple[str, int, list[tuple[int, tuple[int, ...] | None]]]] = []
    for name in ("TK20170315", "TK20210317", "TK20231122", "TK20251029"):
        d: Any = json.loads((SHARED / "oracle" / f"{name}.json").read_text(encoding="utf-8"))
        out.append(("TK", d["number_of_seats"], [(x["votes"], None) for x in d["lists"]]))
    for name in ("GR20180321", "GR20220316"):
        d = json.loads((SHARED / "oracle" / f"{name}_municipalities.json").read_text(encoding="utf-8"))
        out.extend(
            ("GR", m["number_of_seats"], [(x["votes"], None) for x in m["lists"]])
            for m in d["municipalities"]
        )
    rng = random.Random(5)
    lists: list[tuple[int, tuple[int, ...] | None]] = []
    for _ in range(37):
        cand = tuple(int(rng.paretovariate(1.2) * 300) for _ in range(80))
        lists.append((sum(cand), cand))
    out.append(("TK", 150, lists))
    return out


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    data = elections()
    central_inputs = [
        SeatsInput(
            id=str(i),
            category=cat,  # type: ignore[arg-type]
            seats=seats,
            lists=tuple(ListInput(number=n, votes=v, candidate_votes=c) for n, (v, c) in enumerate(lists, 1)),
        )
        for i, (cat, seats, lists) in enumerate(data)
    ]
    verify_inputs = [
        (cat, seats, [law.ListVotes(n, v, candidate_votes=c) for n, (v, c) in enumerate(lists, 1)])
        for cat, seats, lists in data
    ]
    for inp, (cat, seats, lists) in zip(central_inputs, verify_inputs, strict=True):
        mine = law.compute(cat, seats, lists)
        assert mine.seats is not None and {str(k): v for k, v in mine.seats.items()} == compute(inp).seats
    base = timed(lambda: [compute(inp) for inp in central_inputs])
    ours = timed(lambda: [law.compute(c, s, lists) for c, s, lists in verify_inputs])
    print(f"{len(data)} elections, same seats in both")
    print(f"central office's compute (baseline): {base * 1000:8.1f} ms")
    print(f"verify's own law:                    {ours * 1000:8.1f} ms   ratio {ours / base:.2f}×")
    tk2021 = SHARED / "eml" / "tk2021"
    t = time.perf_counter()
    report = verify_dir(tk2021)
    spent = time.perf_counter() - t
    print(
        f"verify {tk2021.name}: {spent:.1f} s, {report.elected} elected recomputed, "
        f"{len(report.findings)} findings (the Kiesraad's documented ones)"
    )


if __name__ == "__main__":
    main()
