"""The scanning desk ingesting whole reports: seconds and peak memory per report, ratio to raw zxing.

    python bench/desk.py [--stack N] [--before]

Cases (each read in a fresh subprocess; the memory printed is how far its peak RSS rose during the read
above its resident memory just before it, every module loaded — Linux's VmHWM, reset before the read):
- `tk-pdf`: a TK2025-size Na 31-2 (1,100 candidates, 36+ pages, its signed-summary-size QR sheet at the
  end) as the municipality's PDF, read by `qr_find.read_document` (what the desk and `scan` call);
- `stack-N`: N different municipal reports (PDFs) uploaded together: seconds per report;
- `tk-scan`: the TK2025-size report printed and scanned back as one multi-page PDF of 200 dpi page images
  (office scanner damage per page): the path for paper from other hands;
- with `--before`: `tk-pdf:before` and `tk-scan:before`, the desk as it was (every page rendered at 300 dpi
  and decoded, all pages held in memory at once).

Baseline, measured in the same run: one raw zxing-cpp call (`qr_scan.zxing_read`, fast settings) on the
report's QR sheet rendered at 300 dpi — the least any reader pays per sheet. Ratio = seconds per report /
(baseline × sheets in the report). CPU seconds are printed too: on a shared machine they are the steadier
figure. Last run (2 cores shared with 7 other jobs, load ~5), `python bench/desk.py --before`:
  tk-pdf (40 pages)   0.12 s per report (CPU 0.08 s), 6.6× raw zxing, peak +9 MB  (before: 11.9 s, +375 MB)
  stack-20            0.06 s per report (CPU 0.04 s), 3.4× raw zxing, peak +10 MB
  tk-scan (40 pages)  1.42 s per report (CPU 0.80 s),  77× raw zxing, peak +70 MB (before: 32.4 s, +434 MB)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TK_STATIONS, TK_CANDIDATES = 14, 1100
SUMMARY_BYTES = 1026


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        found = re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def _reset_peak() -> float:
    """Start the peak (VmHWM) afresh at the current resident memory, which is returned (Linux only)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    return _status_mb("VmHWM")


def worker(case: str, files: list[str]) -> dict[str, float]:
    """Read `files` as one upload in this process; seconds and peak RSS rise (MB)."""
    from shared.adapters.pdf import rasterize
    from shared.adapters.qr_find import read_document
    from shared.adapters.qr_scan import ScanReport, add_payloads, decode_page

    report = ScanReport()
    resident = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    for name in files:
        data = Path(name).read_bytes()
        if case.endswith(":before"):
            for page in rasterize(data, 300, where=name):
                add_payloads(report, decode_page(page).payloads, name)
        else:
            read_document(report, data, where=name)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": _peak_mb() - resident,
        "messages": float(len(report.messages)),
    }


def baseline(pdf: bytes) -> tuple[float, int]:
    """Median seconds of one raw zxing call on the report's last (QR) page at 300 dpi; and the sheet count."""
    import pypdfium2 as pdfium

    from shared.adapters.pdf import render_page
    from shared.adapters.qr_pdf import sheet_pages
    from shared.adapters.qr_scan import to_gray, zxing_read

    document = pdfium.PdfDocument(pdf)
    sheets = sheet_pages(document)
    gray = to_gray(render_page(document, sheets[-1], 300))
    document.close()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        zxing_read(gray)
        runs.append(time.perf_counter() - start)
    return sorted(runs)[2], len(sheets)


def run(case: str, files: list[Path]) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", case, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{case} failed: {proc.stderr.strip().splitlines()[-1:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--stack", type=int, default=20, help="municipal reports in the stack (default 20)")
    ap.add_argument("--before", action="store_true", help="also the desk as it was (every page at 300 dpi)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.files)))
        return 0

    import pypdfium2 as pdfium

    from tests.desk_reports import municipal_report, scanned_stack

    with tempfile.TemporaryDirectory(prefix="telketen-bench-desk-") as tmp:
        folder = Path(tmp)
        print(f"generating the TK2025-size report and a stack of {args.stack} municipal reports ...")
        tk = municipal_report(
            random.Random(0).randbytes(SUMMARY_BYTES), stations=TK_STATIONS, candidates=TK_CANDIDATES
        )
        (folder / "tk.pdf").write_bytes(tk)
        (folder / "tk-scan.pdf").write_bytes(scanned_stack(tk))
        stack = []
        for n in range(args.stack):
            path = folder / f"m{n:02d}.pdf"
            pdf = municipal_report(
                random.Random(n + 1).randbytes(SUMMARY_BYTES), stations=3 + n % 5, candidates=300, seed=n + 1
            )
            path.write_bytes(pdf)
            stack.append(path)
        pages = len(pdfium.PdfDocument(tk))
        zxing_s, sheets = baseline(tk)
        print(
            f"baseline: one raw zxing call on a 300 dpi QR sheet {zxing_s * 1000:.1f} ms; "
            f"TK2025-size report: {pages} pages, {sheets} QR sheet(s)"
        )
        cases: list[tuple[str, list[Path], int]] = [
            ("tk-pdf", [folder / "tk.pdf"], 1),
            (f"stack-{args.stack}", stack, args.stack),
            ("tk-scan", [folder / "tk-scan.pdf"], 1),
        ]
        if args.before:
            cases += [
                ("tk-pdf:before", [folder / "tk.pdf"], 1),
                ("tk-scan:before", [folder / "tk-scan.pdf"], 1),
            ]
        for name, files, reports in cases:
            r = run(name, files)
            if r["messages"] != reports:
                raise SystemExit(f"{name}: {r['messages']:.0f} summaries read, expected {reports}")
            per = r["seconds"] / reports
            print(
                f"{name:15} {per:6.3f} s per report ({r['seconds']:6.2f} s for {reports}, "
                f"CPU {r['cpu'] / reports:6.3f} s per report), "
                f"ratio {per / (zxing_s * sheets):6.1f}× raw zxing, peak +{r['peak_mb']:4.0f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
