"""Dates and times as a Dutch reader expects them: Amsterdam local time, "5 december 2026 14:03".

Why here: the state files and the audit log keep ISO timestamps with their UTC offset (the machine's clock,
passed in at the edge); a page or a document shows the moment in Dutch, in the time of the Netherlands,
whatever zone the machine runs in. The zone data comes from the system or the `tzdata` package (a
dependency, so an offline Windows machine has it too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shared.formats.dutch import MONTHS

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_time(at: datetime | str) -> str:
    """'2026-12-05T13:03:00+00:00' → '5 december 2026 14:03'. A naive moment is taken as UTC (what SQLite's
    CURRENT_TIMESTAMP writes); text that is no ISO moment is returned as given."""
    if isinstance(at, str):
        try:
            moment = datetime.fromisoformat(at.strip())
        except ValueError:
            return at
    else:
        moment = at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(AMSTERDAM)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
