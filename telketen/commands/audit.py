"""`telketen audit plan|evaluate`: a risk-limiting audit of the seats per list (docs/audit.md).

`plan` reads a published folder, derives the assertions and every station's error bound, and draws the
stations to recount from a public seed (a dice roll): the same folder and seed always give the same stations.
`evaluate` takes that plan and the hand counts and says whether the seats are confirmed at the risk limit, or
which stations to recount next, ending in a full hand count. Both exit 0 when they ran (the verdict is in the
output), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import msgspec

from shared.adapters.files import read_input
from shared.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="risk-limiting audit: which stations to recount by hand, and whether the recounts confirm",
        description="A risk-limiting audit of the seats per list (Stark & Teague 2014; docs/audit.md).",
    )
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION")
    sub.required = True
    plan = sub.add_parser(
        "plan",
        help="draw the stations to recount from a public seed",
        description="Read a published folder (110a, 520, every 510b), compute the closest seat margin and "
        "each station's error bound, and draw the stations to recount from SEED (from a public dice roll). "
        "With --out, also write plan.json, a Dutch explanation page and the Dutch recount forms (PDF).",
    )
    plan.add_argument("folder", type=Path, metavar="DIR", help="published folder")
    plan.add_argument("--seed", required=True, help="the public seed: digits from a dice roll, read aloud")
    plan.add_argument(
        "--risk-limit", default="0.05", help="largest chance of confirming a wrong seat allocation (0.05)"
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON (the file evaluate reads)")
    plan.add_argument(
        "--out", type=Path, help="folder to write plan.json, hertelling.html and hertelformulieren.pdf"
    )
    plan.set_defaults(func=cmd_plan)
    evaluate = sub.add_parser(
        "evaluate",
        help="hold the hand counts against the plan: confirmed, or which stations next",
        description='RECOUNTS.json is {"recounts": [{"unit": "0276::SB1", "votes": {"1": 312, ...}}]} '
        "with the hand-counted votes of every list. Prints whether the seats are confirmed at the risk "
        "limit, or the further stations to recount (all of them when the sample can no longer confirm).",
    )
    evaluate.add_argument("plan", type=Path, metavar="PLAN.json")
    evaluate.add_argument("recounts", type=Path, metavar="RECOUNTS.json")
    evaluate.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    evaluate.set_defaults(func=cmd_evaluate)


def _risk_limit(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"not a number: {text!r}", where="--risk-limit") from None
    return value


def plan_json(plan: Any) -> dict[str, Any]:
    """The plan as published: the contract fields first, then everything `evaluate` needs."""
    from telketen.audit.documents import margin_sentence

    stations = [
        {"unit": plan.batches[k].unit, "municipality": plan.batches[k].municipality} for k in plan.stations()
    ]
    margin = None
    if plan.margin is not None:
        margin = {**msgspec.to_builtins(plan.margin), "seat": margin_sentence(plan.margin, None)}
    return {
        "risk_limit": float(Fraction(plan.risk_limit)),
        "seed": plan.seed,
        "margin": margin,
        "stations": stations,
        "expected_recounts": len(stations),
        "full_hand_count": plan.full_hand_count,
        "reason": plan.reason,
        "plan": msgspec.to_builtins(plan),
    }


def cmd_plan(args: argparse.Namespace) -> int:
    from shared.domain.rla import make_plan
    from telketen.audit.documents import write_documents
    from telketen.audit.folder import read_folder

    contest, batches, names = read_folder(args.folder)
    plan = make_plan(contest, batches, args.seed, _risk_limit(args.risk_limit))
    data = plan_json(plan)
    if args.out is not None:
        write_documents(args.out, plan, data, names)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    margin = data["margin"]
    print(f"risk limit {float(Fraction(plan.risk_limit)):g}, seed {plan.seed!r}")
    if margin is not None:
        print(f"closest seat: {margin['votes']} votes (list {margin['winner']} vs list {margin['loser']})")
    if plan.full_hand_count:
        print(f"full hand count of all {len(plan.batches)} stations: {plan.reason}")
    else:
        chosen = len(data["stations"])
        print(f"{chosen} of {len(plan.batches)} stations to recount ({len(plan.draws)} draws):")
        for station in data["stations"]:
            print(f"  {station['unit']}  {station['municipality']}")
    if args.out is not None:
        print(f"written: {args.out}/plan.json, hertelling.html, hertelformulieren.pdf")
    return 0


def _read_json(path: Path) -> Any:
    data = read_input(path)
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", where=str(path)) from None


def read_plan(path: Path) -> Any:
    from shared.domain.rla import Plan

    data = _read_json(path)
    if not isinstance(data, dict) or "plan" not in data:
        raise InputError("not an audit plan (no 'plan' field)", where=str(path))
    try:
        return msgspec.convert(data["plan"], Plan)
    except msgspec.ValidationError as exc:
        raise InputError(f"not an audit plan: {exc}", where=str(path)) from None


def read_recounts(path: Path, lists: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    data = _read_json(path)
    entries = data.get("recounts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError('expected {"recounts": [...]}', where=str(path))
    out: dict[str, tuple[int, ...]] = {}
    for k, entry in enumerate(entries):
        where = f"{path}: recounts[{k}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("unit"), str):
            raise InputError("each recount needs a 'unit'", where=where)
        votes = entry.get("votes")
        if not isinstance(votes, dict) or {str(n) for n in lists} != set(votes):
            raise InputError(f"'votes' must give every list {', '.join(map(str, lists))}", where=where)
        counted = tuple(votes[str(n)] for n in lists)
        if not all(type(v) is int and 0 <= v < 10**9 for v in counted):
            raise InputError("votes must be whole numbers from 0 to 999,999,999", where=where)
        if entry["unit"] in out:
            raise InputError(f"{entry['unit']} is recounted twice", where=where)
        out[entry["unit"]] = counted
    return out


def cmd_evaluate(args: argparse.Namespace) -> int:
    from shared.domain.rla import evaluate

    plan = read_plan(args.plan)
    recounts = read_recounts(args.recounts, plan.lists)
    outcome = evaluate(plan, recounts)
    further = [
        {"unit": plan.batches[k].unit, "municipality": plan.batches[k].municipality}
        for k in dict.fromkeys(outcome.further_draws)
        if plan.batches[k].unit not in recounts
    ]
    data = {
        "confirmed": outcome.confirmed,
        "p_value": outcome.p_value,
        "risk_limit": float(Fraction(outcome.risk_limit)),
        "draws_evaluated": outcome.draws_evaluated,
        "discrepancies": msgspec.to_builtins(outcome.discrepancies),
        "further_stations": further,
        "full_hand_count": outcome.full_hand_count,
        "reason": outcome.reason,
    }
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if outcome.confirmed:
        print(f"confirmed at risk limit {outcome.risk_limit}: P = {outcome.p_value:.4f}")
    elif outcome.full_hand_count:
        print(f"not confirmed (P = {outcome.p_value:.4f}): full hand count of every station")
    else:
        print(f"not confirmed yet (P = {outcome.p_value:.4f}): recount {len(further)} more stations:")
        for station in further:
            print(f"  {station['unit']}  {station['municipality']}")
    for d in outcome.discrepancies:
        changes = ", ".join(f"list {n}: {'+' if x > 0 else ''}{x}" for n, x in d.differences)
        print(f"  discrepancy at {d.unit}: {changes}")
    return 0
