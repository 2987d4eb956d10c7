"""Simulated typists and coordinator: every station typed twice through the municipality's service layer.

Why simulate mistakes: the demo must show that the safeguards work, not only the happy path. A seeded few
percent of entries carry a typing error of one of two kinds that real typists make:

- an *inconsistent* slip (one candidate's votes mistyped, so the list total no longer matches: F.402). The
  first entry goes to the coordinator with errors; the coordinator gives it back, the typist checks the
  paper and corrects it;
- a *consistent* slip (two candidates' numbers swapped on the second entry, so every sum still holds): only
  double entry can catch it. The entries differ; the coordinator compares both with the paper, keeps the right
  one and returns the differing fields of the other to its typist, who re-keys them from the paper.

Nothing is overwritten silently and nobody types a number twice without the paper: the state machine of
`shared.domain.double_entry` enforces that; this module only plays the people.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import msgspec

from municipality.service import Service, User
from shared.domain.station_report import StationReport
from shared.domain.validation import copy_report
from shared.errors import StateError

#: Chance that an entry carries a typing error (each kind), a "seeded few percent".
SLIP_RATE = 0.03


class EntryStats(msgspec.Struct, kw_only=True):
    """What happened during entry: how many entries, slips caught by validation and by double entry."""

    stations: int = 0
    entries: int = 0
    caught_by_validation: int = 0
    caught_by_double_entry: int = 0
    resolutions: int = 0


def inconsistent_slip(report: StationReport, rng: random.Random) -> StationReport | None:
    """One candidate's votes mistyped (a digit added): the list total no longer matches (F.402)."""
    lists = [i for i, lst in enumerate(report.lists) if lst.candidate_votes]
    if not lists:
        return None
    out = copy_report(report)
    lst = out.lists[rng.choice(lists)]
    j = rng.randrange(len(lst.candidate_votes))
    lst.candidate_votes[j] = lst.candidate_votes[j] * 10 + rng.randint(1, 9)
    return out


def consistent_slip(report: StationReport, rng: random.Random) -> StationReport | None:
    """Two candidates' votes of one list swapped: every sum still holds, only double entry sees it."""
    options = [
        i
        for i, lst in enumerate(report.lists)
        if len(set(lst.candidate_votes)) > 1 and len(lst.candidate_votes) > 1
    ]
    if not options:
        return None
    out = copy_report(report)
    lst = out.lists[rng.choice(options)]
    while True:
        a, b = rng.sample(range(len(lst.candidate_votes)), 2)
        if lst.candidate_votes[a] != lst.candidate_votes[b]:
            break
    lst.candidate_votes[a], lst.candidate_votes[b] = lst.candidate_votes[b], lst.candidate_votes[a]
    return out


def enter_station(
    svc: Service,
    station_id: str,
    paper: StationReport,
    typists: tuple[User, User],
    coordinator: User,
    rng: random.Random,
    at: Callable[[], str],
    stats: EntryStats,
) -> None:
    """Type one station twice (with the seeded slips), resolve whatever the checks catch, until definitive.

    The station's actions are stored as one transaction (`Service.batch`): simulated people never wait for
    each other, so a commit per action would only add disk syncs; the audit trail is the same.
    """
    first, second = typists
    stats.stations += 1

    def type_entry(user: User, report: StationReport) -> str:
        svc.claim(user, station_id, at=at())
        svc.save(user, station_id, report, progress=100, at=at())
        stats.entries += 1
        # The typist compared the screen with the paper: warnings (and errors the paper has) are accepted.
        return svc.finalise_entry(user, station_id, accept_warnings=True, accept_errors=True, at=at()).state

    with svc.batch():
        slip = inconsistent_slip(paper, rng) if rng.random() < SLIP_RATE else None
        state = type_entry(first, slip or paper)
        if state == "first_entry_has_errors":
            stats.caught_by_validation += 1
            svc.resolve(coordinator, station_id, "resume-first", at=at())
            stats.resolutions += 1
            state = type_entry(first, paper)
        swap = consistent_slip(paper, rng) if rng.random() < SLIP_RATE else None
        state = type_entry(second, swap or paper)
        if state == "entries_different":
            stats.caught_by_double_entry += 1
            entry = svc.entry(station_id)
            first_right = entry.first is not None and entry.first.report == paper
            svc.resolve(
                coordinator, station_id, "return-to-second" if first_right else "return-to-first", at=at()
            )
            stats.resolutions += 1
            state = type_entry(second if first_right else first, paper)
    if state != "definitive":
        raise StateError(f"station {station_id} ended in state {state} after the simulated entry")
