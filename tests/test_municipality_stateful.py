"""The service stores exactly what the pure state machine says, and a refused action changes nothing.

A hypothesis state machine drives one station through random actions by random users, both through the
service (SQLite, audit log) and through `shared.domain.double_entry` directly; after every step the stored
record equals the model's, a refused action is refused by both and leaves no trace, and the audit log
verifies.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from municipality.report_proof import unproven_reports
from municipality.service import RESOLUTIONS, Service, User
from shared.adapters import audit
from shared.domain import double_entry as de
from shared.domain.station_report import StationReport
from shared.errors import TelketenError
from tests.municipality_helpers import good_report, small_election

USERS = [User("anna", "typist"), User("bert", "typist"), User("coord", "coordinator")]
_TEMPLATE: Path | None = None


def template() -> Path:
    """A fresh state file (no key, no users needed: users are passed in authenticated)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        root = Path(tempfile.mkdtemp(prefix="telketen-stateful-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        Service.create(root, small_election(), "9999", sources=[], at="t").close()
        _TEMPLATE = root
    return _TEMPLATE


REPORTS = [good_report(0), good_report(0), good_report(1)]
bad = good_report(0)
bad.voters.admitted_voters += 1
REPORTS.append(bad)


class ServiceMatchesModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="telketen-run-"))
        shutil.copytree(template(), self.dir, dirs_exist_ok=True)
        self.svc = Service.open(self.dir, at="t")
        self.ctx = self.svc.validation_context()
        self.model = de.DataEntry()
        self.blank = self.svc._form_for(1, self.svc.station(1))

    def teardown(self) -> None:
        self.svc.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def both(self, service_step: Callable[[], object], model_step: Callable[[], de.DataEntry]) -> None:
        head = audit.head(self.svc.conn)
        try:
            expected: de.DataEntry | None = model_step()
        except TelketenError:
            expected = None
        try:
            service_step()
            refused = False
        except TelketenError:
            refused = True
        assert refused == (expected is None)
        if expected is None:
            assert audit.head(self.svc.conn) == head  # nothing stored, nothing logged
        else:
            self.model = expected
            assert audit.head(self.svc.conn)[0] == head[0] + 1

    @rule(user=st.sampled_from(USERS))
    def claim(self, user: User) -> None:
        actor = de.Actor(user.name, user.role)
        self.both(
            lambda: self.svc.claim(user, "1", at="t"), lambda: de.claim(self.model, actor, self.blank)[0]
        )

    @rule(user=st.sampled_from(USERS), report=st.sampled_from(REPORTS), progress=st.integers(0, 100))
    def save(self, user: User, report: StationReport, progress: int) -> None:
        actor = de.Actor(user.name, user.role)
        self.both(
            lambda: self.svc.save(user, "1", report, progress=progress, at="t"),
            lambda: de.save(self.model, actor, report, self.ctx, progress),
        )

    @rule(user=st.sampled_from(USERS), warnings=st.booleans(), errors=st.booleans() | st.just(False))
    def finalise(self, user: User, warnings: bool, errors: bool) -> None:
        actor = de.Actor(user.name, user.role)
        self.both(
            lambda: self.svc.finalise_entry(
                user, "1", accept_warnings=warnings, accept_errors=errors, at="t"
            ),
            lambda: de.finalise(
                self.model, actor, self.ctx, accept_warnings=warnings, accept_errors=errors, at="t"
            ),
        )

    @rule(user=st.sampled_from(USERS[:2]), report=st.sampled_from(REPORTS))
    def whole_entry(self, user: User, report: StationReport) -> None:
        """Claim, type and finalise in one go (reaches the later states in few steps)."""
        self.claim(user)
        self.save(user, report, 100)
        self.finalise(user, True, True)

    @rule(user=st.sampled_from(USERS))
    def discard(self, user: User) -> None:
        actor = de.Actor(user.name, user.role)
        self.both(lambda: self.svc.discard_entry(user, "1", at="t"), lambda: de.discard(self.model, actor))

    @rule(user=st.sampled_from(USERS), action=st.sampled_from(RESOLUTIONS))
    def resolve(self, user: User, action: str) -> None:
        from municipality.service import DIFFERENCE_RESOLUTIONS, ERROR_RESOLUTIONS

        actor = de.Actor(user.name, user.role)

        def model() -> de.DataEntry:
            if action in ERROR_RESOLUTIONS:
                return de.resolve_errors(self.model, actor, ERROR_RESOLUTIONS[action])
            return de.resolve_differences(self.model, actor, DIFFERENCE_RESOLUTIONS[action], self.ctx)

        self.both(lambda: self.svc.resolve(user, "1", action, at="t"), model)

    @rule(user=st.sampled_from(USERS))
    def reset(self, user: User) -> None:
        actor = de.Actor(user.name, user.role)
        self.both(lambda: self.svc.reset(user, "1", at="t"), lambda: de.reset(self.model, actor))

    @invariant()
    def stored_equals_model(self) -> None:
        event(f"state {self.model.state}")
        assert self.svc.entry("1") == self.model

    @invariant()
    def definitive_means_two_typists_and_equal_entries(self) -> None:
        e = self.svc.entry("1")
        if e.state == "definitive":
            assert e.first is not None and e.second is not None
            assert e.first.typist != e.second.typist and e.first.report == e.second.report

    @invariant()
    def audit_log_verifies(self) -> None:
        assert audit.verify_audit(self.svc.conn) == []

    @invariant()
    def every_definitive_report_is_the_one_its_typist_saved(self) -> None:
        """Whatever claims, saves, resolutions and resets led here, `finalise` would not refuse an honest
        state: the proof of municipality/report_proof.py has no false alarms."""
        assert unproven_reports(self.svc.conn) == []


ServiceMatchesModel.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestServiceMatchesModel = ServiceMatchesModel.TestCase
