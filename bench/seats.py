"""Benchmark: every oracle election (4 TK + 668 municipal councils + 3 Abacus cases) and a Tweede Kamer with
candidate assignment, through `shared.domain.seats.compute` in-process and through one `telketen seats --json`
process; and the real Tweede Kamer 2021 with its list groups (20 kieskringen' lists and candidate votes from
the Kiesraad's files, `compute_groups`: P 1, P 5–P 10, P 12, P 13, P 15–P 18), checked against the official
520. The baseline, measured in the same run on the same data, is a plain float D'Hondt (no P 8, P 9, P 10, no
steps, no exact fractions): the ratio says what exactness and the recorded steps cost.

Run: python bench/seats.py   (needs ../shared/data beside the repository)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from shared.domain.election import Election
from shared.domain.groups import ListGroup, build_groups, national_view
from shared.domain.seats import ListInput, SeatsInput, compute_batch, compute_groups
from shared.formats.eml.build import build_election
from shared.formats.eml.read import read_110a, read_230b, read_510, read_520, read_path

REPO = Path(__file__).resolve().parents[1]
ORACLE = REPO.parent / "shared" / "data" / "oracle"
TK2021 = REPO.parent / "shared" / "data" / "eml" / "tk2021"


def oracle_inputs() -> list[SeatsInput]:
    out: list[SeatsInput] = []

    def simple(eid: str, cat: str, seats: int, lists: list[dict[str, Any]]) -> SeatsInput:
        return SeatsInput(
            id=eid,
            category=cat,  # type: ignore[arg-type]
            seats=seats,
            lists=tuple(
                ListInput(number=i, votes=x["votes"], candidates=x.get("number_of_candidates"))
                for i, x in enumerate(lists, 1)
            ),
        )

    for name in ("TK20170315", "TK20210317", "TK20231122", "TK20251029"):
        d = json.loads((ORACLE / f"{name}.json").read_text(encoding="utf-8"))
        out.append(simple(name, "TK", d["number_of_seats"], d["lists"]))
    for name in ("GR20180321", "GR20220316"):
        d = json.loads((ORACLE / f"{name}_municipalities.json").read_text(encoding="utf-8"))
        out.extend(
            simple(m["municipality"], "GR", m["number_of_seats"], m["lists"]) for m in d["municipalities"]
        )
    for name, lots in (
        ("GR2022_Reusel-De_Mierden_P9_abacus", ()),
        ("GR2022_Enkhuizen_P10_abacus", ()),
        ("GR2026_Roermond_lot_abacus", (9,)),
    ):
        d = json.loads((ORACLE / f"{name}.json").read_text(encoding="utf-8"))
        out.append(
            SeatsInput(
                id=name,
                category="GR",
                seats=d["number_of_seats"],
                lots=lots,
                lists=tuple(
                    ListInput(
                        number=x["list_number_in_test"],
                        votes=x["votes"],
                        candidate_votes=tuple(c["votes"] for c in x["candidate_votes"]),
                    )
                    for x in d["lists"]
                ),
            )
        )
    return out


def tk_with_candidates() -> SeatsInput:
    """TK2021's list votes with 80 candidates per list and made-up preference votes (fixed seed)."""
    d = json.loads((ORACLE / "TK20210317.json").read_text(encoding="utf-8"))
    rnd = random.Random(2021)
    lists = []
    for i, x in enumerate(d["lists"], 1):
        weights = [rnd.paretovariate(1.2) for _ in range(80)]
        weights[0] *= 40
        scale = x["votes"] / sum(weights)
        cand = [int(w * scale) for w in weights]
        cand[0] += x["votes"] - sum(cand)
        lists.append(ListInput(number=i, votes=x["votes"], candidate_votes=tuple(cand)))
    return SeatsInput(id="TK2021-candidates", category="TK", seats=150, lists=tuple(lists))


def tk2021_groups() -> tuple[Election, tuple[ListGroup, ...]]:
    """The real TK2021: 110a + 20 230b, each kieskring's candidate votes from its 510c (Bonaire: the 510d)."""
    a110 = read_110a(read_path(TK2021 / "Verkiezingsdefinitie_TK2021.eml.xml"))
    election = build_election(
        a110, [read_230b(read_path(p)) for p in sorted(TK2021.glob("Kandidatenlijsten_*"))]
    )
    votes = {
        u.id.removeprefix("HSB"): {x.number: x.candidate_votes for x in u.tally.lists}
        for u in read_510(read_path(TK2021 / "Totaaltelling_TK2021.eml.xml")).units
    }
    for path in TK2021.glob("Telling_TK2021_kieskring_*"):
        count = read_510(read_path(path), path.name)
        votes[count.contest_id] = {x.number: x.candidate_votes for x in count.total.tally.lists}
    return election, build_groups(election, votes)


def float_dhondt(seats: int, votes: list[int]) -> list[int]:
    won = [0] * len(votes)
    for _ in range(seats):
        best = max(range(len(votes)), key=lambda i: votes[i] / (won[i] + 1))
        won[best] += 1
    return won


def best_of(n: int, fn: Any) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    if not ORACLE.is_dir():
        print(f"skipped: {ORACLE} not found")
        return 0
    inputs = oracle_inputs()
    raw = [(inp.seats, [x.votes for x in inp.lists]) for inp in inputs]
    baseline = best_of(5, lambda: [float_dhondt(s, v) for s, v in raw])
    exact = best_of(5, lambda: compute_batch(inputs))
    results = compute_batch(inputs)
    assert all(r.status == "complete" for r in results)

    tk = tk_with_candidates()
    tk_time = best_of(5, lambda: compute_batch([tk]))
    tk_base = best_of(5, lambda: float_dhondt(150, [x.votes for x in tk.lists]))
    elected = sum(len(v) for v in (compute_batch([tk])[0].elected or {}).values())

    real_rows: list[tuple[str, float | int | None, float | None]] = []
    if TK2021.is_dir():
        election, groups = tk2021_groups()
        group_votes = [g.votes for g in groups]
        real = compute_groups(election.id, "TK", 150, groups)
        official = read_520(read_path(TK2021 / "Resultaat_TK2021.eml.xml"))
        view = national_view(election, groups, election.districts[0].id)
        ours = [
            (g.number, (view.list_by_number(g.number) or view.lists[0]).candidates[p - 1].last_name)
            for g in real.groups
            for p in g.elected
        ]
        assert ours == [(e.list_number, e.candidate.last_name) for e in official.elected], "differs from 520"
        real_base = best_of(5, lambda: float_dhondt(150, group_votes))
        real_time = best_of(5, lambda: compute_groups(election.id, "TK", 150, groups))
        members = sum(len(g.members) for g in groups)
        real_rows = [
            (
                f"TK2021 as published: {len(groups)} list groups, {members} lists, 150 elected = the 520",
                None,
                None,
            ),
            ("  float D'Hondt baseline", real_base, real_base),
            ("  exact seats + P 12/P 13 split + candidates", real_time, real_base),
        ]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "oracle.json"
        path.write_bytes(msgspec.json.encode(inputs))
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "telketen", "seats", "--json", str(path)], capture_output=True, check=True
        )
        process = time.perf_counter() - t
        assert len(json.loads(done.stdout)) == len(inputs)
        tiny = Path(tmp) / "tiny.json"
        tiny.write_bytes(msgspec.json.encode(inputs[0]))
        startup = best_of(
            3,
            lambda: subprocess.run(
                [sys.executable, "-m", "telketen", "seats", "--json", str(tiny)],
                capture_output=True,
                check=True,
            ),
        )

    rows = [
        ("oracle elections", len(inputs), None),
        ("  float D'Hondt baseline (no rules, no steps)", baseline, baseline),
        ("  exact compute, in process", exact, baseline),
        ("  one `telketen seats --json` process", process, baseline),
        ("  same process for a single tiny election (startup)", startup, baseline),
        (f"Tweede Kamer, {len(tk.lists)} lists x 80 candidates, {elected} elected", None, None),
        ("  float D'Hondt baseline", tk_base, tk_base),
        ("  exact seats + candidates, in process", tk_time, tk_base),
        *real_rows,
    ]
    for label, value, base in rows:
        if base is None:
            print(f"{label}:" if value is None else f"{label}: {value}")
        else:
            assert isinstance(value, float)
            print(f"{label:<55} {value * 1000:9.2f} ms  ({value / base:6.1f}x baseline)")
    print(
        f"target: whole oracle < 2 s in process: {'met' if exact < 2 else 'MISSED'}; as one process: "
        f"{'met' if process < 2 else 'MISSED'} (of which startup {startup:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
