"""The dashboard and the published folder of the central polling office, with the results site.

Published layout (docs/tiers.md): `<out>/CSB/` with the 510d (`Totaaltelling_*`), the 520 (`Resultaat_*`), the
P 22 PDF, `summary.tks` and `key.tke`; `<out>/definition/` with the 110a and 230b as imported; and, because
the central office scanned them, a copy of every summary it added up in `<out>/<authority-id>/summary.tks`
with that authority's `key.tke` (the exact bytes received), so the folder is complete for `telketen verify` up
to the tier below. The site goes last into `<out>/site/`, so it can list every file with its SHA-256."""

from __future__ import annotations

from pathlib import Path

import msgspec

from central.finalise import counted_parts, latest, result_view
from central.office import AUTHORITY_ID, Office, now
from central.setup import ENROLMENT_FILE
from central.site import Area, build_site
from shared.adapters.files import atomic_write_many
from shared.domain.tally import add_tallies

SUMMARY_FILE = "summary.tks"
KEY_FILE = "key.tke"


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """One authority on the dashboard."""

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
    deceased: tuple[tuple[int, int], ...] = ()


def status(office: Office) -> Status:
    """Which authorities are in, missing, duplicated, superseded by a corrigendum; what was refused."""
    book = office.book()
    dup = dict(book.duplicates)
    rows = []
    for code in book.expected:
        rec = book.accepted(code)
        n_super = sum(1 for old in book.superseded if old.authority == code)
        rows.append(
            Row(
                code=code,
                name=office.child_name(code),
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
    deceased = tuple((n, p) for n, ps in office.deceased().items() for p in ps)
    return Status(
        rows=tuple(rows),
        refused=refused,
        finalised_phase=None if row[0] is None else int(row[0]),
        deceased=deceased,
    )


def publish(office: Office, out: Path) -> list[Path]:
    """Write the published files, copies of what was received, and the results site under `out`."""
    _, result, files = latest(office)
    written: list[Path] = []
    own = dict(files)
    own[KEY_FILE] = (office.state_dir / ENROLMENT_FILE).read_bytes()
    written += atomic_write_many(out / AUTHORITY_ID, own)
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
        received = {SUMMARY_FILE: office.message(rec.digest)}
        if rec.authority in enrolments:
            received[KEY_FILE] = enrolments[rec.authority]
        written += atomic_write_many(out / rec.authority, received)
    parts = counted_parts(office)
    election = office.election
    total = add_tallies(((p.authority, p.tally) for p in parts), unit=AUTHORITY_ID)
    at = now()
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
    with office.transaction():
        office.log("published", {"folder": str(out), "files": [str(p) for p in written]}, at)
    return written
