"""The form a typist starts from: blank in the first session, pre-filled in a next one.

Why pre-fill: in a next session (Na 14-2 Bijlage 1) the paper shows the original figures next to empty
"gecorrigeerd" cells, and typists overwrite only what changed (spec station-reports.md §1.4). The D/H tick
boxes and the "fully explained?" question are cleared, since they must be answered anew for the corrected
numbers."""

from __future__ import annotations

from shared.domain.station_report import (
    DifferencesCounts,
    ListEntry,
    ReportModel,
    StationReport,
    VotersCounts,
    VotesCounts,
    empty_report,
)


def blank_form(
    lists: tuple[tuple[int, int], ...], *, voter_cards: bool, model: ReportModel = "cso_first"
) -> StationReport:
    """The first-session form: Na 31-2 Bijlage 1 (central count) or N 10-1 (decentral count)."""
    return empty_report(model, list(lists), with_voter_cards=voter_cards)


def next_session_form(previous: StationReport, model: ReportModel = "cso_next") -> StationReport:
    """The Na 14-2 Bijlage 1 (or, decentral, Na 14-1) form pre-filled with the previous definitive values,
    ticks cleared."""
    d = previous.differences
    return StationReport(
        model=model,
        voters=VotersCounts(
            poll_cards=previous.voters.poll_cards,
            proxy_certificates=previous.voters.proxy_certificates,
            voter_cards=previous.voters.voter_cards,
            admitted_voters=previous.voters.admitted_voters,
        ),
        votes=VotesCounts(
            list_votes=list(previous.votes.list_votes),
            votes_on_candidates=previous.votes.votes_on_candidates,
            blank=previous.votes.blank,
            invalid=previous.votes.invalid,
            ballots_cast=previous.votes.ballots_cast,
        ),
        differences=DifferencesCounts(more_ballots=d.more_ballots, fewer_ballots=d.fewer_ballots),
        lists=[
            ListEntry(number=e.number, total=e.total, candidate_votes=list(e.candidate_votes))
            for e in previous.lists
        ],
    )
