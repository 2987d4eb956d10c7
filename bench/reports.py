"""Benchmark of report rendering (typst → PDF) at Tweede Kamer size: the national chain's bottleneck.

Cases (each compiled in a fresh subprocess, so its peak RSS is its own, from `resource.getrusage`):
- `trivial`: a one-page typst document: the baseline every time is divided by (typst start-up, fonts);
- `na31_2-30`, `na31_2-450`: the municipal report Na 31-2 of a generated municipality with 30 and 450
  stations, 26 lists and ~1,100 candidates, with a QR appendix (as `municipality.finalise` renders it);
- `…:before`: the same data through the report as it was before (bench/reports_before/): `auto`-sized grids
  (typst lays them out once to measure and again to place) and a Bijlage 1 that printed every station's
  letter rows and ~1,100 votes per candidate again. Bijlage 1 is now the stations' own paper (the forms the
  GSB filled in by hand, attached), as in Abacus's filled Na 31-2 (reports.md §10); the typed figures are in
  the 510b.

Wall time is noisy on a shared machine; CPU time (all typst threads) is the steadier figure. Measured
2026-11-28 on 2 shared cores (load ~2):
  na31_2-30:before   CPU 1.24 s,  131 pages, 0.9 MB, peak RSS 0.20 GB
  na31_2-30          CPU 0.26 s,   40 pages, 0.5 MB, peak RSS 0.12 GB   (4.8× less)
  na31_2-450:before  CPU 5.90 s, 1401 pages, 7.9 MB, peak RSS 0.72 GB
  na31_2-450         CPU 0.70 s,   50 pages, 1.2 MB, peak RSS 0.17 GB   (8.4× less)
What remains is §2.6 (1,100 candidate names and totals: per glyph shaping, line breaking and tagged PDF
text), the QR appendix and the page number (`counter(page).final()` in context: ~0.2 ms a page).
`pdf_tags=False` would save ~10 % CPU, at the cost of the tagged (accessible) PDF.

Run: `python bench/reports.py [--cases na31_2-30,na31_2-450]`. Prints one line per case.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

# This file sits next to `bench/municipality.py`: drop its own folder from the path so that
# `import municipality` finds the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

CASES = ("trivial", "na31_2-30:before", "na31_2-30", "na31_2-450:before", "na31_2-450")
AT = datetime(2029, 3, 22, 2, 0, 0)


def _ledger(votes: list[int]) -> str:
    """The old Bijlage 1's ledger of one list: 20 candidates per line, headed by their numbers."""
    cells = [str(v) if v else "-" for v in votes]
    width, label = max((len(c) for c in cells), default=1), len(f"{len(cells)}-{len(cells)}")
    return "\n".join(
        f"{start + 1}-{start + len(cells[start : start + 20])}".rjust(label)
        + " \u2502"
        + "".join(" " + c.rjust(width) for c in cells[start : start + 20])
        for start in range(0, len(cells), 20)
    )


def _before(data: dict[str, Any], results: list[Any], qr_markup: str, qr_files: dict[str, bytes]) -> bytes:
    """The previous report (bench/reports_before/): `auto`-sized grids and a Bijlage 1 that printed every
    station's letter rows and votes per candidate, fed the fields it used to get."""
    from municipality.report import letter_rows
    from shared.adapters.pdf import compile_typst, pdf_timestamp
    from shared.formats import dutch

    names = {lst["number"]: lst["name"] for lst in data["lists"]}
    stations = []
    for row, r in zip(data["stations"], results, strict=True):
        voters, votes = letter_rows(r.tally, names, local=False, station=True, original=None)
        rows = voters + votes
        lists = [
            {
                "number": t.number,
                "name": names.get(t.number, ""),
                "votes_text": dutch.number(t.votes),
                "candidates_text": _ledger(list(t.candidate_votes)),
            }
            for t in r.tally.lists
        ]
        stations.append(
            {
                **row,
                "rows": {key: "\n".join(x[field] for x in rows) for key, field in
                         (("codes", "code"), ("labels", "label"), ("values", "text"))},
                "lists": lists,
            }
        )  # fmt: skip
    folder = Path(__file__).resolve().parent / "reports_before"
    files = {p.name: p.read_bytes() for p in folder.glob("*.typ")}
    source = files.pop("na31_2.typ").decode() + "\n#pagebreak()\n" + qr_markup
    files["data.json"] = json.dumps({**data, "stations": stations}, ensure_ascii=False).encode()
    return compile_typst(source, {**files, **qr_files}, timestamp=pdf_timestamp(AT))


def _na31_2(stations: int, before: bool = False) -> bytes:
    from municipality.finalise import municipal_totals
    from municipality.report import StationResult, na31_2_data, render_na31_2
    from shared.adapters.sheets import sheet_markup
    from shared.domain.generate import generate_national

    gen = generate_national(
        random.Random(1), districts=1, municipalities=1, stations=stations, candidates=1100
    )
    muni = gen.election.municipalities[0]
    results = [StationResult(station=st, tally=gen.tallies[st.id]) for st in muni.stations]
    totals = municipal_totals(results)
    data = na31_2_data(
        gen.election, muni, totals, results, generated=AT, eml_sha256="0" * 64, audit_head=(1, "0" * 64),
        session_text="bench",
    )  # fmt: skip
    qr_markup, qr_files = sheet_markup(bytes(range(256)) * 3, title="Samenvatting", subtitle="bench")
    t0, c0 = time.perf_counter(), _cpu()
    pdf = (
        _before(data, results, qr_markup, qr_files)
        if before
        else render_na31_2(data, qr_markup, qr_files, at=AT)
    )
    _WORK["seconds"], _WORK["cpu"] = time.perf_counter() - t0, _cpu() - c0
    return pdf


def _trivial() -> bytes:
    from shared.adapters.pdf import compile_typst

    t0, c0 = time.perf_counter(), _cpu()
    pdf = compile_typst('#set text(font: "Libertinus Serif", lang: "nl")\nHallo, wereld.\n', timestamp=0)
    _WORK["seconds"], _WORK["cpu"] = time.perf_counter() - t0, _cpu() - c0
    return pdf


_WORK: dict[str, float] = {}


def _cpu() -> float:
    """CPU seconds of this process (all typst threads): steadier than wall time on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_case(name: str) -> dict[str, float]:
    """Compile one case in this process; the compile time only (not data generation)."""
    import pypdfium2 as pdfium

    if name == "trivial":
        pdf = _trivial()
    elif name.startswith("na31_2-"):
        size, _, variant = name.split("-")[1].partition(":")
        pdf = _na31_2(int(size), before=variant == "before")
    else:
        raise SystemExit(f"unknown case {name!r}")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": _WORK["seconds"],
        "cpu": _WORK["cpu"],
        "pages": float(len(pdfium.PdfDocument(pdf))),
        "bytes": float(len(pdf)),
        "peak_gb": peak_kb / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_case(args.worker)))
        return 0
    names = ["trivial"] + [c for c in args.cases.split(",") if c and c != "trivial"]
    base = 0.0
    for name in names:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", name], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            print(f"{name:12} FAILED: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if name == "trivial":
            base = max(r["seconds"], 1e-3)
        print(
            f"{name:12} {r['seconds']:7.2f} s = {r['seconds'] / base:6.0f}× trivial, CPU {r['cpu']:6.2f} s, "
            f"{r['pages']:5.0f} pages, {r['bytes'] / 1e6:6.1f} MB, peak RSS {r['peak_gb']:.2f} GB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
