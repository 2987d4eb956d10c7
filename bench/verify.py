"""`telketen verify` and the results site on a published folder: seconds, MB/s, ratio to a plain parse.

    python bench/verify.py PUBLISHED [--workers N] [--no-site] [--repeat N]

PUBLISHED is the published folder of a demo run, e.g. `telketen demo --scale national --out /tmp/nat` gives
`/tmp/nat/published` (~1.2 GB of EML for 10,000 stations), or `python bench/chain.py --out DIR` gives
`DIR/national/published`. Baseline, measured in the same run first: a plain `lxml.etree.parse` of every EML
file in the folder (no checks, no numbers read) — what any XML tool pays to look at the files at all.

Printed: the baseline; reading the folder (`collect`, every file read, hashed and parsed, each PDF's QR sheets
decoded) with one process and with the workers; the QR sheets of every PDF alone (`read_embedded_sheets`, one
process); the whole `verify_dir`; the signed manifests alone (`check_manifests`: each manifest's signature,
every listed file against its SHA-256 — taken from `collect`, as in `verify_dir` — and every file in the
folder covered), with its share of `verify_dir`; and the results site (`central.site.build_site`, into a
scratch copy of the folder's `site/`), its inputs rebuilt from the published files as the central office
holds them (summaries of the districts, the 510d's totals, the seats recomputed). Each as seconds, MB/s of
EML and × the baseline. The site is written to a temporary folder next to the files (hard links), never into
PUBLISHED.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.adapters.qr_pdf import read_embedded_sheets
from shared.formats.eml.model import Count510
from telketen.verify import collect as collect_module
from telketen.verify.findings import Report
from telketen.verify.manifest import check_manifests
from telketen.verify.run import election_of, verify_dir
from telketen.verify.tree import verify_signatures


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def eml_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*.xml") if p.is_file() and "site" not in p.relative_to(folder).parts
    )


def plain_parse(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        n += len(etree.parse(str(p)).getroot())
    return n


def site_inputs(published: Path) -> dict[str, Any] | None:
    """build_site's arguments as the central office has them, rebuilt from the published files."""
    from central.site import Area
    from shared.formats.summary import tally_from_counts
    from telketen.verify.result import read_deceased, recompute
    from telketen.verify.tree import verify_signatures

    report = Report(directory=str(published))
    found = collect_module.collect(published, report)
    election = election_of(found, report)
    if election is None:
        return None
    summaries = verify_signatures(found, election, report)
    by_digest = {v.digest: v for v in summaries}
    central = [v for v in summaries if str(v.summary.role) == "central"]
    d510 = [f for f in found.emls if isinstance(f.message, Count510) and f.message.message_id == "510d"]
    if not central or len(d510) != 1:
        return None
    c510d = d510[0].message
    assert isinstance(c510d, Count510)
    deceased: dict[int, tuple[int, ...]] = {}
    for blob in found.deceased:
        deceased = read_deceased(blob, election, report)
    result = recompute(election, c510d, (), deceased)
    if result.status != "complete":
        return None
    areas = []
    for child in central[0].summary.children:
        v = by_digest[child.digest]
        areas.append(
            Area(
                id=v.summary.authority_id,
                name=v.summary.authority_id,
                digest=v.digest,
                tally=tally_from_counts(v.summary.counts),
                children=tuple((c.authority_id, c.digest) for c in v.summary.children),
            )
        )
    return {
        "election": election,
        "view": election.districts[0],
        "total": c510d.total.tally,
        "result": result,
        "areas": areas,
        "deceased": deceased,
        "authority": "Kiesraad",
        "at": datetime(2026, 3, 18, 23, 0),
    }


def linked_copy(published: Path, into: Path) -> Path:
    """The published folder as hard links (no bytes copied), without its site, to write a site into."""
    out = into / published.name
    for src in published.rglob("*"):
        rel = src.relative_to(published)
        if rel.parts[0] == "site" or not src.is_file():
            continue
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("published", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-site", action="store_true")
    args = parser.parse_args()
    published: Path = args.published
    paths = eml_files(published)
    mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{published}: {len(paths)} EML files, {mb:.0f} MB", flush=True)

    base, _ = best(lambda: plain_parse(paths), args.repeat)

    def line(name: str, seconds: float) -> None:
        print(
            f"{name:44} {seconds:7.2f} s {mb / seconds:7.1f} MB/s {seconds / base:6.2f}× baseline", flush=True
        )

    line("baseline: lxml.etree.parse of every file", base)
    has_workers = "workers" in collect_module.collect.__code__.co_varnames
    kwargs: dict[str, Any] = {"workers": 1} if has_workers else {}
    t, _ = best(lambda: collect_module.collect(published, Report(directory=""), **kwargs), args.repeat)
    line("read the folder (collect), 1 process", t)
    if has_workers and args.workers > 1:
        t, _ = best(
            lambda: collect_module.collect(published, Report(directory=""), workers=args.workers), args.repeat
        )
        line(f"read the folder (collect), {args.workers} workers", t)
    pdfs = sorted(p for p in published.rglob("*.pdf") if "site" not in p.relative_to(published).parts)

    def read_sheets() -> int:
        return sum(len(read_embedded_sheets(p.read_bytes(), where=p.name).messages) for p in pdfs)

    t, messages = best(read_sheets, args.repeat)
    line(f"the QR sheets of {len(pdfs)} PDFs ({messages} messages), 1 process", t)
    t, report = best(lambda: verify_dir(published), args.repeat)
    assert isinstance(report, Report)
    line(f"verify_dir ({'VERIFIED' if report.ok else 'NOT VERIFIED'})", t)
    if not report.ok:
        for finding in report.findings[:5]:
            print("  ", finding)
    whole = t
    read = Report(directory=str(published))
    found = collect_module.collect(published, read, **kwargs)
    election = election_of(found, read)
    summaries = verify_signatures(found, election, read)

    def manifests() -> None:
        check_manifests(published, found, election, summaries, Report(directory="", files=read.files))

    t, _ = best(manifests, args.repeat)
    line(f"the manifests ({len(found.manifests)}, check_manifests)", t)
    print(f"{'  share of verify_dir':44} {t / whole:7.1%}", flush=True)
    if args.no_site:
        return 0 if report.ok else 1
    from central.site import build_site

    inputs = site_inputs(published)
    if inputs is None:
        print("site: skipped (no complete central result in the folder)")
        return 0 if report.ok else 1
    with tempfile.TemporaryDirectory(prefix="telketen-bench-site-", dir=published.parent) as tmp:
        out = linked_copy(published, Path(tmp))
        t, written = best(lambda: build_site(out, **inputs), args.repeat)
        assert isinstance(written, list)
        line(f"results site (build_site, {len(written)} files)", t)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
