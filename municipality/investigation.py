"""Investigations of a next session (Kieswet art. E 34 and P 2a; models P 2a and Na 14-2 Bijlage 1).

Why its own module: an investigation is a small legal record of its own — why the station was investigated
("aanleiding en opdracht"), what was found ("bevindingen") and whether that led to a corrected result
("gecorrigeerd: ja/nee"). Only a "ja" needs the station's report typed again (twice, as every count); a "nee"
leaves the station's definitive report of the earlier session standing. The rules here are pure: the service
(municipality/service.py) stores the record and asks them before it finalises a session.

Every refusal names its rule code (OZ.1 … OZ.6), so the coordinator's screen, the command line and the tests
speak of the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from shared.domain.election import Station
from shared.domain.station_report import StationReport
from shared.errors import InputError, StateError

#: The longest reason or findings text kept (it is printed on P 2a and Na 14-2 Bijlage 1).
TEXT_MAX = 2000

#: Rule codes of the investigation flow, with their one-line meaning (docs/municipality.md lists them).
RULES: dict[str, str] = {
    "OZ.1": "the station is not under investigation in this session",
    "OZ.2": "the investigation is already closed",
    "OZ.3": "an investigation is still open at finalise (findings and corrected yes/no missing)",
    "OZ.4": "corrected = yes, but the station's report has not been entered twice again",
    "OZ.5": "corrected = yes, but the report entered again equals the earlier one",
    "OZ.6": "corrected = no, but typists have started entering the station again",
}


class Investigation(msgspec.Struct, frozen=True, kw_only=True):
    """One station's investigation in a next session; `corrected` is None while it is open."""

    session: int
    station: str
    reason: str
    findings: str | None = None
    corrected: bool | None = None

    @property
    def closed(self) -> bool:
        return self.corrected is not None


def refuse(code: str, message: str, *, where: str | None = None) -> StateError:
    """The error of a broken rule, its code first ("OZ.4: …")."""
    return StateError(f"{code}: {message}", where=where)


def clean_text(text: str, *, what: str, where: str) -> str:
    """A reason or findings as stored: stripped, not empty, bounded, printable (new lines allowed)."""
    value = text.strip()
    if not value:
        raise InputError(f"give the {what}", where=where)
    if len(value) > TEXT_MAX:
        raise InputError(f"the {what} is longer than {TEXT_MAX} characters", where=where)
    if not all(c.isprintable() or c == "\n" for c in value.replace("\r\n", "\n")):
        raise InputError(f"the {what} contains control characters", where=where)
    return value.replace("\r\n", "\n")


def parse_corrected(text: str) -> bool:
    """`yes`/`ja` or `no`/`nee` (the command line and the form say the same)."""
    value = text.strip().lower()
    if value in ("yes", "ja"):
        return True
    if value in ("no", "nee"):
        return False
    raise InputError("corrected is yes or no (ja/nee)", where="--corrected")


def check_close(inv: Investigation | None, station: Station, *, entry_started: bool, corrected: bool) -> None:
    """OZ.1, OZ.2 and OZ.6 when the coordinator closes an investigation."""
    if inv is None:
        raise refuse("OZ.1", f"station {station.number} is not under investigation in this session")
    if inv.closed:
        raise refuse("OZ.2", f"the investigation of station {station.number} is already closed")
    if not corrected and entry_started:
        raise refuse(
            "OZ.6",
            f"station {station.number} is being entered again; a result that is not corrected needs no "
            "entry: reset the station first",
        )


def check_finalise(
    investigations: Sequence[Investigation],
    station: Callable[[str], Station],
    definitive: Callable[[str], StationReport | None],
    earlier: Callable[[str], StationReport],
) -> None:
    """OZ.3, OZ.4 and OZ.5 before a next session is finalised.

    `definitive(id)` is the station's report entered in this session (None when not definitive yet),
    `earlier(id)` its definitive report of the session before."""
    for inv in investigations:
        st = station(inv.station)
        if not inv.closed:
            raise refuse(
                "OZ.3",
                f"the investigation of station {st.number} is still open: record its findings and whether "
                "the result was corrected (`investigate-close`)",
            )
        if not inv.corrected:
            continue
        report = definitive(inv.station)
        if report is None:
            raise refuse(
                "OZ.4",
                f"station {st.number}: the result was corrected, so its report must be entered twice again "
                "before finalising",
            )
        if report.to_tally() == earlier(inv.station).to_tally():
            raise refuse(
                "OZ.5",
                f"station {st.number}: the result was marked corrected, but the report entered again has the "
                "same numbers; close it as not corrected or enter the corrected numbers",
            )
