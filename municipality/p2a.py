"""Model P 2a: the report of a municipality's next session (Kieswet art. P 2a; reports.md §5.2).

Why its own document: the corrigendum (Na 14-2) carries numbers; the P 2a is the session's own report — who
was there, which stations were investigated, why, what was found and whether the result was corrected. It is
made at every finalise of a next session, also when no result changed (then there is no number to correct,
but the investigation still has to be reported). Presence, objections and signatures stay blank for
handwriting, as in Abacus.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from municipality.investigation import Investigation
from municipality.report import authority_of, render_report, signatures_of
from shared.adapters.pdf import pdf_date
from shared.domain.election import Election, Municipality, Station
from shared.formats import dutch


def p2a_data(
    election: Election,
    municipality: Municipality,
    investigations: Sequence[tuple[Station, Investigation]],
    *,
    generated: datetime,
    eml_sha256: str,
    session_text: str,
) -> dict[str, Any]:
    """Everything the P 2a template prints, as JSON-ready data."""
    local = election.category in ("GR", "ER")
    return {
        "title": f"Model P 2a {municipality.code} {municipality.name} {election.name}",
        "authority": authority_of(municipality),
        "election": {"name": election.name, "date_text": dutch.long_date(election.date), "local": local},
        "generated": dutch.timestamp(generated),
        "pdf_date": pdf_date(generated),
        "session_text": session_text,
        "eml_hash": dutch.hash_groups(eml_sha256),
        "stations": [
            {
                "number": st.number,
                "name": st.name,
                "reason": inv.reason,
                "findings": inv.findings or "",
                "corrected": bool(inv.corrected),
            }
            for st, inv in investigations
        ],
        "signatures": signatures_of(local),
    }


def render_p2a(data: dict[str, Any], *, at: datetime) -> bytes:
    """The P 2a PDF; `at` (the finalise time) is its date, so the same input gives the same bytes."""
    return render_report("p2a.typ", data, at=at)
