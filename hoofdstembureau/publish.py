"""The dashboard and the published folder of a hoofdstembureau.

Published layout (docs/tiers.md): `<out>/<authority-id>/` per issuer with its EML, `summary.tks`, `key.tke`
and PDF report, and `<out>/definition/` with the 110a and 230b as imported. The hoofdstembureau also copies
the municipal summaries it added up and their enrolment records into `<out>/<code>/`, so that `verify` can
follow the hash tree from this district down to the municipalities even if a municipality's own folder is
missing; the bytes are the exact bytes received, so they are identical to what the municipality publishes.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from hoofdstembureau.finalise import latest
from hoofdstembureau.office import Office, now
from hoofdstembureau.setup import ENROLMENT_FILE
from shared.adapters.files import atomic_write_many
from shared.domain.intake import Book

SUMMARY_FILE = "summary.tks"
KEY_FILE = "key.tke"


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """One municipality on the dashboard."""

    code: str
    name: str
    state: str
    phase: int | None = None
    digest: str = ""
    duplicates: int = 0
    superseded: int = 0


class Refused(msgspec.Struct, frozen=True, kw_only=True):
    at: str
    source: str
    authority: str
    reason: str


class Status(msgspec.Struct, frozen=True, kw_only=True):
    rows: tuple[Row, ...]
    refused: tuple[Refused, ...]
    finalised_phase: int | None

    @property
    def complete(self) -> bool:
        return all(r.state != "missing" for r in self.rows)


def status(office: Office) -> Status:
    """Which municipalities are in, missing, duplicated, superseded by a corrigendum; what was refused."""
    book: Book = office.book()
    dup = dict(book.duplicates)
    rows = []
    for code in book.expected:
        rec = book.accepted(code)
        n_super = sum(1 for old in book.superseded if old.authority == code)
        rows.append(
            Row(
                code=code,
                name=office.municipality_name(code),
                state="missing" if rec is None else ("corrigendum" if n_super else "in"),
                phase=None if rec is None else rec.phase,
                digest="" if rec is None else rec.digest.hex()[:16],
                duplicates=dup.get(code, 0),
                superseded=n_super,
            )
        )
    refused = tuple(
        Refused(at=str(at), source=str(src), authority=str(who or "?"), reason=str(reason or ""))
        for at, src, who, reason in office.conn.execute(
            "SELECT at, source, authority_id, reason FROM received WHERE outcome = 'refuse' ORDER BY seq"
        ).fetchall()
    )
    row = office.conn.execute("SELECT MAX(phase) FROM outputs").fetchone()
    return Status(rows=tuple(rows), refused=refused, finalised_phase=None if row[0] is None else int(row[0]))


def publish(office: Office, out: Path) -> list[Path]:
    """Write this office's published files (and copies of what it consumed) under `out`."""
    _, signed, eml, eml_name, pdf, pdf_name = latest(office)
    written: list[Path] = []
    own = {
        eml_name: eml,
        SUMMARY_FILE: signed,
        KEY_FILE: (office.state_dir / ENROLMENT_FILE).read_bytes(),
        pdf_name: pdf,
    }
    written += atomic_write_many(out / office.authority_id, own)
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
        files = {SUMMARY_FILE: office.message(rec.digest)}
        if rec.authority in enrolments:
            files[KEY_FILE] = enrolments[rec.authority]
        written += atomic_write_many(out / rec.authority, files)
    with office.transaction():
        office.log("published", {"folder": str(out), "files": [str(p) for p in written]}, now())
    return written
