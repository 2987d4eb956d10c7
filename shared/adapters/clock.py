"""The machine's clock as every edge reads it: Dutch local time (Europe/Amsterdam), whole seconds.

Why Amsterdam and not the machine's zone: the reports, the audit log and the pages print the moment of a
Dutch election's acts; a laptop left on UTC or another zone must still print "22:15" for a quarter past ten
in the evening in the Netherlands. The ISO form keeps its offset, so the instant is the same either way.
"""

from __future__ import annotations

from datetime import datetime

from shared.i18n.dates import AMSTERDAM


def now() -> datetime:
    """Now, in Amsterdam local time with its UTC offset, whole seconds."""
    return datetime.now(AMSTERDAM).replace(microsecond=0)
