"""Benchmark of the municipal app at Tweede Kamer size: 450 stations, ~1,100 candidates (26 lists).

Measures, in one run, with baselines measured in the same run:
- validating one station report (`shared.domain.validation.validate`), against one committed SQLite write
  transaction (the cost floor of any save);
- one typist's save through the service (transaction + audit row + validation);
- finalising: municipal totals + 510b + CSV + signed summary + PDF, against the plain sum of the tallies;
- rendering the Na 31-2 report alone (typst), reported in seconds and pages.

Run: `python bench/municipality.py [--stations 450] [--candidates 1100]`. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

# This file is named like the package it measures: drop its own folder from the path so that
# `import municipality` finds the package, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import pypdfium2 as pdfium  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from municipality import setup  # noqa: E402
from municipality.finalise import build_outputs, municipal_totals, station_results  # noqa: E402
from municipality.report import na31_2_data, report_source  # noqa: E402
from municipality.service import Service, SourceFile, User  # noqa: E402
from shared.adapters.pdf import compile_typst  # noqa: E402
from shared.adapters.store import transaction  # noqa: E402
from shared.domain.generate import generate_national  # noqa: E402
from shared.domain.station_report import report_from_tally  # noqa: E402
from shared.domain.tally import add_tallies  # noqa: E402
from shared.domain.validation import validate  # noqa: E402


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Median wall time of `fn` in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--stations", type=int, default=450)
    ap.add_argument("--candidates", type=int, default=1100)
    ap.add_argument("--seed", type=int, default=2029)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    gen = generate_national(
        random.Random(args.seed),
        districts=1,
        municipalities=1,
        stations=args.stations,
        candidates=args.candidates,
    )
    election = gen.election
    muni = election.municipalities[0]
    n_cand = sum(len(cl.candidates) for cl in election.district(muni.district_id).lists)
    print(
        f"election     {args.stations} stations, {n_cand} candidates, "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        key = Ed25519PrivateKey.generate()
        at = datetime(2029, 3, 22, 2, 0, 0)
        setup.initialise(
            Path(tmp) / "state", election, muni.code,
            sources=[SourceFile(kind="110a", name="x", sha256="0" * 64)],
            passphrase=b"benchmark passphrase", at=at, private_key=key,
        )  # fmt: skip
        svc = Service.open(Path(tmp) / "state", at="t")
        typists = (User("anna", "typist"), User("bert", "typist"))
        reports = {
            st.id: report_from_tally("cso_first", gen.tallies[st.id], with_voter_cards=svc.voter_cards)
            for st in muni.stations
        }
        ctx = svc.validation_context()
        one = reports[muni.stations[0].id]

        def sqlite_round_trip() -> None:
            with transaction(svc.conn):
                svc.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench', 'x')")

        rt = timed(sqlite_round_trip, 50)
        val = timed(lambda: validate(one, ctx), 50)
        print(f"baseline     one committed SQLite transaction: {rt * 1e3:.2f} ms")
        print(f"validate     one station report: {val * 1e3:.2f} ms = {val / rt:.2f}× a SQLite round trip")

        t_entries = time.perf_counter()
        save_times = []
        for st in muni.stations:
            for typist in typists:
                svc.claim(typist, st.id, at="t")
                s0 = time.perf_counter()
                svc.save(typist, st.id, reports[st.id], progress=100, at="t")
                save_times.append(time.perf_counter() - s0)
                svc.finalise_entry(typist, st.id, accept_warnings=True, at="t")
        entries = time.perf_counter() - t_entries
        save = statistics.median(save_times)
        print(
            f"save         one entry through the service: {save * 1e3:.2f} ms "
            f"= {save / rt:.1f}× a SQLite round trip"
        )
        print(f"double entry {2 * len(muni.stations)} entries (claim+save+finalise): {entries:.1f} s")

        results = svc.definitive_results()
        tallies = [(st.id, gen.tallies[st.id]) for st in muni.stations]
        plain = timed(lambda: add_tallies(tallies), 5)
        print(f"baseline     plain sum of {len(tallies)} tallies: {plain * 1e3:.1f} ms")

        stations = station_results(results)
        totals = municipal_totals(stations)
        data = na31_2_data(
            election, muni, totals, stations, generated=at, eml_sha256="0" * 64, audit_head=(1, "0" * 64),
            session_text="bench",
        )  # fmt: skip
        source, files = report_source("na31_2.typ", data)
        r0 = time.perf_counter()
        pdf = compile_typst(source, files)
        render = time.perf_counter() - r0
        pages = len(pdfium.PdfDocument(pdf))
        print(
            f"render       Na 31-2 PDF: {render:.1f} s, {pages} pages, {len(pdf) / 1e6:.1f} MB "
            f"= {render / plain:.0f}× the plain sum"
        )

        f0 = time.perf_counter()
        out = build_outputs(
            election, muni, results, at=at, private_key=key, phase=0, supersedes=b"", previous=None,
            audit_head=(1, "0" * 64), session_text="bench",
        )  # fmt: skip
        fin = time.perf_counter() - f0
        print(
            f"finalise     totals+510b+CSV+summary+PDF: {fin:.1f} s = {fin / plain:.0f}× the plain sum "
            f"(510b {len(out.files[out.eml_name]) / 1e6:.1f} MB, summary {len(out.signed)} B)"
        )
        svc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
