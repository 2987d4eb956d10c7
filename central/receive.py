"""Receiving a signed summary from the tier below: verify, check, book it, and show its numbers.

The tier below is the hoofdstembureaus, or for a single-district election (a municipal council) the
municipalities themselves. Order of the checks (ARCHITECTURE §2, §4): the layout and the signature over the
exact received bytes against the key register, then election, district and issuer
(`shared.formats.signing.admit`), then the shape of the counts against the lists of the district the sender
reports for, and only then the book (`shared.domain.intake`), which applies the corrigendum chain. Whatever
the outcome, the summary and the outcome are stored and written to the audit log in one transaction; a
refused summary never reaches the count.
"""

from __future__ import annotations

import msgspec

from central.office import Office, district_of_child, now
from shared.domain.intake import Outcome, Received, decide
from shared.domain.keyregister import Receiver, readable_fingerprint
from shared.domain.tally import Tally, check_internal
from shared.errors import TelketenError
from shared.formats.signing import admit, message_digest, split_signed
from shared.formats.summary import Summary, tally_from_counts


class ScanItem(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one received summary, for the operator's screen and the exit code."""

    source: str
    digest: str
    outcome: str
    text: str
    authority: str | None = None
    phase: int | None = None
    tally: Tally | None = None
    warnings: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSE.value


def shape_problem(summary: Summary, lists: dict[int, int]) -> str | None:
    """Why the summary's lists/candidates do not fit this district's 230b (None when they do)."""
    got = {lst.number: len(lst.candidate_votes) for lst in summary.counts.lists}
    if got == lists:
        return None
    extra = sorted(set(got) - set(lists))
    missing = sorted(set(lists) - set(got))
    if extra or missing:
        return f"its lists {sorted(got)} are not this district's lists {sorted(lists)}"
    wrong = [n for n in sorted(lists) if got[n] != lists[n]]
    return f"list {wrong[0]} has {got[wrong[0]]} candidates, the 230b has {lists[wrong[0]]}"


def _check_shape(office: Office, summary: Summary) -> str | None:
    try:
        district = district_of_child(office.election, summary.authority_id)
    except KeyError:
        return None  # not one of ours: the book refuses it with that reason
    if summary.district_id != district.id:
        who = summary.authority_id
        return f"{who} reports for kieskring {district.id}, the summary says {summary.district_id}"
    return shape_problem(summary, {lst.number: len(lst.candidates) for lst in district.lists})


def _store(
    office: Office,
    *,
    at: str,
    source: str,
    message: bytes,
    stage: str,
    outcome: str,
    reason: str | None,
    key_id: bytes,
    summary: Summary | None,
) -> None:
    office.conn.execute(
        "INSERT INTO received (at, source, digest, key_id, authority_id, phase, supersedes, stage, outcome, "
        "reason, message) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            at,
            source,
            message_digest(message).hex(),
            key_id.hex(),
            summary.authority_id if summary else None,
            summary.phase if summary else None,
            summary.supersedes.hex() if summary and summary.supersedes else None,
            stage,
            outcome,
            reason,
            message,
        ),
    )


def receive_message(office: Office, source: str, message: bytes) -> ScanItem:
    """Check and book one signed summary; never raises for a bad summary, returns a refused item instead."""
    at = now()
    digest = message_digest(message)
    receiver = Receiver(election_id=office.election_id, district_id="", child_role=office.child_role)
    try:
        key_id = split_signed(message, where=source).key_id
    except TelketenError:
        key_id = b""
    try:
        admission = admit(message, office.register(), receiver, {}, where=source)
        refusal_text = str(admission.refusal) if admission.refusal else None
        summary = admission.summary
        if refusal_text is None and summary is not None:
            refusal_text = _check_shape(office, summary)
    except TelketenError as exc:
        refusal_text, summary = str(exc), None
    with office.transaction():
        if refusal_text is not None:
            _store(
                office, at=at.isoformat(), source=source, message=message, stage="check", outcome="refuse",
                reason=refusal_text, key_id=key_id, summary=summary,
            )  # fmt: skip
            office.log(
                "summary_refused",
                {
                    "source": source,
                    "digest": digest.hex(),
                    "key": readable_fingerprint(key_id) if key_id else "",
                    "reason": refusal_text,
                },
                at,
            )
            who = summary.authority_id if summary else None
            return ScanItem(
                source=source, digest=digest.hex(), outcome="refuse", text=f"refused: {refusal_text}",
                authority=who, phase=summary.phase if summary else None,
            )  # fmt: skip
        assert summary is not None
        rec = Received(
            authority=summary.authority_id,
            digest=digest,
            phase=summary.phase,
            supersedes=summary.supersedes or None,
        )
        decision = decide(office.book(), rec)
        reason = decision.reason.value if decision.reason else None
        _store(
            office, at=at.isoformat(), source=source, message=message, stage="intake",
            outcome=decision.outcome.value, reason=reason, key_id=key_id, summary=summary,
        )  # fmt: skip
        office.log(
            f"summary_{decision.outcome.value}",
            {
                "source": source,
                "authority": summary.authority_id,
                "phase": summary.phase,
                "digest": digest.hex(),
                "replaced": decision.replaced.hex() if decision.replaced else None,
                "reason": reason,
            },
            at,
        )
    tally = tally_from_counts(summary.counts)
    warnings = tuple(str(m) for m in check_internal(summary.authority_id, tally))
    return ScanItem(
        source=source,
        digest=digest.hex(),
        outcome=decision.outcome.value,
        text=decision.message(),
        authority=summary.authority_id,
        phase=summary.phase,
        tally=tally,
        warnings=warnings,
    )
