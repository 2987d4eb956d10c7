"""Dutch number, date and hash formatting for the printed reports and the results site (spec/reports.md §1.2,
§9).

The reports are legal documents read by Dutch officials: thousands with a dot, a quota or an average as a
whole number and a reduced fraction ("91.359 13/30", as the Kiesraad writes the kiesdeler), percentages with a
decimal comma, dates in full lowercase Dutch, hashes in groups of four. Kept in this one place (not in the
templates or the site) so every document writes a number the same way and the templates compute nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from typing import Any

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def number(n: int) -> str:
    """15001 → '15.001'."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def mixed(value: Fraction | str) -> str:
    """A quota, remainder or average as the Kiesraad prints it: whole part with thousands dots, then the rest
    as a reduced fraction: '13703915/150' or its Fraction → '91.359 13/30', '46/1' → '46', '13/30' → '13/30'.

    A string is the exact 'numerator/denominator' the seat steps carry (`shared.domain.apportionment`)."""
    q = value if isinstance(value, Fraction) else _fraction(value)
    sign, q = ("-", -q) if q < 0 else ("", q)
    whole, rest = divmod(q.numerator, q.denominator)
    if rest == 0:
        return sign + number(whole)
    part = f"{rest}/{q.denominator}"
    return sign + (part if whole == 0 else f"{number(whole)} {part}")


_MIXED = re.compile(r"(-?)(?:(\d{1,3}(?:\.\d{3})*)(?: (\d+)/(\d+))?|(\d+)/(\d+))")


def parse_mixed(text: str) -> Fraction:
    """The exact value of a number written by `mixed` (its inverse): '91.359 13/30' → 2740783/30."""
    found = _MIXED.fullmatch(text)
    if not found:
        raise ValueError(f"not a Dutch mixed number: {text!r}")
    sign, whole, num, den, only_num, only_den = found.groups()
    if only_num is not None:
        value = Fraction(int(only_num), int(only_den))
    else:
        value = int(whole.replace(".", "")) + (Fraction(int(num), int(den)) if num else Fraction(0))
    return -value if sign else value


def percentage(value: Fraction | int, places: int = 2, *, trim: bool = True) -> str:
    """A percentage with a decimal comma and at most `places` decimals, rounded half up from the exact value,
    trailing zeros dropped unless `trim` is false (a column of shares): 25 → '25', Fraction(25, 2) → '12,5',
    Fraction(200, 3) → '66,67'; with places=1, trim=False: 25 → '25,0'."""
    q = Fraction(value)
    scaled = abs(q) * 10**places
    units = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    whole, decimals = divmod(units, 10**places)
    text = number(whole)
    tail = f"{decimals:0{places}d}" if places else ""
    tail = tail.rstrip("0") if trim else tail
    return ("-" if q < 0 and units else "") + text + ("," + tail if tail else "")


def preference_threshold(percent: int, threshold: str) -> str:
    """The preference threshold (Kieswet P 15) in a sentence: '25% van de kiesdeler (157 16/23 stemmen)'."""
    return f"{percentage(percent)}% van de kiesdeler ({mixed(threshold)} stemmen)"


def _fraction(text: str) -> Fraction:
    num, _, den = text.partition("/")
    return Fraction(int(num), int(den or "1"))


def long_date(iso: str) -> str:
    """'2025-10-29' → 'woensdag 29 oktober 2025'; an unparsable date is printed as given."""
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def timestamp(at: datetime) -> str:
    """The footer's generation time: 'dd-mm-jjjj uu:mm:ss'."""
    return at.strftime("%d-%m-%Y %H:%M:%S")


def hash_groups(hex_digest: str) -> str:
    """64 hex digits as 16 groups of 4 separated by spaces (spec/eml.md §3)."""
    h = hex_digest.lower()
    return " ".join(h[i : i + 4] for i in range(0, len(h), 4))


def tally_rows(
    t: Any, list_names: Mapping[int, str], *, voter_cards: bool = True
) -> tuple[tuple[str, int], ...]:
    """The numbers of a summary's tally in the order of the paper, labelled in Dutch; box C only where the
    election has kiezerspassen (not for a municipal council, Kieswet K 6)."""
    rows: list[tuple[str, int]] = [
        ("Z kiesgerechtigden", t.eligible_voters),
        ("A stempassen", t.poll_cards),
        ("B volmachtbewijzen", t.proxy_certificates),
        *((("C kiezerspassen", t.voter_cards),) if voter_cards else ()),
        ("D toegelaten kiezers", t.admitted_voters),
    ]
    rows += [(f"E.{lst.number} {list_names.get(lst.number, '')}".rstrip(), lst.votes) for lst in t.lists]
    rows += [
        ("E stemmen op kandidaten", t.votes_on_lists),
        ("F blanco", t.blank),
        ("G ongeldig", t.invalid),
        ("H uitgebrachte stemmen", t.ballots_cast),
        ("I meer geteld", t.more_ballots),
        ("J minder geteld", t.fewer_ballots),
    ]
    return tuple(rows)
