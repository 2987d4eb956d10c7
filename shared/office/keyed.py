"""Keyed fallback at a receiving office: a municipal report typed twice from paper becomes a counted part.

The double entry itself is `shared.domain.keyed`; this is the office's side: the blank form for an
authority (its district's lists, in the paper's order), storing each entry and the coordinator's decisions in
the state file with an audit entry in the same transaction, and — once two different users typed identical
totals — booking the part in the intake book like a received summary (`shared.domain.intake`), so that
`complete`, `finalise` and `publish` treat it as one of the parts, always marked as keyed
(`shared.formats.keyed`, summary format version 2). A keyed part is never silently mixed in: it is booked
only for an authority that has no summary in yet, and the office's signed summary names both typists.
"""

from __future__ import annotations

import hashlib

import msgspec

from shared.domain import keyed as kd
from shared.domain.intake import Outcome, Received, decide
from shared.domain.keyregister import KeyRegister
from shared.domain.tally import Tally
from shared.domain.total_rules import check_totals
from shared.domain.validation import ValidationContext, ValidationResults, context_for
from shared.errors import InputError, IntegrityError, StateError
from shared.formats.keyed import KeyedPart, decode_keyed, encode_keyed, is_keyed
from shared.formats.signing import open_signed, register_lookup, split_signed
from shared.formats.summary import ChildSource, counts_from_tally, tally_from_counts
from shared.office.office import Office

_RECORD = msgspec.msgpack.Decoder(kd.KeyedRecord)
_TOTALS = msgspec.json.Decoder(kd.KeyedTotals)


class KeyedOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What one entry did: the state after it, the findings on it, the fields that differ from the other
    entry (shown to the coordinator only) and, once definitive, the digest the part was booked under."""

    authority: str
    state: kd.KeyedState
    findings: ValidationResults
    differences: tuple[str, ...] = ()
    digest: str = ""


def context(office: Office, authority: str) -> ValidationContext:
    """The validation context of `authority`'s report: its district's lists, box C or not (level csb)."""
    district = office.district_of(authority)
    if district is None or authority not in office.children():
        raise InputError(f"{authority} is not one of the authorities this office adds up", where="authority")
    return context_for(district, office.election.category, level="csb")


def blank_form(office: Office, authority: str) -> bytes:
    """The empty form for `authority`'s report as JSON (Z, A–J, the lists in ballot order), to fill in."""
    return msgspec.json.format(msgspec.json.encode(kd.blank_totals(context(office, authority))))


def record_of(office: Office, authority: str) -> kd.KeyedRecord:
    row = office.conn.execute(
        "SELECT record FROM keyed_entries WHERE authority_id = ?", (authority,)
    ).fetchone()
    return kd.KeyedRecord() if row is None else _RECORD.decode(bytes(row[0]))


def _save(office: Office, authority: str, record: kd.KeyedRecord) -> None:
    office.conn.execute(
        "INSERT OR REPLACE INTO keyed_entries (authority_id, record) VALUES (?, ?)",
        (authority, msgspec.msgpack.encode(record)),
    )


def read_totals(data: bytes, *, where: str) -> kd.KeyedTotals:
    """A filled-in form (JSON as `blank_form` writes it); InputError naming the file and field."""
    try:
        return _TOTALS.decode(data)
    except msgspec.ValidationError as exc:
        raise InputError(f"not a keyed form: {exc}", where=where) from None
    except msgspec.DecodeError as exc:
        raise InputError(f"not JSON: {exc}", where=where) from None


def _require_not_in(office: Office, authority: str) -> None:
    if office.book().accepted(authority) is not None:
        raise StateError(
            f"{authority} is already in (a summary was received); its paper is not keyed", where="keyed entry"
        )


def enter(
    office: Office, authority: str, typist: str, totals: kd.KeyedTotals, *, accept_warnings: bool = False
) -> KeyedOutcome:
    """One typist's entry of `authority`'s totals; books the part when it is the second identical one."""
    ctx = context(office, authority)
    at = office.now()
    _require_not_in(office, authority)
    with office.transaction():
        record, findings = kd.enter(
            record_of(office, authority),
            typist,
            totals,
            ctx,
            at=at.isoformat(),
            accept_warnings=accept_warnings,
        )
        _save(office, authority, record)
        office.log(
            "keyed_entry",
            {
                "authority": authority,
                "entry": 1 if record.second is None else 2,
                "state": record.state,
                "warnings": [r.code for r in findings.warnings],
            },
            at,
        )
        digest = _book(office, authority, record) if record.state == "definitive" else ""
    differences: tuple[str, ...] = ()
    if record.state == "entries_different" and record.first and record.second:
        differences = tuple(kd.differences(record.first.totals, record.second.totals))
    return KeyedOutcome(
        authority=authority, state=record.state, findings=findings, differences=differences, digest=digest
    )


def _book(office: Office, authority: str, record: kd.KeyedRecord) -> str:
    """Book the definitive part in the intake book (inside the caller's transaction); its digest."""
    assert record.first is not None
    first, second = record.keyed_by
    at = record.second.at if record.second else record.first.at
    typed = record.first.totals
    district = office.district_of(authority)
    part = KeyedPart(
        election_id=office.election_id,
        district_id=district.id if district else "",
        authority_id=authority,
        keyed_at=at,
        keyed_by=[first, second],
        counts=counts_from_tally(typed.tally()),
        eml_sha256=bytes.fromhex(typed.eml_sha256),
    )
    message = encode_keyed(part)
    digest = hashlib.sha256(message).digest()
    decision = decide(office.book(), Received(authority=authority, digest=digest, phase=0))
    if decision.outcome is not Outcome.ACCEPT:
        raise StateError(f"{authority}: {decision.message()}", where="keyed entry")
    source = f"keyed from paper by {first} and {second}"
    office.conn.execute(
        "INSERT INTO received (at, source, digest, key_id, authority_id, phase, supersedes, stage, outcome, "
        "reason, message) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (at, source, digest.hex(), "", authority, 0, None, "intake", "accept", None, message),
    )
    office.log(
        "summary_accept",
        {
            "source": source,
            "authority": authority,
            "phase": 0,
            "digest": digest.hex(),
            "keyed_by": [first, second],
        },
    )
    return digest.hex()


def resolve(office: Office, authority: str, coordinator: str, action: kd.Resolution) -> kd.KeyedState:
    """The coordinator's decision on differing entries: keep one (the other is typed again) or neither."""
    with office.transaction():
        record = kd.resolve(record_of(office, authority), action)
        _save(office, authority, record)
        office.log("keyed_resolve", {"authority": authority, "action": action, "by": coordinator})
    return record.state


def child_numbers(
    message: bytes, register: KeyRegister, *, where: str
) -> tuple[Tally, tuple[tuple[str, bytes], ...], ChildSource]:
    """What a counted part adds up: its tally, its own children and where its numbers came from — a
    signed summary (opened again from the exact bytes received; its key id) or a keyed part (its typists).

    Its own totals are checked again before they are added (`shared.domain.total_rules`): a row written into
    `received` outside `scan` (the state file edited with sqlite3) is refused here, naming the authority,
    even when a genuine key signed it."""
    if is_keyed(message):
        part = decode_keyed(message, where=where)
        tally = tally_from_counts(part.counts)
        children: tuple[tuple[str, bytes], ...] = ()
        source = ChildSource(key_id=b"", keyed_by=list(part.keyed_by))
    else:
        key_id = split_signed(message, where=where).key_id
        _, summary = open_signed(message, register_lookup(register))
        tally = tally_from_counts(summary.counts)
        children = tuple((c.authority_id, c.digest) for c in summary.children)
        source = ChildSource(key_id=key_id, keyed_by=[])
    wrong = [f for f in check_totals(tally) if f.refuses]
    if wrong:
        raise IntegrityError(
            f"the counted summary of {where} does not add up: " + "; ".join(str(f) for f in wrong),
            where=where,
        )
    return tally, children, source


def states(office: Office) -> dict[str, kd.KeyedState]:
    """The keying state of every authority that has entries (for the dashboard)."""
    rows = office.conn.execute("SELECT authority_id, record FROM keyed_entries ORDER BY authority_id")
    return {str(who): _RECORD.decode(bytes(data)).state for who, data in rows.fetchall()}
