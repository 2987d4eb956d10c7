"""The dashboard and the published folder of a hoofdstembureau.

Published layout (docs/tiers.md, `shared.office.publish`): `<out>/HSB<n>/` with the 510c, the O 3 PDF,
`summary.tks` and `key.tke`; `<out>/definition/`; and copies of the municipal summaries it added up with
their enrolment records in `<out>/<code>/`, so that `verify` can follow the hash tree from this district down
to the municipalities even if a municipality's own folder is missing.
"""

from __future__ import annotations

from pathlib import Path

from hoofdstembureau.finalise import latest
from hoofdstembureau.office import Office
from shared.office.publish import KEY_FILE as KEY_FILE
from shared.office.publish import SUMMARY_FILE as SUMMARY_FILE
from shared.office.publish import log_published, office_key, sign_published, write_published
from shared.office.status import Refused as Refused
from shared.office.status import Row as Row
from shared.office.status import Status as Status
from shared.office.status import status as status


def publish(office: Office, out: Path, passphrase: bytes) -> list[Path]:
    """Write this office's published files (and copies of what it consumed) under `out`, then its signed
    manifest of them (the passphrase unlocks the office's key)."""
    key = office_key(office, passphrase)
    _, signed, eml, eml_name, pdf, pdf_name = latest(office)
    written = write_published(office, out, {eml_name: eml, SUMMARY_FILE: signed, pdf_name: pdf})
    at = office.now()
    written.append(sign_published(out, written, key, at))
    log_published(office, out, written, at)
    return written
