"""The counting method of a municipality: central (CSO) or decentral (DSO) counting, chosen once at init.

Why it matters everywhere in the app: under decentral counting (decentrale stemopneming, Kieswet art. N 10
and hoofdstuk N; the municipality decides, art. N 1) the polling stations count the votes per candidate
themselves and write them in their N 10-1; the gemeentelijk stembureau checks those reports and adds them up
(model Na 31-1). Under central counting the stations count per list only (N 10-2) and the gemeentelijk
stembureau counts per candidate (Na 31-2 Bijlage 1). So the method decides which paper the typists key
(spec/station-reports.md §1.4: N 10-1 and Na 14-1 for DSO; Na 31-2 Bijlage 1 and Na 14-2 Bijlage 1 for CSO),
which report the municipality signs (Na 31-1 or Na 31-2), and which blank forms it prints. The 510b and the
signed summary carry the same totals either way: the upper tiers do not see the method.
"""

from __future__ import annotations

from typing import Literal

from municipality.report import StationFlags
from shared.domain.station_report import ReportModel, StationReport
from shared.errors import InputError

Counting = Literal["central", "decentral"]
COUNTING_METHODS: tuple[Counting, ...] = ("central", "decentral")
#: Old state files have no counting method: they were all central counts.
DEFAULT_COUNTING: Counting = "central"

#: Dutch name of the method, as the dashboard and the reports say it.
COUNTING_NL: dict[Counting, str] = {
    "central": "centrale stemopneming",
    "decentral": "decentrale stemopneming",
}


def parse_counting(text: str) -> Counting:
    """The method named on the command line or in the state file; InputError naming `--counting` otherwise."""
    for method in COUNTING_METHODS:
        if text == method:
            return method
    raise InputError(
        f"unknown counting method '{text}': choose {' or '.join(COUNTING_METHODS)}", where="--counting"
    )


def model_for(counting: Counting, session: int) -> ReportModel:
    """The paper model the typists key in `session`: the station's first report, or its correction."""
    if counting == "decentral":
        return "dso_first" if session == 1 else "dso_next"
    return "cso_first" if session == 1 else "cso_next"


def dso_flags(report: StationReport) -> StationFlags:
    """The three station-table ticks of Na 31-1 rubric 1.2.1 from the N 10-1 "controles en correcties" insert.

    Under decentral counting the gemeentelijk stembureau re-examines a station's report on its own initiative
    (the insert's reasons) and may correct it (Na 14-1 versie 1): an unexplained difference means it
    re-established the admitted voters, "another error" is an investigation for another reason, and corrected
    results mean ballots were (partly) recounted.
    """
    checks = report.checks_and_corrections
    if checks is None:
        return StationFlags()
    return StationFlags(
        readmitted=checks.reason_unexplained_difference,
        investigated=checks.reason_other_error,
        recounted=checks.corrected_own_initiative.yes and not checks.corrected_own_initiative.no,
    )
