"""A polling station's report as typed from paper (spec/station-reports.md §1.4).

The structure mirrors the paper models so that what is wrong on paper can be typed as it is and flagged by
validation instead of being prevented: tick boxes are separate booleans (so "two ticked" and "none ticked" are
representable), E (votes on candidates) and H (ballots cast) are typed, not derived. Counts are whole numbers
0‥999 999 999; 0 also means "left empty", as on the paper.

Models:
- ``cso_first``: Na 31-2 Bijlage 1, central count at the municipality, first session (with B1-1 and B1-2).
- ``cso_next``: Na 14-2 Bijlage 1, the corrected results of a station in a next session.
- ``dso_first``: N 10-1, decentral count, the station's own report (with "about the report" and "checks and
  corrections").
- ``dso_next``: Na 14-1, decentral count, corrected in a next session.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain.tally import ListTally, Tally

ReportModel = Literal["cso_first", "cso_next", "dso_first", "dso_next"]
MAX_COUNT = 999_999_999


class VotersCounts(msgspec.Struct, kw_only=True):
    """A poll cards, B proxy certificates, C voter cards (None where there are none: GR), D admitted."""

    poll_cards: int = 0
    proxy_certificates: int = 0
    voter_cards: int | None = None
    admitted_voters: int = 0


class VotesCounts(msgspec.Struct, kw_only=True):
    """E.1‥E.n votes per list on the voters-and-votes page, E, F blank, G invalid, H ballots cast."""

    list_votes: list[int] = msgspec.field(default_factory=list)
    votes_on_candidates: int = 0
    blank: int = 0
    invalid: int = 0
    ballots_cast: int = 0


class DifferencesCounts(msgspec.Struct, kw_only=True):
    """The D/H comparison as ticked (three boxes), I more / J fewer ballots, and "fully explained?"."""

    equal: bool = False
    more_counted: bool = False
    fewer_counted: bool = False
    more_ballots: int = 0
    fewer_ballots: int = 0
    explained_yes: bool = False
    explained_no: bool = False


class ListEntry(msgspec.Struct, kw_only=True):
    """One list's page: its number, the list total written on that page, and the votes per candidate."""

    number: int
    total: int = 0
    candidate_votes: list[int] = msgspec.field(default_factory=list)


class YesNo(msgspec.Struct, kw_only=True):
    """A yes/no question on paper: two boxes, so both and neither are representable."""

    yes: bool = False
    no: bool = False

    @property
    def answered(self) -> bool:
        return self.yes != self.no

    @property
    def empty(self) -> bool:
        return not self.yes and not self.no

    @property
    def both(self) -> bool:
        return self.yes and self.no


class ExtraInvestigation(msgspec.Struct, kw_only=True):
    """B1-1: an investigation for another reason than an unexplained difference; a recount after it."""

    other_reason: YesNo = msgspec.field(default_factory=YesNo)
    ballots_recounted: YesNo = msgspec.field(default_factory=YesNo)


class CountingDifferences(msgspec.Struct, kw_only=True):
    """B1-2: differences with the station's own counts."""

    unexplained_difference: YesNo = msgspec.field(default_factory=YesNo)
    list_totals_differ: YesNo = msgspec.field(default_factory=YesNo)


class AboutReport(msgspec.Struct, kw_only=True):
    """DSO: is there a corrigendum, and is the "controles en correcties" page there."""

    corrigendum_present: YesNo = msgspec.field(default_factory=YesNo)
    checks_page_present: YesNo = msgspec.field(default_factory=YesNo)


class ChecksAndCorrections(msgspec.Struct, kw_only=True):
    """DSO: reasons for checks on own initiative and whether results were corrected (own / CSB request)."""

    reason_unexplained_difference: bool = False
    reason_other_error: bool = False
    corrected_own_initiative: YesNo = msgspec.field(default_factory=YesNo)
    corrected_csb_request: YesNo = msgspec.field(default_factory=YesNo)


class StationReport(msgspec.Struct, kw_only=True):
    """Everything typed for one station in one entry; mutable while typing, compared with `==`."""

    model: ReportModel
    voters: VotersCounts = msgspec.field(default_factory=VotersCounts)
    votes: VotesCounts = msgspec.field(default_factory=VotesCounts)
    differences: DifferencesCounts = msgspec.field(default_factory=DifferencesCounts)
    lists: list[ListEntry] = msgspec.field(default_factory=list)
    extra_investigation: ExtraInvestigation | None = None
    counting_differences: CountingDifferences | None = None
    about_report: AboutReport | None = None
    checks_and_corrections: ChecksAndCorrections | None = None

    def to_tally(self, eligible_voters: int = 0) -> Tally:
        """The station's counts as a tally (for a definitive report: validation has passed)."""
        return Tally(
            eligible_voters=eligible_voters,
            poll_cards=self.voters.poll_cards,
            proxy_certificates=self.voters.proxy_certificates,
            voter_cards=self.voters.voter_cards or 0,
            admitted_voters=self.voters.admitted_voters,
            blank=self.votes.blank,
            invalid=self.votes.invalid,
            more_ballots=self.differences.more_ballots,
            fewer_ballots=self.differences.fewer_ballots,
            lists=tuple(ListTally(e.number, e.total, tuple(e.candidate_votes)) for e in self.lists),
        )


def empty_report(
    model: ReportModel, candidates_per_list: list[tuple[int, int]], *, with_voter_cards: bool
) -> StationReport:
    """A blank form for the given lists ((list number, number of candidates) in ballot order)."""
    first_cso = model == "cso_first"
    first_dso = model == "dso_first"
    return StationReport(
        model=model,
        voters=VotersCounts(voter_cards=0 if with_voter_cards else None),
        votes=VotesCounts(list_votes=[0] * len(candidates_per_list)),
        lists=[ListEntry(number=n, candidate_votes=[0] * c) for n, c in candidates_per_list],
        extra_investigation=ExtraInvestigation() if first_cso else None,
        counting_differences=CountingDifferences() if first_cso else None,
        about_report=AboutReport() if first_dso else None,
        checks_and_corrections=ChecksAndCorrections() if first_dso else None,
    )


def report_from_tally(model: ReportModel, tally: Tally, *, with_voter_cards: bool) -> StationReport:
    """A consistent report whose numbers are those of `tally` (pre-fill of a next session, demo, replay)."""
    d, h = tally.admitted_voters, tally.ballots_cast
    report = empty_report(
        model,
        [(lst.number, len(lst.candidate_votes)) for lst in tally.lists],
        with_voter_cards=with_voter_cards,
    )
    report.voters = VotersCounts(
        poll_cards=tally.poll_cards,
        proxy_certificates=tally.proxy_certificates,
        voter_cards=tally.voter_cards if with_voter_cards else None,
        admitted_voters=d,
    )
    report.votes = VotesCounts(
        list_votes=[lst.votes for lst in tally.lists],
        votes_on_candidates=tally.votes_on_lists,
        blank=tally.blank,
        invalid=tally.invalid,
        ballots_cast=h,
    )
    report.differences = DifferencesCounts(
        equal=d == h,
        more_counted=h > d,
        fewer_counted=h < d,
        more_ballots=tally.more_ballots,
        fewer_ballots=tally.fewer_ballots,
        explained_yes=d != h,
    )
    report.lists = [
        ListEntry(number=lst.number, total=lst.votes, candidate_votes=list(lst.candidate_votes))
        for lst in tally.lists
    ]
    if report.extra_investigation is not None:
        report.extra_investigation = ExtraInvestigation(
            other_reason=YesNo(no=True), ballots_recounted=YesNo(no=True)
        )
    if report.counting_differences is not None:
        report.counting_differences = CountingDifferences(
            unexplained_difference=YesNo(no=True), list_totals_differ=YesNo(no=True)
        )
    if report.about_report is not None:  # one document, no insert: the municipality checked nothing extra
        report.about_report = AboutReport(
            corrigendum_present=YesNo(no=True), checks_page_present=YesNo(no=True)
        )
    return report
