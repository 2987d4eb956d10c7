"""The dashboard of a receiving office: who is in, missing, duplicated, corrected; what was refused.

The rows are the scanning desk's own (`shared.adapters.desk_model.DeskRow`, `DeskRefusal`): the command
line and the browser show the same dashboard from the same structs.
"""

from __future__ import annotations

from shared.adapters.desk_model import DeskRefusal, DeskRow, DeskStatus
from shared.domain.keyed import STATE_LABELS_NL, KeyedState
from shared.formats.keyed import decode_keyed, is_keyed, source_text
from shared.formats.signing import split_signed
from shared.formats.summary import ChildSource
from shared.i18n import catalogue
from shared.office.keyed import states as keyed_states
from shared.office.office import Office
from shared.office.plausible import received_advice

Row = DeskRow
Refused = DeskRefusal


class Status(DeskStatus, frozen=True, kw_only=True):
    @property
    def complete(self) -> bool:
        return all(r.state != "missing" for r in self.rows)


def status(office: Office) -> Status:
    """Which authorities are in (scanned or keyed from paper), missing (and how far their keying is),
    duplicated, superseded by a corrigendum; what was refused."""
    book = office.book()
    dup = dict(book.duplicates)
    keying = keyed_states(office)
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
                source=_source(office, rec.digest) if rec else _keying(keying.get(code)),
            )
        )
    refused = tuple(
        Refused(
            at=str(at),
            source=str(src),
            authority=str(who or "?"),
            reason=str(reason or ""),
            reason_nl=str(reason_nl or catalogue.text("desk.refused_earlier")),
        )
        for at, src, who, reason, reason_nl in office.conn.execute(
            "SELECT at, source, authority_id, reason, reason_nl FROM received WHERE outcome = 'refuse' "
            "ORDER BY seq"
        ).fetchall()
    )
    row = office.conn.execute("SELECT MAX(phase) FROM outputs").fetchone()
    return Status(
        rows=tuple(rows),
        refused=refused,
        finalised_phase=None if row[0] is None else int(row[0]),
        advice=tuple(received_advice(office)),
    )


def _source(office: Office, digest: bytes) -> str:
    """Where the numbers that count came from, as the O 3 prints it."""
    message = office.message(digest)
    if is_keyed(message):
        part = decode_keyed(message, where="keyed part")
        return source_text(ChildSource(key_id=b"", keyed_by=list(part.keyed_by)))
    return source_text(ChildSource(key_id=split_signed(message, where="summary").key_id, keyed_by=[]))


def _keying(state: KeyedState | None) -> str:
    """For an authority still missing: how far typing its paper report has come."""
    return "" if state is None or state == "empty" else f"van papier: {STATE_LABELS_NL[state].lower()}"
