"""`telketen eml info|check|csv|hash`: look into, verify and convert EML_NL files.

A thin edge around `shared.formats.eml`: read the exact bytes, hand them to the pure functions, print. `check`
exits 2 for a file that breaks the standard (unreadable, schema, rules) and 3 when its numbers do not add up,
naming file, unit and field on one line per problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.errors import InputError, IntegrityError, TelketenError

if TYPE_CHECKING:
    from shared.formats.eml.model import Count510, Definition110a

# The handlers import what they use: a whole-process `telketen eml csv` is mostly start-up and import time,
# and it needs neither the schema, the rules, the checks nor the hash code.


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eml",
        help="inspect, check and convert EML_NL files (110a/110b/230b/510/520)",
        description=(
            "Look into, check and convert EML_NL files: what a file is, whether it validates against the XSD "
            "and the EML_NL rules and adds up, its osv4-3 CSV and its hash code."
        ),
    )
    sub = parser.add_subparsers(dest="eml_command", metavar="ACTION")
    sub.required = True

    info = sub.add_parser(
        "info",
        help="type, election, authority, units, totals and hash code of a file",
        description="Print a file's type, election, authority, number of units, totals and hash code.",
    )
    info.add_argument("file", type=Path)
    info.set_defaults(func=cmd_info)

    check = sub.add_parser(
        "check",
        help="XSD schema, EML_NL rules and sums of one or more files",
        description=(
            "Check files against the EML_NL XSD schema, the EML_NL rules and their own sums; exit 2 when a "
            "file breaks the standard, 3 when its numbers do not add up."
        ),
    )
    check.add_argument("files", type=Path, nargs="+")
    check.add_argument("--definition", type=Path, help="110a the files must belong to (same election)")
    check.set_defaults(func=cmd_check)

    csv = sub.add_parser(
        "csv",
        help="osv4-3 CSV of a 510b with the names from its 230b",
        description="Write the osv4-3 CSV of a 510b, with the list and candidate names from its 230b.",
    )
    csv.add_argument("counts", type=Path, help="510b counts file")
    csv.add_argument("candidates", type=Path, help="230b candidate lists file")
    csv.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write ('-' for stdout)")
    csv.set_defaults(func=cmd_csv)

    hsh = sub.add_parser(
        "hash",
        help="hash code of a file; with --typed, check the two groups from paper",
        description=(
            "Print a file's hash code as on paper, or with --typed check the two groups typed from the paper."
        ),
    )
    hsh.add_argument("file", type=Path)
    hsh.add_argument("--typed", nargs=2, metavar=("GROUP1", "GROUP2"), help="the two groups typed from paper")
    hsh.set_defaults(func=cmd_hash)


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename over it, so a reader never sees half a file."""
    import tempfile

    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError("is a directory, expected a file name to write", where=str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", where=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _totals_line(count: Count510) -> str:
    t = count.total.tally
    return (
        f"Z {t.eligible_voters}  A {t.poll_cards}  B {t.proxy_certificates}  C {t.voter_cards}  "
        f"D {t.admitted_voters}  E {t.votes_on_lists}  F {t.blank}  G {t.invalid}  H {t.ballots_cast}  "
        f"I {t.more_ballots}  J {t.fewer_ballots}"
    )


def cmd_info(args: argparse.Namespace) -> int:
    from shared.formats.eml.hashcode import hash_code
    from shared.formats.eml.model import (
        CandidateLists230b,
        Count510,
        Definition110a,
        PollingStations110b,
        Result520,
    )
    from shared.formats.eml.read import read_eml, read_path

    data = read_path(args.file)
    msg = read_eml(data, str(args.file))
    eid = msg.election
    lines = [f"file:      {args.file}"]
    if isinstance(msg, Count510):
        lines += [
            f"type:      EML {msg.message_id} (counts)",
            f"election:  {eid.id} — {eid.name or ''} ({eid.date})",
            f"contest:   {msg.contest_id}" + (f" {msg.contest_name}" if msg.contest_name else ""),
            f"authority: {msg.authority_id} {msg.authority_name}",
            f"created:   {msg.created}",
            f"units:     {len(msg.units)}; lists {len(msg.lists)}; candidates "
            f"{sum(len(lst.positions) for lst in msg.lists)}",
            f"totals:    {_totals_line(msg)}",
        ]
    else:
        header = msg.header
        lines += [
            f"type:      EML {header.message_id}",
            f"election:  {eid.id} — {eid.name or ''} ({eid.date})",
            f"authority: {header.authority_id or '-'} {header.authority_name or ''}".rstrip(),
            f"created:   {header.created or '-'}",
        ]
        if isinstance(msg, Definition110a):
            lines.append(
                f"seats:     {msg.seats}; preference threshold {msg.preference_threshold} %; "
                f"regions {len(msg.regions)}"
            )
        elif isinstance(msg, PollingStations110b):
            lines.append(f"units:     {len(msg.stations)} polling stations of {msg.municipality_id}")
        elif isinstance(msg, CandidateLists230b):
            n_lists = sum(len(d.lists) for d in msg.districts)
            n_cands = sum(len(lst.candidates) for d in msg.districts for lst in d.lists)
            lines.append(f"units:     {len(msg.districts)} contest(s), {n_lists} lists, {n_cands} candidates")
        elif isinstance(msg, Result520):
            seats = ", ".join(f"list {k}: {v}" for k, v in msg.seats().items())
            lines.append(f"elected:   {len(msg.elected)} ({seats})")
    lines.append(f"hash:      {hash_code(data)}")
    print("\n".join(lines))
    return 0


def _check_one(path: Path, definition: Definition110a | None) -> tuple[int, list[str]]:
    """(exit code, problem lines) for one file; code 0 with one 'ok' line when everything holds."""
    from shared.formats.eml.check import check_count, total_label
    from shared.formats.eml.model import Count510, Definition110a
    from shared.formats.eml.read import read_eml, read_path
    from shared.formats.eml.rules import matches_definition, message_problems
    from shared.formats.eml.schema import ENV_VAR, schema_dir, validate_root
    from shared.formats.eml.xml import parse_xml

    where = str(path)
    try:
        data = read_path(path)
        msg = read_eml(data, where)
    except TelketenError as exc:
        return exc.exit_code, [str(exc)]
    problems: list[str] = []
    schema_note = f"schema not checked (set {ENV_VAR})"
    if schema_dir() is not None:
        errors = validate_root(
            parse_xml(data, where), msg.header.message_id if not isinstance(msg, Count510) else msg.message_id
        )
        problems += [f"{where}: schema v1.2.2: {err}" for err in errors]
        schema_note = "schema v1.2.2 valid"
    problems += [f"{where}: {p}" for p in message_problems(msg)]
    if definition is not None and not isinstance(msg, Definition110a):
        kind = msg.message_id if isinstance(msg, Count510) else msg.header.message_id
        problems += [f"{where}: {p}" for p in matches_definition(msg.election, definition, kind)]
    if problems:
        return 2, problems
    if isinstance(msg, Count510):
        mismatches = check_count(msg)
        if mismatches:
            return IntegrityError.exit_code, [f"{where}: {m}" for m in mismatches]
        return 0, [
            f"{where}: ok — {msg.message_id}, {schema_note}, sums add up "
            f"({total_label(msg)} and {len(msg.units)} units)"
        ]
    kind = msg.header.message_id
    return 0, [f"{where}: ok — {kind}, {schema_note}, EML_NL rules hold"]


def cmd_check(args: argparse.Namespace) -> int:
    from shared.formats.eml.read import read_110a, read_path

    definition = None
    if args.definition is not None:
        definition = read_110a(read_path(args.definition), str(args.definition))
    worst = 0
    for path in args.files:
        code, lines = _check_one(path, definition)
        if code:  # problems in the one error format of every command
            print("\n".join(f"telketen: error: {line}" for line in lines), file=sys.stderr)
        else:
            print("\n".join(lines))
        worst = max(worst, code)
    return worst


def cmd_csv(args: argparse.Namespace) -> int:
    from shared.formats.eml.csv import osv43_csv
    from shared.formats.eml.read import read_230b, read_510, read_path

    count = read_510(read_path(args.counts), str(args.counts))
    lists = read_230b(read_path(args.candidates), str(args.candidates))
    data = osv43_csv(count, lists)
    if str(args.output) == "-":
        sys.stdout.buffer.write(data)
    else:
        write_atomic(args.output, data)
    return 0


def cmd_hash(args: argparse.Namespace) -> int:
    from shared.formats.eml.hashcode import check_typed_groups, digest, hash_code, masked_code
    from shared.formats.eml.read import read_path

    data = read_path(args.file)
    if args.typed:
        check_typed_groups(data, (args.typed[0], args.typed[1]))
        print(f"{args.file}: the typed groups match: {hash_code(data)}")
        return 0
    print(hash_code(data))
    print(f"to type: {masked_code(digest(data))}")
    return 0
