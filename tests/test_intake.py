"""The book of received summaries: accept, duplicate, replace by a named corrigendum, refuse with reason."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.intake import (
    Book,
    Outcome,
    Reason,
    Received,
    decide,
    new_book,
    receive,
    record,
    replay,
)

MUNIS = ("0668", "0263", "0214")


def d(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def first(who: str, tag: str = "a") -> Received:
    return Received(authority=who, digest=d(who + tag), phase=0)


def corr(who: str, phase: int, names: bytes | None, tag: str = "c") -> Received:
    return Received(authority=who, digest=d(f"{who}{tag}{phase}"), phase=phase, supersedes=names)


def test_first_summaries_are_accepted_and_complete_the_book() -> None:
    book = new_book(MUNIS)
    assert book.missing == MUNIS and not book.complete
    for m in MUNIS:
        book, dec = receive(book, first(m))
        assert dec.outcome is Outcome.ACCEPT and dec.counts
    assert book.complete and book.received_in == MUNIS
    assert [r.authority for r in book.counting()] == list(MUNIS)


def test_counting_keeps_expected_order_whatever_the_scan_order() -> None:
    book = new_book(MUNIS)
    for m in reversed(MUNIS):
        book, _ = receive(book, first(m))
    assert [r.authority for r in book.counting()] == list(MUNIS)


def test_same_summary_twice_is_a_duplicate_and_changes_nothing() -> None:
    book, _ = receive(new_book(MUNIS), first("0668"))
    book2, dec = receive(book, first("0668"))
    assert dec.outcome is Outcome.DUPLICATE and not dec.counts
    assert book2.current == book.current
    assert book2.duplicated_authorities == ("0668",)
    assert "already received" in dec.message()


def test_unknown_authority_is_refused_and_recorded() -> None:
    book, dec = receive(new_book(MUNIS), first("9999"))
    assert dec.outcome is Outcome.REFUSE and dec.reason is Reason.UNKNOWN_AUTHORITY
    assert book.current == () and book.refused == (dec,)
    assert "refused" in dec.message()


def test_corrigendum_naming_the_accepted_summary_replaces_it() -> None:
    orig = first("0668")
    book, _ = receive(new_book(MUNIS), orig)
    fix = corr("0668", 1, orig.digest)
    book, dec = receive(book, fix)
    assert dec.outcome is Outcome.REPLACE and dec.replaced == orig.digest
    assert book.accepted("0668") == fix
    assert book.superseded == (orig,)
    assert book.superseded_authorities == ("0668",)
    # and a second corrigendum chains on the first
    fix2 = corr("0668", 2, fix.digest)
    book, dec = receive(book, fix2)
    assert dec.outcome is Outcome.REPLACE and book.accepted("0668") == fix2


@pytest.mark.parametrize(
    ("names", "reason"),
    [(None, Reason.CHAIN_BROKEN), (d("something else"), Reason.CHAIN_BROKEN)],
)
def test_corrigendum_that_does_not_name_its_predecessor_is_refused(
    names: bytes | None, reason: Reason
) -> None:
    orig = first("0668")
    book, _ = receive(new_book(MUNIS), orig)
    book, dec = receive(book, corr("0668", 1, names))
    assert dec.outcome is Outcome.REFUSE and dec.reason is reason
    assert book.accepted("0668") == orig


def test_replayed_older_summary_is_refused() -> None:
    orig = first("0668")
    book, _ = receive(new_book(MUNIS), orig)
    book, _ = receive(book, corr("0668", 1, orig.digest))
    book, dec = receive(book, orig)
    assert dec.outcome is Outcome.REFUSE and dec.reason is Reason.OLDER_PHASE
    assert book.accepted("0668") != orig


def test_other_first_session_summary_is_a_conflict() -> None:
    book, _ = receive(new_book(MUNIS), first("0668"))
    book, dec = receive(book, first("0668", tag="other"))
    assert dec.reason is Reason.CONFLICT
    assert book.accepted("0668") == first("0668")


def test_corrigendum_before_its_original_is_refused() -> None:
    _, dec = receive(new_book(MUNIS), corr("0668", 1, d("x")))
    assert dec.reason is Reason.ORPHAN_CORRIGENDUM


def test_first_session_naming_a_predecessor_is_refused() -> None:
    bad = Received(authority="0668", digest=d("x"), phase=0, supersedes=d("y"))
    assert decide(new_book(MUNIS), bad).reason is Reason.FIRST_NAMES_PREDECESSOR


def test_record_refuses_a_decision_from_another_book() -> None:
    book, _ = receive(new_book(MUNIS), first("0668"))
    stale = decide(new_book(MUNIS), first("0668"))
    with pytest.raises(ValueError):
        record(book, stale)


def test_new_book_refuses_bad_setups() -> None:
    with pytest.raises(ValueError):
        new_book([])
    with pytest.raises(ValueError):
        new_book(["0668", "0668"])


# --- properties ---

events = st.lists(
    st.tuples(st.sampled_from([*MUNIS, "9999"]), st.integers(0, 3), st.integers(0, 3), st.booleans()),
    max_size=30,
)


def _materialise(raw: list[tuple[str, int, int, bool]], book: Book) -> list[Received]:
    """Turn random events into summaries; some corrigenda name the right predecessor, some a wrong one."""
    out = []
    for who, phase, tag, names_current in raw:
        cur = book.accepted(who)
        names = (cur.digest if cur else None) if names_current else d(f"junk{tag}")
        rec = Received(
            authority=who,
            digest=d(f"{who}/{phase}/{tag}"),
            phase=phase,
            supersedes=None if phase == 0 else names,
        )
        out.append(rec)
        book, _ = receive(book, rec)
    return out


@settings(max_examples=200, deadline=None)
@given(events)
def test_invariants_hold_for_any_sequence(raw: list[tuple[str, int, int, bool]]) -> None:
    history = _materialise(raw, new_book(MUNIS))
    book = new_book(MUNIS)
    for rec in history:
        before = book.accepted(rec.authority)
        book, dec = receive(book, rec)
        after = book.accepted(rec.authority)
        if dec.outcome is Outcome.REFUSE or dec.outcome is Outcome.DUPLICATE:
            assert after == before  # a refusal or duplicate never changes a count
        if dec.outcome is Outcome.REPLACE:
            # only a later phase that names exactly the accepted summary replaces it
            assert before is not None and rec.supersedes == before.digest and rec.phase > before.phase
        # the counting phase of an authority never goes down
        if before is not None and after is not None:
            assert after.phase >= before.phase
        # in, missing partition the expected authorities
        assert set(book.received_in) | set(book.missing) == set(MUNIS)
        assert not set(book.received_in) & set(book.missing)
    # rebuilding from the history gives the same book (the store keeps the history)
    assert replay(MUNIS, history) == book
