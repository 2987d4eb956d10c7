"""`Service.batch`: several actions in one transaction store the same state and audit chain, or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from municipality.service import Service, User
from shared.adapters import audit
from shared.errors import StateError
from tests.municipality_helpers import good_report, small_election

ANNA, BERT = User("anna", "typist"), User("bert", "typist")


def new_service(root: Path) -> Service:
    return Service.create(root, small_election(), "9999", sources=[], at="t0")


def type_station(svc: Service, station: str) -> str:
    for user in (ANNA, BERT):
        svc.claim(user, station, at="t1")
        svc.save(user, station, good_report(1), progress=100, at="t2")
        state = svc.finalise_entry(user, station, at="t3").state
    return state


def chain(svc: Service) -> list[tuple[int, str, str, str, str]]:
    return [(e.seq, e.action, e.payload, e.prev_hash, e.hash) for e in audit.events(svc.conn)]


def test_a_batch_stores_the_same_entries_and_audit_chain_as_separate_commits(tmp_path: Path) -> None:
    one_by_one, batched = new_service(tmp_path / "a"), new_service(tmp_path / "b")
    assert type_station(one_by_one, "1") == "definitive"
    with batched.batch():
        assert type_station(batched, "1") == "definitive"
    assert chain(batched) == chain(one_by_one)
    assert batched.entry("1") == one_by_one.entry("1")
    assert audit.verify_audit(batched.conn) == []


def test_an_error_in_a_batch_stores_none_of_its_actions(tmp_path: Path) -> None:
    svc = new_service(tmp_path)
    before = chain(svc)
    with pytest.raises(StateError), svc.batch():
        svc.claim(ANNA, "1", at="t1")
        svc.save(ANNA, "1", good_report(1), progress=100, at="t2")
        svc.claim(BERT, "1", at="t3")  # entry 1 is anna's until she finalises it
    assert svc.entry("1").state == "empty"
    assert chain(svc) == before
