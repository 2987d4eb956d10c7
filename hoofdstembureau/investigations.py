"""The stations the municipalities investigated, as their signed summaries report them (O 3 rubric 4).

Why from the summaries: a municipality that investigated stations in a next session (Kieswet art. P 2a) says
so in the summary it signs (format version 3: per station, whether its result was corrected). The
hoofdstembureau lists them on its O 3 beside the explanation counts, which come from the same summaries. A
part keyed from paper carries no such list; the O 3 says so rather than printing an empty one as "none".
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from shared.domain.keyregister import KeyRegister
from shared.formats.keyed import is_keyed
from shared.formats.signing import open_signed, register_lookup


class Investigated(msgspec.Struct, frozen=True, kw_only=True):
    """One investigated station of one municipality."""

    municipality: str
    name: str
    station: str
    corrected: bool


def reported(
    parts: Sequence[tuple[str, str, bytes]], register: KeyRegister
) -> tuple[list[Investigated], list[str]]:
    """(the investigated stations, the municipalities keyed from paper) of the counted parts
    (code, name, message), in district order."""
    found: list[Investigated] = []
    keyed: list[str] = []
    for code, name, message in parts:
        if is_keyed(message):
            keyed.append(f"{code} {name}")
            continue
        _, summary = open_signed(message, register_lookup(register))
        found.extend(
            Investigated(municipality=code, name=name, station=inv.station, corrected=inv.corrected)
            for inv in summary.investigations
        )
    return found, keyed


def o3_lines(found: Sequence[Investigated]) -> list[dict[str, str]]:
    """The rows of the O 3 list: municipality, station number (`0668::SB3` → `3`), outcome, in Dutch."""
    return [
        {
            "municipality": f"{f.municipality} {f.name}",
            "station": f.station.rsplit("::", 1)[-1].removeprefix("SB"),
            "outcome": "uitslag gecorrigeerd" if f.corrected else "uitslag ongewijzigd",
        }
        for f in found
    ]
