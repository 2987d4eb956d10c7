"""The double-entry state machine under random sequences of actions by typists and a coordinator (hypothesis).

Whatever anyone tries, in any order: a definitive result is two equal, error-free entries by two different
people; nobody finalises a second entry of their own first; the coordinator never types; a refused action
changes nothing.
"""

from __future__ import annotations

import msgspec
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from shared.domain.double_entry import (
    Actor,
    DataEntry,
    claim,
    discard,
    finalise,
    reset,
    resolve_differences,
    resolve_errors,
    save,
)
from shared.domain.station_report import StationReport, empty_report
from shared.domain.validation import ValidationContext, validate
from shared.errors import StateError
from tests.test_double_entry import paper

LISTS = ((1, 3), (2, 2))
CTX = ValidationContext(lists=LISTS, voter_cards=False)
BLANK = empty_report("cso_first", list(LISTS), with_voter_cards=False)
TYPISTS = ["anna", "bob", "carl"]
ACTORS = [Actor(n, "typist") for n in TYPISTS] + [Actor("coco", "coordinator")]


def _variant() -> StationReport:
    report = paper()
    report.lists[0].candidate_votes[:2] = [11, 19]
    return report


def _with_error() -> StationReport:
    report = paper()
    report.voters.poll_cards = 101
    return report


def _with_warning() -> StationReport:
    report = paper()
    report.votes.blank, report.votes.list_votes[1], report.votes.votes_on_candidates = 10, 32, 92
    report.lists[1].total, report.lists[1].candidate_votes[1] = 32, 17
    return report


#: Mostly the true paper, so that equal entries (and so definitive results) are common in a random walk.
REPORTS = [paper(), paper(), paper(), _variant(), _with_error(), _with_warning(), BLANK]
MOSTLY = st.sampled_from([True, True, True, False])
#: Mostly the coordinator for the coordinator's actions (a typist trying is refused, and tested too).
RESOLVERS = st.sampled_from([ACTORS[3], ACTORS[3], ACTORS[3], ACTORS[0]])


def _encoded(entry: DataEntry) -> bytes:
    return msgspec.msgpack.encode(entry)


class DoubleEntryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.entry = DataEntry()
        self.definitive_seen = 0

    def _attempt(self, action: str, *args: object, **kwargs: object) -> None:
        functions = {
            "claim": claim,
            "save": save,
            "finalise": finalise,
            "discard": discard,
            "resolve_errors": resolve_errors,
            "resolve_differences": resolve_differences,
            "reset": reset,
        }
        before = _encoded(self.entry)
        state_before = self.entry.state
        first_typist = self.entry.first.typist if self.entry.first else None
        try:
            result = functions[action](self.entry, *args, **kwargs)  # type: ignore[operator]
        except StateError:
            assert _encoded(self.entry) == before, "a refused action changed the record"
            return
        assert _encoded(self.entry) == before, "an action changed its input"
        new = result[0] if isinstance(result, tuple) else result
        actor = args[0]
        assert isinstance(actor, Actor) and isinstance(new, DataEntry)
        if action in ("claim", "save", "finalise", "discard"):
            assert actor.role == "typist", "a coordinator typed"
        if action == "finalise" and state_before == "second_entry_in_progress":
            assert actor.name != first_typist, "a user finalised a second entry of their own first"
        if new.state == "definitive" and state_before != "definitive":
            self.definitive_seen += 1
        self.entry = new

    @rule(actor=st.sampled_from(ACTORS))
    def claim(self, actor: Actor) -> None:
        self._attempt("claim", actor, BLANK)

    @rule(actor=st.sampled_from(ACTORS), report=st.sampled_from(REPORTS), progress=st.integers(0, 100))
    def save(self, actor: Actor, report: StationReport, progress: int) -> None:
        self._attempt("save", actor, report, CTX, progress)

    @rule(actor=st.sampled_from(ACTORS), report=st.sampled_from(REPORTS), accept=MOSTLY)
    def type_whole_entry(self, actor: Actor, report: StationReport, accept: bool) -> None:
        """A typist claims, types the whole paper and finalises in one go (the common case)."""
        self._attempt("claim", actor, BLANK)
        if self.entry.state.endswith("correction") and report is REPORTS[-1]:
            report = REPORTS[0]  # a corrector re-keys from the paper, mostly right
        self._attempt("save", actor, report, CTX, 100)
        self._attempt("finalise", actor, CTX, accept_warnings=accept, accept_errors=accept)

    @rule(actor=st.sampled_from(ACTORS), accept_warnings=MOSTLY, accept_errors=MOSTLY)
    def finalise(self, actor: Actor, accept_warnings: bool, accept_errors: bool) -> None:
        self._attempt("finalise", actor, CTX, accept_warnings=accept_warnings, accept_errors=accept_errors)

    @rule(actor=st.sampled_from(ACTORS), really=st.integers(0, 3))
    def discard(self, actor: Actor, really: int) -> None:
        if really == 0:  # rarer than typing, so that walks get somewhere
            self._attempt("discard", actor)

    @rule(actor=RESOLVERS, action=st.sampled_from(["resume_first", "discard_first"]))
    def resolve_errors(self, actor: Actor, action: str) -> None:
        self._attempt("resolve_errors", actor, action)

    @rule(
        actor=RESOLVERS,
        action=st.sampled_from(
            ["keep_first", "keep_second", "discard_both"]
            + ["keep_first_correct_second", "keep_second_correct_first"] * 3  # corrections are the long path
        ),
    )
    def resolve_differences(self, actor: Actor, action: str) -> None:
        self._attempt("resolve_differences", actor, action, CTX)

    @rule(actor=st.sampled_from(ACTORS), really=st.integers(0, 5))
    def reset(self, actor: Actor, really: int) -> None:
        if really == 0:
            self._attempt("reset", actor)

    @invariant()
    def definitive_means_two_equal_clean_entries_by_two_people(self) -> None:
        e = self.entry
        if e.state == "definitive":
            assert e.first is not None and e.second is not None
            assert e.first.report == e.second.report
            assert e.first.typist != e.second.typist
            assert not validate(e.first.report, CTX).has_errors

    @invariant()
    def the_second_entry_is_never_by_the_first_typist(self) -> None:
        e = self.entry
        if e.second is not None:
            assert e.first is not None and e.second.typist != e.first.typist

    @invariant()
    def slots_match_the_state(self) -> None:
        e = self.entry
        assert (e.state == "empty") == (e.first is None)
        needs_second = e.state in (
            "second_entry_in_progress",
            "entries_different",
            "definitive",
            "first_entry_correction",
            "second_entry_correction",
        )
        assert needs_second == (e.second is not None)
        assert bool(e.correction_fields) <= (e.state in ("first_entry_correction", "second_entry_correction"))
        if e.state == "first_entry_has_errors":
            assert e.first is not None and validate(e.first.report, CTX).has_errors
        if e.state == "first_entry_finalised":
            assert e.first is not None and e.first.finalised and not validate(e.first.report, CTX).has_errors

    @invariant()
    def only_typists_type(self) -> None:
        for slot in (self.entry.first, self.entry.second):
            assert slot is None or slot.typist in TYPISTS


DoubleEntryMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=40, deadline=None)
TestDoubleEntryMachine = DoubleEntryMachine.TestCase


def test_the_machine_can_reach_definitive() -> None:
    """The random walk is not vacuous: the happy path through the same rules reaches definitive."""
    m = DoubleEntryMachine()
    anna, bob = ACTORS[0], ACTORS[1]
    m.claim(anna)
    m.save(anna, REPORTS[0], 100)
    m.finalise(anna, False, False)
    m.claim(bob)
    m.save(bob, REPORTS[0], 100)
    m.finalise(bob, False, False)
    m.definitive_means_two_equal_clean_entries_by_two_people()
    assert m.entry.state == "definitive" and m.definitive_seen == 1
