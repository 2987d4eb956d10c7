"""Properties of the seat rules that must hold for any votes (hypothesis).

Which monotonicity holds by law: "more votes for one list (others unchanged) never means fewer seats for it"
holds for largest averages (D'Hondt is vote-monotone) and, as tested here, also for the P 8 procedure
(largest remainders with the 3/4 threshold, then one-per-list averages) — raising one list's votes raises the
quota, which only pushes *other* lists' remainders and thresholds down. What does NOT hold for P 8 is house
monotonicity (the Alabama paradox: one more seat can cost a list a seat); a fixed example documents that, and
house monotonicity is tested for largest averages only (without a majority list, where P 9 could intervene).
"""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.domain.apportionment import Apportionment, ResidualSeatStep, apportion, split_group_seats
from shared.domain.candidates import ListCandidateInput, assign_candidates
from shared.domain.seats import compute, decode_input
from shared.errors import InputError

SETTINGS = settings(max_examples=150, deadline=None)

votes_lists = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=9)
small_body = st.integers(min_value=1, max_value=18)
large_body = st.integers(min_value=19, max_value=60)
any_body = st.integers(min_value=1, max_value=60)


def run(seats: int, votes: list[int], **kw: object) -> Apportionment:
    return apportion(seats, list(enumerate(votes, 1)), **kw)  # type: ignore[arg-type]


def seat_vector(result: Apportionment) -> list[int]:
    return [lst.seats for lst in result.lists]


@SETTINGS
@given(any_body, votes_lists, st.booleans())
def test_seats_add_up(seats: int, votes: list[int], threshold: bool) -> None:
    result = run(seats, votes, quota_threshold=threshold)
    assume(result.status == "complete")
    if sum(votes) == 0:
        assert result.unassigned == seats and sum(seat_vector(result)) == 0
    elif threshold and all(v * seats < sum(votes) for v in votes):
        # P 7 lid 2 with no list reaching the quota: no residual seat can be given at all
        assert result.unassigned == seats
    else:
        assert result.unassigned == 0
        assert sum(seat_vector(result)) == seats
    for lst in result.lists:
        assert lst.seats >= 0 and (lst.votes > 0 or lst.seats == 0)


@SETTINGS
@given(
    any_body,
    st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 6)), min_size=1, max_size=7),
    st.booleans(),
)
def test_seats_add_up_with_list_exhaustion(seats: int, lists: list[tuple[int, int]], threshold: bool) -> None:
    votes = [v for v, _ in lists]
    cands = {i: c for i, (_, c) in enumerate(lists, 1)}
    result = run(seats, votes, candidates=cands, quota_threshold=threshold)
    assume(result.status == "complete")
    assert sum(seat_vector(result)) + result.unassigned == seats
    for lst in result.lists:
        assert lst.seats <= cands[lst.list_number]
    if result.unassigned:
        quota = Fraction(sum(votes), seats)
        # seats stay empty only when no list can take one
        for lst in result.lists:
            can_compete = lst.votes > 0 and (not threshold or lst.votes >= quota)
            assert not can_compete or lst.seats == cands[lst.list_number]


@SETTINGS
@given(any_body, votes_lists, st.data(), st.booleans())
def test_more_votes_never_fewer_seats(
    seats: int, votes: list[int], data: st.DataObject, threshold: bool
) -> None:
    i = data.draw(st.integers(0, len(votes) - 1))
    extra = data.draw(st.integers(1, 2000))
    before = run(seats, votes, quota_threshold=threshold)
    more = list(votes)
    more[i] += extra
    after = run(seats, more, quota_threshold=threshold)
    assume(before.status == after.status == "complete")
    assert after.lists[i].seats >= before.lists[i].seats


@SETTINGS
@given(large_body, votes_lists)
def test_house_monotone_for_largest_averages(seats: int, votes: list[int]) -> None:
    assume(all(2 * v <= sum(votes) for v in votes))  # no P 9 majority list
    small, big = run(seats, votes), run(seats + 1, votes)
    assume(small.status == big.status == "complete")
    assert all(b >= a for a, b in zip(seat_vector(small), seat_vector(big), strict=True))


def test_alabama_paradox_exists_below_19_seats() -> None:
    """Largest remainders (P 8) is not house-monotone: with 11 instead of 10 seats list 2 loses a seat."""
    assert seat_vector(run(10, [71, 30, 25, 92])) == [3, 2, 1, 4]
    assert seat_vector(run(11, [71, 30, 25, 92])) == [4, 1, 1, 5]


@SETTINGS
@given(any_body, votes_lists, st.randoms(use_true_random=False), st.booleans())
def test_permuting_lists_permutes_the_result(
    seats: int, votes: list[int], rnd: object, threshold: bool
) -> None:
    numbered = list(enumerate(votes, 1))
    shuffled = list(numbered)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = apportion(seats, numbered, quota_threshold=threshold)
    b = apportion(seats, shuffled, quota_threshold=threshold)
    assert a.status == b.status
    if a.status == "complete":
        assert {x.list_number: x.seats for x in a.lists} == {x.list_number: x.seats for x in b.lists}
    else:
        assert a.lot is not None and b.lot is not None
        assert set(a.lot.options) == set(b.lot.options) and a.lot.kind == b.lot.kind


@SETTINGS
@given(any_body, votes_lists, st.integers(2, 7))
def test_scaling_all_votes_changes_nothing(seats: int, votes: list[int], k: int) -> None:
    a, b = run(seats, votes), run(seats, [k * v for v in votes])
    assert a.status == b.status
    assert seat_vector(a) == seat_vector(b)
    assert (a.lot and a.lot.options) == (b.lot and b.lot.options)


def dhondt_reference(seats: int, votes: list[int]) -> tuple[bool, list[int]]:
    """Independent D'Hondt: all quotients v/d at once; lot iff the last seat's quotient ties the next."""
    quotients = sorted(
        ((Fraction(v, d), i) for i, v in enumerate(votes) if v > 0 for d in range(1, seats + 1)),
        key=lambda q: q[0],
        reverse=True,
    )
    won = quotients[:seats]
    tie = len(quotients) > seats and quotients[seats - 1][0] == quotients[seats][0]
    counts = [0] * len(votes)
    for _, i in won:
        counts[i] += 1
    return tie, counts


@SETTINGS
@given(large_body, st.lists(st.integers(1, 400), min_size=2, max_size=8))
def test_lot_exactly_when_a_real_tie_exists(seats: int, votes: list[int]) -> None:
    """Largest averages: a lot is asked iff the seat-th and the next quotient are equal (reference above)."""
    assume(all(2 * v <= sum(votes) for v in votes))  # P 9 would move a seat afterwards
    tie, counts = dhondt_reference(seats, votes)
    result = run(seats, votes)
    assert (result.status == "lot_required") == tie
    if not tie:
        assert seat_vector(result) == counts


@SETTINGS
@given(small_body, st.lists(st.sampled_from([5, 10, 15, 20, 30, 40, 60]), min_size=2, max_size=6))
def test_every_lot_option_is_really_tied(seats: int, votes: list[int]) -> None:
    """< 19 seats: for a lot, each option leads to a complete run where that list won the tied seat."""
    result = run(seats, votes)
    assume(result.status == "lot_required" and result.lot is not None and result.lot.kind == "residual_seat")
    assert result.lot is not None
    seat_no = int(result.lot.reason.split(":")[0].split()[-1])
    values = set()
    for option in result.lot.options:
        again = run(seats, votes, lots=(option,))
        step = next(s for s in again.steps if isinstance(s, ResidualSeatStep) and s.seat == seat_no)
        assert step.list_number == option and step.by_lot
        values.add(Fraction(*map(int, step.value.split("/"))))
    assert len(values) == 1


@SETTINGS
@given(st.integers(0, 40), st.lists(st.integers(0, 10000), min_size=1, max_size=20))
def test_group_split_respects_quota(group_seats: int, votes: list[int]) -> None:
    assume(group_seats == 0 or sum(votes) > 0)
    lists = list(enumerate(votes, 1))
    split = split_group_seats(group_seats, lists)
    assume(split.status != "lot_required")
    assert sum(x.seats for x in split.lists) == group_seats
    total = sum(votes)
    for x in split.lists:
        share = Fraction(x.votes * group_seats, total) if total else Fraction(0)
        assert x.full_seats == int(share)  # P 12: floor of the exact share …
        assert x.seats in (int(share), -(-share.numerator // share.denominator))  # … plus at most one


@SETTINGS
@given(
    st.integers(1, 40),
    st.lists(st.integers(0, 300), min_size=1, max_size=15),
    st.integers(0, 15),
    st.sets(st.integers(1, 15), max_size=3),
)
def test_candidate_assignment_invariants(body: int, votes: list[int], seats: int, dead: set[int]) -> None:
    deceased = tuple(sorted(d for d in dead if d <= len(votes)))
    total = max(sum(votes) * 3, 1)
    lst = ListCandidateInput(list_number=1, seats=seats, candidate_votes=tuple(votes), deceased=deceased)
    result = assign_candidates(body, total, [lst])
    if result.status == "lot_required":
        assert result.lot is not None and len(result.lot.options) >= 2
    assume(result.status != "lot_required")
    (out,) = result.lists
    living = [p for p in range(1, len(votes) + 1) if p not in deceased]
    assert len(out.elected) == min(seats, len(living)) and len(set(out.elected)) == len(out.elected)
    assert not set(out.elected) & set(deceased)
    assert sorted(out.ranking) == living
    threshold = Fraction(total * (25 if body >= 19 else 50), body * 100)
    for pos in out.by_preference:
        assert votes[pos - 1] > threshold
    # the rest of the seats go in list order: the earliest living candidates not elected by preference
    rest = [p for p in living if p not in out.by_preference][: len(out.elected) - len(out.by_preference)]
    assert list(out.elected[len(out.by_preference) :]) == rest
    # nobody above the threshold is passed over by someone with fewer votes
    if out.by_preference and len(out.by_preference) < seats:
        assert all(votes[p - 1] <= threshold for p in living if p not in out.elected)


# --------------------------------------------------------------------------------------------------- fuzz
VALID = (
    b'{"id":"f","category":"GR","seats":15,"lists":[{"number":1,"votes":540,"candidate_votes":[500,40]},'
    b'{"number":2,"votes":160,"candidates":3,"deceased":[1]},{"number":3,"votes":300}],"lots":[2]}'
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "category",
                    "seats",
                    "lists",
                    "number",
                    "votes",
                    "candidates",
                    "candidate_votes",
                    "deceased",
                    "lots",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


def _decode_and_compute(data: bytes) -> None:
    try:
        decoded = decode_input(data)
        for inp in decoded if isinstance(decoded, list) else [decoded]:
            compute(inp)
    except InputError as exc:
        assert exc.message  # a clear message, never another exception type


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fuzz_mutated_input_only_raises_input_error(data: st.DataObject) -> None:
    raw = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.sampled_from(list(b'0123456789-",:[]{}x ')))
    _decode_and_compute(bytes(raw))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fuzz_arbitrary_json_only_raises_input_error(value: object) -> None:
    _decode_and_compute(json.dumps(value).encode())
