"""Dutch number formatting (shared/formats/dutch.py): exact, reduced, and read back to the same value.

The kiesdeler, surpluses, averages and the preference threshold are exact fractions; what is printed must be
that exact value (round trip), written as the Kiesraad writes it: thousands with a dot, the rest as a reduced
fraction, a percentage with a decimal comma.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.formats import dutch

fractions = st.builds(
    Fraction, st.integers(-(10**12), 10**12), st.integers(1, 10**6)
)  # fmt: skip


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("13703915/150", "91.359 13/30"),  # the "91359 65/150"
        ("362700/2300", "157 16/23"),  # and "157 1600/2300"
        ("15001/23", "652 5/23"),  # spec/reports.md §7, 2.5
        ("46/1", "46"),
        ("1000000/1", "1.000.000"),
        ("13/30", "13/30"),
        ("0/7", "0"),
    ],
)
def test_mixed_numbers_as_the_kiesraad_prints_them(value: str, text: str) -> None:
    assert dutch.mixed(value) == text


@given(fractions)
def test_a_mixed_number_reads_back_to_the_exact_value(q: Fraction) -> None:
    assert dutch.parse_mixed(dutch.mixed(q)) == q
    assert dutch.mixed(f"{q.numerator * 7}/{q.denominator * 7}") == dutch.mixed(q)


@given(fractions)
def test_a_mixed_number_has_a_reduced_proper_fraction_and_dotted_thousands(q: Fraction) -> None:
    text = dutch.mixed(q).lstrip("-")
    whole, _, part = text.rpartition(" ") if "/" in text else (text, "", "")
    if "/" in part:
        num, den = map(int, part.split("/"))
        assert 0 < num < den and gcd(num, den) == 1
    if whole:
        assert whole == dutch.number(int(whole.replace(".", "")))
        assert all(len(g) == 3 for g in whole.split(".")[1:]) and 1 <= len(whole.split(".")[0]) <= 3


@pytest.mark.parametrize(
    ("value", "text"),
    [(25, "25"), (50, "50"), (Fraction(25, 2), "12,5"), (Fraction(200, 3), "66,67"),
     (Fraction(1, 200), "0,01"), (Fraction(1, 300), "0"), (12345, "12.345"), (Fraction(-1, 2), "-0,5")],
)  # fmt: skip
def test_percentages_have_a_decimal_comma(value: Fraction | int, text: str) -> None:
    assert dutch.percentage(value) == text


def test_a_column_of_shares_keeps_its_decimal() -> None:
    assert [dutch.percentage(q, 1, trim=False) for q in (25, Fraction(1, 20), Fraction(999, 10))] == [
        "25,0", "0,1", "99,9"
    ]  # fmt: skip
    assert dutch.percentage(Fraction(1, 20), 1, trim=False) == "0,1"  # 0,05 rounds half up, not to even


@given(st.fractions(min_value=0, max_value=100), st.integers(0, 4))
def test_a_percentage_is_within_half_its_last_decimal(q: Fraction, places: int) -> None:
    text = dutch.percentage(q, places, trim=False)
    whole, _, decimals = text.partition(",")
    value = int(whole.replace(".", "")) + (Fraction(int(decimals), 10**places) if decimals else 0)
    assert len(decimals) == places
    assert -Fraction(1, 2 * 10**places) < value - q <= Fraction(1, 2 * 10**places)


@given(st.integers(-(10**15), 10**15))
def test_thousands_are_grouped_with_dots(n: int) -> None:
    text = dutch.number(n)
    assert int(text.replace(".", "")) == n
    assert "," not in text


def test_not_a_mixed_number_is_refused() -> None:
    for text in ("91359 65/150", "1,5", "12/", ""):
        with pytest.raises(ValueError, match="not a Dutch mixed number"):
            dutch.parse_mixed(text)
