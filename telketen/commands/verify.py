"""`telketen verify DIR [--json] [--lot N]...`: anyone recomputes and checks a published result.

Exit 0 only when every sum, seat, elected candidate, signature and hash holds; 3 (an integrity failure) with
every mismatch listed otherwise; 2 for a folder that is not there. See docs/verify.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from shared.errors import InputError, IntegrityError
from telketen.verify.render import render, to_json
from telketen.verify.run import verify_dir
from telketen.verify.words import LANGS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="recompute and check a published result: sums, seats, candidates, signatures, hashes",
        description="Check a folder of published files (EML 510b/c/d and 520, signed summaries .tks, key "
        "enrolment records .tke, PDFs) from scratch: every sum bottom-up, every seat and elected candidate, "
        "every signature and every hash of the summary tree. Prints the key fingerprints and the hash codes "
        "to compare with the paper, says what each check compared, names the lists and the elected "
        "candidates, and lists plausibility advice as information. The report is Dutch (--lang en: English). "
        "Exit 0 only if everything holds.",
    )
    parser.add_argument("directory", metavar="DIR", help="folder of published files (e.g. published/)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default="nl",
        help="language of the readable report: nl (default, as the paper) or en",
    )
    parser.add_argument(
        "--lot",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="outcome of a lot drawn by the central office (as in its P 22 report), in order; repeatable",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if any(n < 1 for n in args.lot):
        raise InputError("a lot outcome is a list or candidate number (>= 1)", where="--lot")
    report = verify_dir(Path(args.directory), lots=args.lot)
    if args.json:
        sys.stdout.buffer.write(to_json(report) + b"\n")
        sys.stdout.flush()
    else:
        render(report, Console(highlight=False), lang=args.lang)
    return 0 if report.ok else IntegrityError.exit_code
