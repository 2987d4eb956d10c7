"""Receiving a signed summary from the tier below: verify, check, book it, and show its numbers.

Order of the checks (ARCHITECTURE §2, §4): the layout and the signature over the exact received bytes against
the key register, then election, district and issuer (`shared.formats.signing.admit`), then the shape of the
counts against the lists of the district the sender reports for (`Office.summary_problem`), then its own
totals (`shared.domain.total_rules`: F.201, F.402, F.312 and the bound refuse, W.205/W.206 warn), and only
then the book (`shared.domain.intake`), which applies the corrigendum chain. Whatever the outcome, the summary
and the outcome are stored and written to the audit log in one transaction; a refused summary never reaches
the count.
"""

from __future__ import annotations

import msgspec

from shared.adapters.messages import dutch
from shared.domain.intake import Decision, Outcome, Received, decide
from shared.domain.keyregister import readable_fingerprint
from shared.domain.tally import Tally
from shared.domain.total_rules import TotalFinding, check_totals
from shared.errors import TelketenError
from shared.formats.signing import admit, message_digest, split_signed
from shared.formats.summary import Summary, tally_from_counts
from shared.i18n import catalogue
from shared.office.office import Office


class ScanItem(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one received summary, for the operator's screen and the exit code.

    `text` and `warnings` are the command line's (English); `text_nl` and `warnings_nl` what the desk shows,
    from the catalogue (`shared.i18n.catalogue`)."""

    source: str
    digest: str
    outcome: str
    text: str
    authority: str | None = None
    phase: int | None = None
    tally: Tally | None = None
    warnings: tuple[str, ...] = ()
    text_nl: str = ""
    warnings_nl: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSE.value


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
    reason_nl: str | None,
) -> None:
    office.conn.execute(
        "INSERT INTO received (at, source, digest, key_id, authority_id, phase, supersedes, stage, outcome, "
        "reason, message, reason_nl) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
            reason_nl,
        ),
    )


def phase_text(phase: int) -> str:
    """'eerste zitting' or 'corrigendum 2', as the desk names a session."""
    return (
        catalogue.text("desk.first_session")
        if phase == 0
        else catalogue.text("desk.corrigendum", {"phase": phase})
    )


def decision_text(decision: Decision, reason_nl: str) -> str:
    """The desk's Dutch line for what the book did with a summary."""
    params = {"who": decision.received.authority, "phase": phase_text(decision.received.phase)}
    return catalogue.text(f"desk.{decision.outcome.value}", {**params, "reason": reason_nl})


def receive_message(office: Office, source: str, message: bytes) -> ScanItem:
    """Check and book one signed summary; never raises for a bad summary, returns a refused item instead."""
    at = office.now()
    digest = message_digest(message)
    receiver = office.receiver()
    try:
        key_id = split_signed(message, where=source).key_id
    except TelketenError:
        key_id = b""
    findings: list[TotalFinding] = []
    refusal_nl = ""
    try:
        admission = admit(message, office.register(), receiver, {}, where=source)
        refusal_text = str(admission.refusal) if admission.refusal else None
        refusal_nl = admission.refusal.text("nl") if admission.refusal else ""
        summary = admission.summary
        problem = office.summary_problem(summary) if refusal_text is None and summary is not None else None
        if problem is not None:
            refusal_text, refusal_nl = problem.message, dutch(problem)
        if refusal_text is None and summary is not None:
            findings = check_totals(tally_from_counts(summary.counts))
            wrong = [f for f in findings if f.refuses]
            if wrong:
                refusal_text = "its numbers do not add up: " + "; ".join(str(f) for f in wrong)
                refusal_nl = catalogue.text(
                    "desk.totals", {"findings": "; ".join(f"{f.code} {f.message_nl}" for f in wrong)}
                )
    except TelketenError as exc:
        refusal_text, summary = str(exc), None
        refusal_nl = dutch(exc)
    with office.transaction():
        if refusal_text is not None:
            who = summary.authority_id if summary else None
            phase = summary.phase if summary else None
            shown = (
                catalogue.text(
                    "desk.refuse", {"who": who, "phase": phase_text(phase or 0), "reason": refusal_nl}
                )
                if who
                else catalogue.text("desk.refused", {"reason": refusal_nl})
            )
            _store(
                office, at=at.isoformat(), source=source, message=message, stage="check", outcome="refuse",
                reason=refusal_text, key_id=key_id, summary=summary, reason_nl=refusal_nl,
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
            return ScanItem(
                source=source, digest=digest.hex(), outcome="refuse", text=f"refused: {refusal_text}",
                authority=who, phase=phase, text_nl=shown,
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
        reason_nl = catalogue.text(f"intake.{decision.reason.name.lower()}") if decision.reason else None
        _store(
            office, at=at.isoformat(), source=source, message=message, stage="intake",
            outcome=decision.outcome.value, reason=reason, key_id=key_id, summary=summary,
            reason_nl=reason_nl,
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
    return ScanItem(
        source=source,
        digest=digest.hex(),
        outcome=decision.outcome.value,
        text=decision.message(),
        authority=summary.authority_id,
        phase=summary.phase,
        tally=tally,
        warnings=tuple(str(f) for f in findings),
        text_nl=decision_text(decision, reason_nl or ""),
        warnings_nl=tuple(f"{f.code} {f.message_nl}" for f in findings),
    )
