"""`random.Random`'s exact stream, with large `choices` drawn in bulk by numpy: the same election, sooner.

Why: generating a Tweede Kamer election draws every ballot twice (its list, then its candidate), 27 million
draws through `random.choices`, most of the generator's time. `BulkRandom` runs the same Mersenne Twister in
numpy (`numpy.random.MT19937`, started from the state `random.Random(seed)` has after seeding), so every
method returns exactly what `random.Random(seed)` would, value for value: `random()` is built from two 32-bit
words as CPython builds it, `getrandbits` as CPython does (and `randrange`, `shuffle`, `sample` use it), the
other methods are `random.Random`'s own Python code on top of these two. Only `choices` with many draws
differs in how, not in what: the words are taken as one array, turned into floats the same way, and looked up
in the cumulative weights with `searchsorted` (the same comparisons as `bisect_right` on sorted floats).

The generator in `shared.domain.generate` stays pure: it takes any random source, and the edge passes this.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from fractions import Fraction
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import numpy as np

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")

#: From this many draws on, `choices` works in bulk: below it, numpy's call overhead costs more than it saves.
BULK_FROM = 12
#: Words drawn from the numpy generator at a time, and words turned into Python ints at a time for `random()`.
BLOCK, CHUNK = 1 << 20, 512
_TO_FLOAT = 1.0 / 9007199254740992.0  # 2**-53, as CPython's random_random scales its 53 bits
_HIGH = 67108864.0  # 2**26


class BulkRandom(random.Random):
    """`random.Random(seed)`'s values, with large `choices` drawn by numpy; no `getstate`/`setstate`."""

    def seed(self, a: Any = None, version: int = 2) -> None:
        super().seed(a, version)
        internal = super().getstate()[1]  # 624 words of the twister and the position in them
        key, pos = internal[:624], internal[624]
        self._bits = np.random.MT19937()
        self._bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.array(key, dtype=np.uint32), "pos": pos},
        }
        self._buffer = np.empty(0, dtype=np.uint64)
        self._doubles = (np.empty(0), np.empty(0))  # random() of words (2i, 2i+1) and of (2i+1, 2i+2)
        self._at = 0  # next unused word in _buffer
        self._sorted: dict[int, tuple[list[float | Fraction], np.ndarray[Any, np.dtype[np.float64]]]] = {}
        self._words: list[int] = []  # _buffer[_first : _first + len(_words)] as Python ints
        self._first = 0

    def getstate(self) -> NoReturn:
        raise NotImplementedError("BulkRandom draws ahead in numpy; its state is not random.Random's")

    def setstate(self, state: object) -> NoReturn:
        raise NotImplementedError("BulkRandom draws ahead in numpy; its state is not random.Random's")

    def _refill(self, need: int) -> None:
        """Keep the unused words and append new ones, so that at least `need` are unused."""
        self._buffer = np.concatenate((self._buffer[self._at :], self._bits.random_raw(max(BLOCK, need))))
        self._at = 0
        self._words, self._first = [], 0
        high, low = self._buffer >> np.uint64(5), self._buffer >> np.uint64(6)
        self._doubles = (
            (high[0:-1:2] * _HIGH + low[1::2]) * _TO_FLOAT,
            (high[1:-1:2] * _HIGH + low[2::2]) * _TO_FLOAT,
        )

    def _floats(self, k: int) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The next `k` values of `random()`, as an array."""
        if self._at + 2 * k > len(self._buffer) - 1:
            self._refill(2 * k)
        at = self._at
        self._at = at + 2 * k
        return self._doubles[at % 2][at // 2 : at // 2 + k]

    def _word(self) -> int:
        at = self._at
        offset = at - self._first
        if not 0 <= offset < len(self._words):
            if at + CHUNK > len(self._buffer):
                self._refill(CHUNK)
                at = 0
            self._words, self._first, offset = self._buffer[at : at + CHUNK].tolist(), at, 0
        self._at = at + 1
        return self._words[offset]

    def random(self) -> float:
        """CPython's random_random: 27 high bits of one word, 26 of the next, as a float in [0, 1)."""
        at = self._at
        offset = at - self._first
        words = self._words
        if offset >= 0 and offset + 2 <= len(words):
            self._at = at + 2
            return ((words[offset] >> 5) * _HIGH + (words[offset + 1] >> 6)) * _TO_FLOAT
        a = self._word() >> 5
        return (a * _HIGH + (self._word() >> 6)) * _TO_FLOAT

    def getrandbits(self, k: int) -> int:
        """CPython's getrandbits: 32-bit words from the least significant up, the last one cut to size."""
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        if k <= 32:
            return self._word() >> (32 - k) if k else 0
        result = shift = 0
        while k > 0:
            word = self._word()
            if k < 32:
                word >>= 32 - k
            result |= word << shift
            shift += 32
            k -= 32
        return result

    def choices(
        self,
        population: SupportsLenAndGetItem[T],
        weights: Sequence[float | Fraction] | None = None,
        *,
        cum_weights: Sequence[float | Fraction] | None = None,
        k: int = 1,
    ) -> list[T]:
        """`random.Random.choices`, in bulk for `k` ≥ `BULK_FROM` weighted draws over sorted float weights."""
        if weights is not None and cum_weights is None:
            cum: Sequence[float | Fraction] = list(accumulate(weights))
        elif cum_weights is not None and weights is None:
            cum = cum_weights
        else:
            return super().choices(population, weights, cum_weights=cum_weights, k=k)
        if k < BULK_FROM:
            return super().choices(population, cum_weights=cum, k=k)
        known = self._sorted.get(id(cum))
        if known is not None and known[0] == cum:
            bounds = known[1]
        else:
            cum = list(cum)
            bounds = np.array(cum, dtype=np.float64)
            if (
                len(cum) != len(population)
                or bounds.tolist() != cum  # a weight that is no float, or not exactly one
                or not (bounds[1:] >= bounds[:-1]).all()  # (also no NaN)
                or not (cum[-1] > 0.0 and math.isfinite(cum[-1]))
            ):
                return super().choices(population, cum_weights=cum, k=k)  # its own values and errors
            if cum_weights is not None:  # the caller may pass the same list again (a district's candidates)
                if len(self._sorted) > 4096:
                    self._sorted.clear()
                self._sorted[id(cum_weights)] = (cum, bounds)
        # bisect_right(cum, x, 0, n - 1) for every x: the last element is never looked at
        total = float(cum[-1])
        picks: list[int] = np.searchsorted(bounds[:-1], self._floats(k) * total, side="right").tolist()
        if isinstance(population, range) and population == range(len(population)):
            return picks  # a range(n) gives its own indices
        return [population[i] for i in picks]
