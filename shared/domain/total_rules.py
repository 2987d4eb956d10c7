"""The rules a summary's own totals must obey before an upper tier adds them up, whatever key signed it.

Why: a signature proves who sent the numbers, not that they add up. A municipality's summary is the sum of
definitive station reports, and a station report with an error (F.xxx of spec/station-reports.md) never
becomes definitive, so every identity that holds per station and survives adding holds for the total too:

- **F.201** A + B + C = D (admitted voters): refuses.
- **F.402** per list, E.x = the sum of its candidates' votes: refuses (F.401, a list total of 0 with votes on
  its candidates, is the same identity).
- **F.312** H = D + I − J (per station F.305–F.309 give I = H − D or J = D − H; the sum keeps H − D = I − J):
  refuses. At a station either I or J is 0; in a total both may be positive, so that is not a rule here.
- **F.202, F.203, F.204** (E = ΣE.x, H = E + F + G) cannot fail: a summary carries neither E nor H, both are
  derived from its parts.
- **D may be missing in real files.** The Kiesraad's TK2021 kieskring 510c files give A = 0 and D = 0 for
  every municipality and in total (its export does not carry them there) with H in the hundreds of
  thousands; its 510b files of GR2022 and TK2025 (West Maas en Waal) carry D and obey every rule. So when D
  is 0 (not reported) F.201 and F.312 cannot be checked and only warn; with D reported they refuse. Our own
  municipalities always report D. Tested on those files.
- **W.205** Z (eligible voters) is 0 and **W.206** Z < A: only warn, as in the spec. Z is never an error at
  the municipality (it cannot be corrected by a corrigendum), and a lower tier without a 110b count of
  voters legitimately sends Z = 0.
- The station-level rules (F.1xx ticks, F.301–F.310 D/H ticks, W.201–W.204 percentages) concern one paper and
  are checked where it is typed; they have no total-level form.

**Bound**: no count may exceed `MAX_COUNT` (999,999,999: nine digits, seventy times the whole Dutch electorate
of about 13.5 million). A larger number (say A = 2⁶³) is absurd and is refused before any arithmetic or any
EML writer sees it.
"""

from __future__ import annotations

import msgspec

from shared.domain.tally import SCALAR_FIELDS, Tally

MAX_COUNT = 999_999_999


class TotalFinding(msgspec.Struct, frozen=True, kw_only=True):
    """One rule a summary's totals break: its code, the field(s), and the message in English and Dutch."""

    code: str
    field: str
    refuses: bool
    message: str
    message_nl: str

    def __str__(self) -> str:
        return f"{self.code} {self.field}: {self.message}"


def _nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _bounds(t: Tally) -> list[TotalFinding]:
    values = [(f"{letter} ({field})", getattr(t, field)) for field, letter in SCALAR_FIELDS]
    for lst in t.lists:
        values.append((f"E.{lst.number}", lst.votes))
        values += [(f"list {lst.number} candidate {i}", v) for i, v in enumerate(lst.candidate_votes, 1)]
    values += [(f"explanation {code}", n) for code, n in t.explanations]
    return [
        TotalFinding(
            code="bound",
            field=name,
            refuses=True,
            message=f"{value} is more than the bound of {MAX_COUNT:,} for any count",
            message_nl=f"{name} is {_nl(value)}, meer dan de grens van {_nl(MAX_COUNT)} voor elk getal",
        )
        for name, value in values
        if value > MAX_COUNT
    ]


def check_totals(t: Tally) -> list[TotalFinding]:
    """Every total-level rule the totals `t` break; empty when they hold."""
    bounds = _bounds(t)
    if bounds:
        return bounds  # the arithmetic of absurd numbers says nothing more
    d_rules_refuse = t.admitted_voters > 0  # D not reported (0): the identities cannot be checked
    out: list[TotalFinding] = []
    abc = t.poll_cards + t.proxy_certificates + t.voter_cards
    if abc != t.admitted_voters:
        out.append(
            TotalFinding(
                code="F.201",
                field="D",
                refuses=d_rules_refuse,
                message=f"A + B + C = {abc}, but D (admitted voters) = {t.admitted_voters}",
                message_nl=f"A + B + C = {_nl(abc)}, maar D (toegelaten kiezers) = {_nl(t.admitted_voters)}",
            )
        )
    for lst in t.lists:
        total = sum(lst.candidate_votes)
        if lst.candidate_votes and total != lst.votes:
            out.append(
                TotalFinding(
                    code="F.402",
                    field=f"E.{lst.number}",
                    refuses=True,
                    message=f"list {lst.number} has {lst.votes} votes, its candidates {total}",
                    message_nl=f"lijst {lst.number} heeft {_nl(lst.votes)} stemmen, "
                    f"de kandidaten samen {_nl(total)}",
                )
            )
    expected_h = t.admitted_voters + t.more_ballots - t.fewer_ballots
    if t.ballots_cast != expected_h:
        out.append(
            TotalFinding(
                code="F.312",
                field="H",
                refuses=d_rules_refuse,
                message=f"H (ballots cast) = {t.ballots_cast}, but D + I − J = {expected_h}",
                message_nl=f"H (uitgebrachte stemmen) = {_nl(t.ballots_cast)}, "
                f"maar D + I − J = {_nl(expected_h)}",
            )
        )
    if t.eligible_voters == 0:
        out.append(
            TotalFinding(
                code="W.205",
                field="Z",
                refuses=False,
                message="Z (eligible voters) is 0",
                message_nl="Z (kiesgerechtigden) is 0",
            )
        )
    elif t.eligible_voters < t.poll_cards:
        out.append(
            TotalFinding(
                code="W.206",
                field="Z",
                refuses=False,
                message=f"Z (eligible voters) = {t.eligible_voters} is less than A (poll cards) = "
                f"{t.poll_cards}",
                message_nl=f"Z (kiesgerechtigden) = {_nl(t.eligible_voters)} is kleiner dan A (stempassen) = "
                f"{_nl(t.poll_cards)}",
            )
        )
    return out
