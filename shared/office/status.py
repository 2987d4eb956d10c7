"""The dashboard of a receiving office: who is in, missing, duplicated, corrected; what was refused.

The rows are the scanning desk's own (`shared.adapters.web.DeskRow`, `DeskRefusal`): the command line and the
browser show the same dashboard from the same structs.
"""

from __future__ import annotations

from shared.adapters.web import DeskRefusal, DeskRow, DeskStatus
from shared.office.office import Office

Row = DeskRow
Refused = DeskRefusal


class Status(DeskStatus, frozen=True, kw_only=True):
    @property
    def complete(self) -> bool:
        return all(r.state != "missing" for r in self.rows)


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
    return Status(rows=tuple(rows), refused=refused, finalised_phase=None if row[0] is None else int(row[0]))
