"""The demo's next session: the central office asks the first municipality to investigate two stations.

Why in the demo: an investigation is part of the real working day (Kieswet art. P 2a), and the chain must
carry it — the corrected result replaces the first one at the tiers above (a corrigendum naming its
predecessor), the 510b flags the stations, the signed summary lists them and the hoofdstembureau's O 3
reports them. One investigation ends "corrected" (the station's report typed twice again with one ballot moved
from blank to invalid: every sum still holds), the other "not corrected" (nothing is typed again).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import msgspec

from municipality.dso import model_for
from municipality.service import Service, User
from shared.domain.election import Station
from shared.domain.station_report import report_from_tally
from shared.domain.tally import Tally
from telketen.demo.typists import EntryStats, enter_station

#: The reasons and findings as a coordinator types them (Dutch: they are printed on P 2a and Na 14-2).
NOT_CORRECTED = (
    "Op verzoek van het centraal stembureau: controleer het aantal blanco stemmen.",
    "De blanco stembiljetten zijn opnieuw geteld; het aantal klopt.",
)
CORRECTED = (
    "Op verzoek van het centraal stembureau: tel de blanco en ongeldige stembiljetten opnieuw.",
    "Eén stembiljet was als blanco geteld maar is ongeldig.",
)


def moved_ballot(t: Tally) -> Tally:
    """The tally with one ballot moved between blank and invalid: H, D and every list stay the same."""
    if t.blank > 0:
        return msgspec.structs.replace(t, blank=t.blank - 1, invalid=t.invalid + 1)
    return msgspec.structs.replace(t, blank=t.blank + 1, invalid=t.invalid - 1)


def chosen(stations: tuple[Station, ...], tallies: dict[str, Tally]) -> tuple[Station, Station] | None:
    """The two stations investigated: the first one, and the next one with a ballot that can move."""
    movable = [s for s in stations[1:] if tallies[s.id].blank + tallies[s.id].invalid > 0]
    return (stations[0], movable[0]) if movable else None


def next_session(
    svc: Service,
    stations: tuple[Station, Station],
    tallies: dict[str, Tally],
    typists: tuple[User, User],
    coordinator: User,
    rng: random.Random,
    stamp: Callable[[], str],
    stats: EntryStats,
) -> None:
    """Open session 2, investigate both stations, re-enter the corrected one twice, close both."""
    kept, corrected = stations
    svc.new_session(coordinator, at=stamp())
    svc.investigate(coordinator, kept.id, NOT_CORRECTED[0], at=stamp())
    svc.investigate(coordinator, corrected.id, CORRECTED[0], at=stamp())
    svc.close_investigation(coordinator, kept.id, NOT_CORRECTED[1], False, at=stamp())
    paper = report_from_tally(
        model_for(svc.counting, 2), moved_ballot(tallies[corrected.id]), with_voter_cards=svc.voter_cards
    )
    enter_station(svc, corrected.id, paper, typists, coordinator, rng, stamp, stats)
    svc.close_investigation(coordinator, corrected.id, CORRECTED[1], True, at=stamp())
