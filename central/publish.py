"""The dashboard and the published folder of the central polling office, with the results site.

Published layout (docs/tiers.md, `shared.office.publish`): `<out>/CSB/` with the 510d (`Totaaltelling_*`), the
520 (`Resultaat_*`), the P 22 PDF, `deceased.json`, `summary.tks` and `key.tke`; `<out>/definition/`; and a
copy of every summary it added up in `<out>/<authority-id>/` with that authority's `key.tke`, so the folder is
complete for `telketen verify` up to the tier below. The site goes last into `<out>/site/`, so it can list
every file with its SHA-256.
"""

from __future__ import annotations

from pathlib import Path

from central.finalise import counted_parts, latest, national_total, result_view
from central.office import Office
from central.site import Area, build_site
from central.site_audit import AUDIT_DIR
from shared.office import status as office_status
from shared.office.publish import KEY_FILE as KEY_FILE
from shared.office.publish import SUMMARY_FILE as SUMMARY_FILE
from shared.office.publish import log_published, office_key, sign_published, write_published
from shared.office.status import Refused as Refused
from shared.office.status import Row as Row


class Status(office_status.Status, frozen=True, kw_only=True):
    """The dashboard, with the candidates recorded as deceased (Kieswet P 19a)."""

    deceased: tuple[tuple[int, int], ...] = ()


def status(office: Office) -> Status:
    """Which authorities are in, missing, duplicated, superseded by a corrigendum; what was refused."""
    st = office_status.status(office)
    deceased = tuple((n, p) for n, ps in office.deceased().items() for p in ps)
    return Status(rows=st.rows, refused=st.refused, finalised_phase=st.finalised_phase, deceased=deceased)


def publish(office: Office, out: Path, passphrase: bytes) -> list[Path]:
    """Write the published files, copies of what was received, the results site, and last the signed
    manifest of all of it: the whole `site/` folder as built, and the hand-recount plan in `hertelling/` that
    the site now shows (docs/audit.md); the passphrase unlocks the office's key."""
    key = office_key(office, passphrase)
    _, result, files = latest(office)
    written = write_published(office, out, files)
    parts = counted_parts(office)
    election = office.election
    total = national_total(election, parts)
    at = office.now()
    written += build_site(
        out,
        election=election,
        view=result_view(election),
        total=total,
        result=result,
        areas=[
            Area(id=p.authority, name=p.name, digest=p.digest, tally=p.tally, children=p.children)
            for p in parts
        ],
        deceased=office.deceased(),
        authority=office.meta("authority_name"),
        at=at,
    )
    shown = [p for folder in ("site", AUDIT_DIR) for p in sorted((out / folder).rglob("*")) if p.is_file()]
    written.append(sign_published(out, [*written, *shown], key, at))
    log_published(office, out, written, at)
    return written
