"""The Dutch text of a refusal for a page, from the catalogue; a refusal without one is logged, not shown.

Why an edge of its own: `shared.i18n.catalogue` is pure, but a code missing from it is a bug somebody must
hear about. The page gets the code and a neutral Dutch sentence; the English message and the code go to the
log (`telketen.i18n`), so nobody reads English in the browser and nothing is hidden from the administrator.
"""

from __future__ import annotations

import logging

from shared.errors import TelketenError
from shared.i18n.catalogue import explain

LOG = logging.getLogger("telketen.i18n")


def dutch(exc: TelketenError) -> str:
    """What a page says for `exc`."""
    text, known = explain(exc)
    if not known:
        LOG.warning("no Dutch text for %s (code %s): %s", type(exc).__name__, exc.code, exc)
    return text
