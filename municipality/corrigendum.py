"""The corrigendum of the municipality, model Na 14-2 (reports.md §5): original next to corrected figures.

Why its own data: a corrigendum shows every number twice — the one established in the earlier session
("oorspronkelijk", grey) and, only where it changed, the corrected one — and names the stations investigated
with the reason, the findings and whether the result was corrected (Kieswet art. P 2a: a new session at the
request of the central polling office; the corrected figures replace those of the earlier report).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from municipality.investigation import Investigation
from municipality.report import (
    StationResult,
    authority_of,
    letter_rows,
    list_tables,
    signatures_of,
    station_sentence,
)
from shared.adapters.pdf import pdf_date
from shared.domain.election import Election, Municipality, Station
from shared.domain.tally import Tally
from shared.formats import dutch


def na14_2_data(
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
    """Everything the Na 14-2 template prints, as JSON-ready data."""
    local = election.category in ("GR", "ER")
    names = {cl.number: cl.name for cl in election.district(municipality.district_id).lists}
    voters, votes = letter_rows(totals, names, local=local, station=False, original=original)
    old = {s.station.id: s.tally for s in before}
    more = [s.station.number for s in stations if s.tally.ballots_cast > s.tally.admitted_voters]
    fewer = [s.station.number for s in stations if s.tally.ballots_cast < s.tally.admitted_voters]
    investigated = []
    for st, inv in investigations:
        new = next(s.tally for s in stations if s.station.id == st.id)
        prev = old[st.id]
        sv, sw = letter_rows(new, names, local=local, station=True, original=prev)
        investigated.append(
            {
                "number": st.number,
                "name": st.name,
                "reason": inv.reason,
                "findings": inv.findings or "",
                "corrected": bool(inv.corrected),
                "rows_voters": sv,
                "rows_votes": sw,
                "lists": list_tables(election, municipality.district_id, new, prev) if inv.corrected else [],
            }
        )
    return {
        "title": f"Model Na 14-2 {municipality.code} {municipality.name} {election.name}",
        "authority": authority_of(municipality),
        "election": {"name": election.name, "date_text": dutch.long_date(election.date), "local": local},
        "generated": dutch.timestamp(generated),
        "pdf_date": pdf_date(generated),
        "session_text": session_text,
        "eml_hash": dutch.hash_groups(eml_sha256),
        "audit": {"seq": audit_head[0], "hash": dutch.hash_groups(audit_head[1])},
        "phase": phase,
        "supersedes": dutch.hash_groups(supersedes),
        "Z": totals.eligible_voters,
        "rows_voters": voters,
        "rows_votes": votes,
        "I": {"value": totals.more_ballots, "original": original.more_ballots},
        "J": {"value": totals.fewer_ballots, "original": original.fewer_ballots},
        "all_equal": not more and not fewer,
        "more_sentence": station_sentence(more),
        "fewer_sentence": station_sentence(fewer),
        "lists": list_tables(election, municipality.district_id, totals, original),
        "investigated": investigated,
        "signatures": signatures_of(local),
    }
