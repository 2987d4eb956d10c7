"""Model O 3 as PDF: the data prepared here, the layout in templates/o3.typ, the signed QR pages appended.

Why split: the template only lays out what `data.json` says, so every number on paper comes from the tallies
passed in and the wording can be reviewed as text. The QR pages of the office's own signed summary are part of
the same document, so the paper that is signed is the paper that is scanned at the central office.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import Any

import msgspec

from shared.adapters.pdf import compile_typst, pdf_date, pdf_timestamp
from shared.adapters.sheets import SheetFooter, sheet_markup
from shared.domain.election import Election
from shared.domain.tally import Tally
from shared.formats import dutch

#: The explanation codes of EML 510 in the wording of O 3 rubric 4 (spec/reports.md §6).
EXPLANATION_LABELS: tuple[tuple[str, str], ...] = (
    ("meegenomen stembiljetten", "Er is een stembiljet niet ingeleverd (meegenomen)"),
    ("te weinig uitgereikte stembiljetten", "Er is een stembiljet te weinig uitgereikt"),
    ("te veel uitgereikte stembiljetten", "Er is een stembiljet te veel uitgereikt"),
    ("geen briefstembiljetten", "Lege enveloppe (briefstembureau)"),
    ("te veel briefstembiljetten", "Twee of meer stembiljetten in een enveloppe (briefstembureau)"),
    ("kwijtgeraakte stembiljetten", "Stembiljetten kwijtgeraakt (briefstembureau)"),
    ("geen verklaring", "Geen verklaring"),
    ("andere verklaring", "Andere verklaring"),
)

BODY_PHRASE = {
    "TK": "de Tweede Kamer",
    "EP": "het Europees Parlement",
    "PS": "provinciale staten van een provincie met meer dan één kieskring",
}


class Consumed(msgspec.Struct, frozen=True, kw_only=True):
    """A municipal part added up: code, name, session (phase), the digest of the signed summary (or keyed
    part) and where its numbers came from, in Dutch ("gescand, sleutel …" / "van papier ingevoerd door …")."""

    code: str
    name: str
    phase: int
    digest: str
    source: str = ""


def o3_data(
    election: Election,
    district_id: str,
    total: Tally,
    *,
    place: str,
    at: datetime,
    eml_sha256: str,
    consumed: Sequence[Consumed],
    audit_head: str,
    investigated: Sequence[dict[str, str]] = (),
    keyed: Sequence[str] = (),
) -> dict[str, Any]:
    """Everything the O 3 template prints, pre-formatted in Dutch."""
    district = election.district(district_id)
    n = dutch.number
    lists = []
    for lst in district.lists:
        counted = total.list_votes(lst.number)
        lists.append(
            {
                "number": str(lst.number),
                "name": lst.name or "(blanco lijst)",
                "total": n(counted.votes),
                "candidates": [
                    {"position": str(c.position), "name": c.display_name, "votes": n(v)}
                    for c, v in zip(lst.candidates, counted.candidate_votes, strict=True)
                ],
            }
        )
    explained = dict(total.explanations)
    label = f"{district.id}" + (f" ({district.name})" if district.name else "")
    return {
        "body_phrase": BODY_PHRASE.get(election.category, election.name),
        "election_name": election.name,
        "election_date": dutch.long_date(election.date),
        "place": place,
        "district_label": label,
        "session_date": dutch.long_date(at.date().isoformat()),
        "session_time": at.strftime("%H:%M") + " uur",
        "eligible": n(total.eligible_voters),
        "valid": n(total.votes_on_lists),
        "blank": n(total.blank),
        "invalid": n(total.invalid),
        "ballots": n(total.ballots_cast),
        "lists": lists,
        "more": n(total.more_ballots),
        "fewer": n(total.fewer_ballots),
        "explanations": [
            {"label": text, "count": n(explained.get(code, 0))}
            for code, text in EXPLANATION_LABELS
            if code in explained or not code.startswith(("geen brief", "te veel brief", "kwijt"))
        ],
        "investigated": list(investigated),
        "keyed": list(keyed),
        "proxy": n(total.proxy_certificates),
        "generated": dutch.timestamp(at),
        "pdf_date": pdf_date(at),
        "hash_upper": dutch.hash_groups(eml_sha256).upper(),
        "municipalities": [
            {
                "code": c.code,
                "name": c.name,
                "phase": "eerste zitting" if c.phase == 0 else f"corrigendum {c.phase}",
                "digest": dutch.hash_groups(c.digest),
                "source": c.source,
            }
            for c in consumed
        ],
        "audit_head": audit_head,
    }


def render_o3(
    data: dict[str, Any],
    signed_summary: bytes,
    *,
    qr_title: str,
    qr_subtitle: str,
    at: datetime | None = None,
) -> bytes:
    """The O 3 PDF with the signed summary's QR pages at the end; `at` (the session time, from the edge) is
    the PDF's date, so the same input gives the same bytes."""
    template = resources.files("hoofdstembureau").joinpath("templates/o3.typ").read_text(encoding="utf-8")
    footer = SheetFooter(
        appendix="Bijlage 2 bij Model O 3: ondertekende samenvatting in QR-codes "
        "(voor het centraal stembureau)",
        fingerprint=f"Datum: {data['generated']} - SHA-256-Hashcode: {data['hash_upper']}",
    )
    markup, files = sheet_markup(signed_summary, title=qr_title, subtitle=qr_subtitle, footer=footer)
    source = template + "\n" + markup
    return compile_typst(
        source,
        {"data.json": json.dumps(data, ensure_ascii=False).encode("utf-8"), **files},
        timestamp=pdf_timestamp(at),
    )
