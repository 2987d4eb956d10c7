"""`BulkRandom` draws what `random.Random` draws for the same seed, so the demo's election is unchanged.

Each method the generator uses is compared value by value, in an order that mixes one-word draws
(`getrandbits`) with two-word ones (`random`), so bulk `choices` start at either alignment of the stream; and
a whole generated election is compared with the one `random.Random` gives.
"""

from __future__ import annotations

import random
from itertools import accumulate

import pytest

from shared.domain.generate import generate_municipal, generate_national
from telketen.demo.draws import BULK_FROM, BulkRandom


@pytest.mark.parametrize("seed", [1, 2, "seed:scan:0363"])
def test_every_method_gives_random_randoms_values(seed: int | str) -> None:
    a, b = random.Random(seed), BulkRandom(seed)
    cum = list(accumulate(1.0 / (i + 1) for i in range(80)))
    for step in range(1500):
        k = step % 400
        assert a.random() == b.random()
        assert a.getrandbits(step % 70) == b.getrandbits(step % 70)
        assert a.randint(1, 1999) == b.randint(1, 1999)
        assert a.gauss(3.0, 2.0) == b.gauss(3.0, 2.0)
        assert a.gammavariate(0.5, 1.0) == b.gammavariate(0.5, 1.0)
        shares = [b.random() for _ in range(26)]
        assert shares == [a.random() for _ in range(26)]
        assert a.choices(range(26), weights=shares, k=k) == b.choices(range(26), weights=shares, k=k)
        assert a.choices("ab" * 40, cum_weights=cum, k=k) == b.choices("ab" * 40, cum_weights=cum, k=k)
        assert a.choices(range(3), k=k) == b.choices(range(3), k=k)
        x, y = list(range(30)), list(range(30))
        a.shuffle(x)
        b.shuffle(y)
        assert x == y
        assert a.sample(range(2000), 20) == b.sample(range(2000), 20)


def test_unusual_weights_take_random_randoms_own_path() -> None:
    """Integer, unsorted or invalid weights are left to `random.Random.choices` (same values, same errors)."""
    a, b = random.Random(4), BulkRandom(4)
    k = BULK_FROM * 3
    for weights in ([3, 1, 2], [2**60 + 1, 1, 1], [0.5, -0.25, 1.0]):
        assert a.choices("xyz", weights=weights, k=k) == b.choices("xyz", weights=weights, k=k)
    for weights in ([0.0, 0.0, 0.0], [1.0, 2.0]):
        with pytest.raises(ValueError):
            b.choices("xyz", weights=weights, k=k)
    with pytest.raises(NotImplementedError):
        b.getstate()


def test_the_generated_elections_are_the_same() -> None:
    sizes = {"municipalities": 25, "stations": 300, "lists": 8, "candidates": 200}
    assert generate_national(BulkRandom(7), **sizes) == generate_national(random.Random(7), **sizes)
    assert generate_municipal(BulkRandom(7)) == generate_municipal(random.Random(7))
