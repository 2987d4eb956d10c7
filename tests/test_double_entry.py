"""The double-entry state machine, transition by transition: who may do what, and where each path ends."""

from __future__ import annotations

import pytest

from shared.domain.double_entry import (
    STATE_LABELS_NL,
    Actor,
    DataEntry,
    claim,
    differences,
    discard,
    entry_results,
    finalise,
    reset,
    resolve_differences,
    resolve_errors,
    save,
)
from shared.domain.station_report import StationReport, empty_report, report_from_tally
from shared.domain.tally import ListTally, Tally
from shared.domain.validation import ValidationContext, copy_report, set_field
from shared.errors import InputError, StateError

LISTS = ((1, 3), (2, 2))
CTX = ValidationContext(lists=LISTS, voter_cards=False, model="cso_first")
ANNA = Actor("anna", "typist")
BOB = Actor("bob", "typist")
CARL = Actor("carl", "typist")
COORD = Actor("coco", "coordinator")
BLANK = empty_report("cso_first", list(LISTS), with_voter_cards=False)


def paper() -> StationReport:
    tally = Tally(
        poll_cards=100,
        proxy_certificates=5,
        admitted_voters=105,
        blank=2,
        invalid=3,
        lists=(ListTally(1, 60, (10, 20, 30)), ListTally(2, 40, (15, 25))),
    )
    return report_from_tally("cso_first", tally, with_voter_cards=False)


def with_error() -> StationReport:
    report = paper()
    set_field(report, "voters.poll_cards", 101)  # F.201 and F.301 on paper
    return report


def with_warning() -> StationReport:
    report = paper()
    for path, value in [
        ("votes.blank", 10),
        ("votes.list_votes[1]", 32),
        ("votes.votes_on_candidates", 92),
        ("lists[1].total", 32),
        ("lists[1].candidate_votes[1]", 17),
    ]:
        set_field(report, path, value)
    return report


def typed(
    entry: DataEntry,
    actor: Actor,
    report: StationReport,
    *,
    accept_warnings: bool = False,
    accept_errors: bool = False,
) -> DataEntry:
    entry, _ = claim(entry, actor, BLANK)
    entry = save(entry, actor, report, CTX, 50)
    return finalise(entry, actor, CTX, accept_warnings=accept_warnings, accept_errors=accept_errors)


def first_done(report: StationReport | None = None) -> DataEntry:
    return typed(DataEntry(), ANNA, report or paper())


def different() -> DataEntry:
    other = paper()
    set_field(other, "lists[0].candidate_votes[0]", 11)
    set_field(other, "lists[0].candidate_votes[1]", 19)
    return typed(first_done(), BOB, other, accept_warnings=True)


def test_two_equal_entries_by_two_typists_become_definitive() -> None:
    entry = DataEntry()
    entry, got = claim(entry, ANNA, BLANK)
    assert entry.state == "first_entry_in_progress" and got.entry_number == 1 and got.report == BLANK
    entry = save(entry, ANNA, paper(), CTX, 40)
    entry, resumed = claim(entry, ANNA, BLANK)
    assert resumed.report == paper() and resumed.progress == 40
    entry = finalise(entry, ANNA, CTX, at="2026-03-19T21:00")
    assert entry.state == "first_entry_finalised" and entry.first is not None
    assert entry.first.finalised_at == "2026-03-19T21:00" and entry.first.progress == 100
    entry, second = claim(entry, BOB, BLANK)
    assert entry.state == "second_entry_in_progress" and second.entry_number == 2
    assert second.report == BLANK  # the second typist is not shown the first entry
    entry = save(entry, BOB, paper(), CTX, 100)
    entry = finalise(entry, BOB, CTX)
    assert entry.state == "definitive"
    assert entry.first is not None and entry.second is not None
    assert entry.first.report == entry.second.report and entry.first.typist != entry.second.typist


def test_actions_never_change_their_input() -> None:
    entry = first_done()
    before = copy_report(entry.first.report) if entry.first else None
    claimed, got = claim(entry, BOB, BLANK)
    got.report.voters.poll_cards = 7
    assert entry.state == "first_entry_finalised" and entry.second is None
    assert claimed.second is not None and claimed.second.report.voters.poll_cards == 0
    assert entry.first is not None and entry.first.report == before


def test_second_entry_must_be_by_a_different_user() -> None:
    with pytest.raises(StateError, match="different user"):
        claim(first_done(), ANNA, BLANK)
    entry, _ = claim(first_done(), BOB, BLANK)
    with pytest.raises(StateError, match="different user"):
        claim(entry, ANNA, BLANK)


def test_only_the_claimer_saves_finalises_or_discards() -> None:
    entry, _ = claim(DataEntry(), ANNA, BLANK)
    with pytest.raises(StateError, match="claimed by anna"):
        claim(entry, BOB, BLANK)
    with pytest.raises(StateError, match="claimed by anna"):
        save(entry, BOB, paper(), CTX, 10)
    with pytest.raises(StateError, match="claimed by anna"):
        finalise(entry, BOB, CTX)
    with pytest.raises(StateError, match="claimed by anna"):
        discard(entry, BOB)


def test_the_coordinator_never_types_and_typists_never_resolve() -> None:
    with pytest.raises(StateError, match="coordinator never types"):
        claim(DataEntry(), COORD, BLANK)
    entry = typed(DataEntry(), ANNA, with_error(), accept_errors=True)
    with pytest.raises(StateError, match="only a coordinator"):
        resolve_errors(entry, ANNA, "resume_first")
    with pytest.raises(StateError, match="only a coordinator"):
        resolve_differences(different(), BOB, "keep_first", CTX)
    with pytest.raises(StateError, match="only a coordinator"):
        reset(entry, ANNA)


def test_findings_must_be_accepted_to_finalise() -> None:
    entry, _ = claim(DataEntry(), ANNA, BLANK)
    entry = save(entry, ANNA, with_warning(), CTX, 90)
    with pytest.raises(StateError, match=r"warnings W\.201"):
        finalise(entry, ANNA, CTX)
    done = finalise(entry, ANNA, CTX, accept_warnings=True)
    assert done.state == "first_entry_finalised" and done.first is not None and done.first.with_warnings
    entry = save(entry, ANNA, with_error(), CTX, 90)
    with pytest.raises(StateError, match=r"errors F\.201"):
        finalise(entry, ANNA, CTX, accept_warnings=True)


def test_first_entry_with_errors_goes_to_the_coordinator() -> None:
    entry = typed(DataEntry(), ANNA, with_error(), accept_errors=True)
    assert entry.state == "first_entry_has_errors" and entry.first is not None and entry.first.with_errors
    with pytest.raises(StateError, match="cannot claim"):
        claim(entry, BOB, BLANK)
    resumed = resolve_errors(entry, COORD, "resume_first")
    assert resumed.state == "first_entry_in_progress" and resumed.first is not None
    assert resumed.first.typist == "anna" and resumed.first.report == with_error()
    with pytest.raises(StateError, match="claimed by anna"):
        claim(resumed, BOB, BLANK)
    fixed = finalise(save(resumed, ANNA, paper(), CTX, 100), ANNA, CTX)
    assert fixed.state == "first_entry_finalised"
    assert resolve_errors(entry, COORD, "discard_first") == DataEntry()
    with pytest.raises(StateError, match="only a first entry with errors"):
        resolve_errors(fixed, COORD, "resume_first")


def test_different_entries_go_to_the_coordinator_with_w001_while_typing() -> None:
    entry, _ = claim(first_done(), BOB, BLANK)
    other = paper()
    set_field(other, "lists[0].candidate_votes[0]", 11)
    set_field(other, "lists[0].candidate_votes[1]", 19)
    entry = save(entry, BOB, other, CTX, 100)
    results = entry_results(entry, BOB, CTX)
    w001 = [r for r in results.warnings if r.code == "W.001"]
    assert w001 and w001[0].fields == ("lists[0].candidate_votes[0]", "lists[0].candidate_votes[1]")
    with pytest.raises(StateError, match=r"W\.001"):
        finalise(entry, BOB, CTX)
    entry = finalise(entry, BOB, CTX, accept_warnings=True)
    assert entry.state == "entries_different"
    assert differences(entry) == ["lists[0].candidate_votes[0]", "lists[0].candidate_votes[1]"]


@pytest.mark.parametrize(
    ("action", "state", "first_typist"),
    [("keep_first", "first_entry_finalised", "anna"), ("keep_second", "first_entry_finalised", "bob")],
)
def test_keeping_one_entry_needs_a_fresh_second_entry(action: str, state: str, first_typist: str) -> None:
    entry = resolve_differences(different(), COORD, action, CTX)  # type: ignore[arg-type]
    assert entry.state == state and entry.second is None
    assert entry.first is not None and entry.first.typist == first_typist
    with pytest.raises(StateError, match="different user"):
        claim(entry, Actor(first_typist, "typist"), BLANK)
    entry = typed(entry, CARL, entry.first.report)
    assert entry.state == "definitive"


def test_keeping_an_entry_with_errors_sends_it_back_to_errors() -> None:
    entry = typed(first_done(), BOB, with_error(), accept_errors=True, accept_warnings=True)
    assert entry.state == "entries_different"
    kept = resolve_differences(entry, COORD, "keep_second", CTX)
    assert kept.state == "first_entry_has_errors" and kept.first is not None and kept.first.typist == "bob"
    with pytest.raises(StateError, match="kept entry has errors"):
        resolve_differences(entry, COORD, "keep_second_correct_first", CTX)


def test_discard_both_empties_the_record() -> None:
    assert resolve_differences(different(), COORD, "discard_both", CTX) == DataEntry()


def test_correction_returns_only_the_differing_fields_blanked_to_the_same_typist() -> None:
    entry = resolve_differences(different(), COORD, "keep_first_correct_second", CTX)
    assert entry.state == "second_entry_correction"
    assert entry.correction_fields == ("lists[0].candidate_votes[0]", "lists[0].candidate_votes[1]")
    assert entry.second is not None and entry.second.report.lists[0].candidate_votes == [0, 0, 30]
    with pytest.raises(StateError, match="claimed by bob"):
        claim(entry, CARL, BLANK)
    entry, got = claim(entry, BOB, BLANK)
    assert got.correction_fields == entry.correction_fields and got.report.lists[0].candidate_votes == [
        0,
        0,
        30,
    ]
    results = entry_results(entry, BOB, CTX)
    assert "W.001" not in results.codes() and "W.002" in results.codes()
    fixed = got.report
    fixed.lists[0].candidate_votes[:2] = [10, 20]
    entry = save(entry, BOB, fixed, CTX, 100)
    entry = finalise(entry, BOB, CTX)  # W.002 is guidance, not a warning to accept
    assert entry.state == "definitive" and entry.correction_fields == ()


def test_a_correction_that_still_differs_goes_back_to_the_coordinator() -> None:
    entry = resolve_differences(different(), COORD, "keep_second_correct_first", CTX)
    assert entry.state == "first_entry_correction"
    entry, got = claim(entry, ANNA, BLANK)
    got.report.lists[0].candidate_votes[:2] = [10, 20]  # anna re-keys her own (first) numbers
    entry = finalise(save(entry, ANNA, got.report, CTX, 100), ANNA, CTX, accept_warnings=True)
    assert entry.state == "entries_different"


@pytest.mark.parametrize(
    ("action", "kept_typist"), [("keep_first_correct_second", "anna"), ("keep_second_correct_first", "bob")]
)
def test_discarding_a_correction_keeps_the_reference_entry(action: str, kept_typist: str) -> None:
    entry = resolve_differences(different(), COORD, action, CTX)  # type: ignore[arg-type]
    corrector = BOB if kept_typist == "anna" else ANNA
    entry = discard(entry, corrector)
    assert entry.state == "first_entry_finalised" and entry.second is None
    assert entry.first is not None and entry.first.typist == kept_typist


def test_discard_of_an_entry_in_progress() -> None:
    entry, _ = claim(DataEntry(), ANNA, BLANK)
    assert discard(entry, ANNA) == DataEntry()
    entry, _ = claim(first_done(), BOB, BLANK)
    back = discard(entry, BOB)
    assert back.state == "first_entry_finalised" and back.second is None and back.first is not None
    with pytest.raises(StateError, match="no entry is being typed"):
        discard(back, ANNA)


def test_equal_entries_with_errors_are_refused() -> None:
    # a stored first entry that has errors under today's rules (e.g. finalised before a rule changed)
    entry = DataEntry(
        state="first_entry_finalised",
        first=typed(DataEntry(), ANNA, with_error(), accept_errors=True).first,
    )
    entry, _ = claim(entry, BOB, BLANK)
    entry = save(entry, BOB, with_error(), CTX, 100)
    with pytest.raises(StateError, match="equal but have errors"):
        finalise(entry, BOB, CTX, accept_errors=True, accept_warnings=True)


def test_definitive_is_final_until_a_coordinator_reset() -> None:
    entry = typed(first_done(), BOB, paper())
    for action in (
        lambda: claim(entry, CARL, BLANK),
        lambda: discard(entry, BOB),
        lambda: finalise(entry, BOB, CTX),
        lambda: resolve_differences(entry, COORD, "keep_first", CTX),
    ):
        with pytest.raises(StateError):
            action()
    assert reset(entry, COORD) == DataEntry()


def test_bad_input_to_actions_is_refused() -> None:
    entry, _ = claim(DataEntry(), ANNA, BLANK)
    with pytest.raises(InputError, match="progress"):
        save(entry, ANNA, paper(), CTX, 101)
    broken = paper()
    broken.lists.pop()
    with pytest.raises(InputError) as err:
        save(entry, ANNA, broken, CTX, 10)
    assert err.value.where == "votes.list_votes" or err.value.where == "lists"
    with pytest.raises(InputError, match="unknown resolution"):
        resolve_differences(different(), COORD, "keep_both", CTX)  # type: ignore[arg-type]


def test_every_state_has_a_dutch_label() -> None:
    assert set(STATE_LABELS_NL) == {
        "empty",
        "first_entry_in_progress",
        "first_entry_has_errors",
        "first_entry_finalised",
        "second_entry_in_progress",
        "entries_different",
        "definitive",
        "first_entry_correction",
        "second_entry_correction",
    }


def test_a_data_entry_round_trips_through_json() -> None:
    import msgspec

    entry = resolve_differences(different(), COORD, "keep_first_correct_second", CTX)
    assert msgspec.json.decode(msgspec.json.encode(entry), type=DataEntry) == entry
