"""The corrigendum of a polling station's report under decentral counting, model Na 14-1 (reports.md §4).

Why not the Na 14-2: under decentral counting the figures the gemeentelijk stembureau corrects are the
station's own (its N 10-1), so the corrigendum is one per station — "versie 2" for a new session at the
request of the central stembureau (Kieswet art. P 2a): the reason and findings of the investigation, then the
station's corrected voters, votes, D/H difference and votes per candidate, the original next to the corrected
figure. Abacus refuses the Na 14-2 for a decentral count. The municipal totals that follow from the
corrections travel in the 510b and the signed summary appended to the same paper, as with the Na 14-2.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from municipality.corrigendum import na14_2_data
from municipality.investigation import Investigation
from municipality.report import StationResult, list_tables
from shared.domain.election import Election, Municipality, Station
from shared.domain.tally import Tally


def na14_1_data(
    election: Election,
    municipality: Municipality,
    totals: Tally,
    original: Tally,
    stations: Sequence[StationResult],
    before: Sequence[StationResult],
    investigations: Sequence[tuple[Station, Investigation]],
    *,
    generated: datetime,
    eml_sha256: str,
    audit_head: tuple[int, str],
    session_text: str,
    phase: int,
    supersedes: str,
) -> dict[str, Any]:
    """Everything the Na 14-1 template prints: the Na 14-2's data plus each station's votes tables."""
    data = na14_2_data(
        election,
        municipality,
        totals,
        original,
        stations,
        before,
        investigations,
        generated=generated,
        eml_sha256=eml_sha256,
        audit_head=audit_head,
        session_text=session_text,
        phase=phase,
        supersedes=supersedes,
    )
    new = {s.station.id: s.tally for s in stations}
    old = {s.station.id: s.tally for s in before}
    for row, (st, _) in zip(data["investigated"], investigations, strict=True):
        row["lists"] = list_tables(election, municipality.district_id, new[st.id], old[st.id])
        d, h = new[st.id].admitted_voters, new[st.id].ballots_cast
        row["compare"] = "equal" if d == h else "more" if h > d else "fewer"  # the D/H ticks, corrected
    data["title"] = f"Model Na 14-1 {municipality.code} {municipality.name} {election.name}"
    return data
