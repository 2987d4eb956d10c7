"""The published folder of a receiving office (docs/tiers.md): own files, the definition, what it received.

`<out>/<authority-id>/` holds the office's EML, PDF report, `summary.tks` and `key.tke`; `<out>/definition/`
the 110a and 230b as imported. The office also copies every summary it added up, with that authority's
enrolment record, into `<out>/<authority-id of the sender>/`, so that `verify` can follow the hash tree down
a tier even if the sender's own folder is missing; the bytes are the exact bytes received, so they are
identical to what the sender publishes itself. A part keyed from paper (`shared.office.keyed`) is written
there as `keyed.tkk`, the record whose digest the office's summary lists.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from shared.adapters.files import atomic_write_many
from shared.formats.keyed import FILE_NAME as KEYED_FILE
from shared.formats.keyed import is_keyed
from shared.office.office import Office
from shared.office.setup import ENROLMENT_FILE

SUMMARY_FILE = "summary.tks"
KEY_FILE = "key.tke"


def write_published(office: Office, out: Path, own: dict[str, bytes]) -> list[Path]:
    """Write the office's `own` files (plus its key.tke), the definition and copies of what it consumed."""
    written = atomic_write_many(
        out / office.authority_id, {**own, KEY_FILE: (office.state_dir / ENROLMENT_FILE).read_bytes()}
    )
    definition = {}
    for kind in ("110a", "230b"):
        name, _, data = office.definition(kind)
        definition[name] = data
    written += atomic_write_many(out / "definition", definition)
    enrolments = {
        str(who): bytes(rec)
        for who, rec in office.conn.execute("SELECT authority_id, record FROM register").fetchall()
    }
    for rec in office.book().counting():
        message = office.message(rec.digest)
        if is_keyed(message):  # typed from paper: no signed summary, no key of the sender
            written += atomic_write_many(out / rec.authority, {KEYED_FILE: message})
            continue
        received = {SUMMARY_FILE: message}
        if rec.authority in enrolments:
            received[KEY_FILE] = enrolments[rec.authority]
        written += atomic_write_many(out / rec.authority, received)
    return written


def log_published(office: Office, out: Path, written: list[Path], at: datetime | None = None) -> None:
    """The audit entry of a publication, once everything is written."""
    with office.transaction():
        office.log("published", {"folder": str(out), "files": [str(p) for p in written]}, at or office.now())
