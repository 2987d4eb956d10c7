"""`telketen plausibility [--json] COUNT.eml.xml...`: advice on units that look unlike their peers.

A thin edge around `shared.formats.plausibility`: read each 510b/c/d, compare its units with each other,
print. Findings are advice, never a verdict: the exit code is 0 whenever the files could be read (2 when one
cannot).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plausibility",
        help="advice: reporting units whose counts look unlike their peers (swapped lists, a dropped digit…)",
        description="Compare the reporting units of each count file (510b stations, 510c municipalities, "
        "510d districts) with each other and list those that look implausible: two lists swapped, votes "
        "on the neighbouring list, a dropped or changed digit, unusual shares, turnout, blank or invalid "
        "votes, an impossible station. Advice for people who check the paper; it never blocks a result "
        "(docs/plausibility.md). Exit 0 when the files were read, 2 when one cannot be read.",
    )
    parser.add_argument("files", type=Path, nargs="+", metavar="COUNT.eml.xml", help="EML 510b, 510c or 510d")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"findings": [{"unit", "kind", "score", "detail"}]} (detail in Dutch)',
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from shared.formats.eml.model import Count510
    from shared.formats.eml.read import read_eml, read_path
    from shared.formats.plausibility import advise

    per_file = []
    for path in args.files:
        message = read_eml(read_path(path), str(path))
        if not isinstance(message, Count510):
            raise InputError("not a count file (EML 510b, 510c or 510d)", where=str(path))
        per_file.append((path, len(message.units), advise(message)))
    if args.json:
        findings = [{"file": str(p), **_fields(a)} for p, _, advice in per_file for a in advice]
        json.dump({"findings": findings}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for path, units, advice in per_file:
        print(f"{path}: {units} units, {len(advice)} finding{'' if len(advice) == 1 else 's'}")
        for a in advice:
            print(f"  {a.unit}  {a.kind}  score {a.score:.1f}")
            print(f"    {a.detail}")
    return 0


def _fields(advice: Any) -> dict[str, Any]:
    return {"unit": advice.unit, "kind": advice.kind, "score": advice.score, "detail": advice.detail}
