"""The investigated stations a published 510b names (its `kr:Investigation` flags), as information.

Why a note and not a check: an investigation (Kieswet art. P 2a, or the central count's extra investigation of
Na 31-2 rubric 1.2.1) is a lawful part of the count, not a fault; a reader of `verify`'s report should still
see which stations were investigated and whether their result was corrected, next to the numbers that hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.formats.eml.model import Count510
from telketen.verify.findings import Report

#: The flags in the words of the paper (P 2a, Na 31-2 rubric 1.2.1).
WORDS = {
    "onderzocht vanwege andere reden": "onderzocht",
    "onderzocht vanwege onverklaard verschil": "onderzocht vanwege een onverklaard verschil",
    "onderzocht vanwege andere fout": "onderzocht vanwege een andere fout",
    "toegelaten kiezers opnieuw vastgesteld": "toegelaten kiezers opnieuw vastgesteld",
    "stembiljetten deels herteld": "stembiljetten (deels) herteld",
}


def note_investigations(counts: Sequence[tuple[str, Count510]], report: Report) -> None:
    """One note per 510b that flags stations: each station with what its flags say, in Dutch."""
    for file, count in counts:
        lines = []
        for unit in count.units:
            flags = dict(unit.investigations)
            said = [WORDS[code] for code, value in unit.investigations if value and code in WORDS]
            if "uitslag gecorrigeerd" in flags:
                said.append(
                    "uitslag gecorrigeerd" if flags["uitslag gecorrigeerd"] else "uitslag ongewijzigd"
                )
            if any(flags.values()):
                lines.append(f"{unit.id} ({', '.join(said)})")
        if lines:
            report.note("onderzochte stembureaus", f"{file}: " + "; ".join(lines) + ".")
