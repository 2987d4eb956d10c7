"""Plausibility in verify's report: advice on units that look unlike their peers, as information.

Why here too: a citizen checking the published files sees the same advice the coordinator and the desks saw
(issue 16 part 1). It is not a check: a finding here never makes the report fail (docs/plausibility.md says
what the statistics can and cannot tell)."""

from __future__ import annotations

from shared.formats.eml.model import Count510
from shared.formats.plausibility import advise
from telketen.verify.collect import Eml
from telketen.verify.findings import Plausibility


def plausibility_of(counts: list[tuple[Eml, Count510]]) -> list[Plausibility]:
    """The advice on every published count file with units to compare, in file order."""
    out: list[Plausibility] = []
    for f, c in sorted(counts, key=lambda fc: fc[0].file):
        for a in advise(c):
            out.append(Plausibility(file=f.file, unit=a.unit, kind=a.kind, score=a.score, detail=a.detail))
    return out
