"""Dutch number, date and hash formatting for the printed report (spec/reports.md §1.2, §9).

The report is a legal document read by Dutch officials: thousands with a dot, dates in full lowercase Dutch,
hashes in groups of four. Kept here (not in the template) so the template computes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def number(n: int) -> str:
    """15001 → '15.001'."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


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
