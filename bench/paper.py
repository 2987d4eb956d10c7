"""Benchmark of paper transport: capacity, render and decode time, recovery under print–scan damage.

    python bench/paper.py [--seeds N] [--quick]

For both layouts (default and dense) at 200 and 300 dpi: bytes and symbols per page, render ms per page,
decode ms per page (median), and the share of pages read completely after each simulated degradation. Times
are also given as a ratio to the baseline measured in the same run: one raw zxing-cpp call on the same page
(what our first pass is; the rest of the pipeline only runs for what it missed). Raw zxing's own recovery is
printed next to ours, to show what the grid retry adds. Then the demo's print & scan
(`telketen.demo.paper.print_and_scan`: render at 200 dpi, scanner damage, JPEG file, read back, decode) per
page, for a municipal summary (1,026 bytes, one page of two symbols) and a full default page, as a ratio to
one raw zxing-cpp call on the delivered page (last run, busy 2-core machine: summary 311 ms/page, ratio 9.9,
was 18.0 before the sensor model was batched and complete pages skipped the grid retry; full page ratio 11.2,
was 13.2: rendering its 15 symbol images dominates). A size sweep (1 B to 100 KB, scanner-like damage) closes
it.
Before all that, QR encoding alone: one version-40 symbol by our numpy encoder vs the `qrcode` library it
replaced (same modules; last run, 40-M on a busy 2-core machine: 4.9 ms vs 472 ms, ratio 0.010).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import qrcode
import qrcode.constants
import qrcode.util

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.adapters.degrade import DEGRADATIONS, scanner_like
from shared.adapters.pdf import rasterize
from shared.adapters.qr_render import byte_capacity, qr_matrix
from shared.adapters.qr_scan import decode_page, load_images, to_gray, zxing_read
from shared.adapters.sheets import choose_layout, render_sheets
from shared.formats.framing import DIGEST_LEN, Reassembler, frame
from telketen.demo.paper import print_and_scan


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def bench_encoder(repeats: int) -> None:
    """Baseline: `qrcode` in byte mode at a fixed version, mask by its own penalty (what we used to call)."""
    payload = random.Random(40).randbytes(byte_capacity(40, "M"))

    def reference() -> None:
        qr = qrcode.QRCode(version=40, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        qr.add_data(qrcode.util.QRData(payload, mode=qrcode.util.MODE_8BIT_BYTE))
        qr.make(fit=False)

    def ours() -> None:
        qr_matrix(payload, 40, "M")

    ours()  # per-version tables are built once per process
    times = {}
    for name, encode, count in (("ours", ours, 10 * repeats), ("qrcode", reference, repeats)):
        runs = []
        for _ in range(count):
            t = time.perf_counter()
            encode()
            runs.append(time.perf_counter() - t)
        times[name] = statistics.median(runs)
    print(
        f"== QR encoding, one version 40-M symbol ({len(payload)} bytes): {ms(times['ours']).strip()} ms; "
        f"baseline qrcode {ms(times['qrcode']).strip()} ms; ratio {times['ours'] / times['qrcode']:.3f}"
    )


def bench_layout(dense: bool, pages: int, seeds: int) -> None:
    layout = choose_layout(10**6, dense=dense)
    size = pages * layout.bytes_per_page() - DIGEST_LEN
    payload = random.Random(1).randbytes(size)
    start = time.perf_counter()
    pdf = render_sheets(payload, title="Benchmark", dense=dense)
    render = (time.perf_counter() - start) / pages
    chunks = set(frame(payload, layout.chunk_capacity))
    name = "dense" if dense else "default"
    print(
        f"\n== layout {name}: version {layout.version}-{layout.ecc}, {layout.module_mm} mm modules, "
        f"{layout.cols}x{layout.rows} = {layout.per_page} symbols/page, "
        f"{layout.bytes_per_page()} bytes/page, render {ms(render).strip()} ms/page"
    )
    for dpi in (200, 300):
        images = rasterize(pdf, dpi)
        raw_times, our_times = [], []
        for image in images:
            gray = to_gray(image)
            for _ in range(3):
                t = time.perf_counter()
                zxing_read(gray)
                raw_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                decode_page(gray)
                our_times.append(time.perf_counter() - t)
        raw, ours = statistics.median(raw_times), statistics.median(our_times)
        print(
            f"-- {dpi} dpi: decode clean page median {ms(ours).strip()} ms; "
            f"baseline raw zxing {ms(raw).strip()} ms; ratio {ours / raw:.2f}"
        )
        print(
            f"   {'degradation':<14} {'pages ok':>9} {'symbols':>9} {'raw zxing':>9} "
            f"{'decode ms':>9} {'ratio':>6}"
        )
        for deg_name, degrade in DEGRADATIONS.items():
            pages_ok = total_pages = symbols_ok = symbols_total = raw_ok = 0
            times: list[float] = []
            raws: list[float] = []
            for seed in range(seeds):
                rng = random.Random(seed * 7919 + dpi)
                for image in images:
                    gray = to_gray(degrade(image, rng, dpi))
                    t = time.perf_counter()
                    first = zxing_read(gray)
                    raws.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    result = decode_page(gray)
                    times.append(time.perf_counter() - t)
                    expected = min(layout.per_page, len(chunks))
                    got = len(set(result.payloads) & chunks)
                    raw_ok += len({f.data for f in first} & chunks)
                    symbols_ok += got
                    symbols_total += expected
                    pages_ok += got == expected
                    total_pages += 1
            med, med_raw = statistics.median(times), statistics.median(raws)
            print(
                f"   {deg_name:<14} {100 * pages_ok / total_pages:8.1f}% "
                f"{100 * symbols_ok / symbols_total:8.2f}% {100 * raw_ok / symbols_total:8.2f}% "
                f"{ms(med):>9} {med / med_raw:6.2f}"
            )


def bench_print_and_scan(seeds: int) -> None:
    print("\n== demo print & scan, 200 dpi: render, scanner damage, JPEG file, read back, decode (per page)")
    print(f"   {'bytes':>7} {'pages':>6} {'ms/page':>8} {'raw zxing':>9} {'ratio':>6}")
    for size in (1026, 14_638):
        payload = random.Random(size).randbytes(size)
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "sheets.pdf"
            pdf.write_bytes(render_sheets(payload, title="Benchmark"))
            per_page: list[float] = []
            raws: list[float] = []
            for seed in range(seeds):
                t = time.perf_counter()
                scanned = print_and_scan(pdf, Path(tmp) / "scans", random.Random(seed), stem=f"s{seed}")
                per_page.append((time.perf_counter() - t) / len(scanned.files))
                assert scanned.messages == (payload,), "the demo's scan lost the message"
                for path in scanned.files:
                    gray = to_gray(load_images(path)[0])
                    t = time.perf_counter()
                    zxing_read(gray)
                    raws.append(time.perf_counter() - t)
        med, med_raw = statistics.median(per_page), statistics.median(raws)
        print(f"   {size:>7} {len(scanned.files):>6} {ms(med):>8} {ms(med_raw):>9} {med / med_raw:6.2f}")


def bench_sizes(seeds: int) -> None:
    print("\n== size sweep, default layout, scanner-like damage (message-level success)")
    print(f"   {'bytes':>7} {'symbols':>8} {'pages':>6} {'render ms':>10} {'200 dpi':>8} {'300 dpi':>8}")
    for size in (1, 100, 800, 3000, 9000, 14_638, 30_000, 100_000):
        payload = random.Random(size).randbytes(size)
        t = time.perf_counter()
        pdf = render_sheets(payload, title="Benchmark")
        render = time.perf_counter() - t
        layout = choose_layout(size)
        symbols = len(frame(payload, layout.chunk_capacity))
        rates = []
        for dpi in (200, 300):
            images = rasterize(pdf, dpi)
            ok = 0
            for seed in range(seeds):
                rng = random.Random(seed)
                reassembler = Reassembler()
                for image in images:
                    for data in decode_page(scanner_like(image, rng, dpi)).payloads:
                        reassembler.add(data)
                ok += reassembler.complete and reassembler.message() == payload
            rates.append(100 * ok / seeds)
        print(
            f"   {size:>7} {symbols:>8} {len(images):>6} {ms(render):>10} {rates[0]:7.0f}% {rates[1]:7.0f}%"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=5, help="damaged copies per page and degradation")
    parser.add_argument("--quick", action="store_true", help="one page per layout, two seeds, no size sweep")
    args = parser.parse_args()
    seeds = 2 if args.quick else args.seeds
    bench_encoder(repeats=3 if args.quick else 7)
    bench_layout(dense=False, pages=1 if args.quick else 2, seeds=seeds)
    bench_layout(dense=True, pages=1, seeds=seeds)
    bench_print_and_scan(seeds=max(3, seeds))
    if not args.quick:
        bench_sizes(seeds=max(2, seeds // 2))


if __name__ == "__main__":
    main()
