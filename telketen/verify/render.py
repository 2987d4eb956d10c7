"""Print a verification report: readable text for a person (Dutch by default, English with `--lang en`), or
JSON for a program.

The readable form leads with what a person must compare by eye — the hash codes of the definition files and
the key fingerprints, against the paper — then what each check compared, the seats and the elected candidates
by name, the plausibility advice, and every finding. It is plain text wrapped at 80 columns: a long file name
wraps instead of being cut, and a hash code is printed in whole groups of four, eight groups a line.
"""

from __future__ import annotations

import textwrap
from typing import Any

import msgspec
from rich.console import Console

from shared.formats.dutch import number
from telketen.verify.findings import Report
from telketen.verify.words import CHECKS, HOW, KINDS, PARTS, ROLES, TEXT, Lang, say

#: How many findings the readable report lists before it says "and N more" (all of them are in --json).
MAX_SHOWN = 200
#: How many compared totals of one check the report lists (a national election has hundreds of files).
MAX_COMPARED = 12
#: How many plausibility advices the report lists (all of them are in --json).
MAX_ADVICE = 20
WIDTH = 80
INDENT = "  "


def hash_code(hex_digest: str) -> str:
    """A SHA-256 as 16 groups of 4 hex digits, as printed on the paper reports (spec/eml.md §3)."""
    return " ".join(hex_digest[i : i + 4] for i in range(0, len(hex_digest), 4))


def to_json(report: Report) -> bytes:
    """The whole report as JSON, with `ok` first so a script can read the verdict at once."""
    data: dict[str, Any] = {"ok": report.ok, **msgspec.to_builtins(report)}
    return msgspec.json.encode(data)


def _wrap(text: str, level: int = 0, width: int = WIDTH) -> list[str]:
    """`text` wrapped at `width`, continuation lines indented further; a long name is broken, not cut."""
    first = INDENT * level
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=first + INDENT + "  ",
        break_long_words=True,
        break_on_hyphens=False,
    ) or [first]


def _groups(hex_or_groups: str, level: int) -> list[str]:
    """A hash code or fingerprint in whole groups of four, eight groups a line: never cut inside a group."""
    groups = hex_or_groups.split() if " " in hex_or_groups else hash_code(hex_or_groups).split()
    return [INDENT * level + " ".join(groups[i : i + 8]) for i in range(0, len(groups), 8)]


def report_lines(report: Report, lang: Lang = "nl", width: int = WIDTH) -> list[str]:
    """The readable report as lines of at most `width` characters, the verdict last."""
    return [*_body(report, lang, width), "", *verdict_lines(report, lang, width)]


def _body(report: Report, lang: Lang, width: int) -> list[str]:
    t = TEXT[lang]
    out: list[str] = []
    out += _wrap(t["title"].format(directory=report.directory), 0, width)
    out += _wrap(report.election_name or report.election_id or t["unknown_election"], 1, width)
    out += _definitions(report, lang, width)
    out += _keys(report, lang, width)
    out += _sources(report, lang, width)
    kinds: dict[str, int] = {}
    for f in report.files:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    files = ", ".join(f"{n} × {KINDS[lang].get(k, k)}" for k, n in sorted(kinds.items()))
    out += ["", *_wrap(t["files"].format(files=files), 0, width)]
    out += _checks(report, lang, width)
    if report.deceased:
        out += _wrap(t["deceased"].format(n=report.deceased), 0, width)
    for note in report.notes:
        out += _wrap(t["note"].format(subject=note.subject, text=note.text), 0, width)
    out += _seats(report, lang, width)
    out += _elected(report, lang, width)
    out += _plausibility(report, lang, width)
    out += _findings(report, lang, width)
    return out


def _definitions(report: Report, lang: Lang, width: int) -> list[str]:
    definition = [f for f in report.files if f.kind in ("110a", "230b")]
    if not definition:
        return []
    out = ["", *_wrap(TEXT[lang]["definition"], 0, width)]
    for f in definition:
        out += _wrap(f"{f.kind}  {f.file}", 1, width)
        out += _groups(f.sha256, 3)
    return out


def _keys(report: Report, lang: Lang, width: int) -> list[str]:
    if not report.keys:
        return []
    out = ["", *_wrap(TEXT[lang]["keys"], 0, width)]
    for k in sorted(report.keys, key=lambda k: (k.role, k.authority_id)):
        who = f"{ROLES[lang].get(k.role, k.role)} {k.authority_id} {k.authority_name}"
        if k.district_id and k.district_id != "geen":  # a council's key has no kieskring
            who += ", " + TEXT[lang]["district"].format(district=k.district_id)
        out += _wrap(who, 1, width)
        out += _groups(k.fingerprint, 3)
    return out


def _sources(report: Report, lang: Lang, width: int) -> list[str]:
    t = TEXT[lang]
    keyed = [p for p in report.sources if p.source.startswith("van papier")]
    out: list[str] = []
    if keyed:
        out += ["", *_wrap(t["keyed"], 0, width)]
        for p in keyed:
            out += _wrap(t["keyed_row"].format(unit=p.unit, parent=p.parent, source=p.source), 1, width)
    if report.sources:
        scanned = len(report.sources) - len(keyed)
        out += ["", *_wrap(t["sources"].format(scanned=scanned, keyed=len(keyed)), 0, width)]
    return out


def _checks(report: Report, lang: Lang, width: int) -> list[str]:
    """Each kind of check: how many, what it compared, and for the sums the totals themselves."""
    t = TEXT[lang]
    out = ["", *_wrap(t["checks"].format(total=number(sum(report.checked.values()))), 0, width)]
    for check, n in sorted(report.checked.items()):
        name, what = CHECKS[lang].get(check, (check, ""))
        out += _wrap(t["check_row"].format(name=name, n=number(n), what=what), 1, width)
        rows = [c for c in report.compared if c.check == check]
        for c in rows[:MAX_COMPARED]:
            kind = PARTS[lang].get(c.part, c.part)
            line = t[f"{check}_row"].format(
                file=c.file, parts=number(c.parts), kind=kind, authority=c.authority, votes=number(c.votes)
            )
            out += _wrap(line, 2, width)
        if len(rows) > MAX_COMPARED:
            out += _wrap(t["more"].format(n=len(rows) - MAX_COMPARED), 2, width)
    return out


def _seats(report: Report, lang: Lang, width: int) -> list[str]:
    if not report.seats:
        return []
    t = TEXT[lang]
    out = ["", *_wrap(t["seats"].format(total=sum(report.seats.values())), 0, width)]
    for list_number, seats in sorted(report.seats.items(), key=lambda kv: int(kv[0])):
        if seats:
            name = report.list_names.get(list_number, "")
            out += _wrap(t["seat_row"].format(number=list_number, name=name, seats=seats), 1, width)
    return out


def _elected(report: Report, lang: Lang, width: int) -> list[str]:
    if not report.candidates:
        return []
    t = TEXT[lang]
    out = ["", *_wrap(t["elected"].format(n=len(report.candidates)), 0, width)]
    shown_list = None
    for row in report.candidates:
        if row.list != shown_list:
            name = report.list_names.get(str(row.list), "")
            out += _wrap(t["elected_list"].format(number=row.list, name=name), 1, width)
            shown_list = row.list
        line = t["elected_row" if row.candidate.isdigit() else "elected_row_code"].format(
            candidate=row.candidate,
            name=row.name,
            how=HOW[lang].get(row.how, row.how),
            in_520=t["yes"] if row.in_520 else t["no"],
        )
        out += _wrap(line, 2, width)
    return out


def _plausibility(report: Report, lang: Lang, width: int) -> list[str]:
    if not report.plausibility:
        return []
    t = TEXT[lang]
    out = ["", *_wrap(t["plausibility"].format(n=len(report.plausibility)), 0, width)]
    for p in report.plausibility[:MAX_ADVICE]:
        score = f"{p.score:.1f}".replace(".", "," if lang == "nl" else ".")
        line = t["plausibility_row"].format(
            file=p.file, unit=p.unit, kind=p.kind, score=score, detail=p.detail
        )
        out += _wrap(line, 1, width)
    if len(report.plausibility) > MAX_ADVICE:
        out += _wrap(t["findings_more"].format(n=len(report.plausibility) - MAX_ADVICE), 1, width)
    return out


def _findings(report: Report, lang: Lang, width: int) -> list[str]:
    if not report.findings:
        return []
    t = TEXT[lang]
    out = ["", *_wrap(t["findings"].format(n=len(report.findings)), 0, width)]
    for i, f in enumerate(report.findings[:MAX_SHOWN], start=1):
        check = CHECKS[lang].get(f.check, (f.check, ""))[0]
        out += _wrap(t["finding_head"].format(i=i, check=check, file=f.file), 1, width)
        if f.unit != "-":
            out += _wrap(t["finding_unit"].format(unit=say(f.unit, lang)), 2, width)
        out += _wrap(t["finding_field"].format(field=say(f.field, lang)), 2, width)
        out += _wrap(t["finding_expected"].format(expected=say(f.expected, lang)), 2, width)
        out += _wrap(t["finding_found"].format(found=say(f.found, lang)), 2, width)
    if len(report.findings) > MAX_SHOWN:
        out += _wrap(t["findings_more"].format(n=len(report.findings) - MAX_SHOWN), 1, width)
    return out


def verdict_lines(report: Report, lang: Lang = "nl", width: int = WIDTH) -> list[str]:
    """The verdict: verified only when there is no finding at all."""
    t = TEXT[lang]
    if report.findings:
        return _wrap(t["failed"], 0, width)
    if report.ok:
        unsigned = "" if report.signed else t["unsigned"]
        total = number(sum(report.checked.values()))
        return _wrap(t["verified"].format(unsigned=unsigned, total=total, elected=report.elected), 0, width)
    return _wrap(t["nothing"], 0, width)


def render(report: Report, console: Console, lang: Lang = "nl") -> None:
    """The readable report on `console`, the verdict in colour (green when it holds, red when not)."""
    for line in [*_body(report, lang, WIDTH), ""]:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    style = "bold green" if report.ok else "bold red"
    for line in verdict_lines(report, lang, WIDTH):
        console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
