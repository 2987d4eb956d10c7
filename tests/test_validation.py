"""Validation of station reports: every rule fires on a case that breaks it and stays quiet on a near miss.

The base reports are consistent paper reports (no findings at all); each case changes a few boxes. Boundary
cases check the integer arithmetic of W.201–W.203 (thresholds rounded up; OR, not AND, for W.203).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.election import Candidate, CandidateList, District, DistrictId
from shared.domain.station_report import (
    MAX_COUNT,
    ReportModel,
    StationReport,
    empty_report,
    report_from_tally,
)
from shared.domain.tally import ListTally, Tally
from shared.domain.validation import (
    ValidationContext,
    check_shape,
    context_for,
    copy_report,
    differing_fields,
    get_field,
    has_voter_cards,
    leaf_paths,
    set_field,
    validate,
)
from shared.errors import InputError

LISTS = ((1, 3), (2, 2))
GR = ValidationContext(lists=LISTS, voter_cards=False)
PS = ValidationContext(lists=LISTS, voter_cards=True)
CSB = ValidationContext(level="csb", lists=LISTS, voter_cards=False, eligible_voters=1000)

BASE_TALLY = Tally(
    poll_cards=100,
    proxy_certificates=5,
    admitted_voters=105,
    blank=2,
    invalid=3,
    lists=(ListTally(1, 60, (10, 20, 30)), ListTally(2, 40, (15, 25))),
)


def base(model: ReportModel = "cso_first", *, voter_cards: bool = False) -> StationReport:
    report = report_from_tally(model, BASE_TALLY, with_voter_cards=voter_cards)
    if report.about_report is not None:
        report.about_report.corrigendum_present.no = True
        report.about_report.checks_page_present.no = True
    return report


def csb_base() -> StationReport:
    report = report_from_tally("cso_next", BASE_TALLY, with_voter_cards=False)
    return report


def changed(report: StationReport, values: Mapping[str, Any]) -> StationReport:
    for path, value in values.items():
        set_field(report, path, value)
    return report


def codes(report: StationReport, ctx: ValidationContext = GR) -> list[str]:
    return validate(report, ctx).codes()


@pytest.mark.parametrize(
    ("model", "ctx", "report"),
    [
        ("cso_first", GR, base("cso_first")),
        ("cso_next", GR, base("cso_next")),
        ("dso_first", GR, base("dso_first")),
        ("dso_next", GR, base("dso_next")),
        ("cso_first", PS, base("cso_first", voter_cards=True)),
        ("csb", CSB, csb_base()),
    ],
)
def test_base_reports_are_clean(model: str, ctx: ValidationContext, report: StationReport) -> None:
    assert codes(report, ctx) == [], model


# (code, model, ctx, firing change, quiet change): the quiet change is the closest case that must not fire.
EI = "extra_investigation"
CD = "counting_differences"
AB = "about_report"
CC = "checks_and_corrections"
DIFF_HIGHER = {
    "voters.poll_cards": 99,
    "voters.admitted_voters": 104,
    "differences.equal": False,
    "differences.more_counted": True,
    "differences.more_ballots": 1,
    "differences.explained_yes": True,
}
DIFF_LOWER = {
    "voters.poll_cards": 101,
    "voters.admitted_voters": 106,
    "differences.equal": False,
    "differences.fewer_counted": True,
    "differences.fewer_ballots": 1,
    "differences.explained_yes": True,
}
CHECKS_OK = {
    f"{AB}.checks_page_present.no": False,
    f"{AB}.checks_page_present.yes": True,
    f"{CC}.reason_other_error": True,
    f"{CC}.corrected_own_initiative.no": True,
}
CORRIGENDUM = {f"{AB}.corrigendum_present.no": False, f"{AB}.corrigendum_present.yes": True}

CASES: list[tuple[str, ReportModel, ValidationContext, dict[str, Any], dict[str, Any]]] = [
    (
        "F.101",
        "cso_first",
        GR,
        {f"{EI}.ballots_recounted.no": False},
        {f"{EI}.ballots_recounted.no": False, f"{EI}.other_reason.no": False},
    ),
    (
        "F.102",
        "cso_first",
        GR,
        {f"{EI}.other_reason.yes": True},
        {f"{EI}.other_reason.yes": True, f"{EI}.other_reason.no": False},
    ),
    (
        "F.111",
        "cso_first",
        GR,
        {f"{CD}.list_totals_differ.no": False},
        {f"{CD}.list_totals_differ.no": False, f"{CD}.list_totals_differ.yes": True},
    ),
    ("F.112", "cso_first", GR, {f"{CD}.unexplained_difference.yes": True}, {}),
    ("F.121", "dso_first", GR, {f"{AB}.corrigendum_present.no": False}, {}),
    ("F.121", "dso_first", GR, {f"{AB}.checks_page_present.yes": True}, {}),
    (
        "F.122",
        "dso_first",
        GR,
        CORRIGENDUM,
        {
            **CORRIGENDUM,
            **CHECKS_OK,
            f"{CC}.corrected_own_initiative.no": False,
            f"{CC}.corrected_own_initiative.yes": True,
        },
    ),
    (
        "F.131",
        "dso_first",
        GR,
        {f"{AB}.checks_page_present.no": False, f"{AB}.checks_page_present.yes": True},
        CHECKS_OK,
    ),
    ("F.131", "dso_first", GR, {**CHECKS_OK, f"{CC}.reason_other_error": False}, CHECKS_OK),
    ("F.131", "dso_first", GR, {**CHECKS_OK, f"{CC}.corrected_own_initiative.no": False}, CHECKS_OK),
    (
        "F.132",
        "dso_first",
        GR,
        {**CHECKS_OK, **CORRIGENDUM},
        {
            **CHECKS_OK,
            **CORRIGENDUM,
            f"{CC}.corrected_own_initiative.no": False,
            f"{CC}.corrected_own_initiative.yes": True,
        },
    ),
    (
        "F.133",
        "dso_first",
        GR,
        {**CHECKS_OK, f"{CC}.corrected_own_initiative.no": False, f"{CC}.corrected_own_initiative.yes": True},
        CHECKS_OK,
    ),
    ("F.134", "dso_first", GR, {**CHECKS_OK, f"{CC}.corrected_own_initiative.yes": True}, CHECKS_OK),
    ("F.135", "dso_first", GR, {**CHECKS_OK, f"{CC}.corrected_csb_request.no": True}, CHECKS_OK),
    ("F.201", "cso_first", GR, {"voters.poll_cards": 101}, {}),
    ("F.201", "cso_first", PS, {"voters.voter_cards": 1}, {"voters.voter_cards": 1, "voters.poll_cards": 99}),
    (
        "F.202",
        "cso_next",
        GR,
        {"votes.list_votes[0]": 61, "lists[0].total": 61, "lists[0].candidate_votes[0]": 11},
        {},
    ),
    ("F.203", "cso_next", GR, {"votes.blank": 3}, {"votes.blank": 3, "votes.invalid": 2}),
    ("F.204", "cso_next", GR, {"votes.votes_on_candidates": 0}, {"votes.votes_on_candidates": 1}),
    ("F.301", "cso_first", GR, {"voters.poll_cards": 101, "voters.admitted_voters": 106}, {}),
    ("F.302", "cso_first", GR, {"differences.more_counted": True, "differences.equal": False}, DIFF_HIGHER),
    (
        "F.302",
        "cso_first",
        GR,
        {**DIFF_LOWER, "differences.fewer_counted": False, "differences.more_counted": True},
        DIFF_HIGHER,
    ),
    ("F.303", "cso_first", GR, {"differences.fewer_counted": True, "differences.equal": False}, DIFF_LOWER),
    ("F.304", "cso_first", GR, {"differences.equal": False}, {}),
    ("F.304", "cso_first", GR, {"differences.more_counted": True}, {}),
    ("F.305", "cso_first", GR, {"differences.more_ballots": 1}, {}),
    ("F.305", "cso_first", GR, {"differences.fewer_ballots": 1}, {}),
    ("F.306", "cso_first", GR, {**DIFF_HIGHER, "differences.more_ballots": 2}, DIFF_HIGHER),
    ("F.307", "cso_first", GR, {**DIFF_HIGHER, "differences.fewer_ballots": 1}, DIFF_HIGHER),
    ("F.308", "cso_first", GR, {**DIFF_LOWER, "differences.fewer_ballots": 2}, DIFF_LOWER),
    ("F.309", "cso_first", GR, {**DIFF_LOWER, "differences.more_ballots": 1}, DIFF_LOWER),
    ("F.310", "cso_first", GR, {**DIFF_LOWER, "differences.explained_yes": False}, DIFF_LOWER),
    (
        "F.310",
        "cso_first",
        GR,
        {**DIFF_LOWER, "differences.explained_no": True},
        {**DIFF_LOWER, "differences.explained_yes": False, "differences.explained_no": True},
    ),
    (
        "F.311",
        "dso_first",
        GR,
        {**DIFF_LOWER, "differences.explained_yes": False, "differences.explained_no": True},
        {
            **DIFF_LOWER,
            "differences.explained_yes": False,
            "differences.explained_no": True,
            f"{AB}.checks_page_present.no": False,
            f"{AB}.checks_page_present.yes": True,
            f"{CC}.reason_unexplained_difference": True,
            f"{CC}.corrected_own_initiative.no": True,
        },
    ),
    (
        "F.312",
        "cso_next",
        CSB,
        {"differences.more_ballots": 1},
        {"differences.more_ballots": 1, "votes.blank": 3, "votes.ballots_cast": 106},
    ),
    ("F.313", "cso_first", GR, {"differences.explained_yes": True}, {}),
    ("F.313", "dso_next", GR, {"differences.explained_no": True}, {}),
    ("F.401", "cso_first", GR, {"lists[1].total": 0}, {}),
    ("F.402", "cso_first", GR, {"lists[1].candidate_votes[0]": 16}, {}),
    ("F.403", "cso_first", GR, {"lists[1].candidate_votes[0]": 16, "lists[1].total": 41}, {}),
    ("W.201", "cso_first", GR, {"votes.blank": 4}, {"votes.blank": 3}),  # H = 105: threshold ⌈3.15⌉ = 4
    ("W.202", "cso_first", GR, {"votes.invalid": 4}, {"votes.invalid": 3}),
    ("W.204", "cso_first", GR, {"votes.ballots_cast": 0}, {"votes.ballots_cast": 1}),
    ("W.204", "cso_next", CSB, {"votes.ballots_cast": 0}, {}),
]


def _case_id(case: tuple[str, ReportModel, ValidationContext, dict[str, Any], dict[str, Any]]) -> str:
    return f"{case[0]}-{case[1]}-{case[2].level}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule_fires(case: tuple[str, ReportModel, ValidationContext, dict[str, Any], dict[str, Any]]) -> None:
    code, model, ctx, fire, _ = case
    report = changed(base(model, voter_cards=ctx.voter_cards), fire)
    assert code in codes(report, ctx)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule_stays_quiet(
    case: tuple[str, ReportModel, ValidationContext, dict[str, Any], dict[str, Any]],
) -> None:
    code, model, ctx, _, quiet = case
    report = changed(base(model, voter_cards=ctx.voter_cards), quiet)
    assert code not in codes(report, ctx)


def test_quiet_cases_with_a_consistent_paper_have_no_findings_at_all() -> None:
    """The near misses built as consistent papers are entirely clean, so no rule over-fires on them."""
    clean = [
        ("cso_first", GR, DIFF_HIGHER),
        ("cso_first", GR, DIFF_LOWER),
        ("dso_first", GR, CHECKS_OK),
        (
            "dso_first",
            GR,
            {
                **CHECKS_OK,
                **CORRIGENDUM,
                f"{CC}.corrected_own_initiative.no": False,
                f"{CC}.corrected_own_initiative.yes": True,
            },
        ),
        ("cso_first", PS, {"voters.voter_cards": 1, "voters.poll_cards": 99}),
    ]
    for model, ctx, values in clean:
        report = changed(base(model, voter_cards=ctx.voter_cards), values)  # type: ignore[arg-type]
        assert codes(report, ctx) == [], values


# ------------------------------------------------------------------------------------------ W.203 boundaries


@pytest.mark.parametrize(
    ("d", "h", "fires"),
    [
        (101, 100, False),  # 1 %
        (102, 100, True),  # exactly 2 %
        (98, 100, True),  # 2 % the other way
        (1000, 1014, False),  # 1.4 % and 14
        (1000, 1015, True),  # 15 but only 1.5 %: OR, not AND
        (1016, 1000, True),
        (5, 0, True),  # H = 0 and D > 0
        (0, 0, False),
    ],
)
def test_w203_fires_on_two_percent_or_fifteen(d: int, h: int, fires: bool) -> None:
    report = changed(
        base(),
        {
            "voters.poll_cards": d,
            "voters.proxy_certificates": 0,
            "voters.admitted_voters": d,
            "votes.ballots_cast": h,
        },
    )
    assert ("W.203" in codes(report)) is fires


def test_w203_not_at_csb_level() -> None:
    report = changed(csb_base(), {"voters.poll_cards": 200, "voters.admitted_voters": 205})
    assert "W.203" not in codes(report, CSB)
    assert "W.203" in codes(changed(base(), {"voters.poll_cards": 200, "voters.admitted_voters": 205}))


def test_w201_w202_not_when_both_zero_and_not_at_csb() -> None:
    zero = changed(base("cso_next"), {"votes.blank": 0, "votes.ballots_cast": 0})
    assert "W.201" not in codes(zero)
    high = changed(csb_base(), {"votes.blank": 50, "votes.invalid": 50})
    assert not {"W.201", "W.202"} & set(codes(high, CSB))


def test_w205_w206_on_eligible_voters_at_csb() -> None:
    report = csb_base()
    for z, expected in [(None, ["W.205"]), (0, ["W.205"]), (50, ["W.206"]), (100, []), (1000, [])]:
        ctx = ValidationContext(level="csb", lists=LISTS, voter_cards=False, eligible_voters=z)
        assert codes(report, ctx) == expected, z
    assert validate(
        report, ValidationContext(level="csb", lists=LISTS, voter_cards=False, eligible_voters=50)
    ).warnings[0].fields == ("eligible_voters", "voters.poll_cards")
    assert "W.205" not in codes(report, GR)


# -------------------------------------------------------------------------------------------- masking, order


def test_f204_masks_f202_and_f203() -> None:
    report = changed(base("cso_next"), {"votes.votes_on_candidates": 0})
    found = codes(report)
    assert "F.204" in found and "F.202" not in found and "F.203" not in found
    # without the mask, the same E mismatch shows F.202 and F.203
    assert {"F.202", "F.203"} <= set(codes(changed(base("cso_next"), {"votes.votes_on_candidates": 1})))


def test_f401_masks_f402_and_f403_of_that_list_only() -> None:
    report = changed(base(), {"lists[1].total": 0, "lists[0].candidate_votes[0]": 11})
    results = validate(report, GR)
    per_list = [(r.code, r.list_number) for r in results.errors if r.code.startswith("F.4")]
    assert per_list == [("F.401", 2), ("F.402", 1)]
    assert results.errors[0].fields == ("lists[1].total",)


def test_w205_masks_w206() -> None:
    ctx = ValidationContext(level="csb", lists=LISTS, voter_cards=False, eligible_voters=0)
    assert codes(csb_base(), ctx) == ["W.205"]


def test_results_are_sorted_by_code_with_fields_and_list_numbers() -> None:
    report = changed(
        base(),
        {
            "voters.poll_cards": 101,
            "lists[0].candidate_votes[0]": 11,
            "lists[1].candidate_votes[0]": 16,
            "votes.blank": 40,
            "differences.equal": False,
            f"{EI}.other_reason.yes": True,
        },
    )
    results = validate(report, GR)
    assert [r.code for r in results.errors] == sorted(r.code for r in results.errors)
    assert [r.code for r in results.errors] == ["F.102", "F.201", "F.203", "F.304", "F.402", "F.402"]
    assert [r.list_number for r in results.errors if r.code == "F.402"] == [1, 2]
    assert results.errors[1].fields == (
        "voters.poll_cards",
        "voters.proxy_certificates",
        "voters.admitted_voters",
    )
    assert [r.code for r in results.warnings] == ["W.201"]
    assert all(r.kind == "error" for r in results.errors) and results.warnings[0].kind == "warning"


def test_field_paths_of_findings_resolve_on_the_report() -> None:
    report = changed(base(), {"voters.poll_cards": 101, "votes.blank": 40, "lists[1].total": 0})
    for finding in validate(report, GR).all:
        for path in finding.fields:
            prefix_ok = any(
                p == path or p.startswith(path + ".") or p.startswith(path + "[")
                for p, _ in leaf_paths(report)
            )
            assert prefix_ok, path


def test_csb_level_skips_the_gsb_only_rules() -> None:
    report = changed(
        csb_base(),
        {
            "differences.equal": False,
            "differences.explained_yes": True,
            "votes.blank": 40,
            "votes.ballots_cast": 143,
        },
    )
    found = codes(report, CSB)
    assert not [c for c in found if c.startswith(("F.1", "F.30", "F.31", "W.20")) and c not in ("F.312",)]
    assert "F.312" in found  # D ≠ H − I + J still holds there


# ----------------------------------------------------------------------------------------------------- shape


def _drop_first_session_pages(report: StationReport) -> None:
    report.extra_investigation = None
    report.counting_differences = None


@pytest.mark.parametrize(
    ("ctx", "mutate", "where"),
    [
        (GR, lambda r: setattr(r.voters, "poll_cards", -1), "voters.poll_cards"),
        (GR, lambda r: setattr(r.votes, "blank", MAX_COUNT + 1), "votes.blank"),
        (GR, lambda r: r.lists[0].candidate_votes.__setitem__(1, -5), "lists[0].candidate_votes[1]"),
        (GR, lambda r: r.votes.list_votes.append(0), "votes.list_votes"),
        (GR, lambda r: r.lists.pop(), "lists"),
        (GR, lambda r: r.lists[1].candidate_votes.append(0), "lists[1].candidate_votes"),
        (GR, lambda r: setattr(r.lists[1], "number", 3), "lists[1].number"),
        (GR, lambda r: setattr(r.voters, "voter_cards", 0), "voters.voter_cards"),
        (PS, lambda r: setattr(r.voters, "voter_cards", None), "voters.voter_cards"),
        (GR, lambda r: setattr(r, "extra_investigation", None), "extra_investigation"),
        (GR, lambda r: setattr(r, "model", "cso_next"), "extra_investigation"),
        (ValidationContext(lists=LISTS, voter_cards=False, model="dso_first"), lambda r: None, "model"),
        (CSB, lambda r: None, "extra_investigation"),
        (
            ValidationContext(level="csb", lists=LISTS, voter_cards=False, eligible_voters=-1),
            _drop_first_session_pages,
            "eligible_voters",
        ),
    ],
)
def test_malformed_input_is_refused_naming_the_field(ctx: ValidationContext, mutate: Any, where: str) -> None:
    report = base(voter_cards=ctx.voter_cards)
    mutate(report)
    with pytest.raises(InputError) as err:
        validate(report, ctx)
    assert err.value.where == where


def test_voter_cards_follow_the_category() -> None:
    assert not has_voter_cards("GR") and not has_voter_cards("ER")
    assert has_voter_cards("TK") and has_voter_cards("PS") and has_voter_cards("EP")


# ------------------------------------------------------------------------------------------- paths and W.001


def test_get_and_set_field_by_path() -> None:
    report = base()
    set_field(report, "lists[1].candidate_votes[0]", 7)
    assert report.lists[1].candidate_votes[0] == 7 == get_field(report, "lists[1].candidate_votes[0]")
    set_field(report, "extra_investigation.other_reason.yes", True)
    assert report.extra_investigation is not None and report.extra_investigation.other_reason.yes
    for path, value, message in [
        ("voters.nonsense", 1, "no such field"),
        ("lists[9].total", 1, "out of range"),
        ("voters.poll_cards", True, "whole number"),
        ("differences.equal", 1, "tick"),
        ("voters.poll_cards", -1, "outside"),
        ("voters.voter_cards", 1, "does not exist"),
        ("about_report.corrigendum_present.yes", True, "not on this report model"),
        ("lists[0]", 1, "group"),
        ("lists[0].number", 2, "no such field"),
        ("Voters..x", 1, "not a field path"),
    ]:
        with pytest.raises(InputError, match=message) as err:
            set_field(report, path, value)
        assert err.value.where == path


def test_differing_fields_lists_every_changed_path() -> None:
    first = base()
    assert differing_fields(first, base()) == []
    second = changed(
        base(),
        {
            "voters.poll_cards": 99,
            "lists[1].candidate_votes[1]": 24,
            "counting_differences.list_totals_differ.yes": True,
        },
    )
    assert differing_fields(first, second) == [
        "voters.poll_cards",
        "lists[1].candidate_votes[1]",
        "counting_differences.list_totals_differ.yes",
    ]
    assert differing_fields(second, first) == differing_fields(first, second)


# ------------------------------------------------------------------------------------------------ properties

counts = st.integers(min_value=0, max_value=5000)


@st.composite
def consistent_tallies(draw: st.DrawFn) -> Tally:
    lists = []
    for number, n in LISTS:
        cand = tuple(draw(counts) for _ in range(n))
        lists.append(ListTally(number, sum(cand), cand))
    a, b = draw(counts), draw(counts)
    blank, invalid = draw(counts), draw(counts)
    h = sum(lst.votes for lst in lists) + blank + invalid
    d = a + b
    return Tally(
        poll_cards=a,
        proxy_certificates=b,
        admitted_voters=d,
        blank=blank,
        invalid=invalid,
        more_ballots=max(0, h - d),
        fewer_ballots=max(0, d - h),
        lists=tuple(lists),
    )


@settings(max_examples=150, deadline=None)
@given(consistent_tallies(), st.sampled_from(["cso_first", "cso_next", "dso_first", "dso_next"]))
def test_a_consistent_paper_never_has_errors(tally: Tally, model: ReportModel) -> None:
    results = validate(report_from_tally(model, tally, with_voter_cards=False), GR)
    assert results.errors == ()
    assert {r.code for r in results.warnings} <= {"W.201", "W.202", "W.203", "W.204"}


@st.composite
def any_paper(draw: st.DrawFn) -> StationReport:
    """Any combination of numbers and ticks a person can write on the form."""
    models: list[ReportModel] = ["cso_first", "cso_next", "dso_first", "dso_next"]
    model = draw(st.sampled_from(models))
    report = empty_report(model, list(LISTS), with_voter_cards=False)
    for path, value in leaf_paths(report):
        if isinstance(value, bool):
            set_field(report, path, draw(st.booleans()))
        else:
            set_field(report, path, draw(st.integers(min_value=0, max_value=300)))
    return report


@settings(max_examples=200, deadline=None)
@given(any_paper())
def test_any_paper_is_judged_never_refused(report: StationReport) -> None:
    check_shape(report, GR)
    results = validate(report, GR)
    assert [r.code for r in results.errors] == sorted(r.code for r in results.errors)
    assert [r.code for r in results.warnings] == sorted(r.code for r in results.warnings)
    assert all(r.code.startswith("F.") for r in results.errors)
    assert all(r.code.startswith("W.") for r in results.warnings)
    assert all((r.list_number is not None) == r.code.startswith("F.4") for r in results.all)
    found = set(results.codes())
    assert not ("F.204" in found and found & {"F.202", "F.203"})


@settings(max_examples=100, deadline=None)
@given(any_paper(), st.data())
def test_one_changed_box_is_the_one_differing_field(report: StationReport, data: st.DataObject) -> None:
    other = copy_report(report)
    path, value = data.draw(st.sampled_from(leaf_paths(report)))
    set_field(other, path, (not value) if isinstance(value, bool) else value + 1)  # type: ignore[operator]
    assert differing_fields(report, other) == [path]


def test_context_for_a_district() -> None:
    district = District(
        id=DistrictId("geen"),
        name=None,
        lists=(
            CandidateList(
                number=1, name="A", candidates=tuple(Candidate(position=i, last_name="X") for i in (1, 2, 3))
            ),
            CandidateList(
                number=2,
                name="B",
                candidates=(Candidate(position=1, last_name="Y"), Candidate(position=2, last_name="Z")),
            ),
        ),
    )
    assert context_for(district, "GR") == GR
    ps = context_for(district, "PS", level="csb", model="cso_next", eligible_voters=7)
    assert ps.voter_cards and ps.level == "csb" and ps.model == "cso_next" and ps.eligible_voters == 7
