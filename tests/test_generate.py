"""The election generator and the definition writer: realistic shape, consistent counts, valid EML."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.generate import (
    GeneratedElection,
    council_seats,
    generate_municipal,
    generate_national,
    poisson,
)
from shared.domain.tally import add_tallies, check_internal, check_sum
from shared.formats.eml.build import build_election
from shared.formats.eml.definition_writer import write_110a, write_110b, write_230b
from shared.formats.eml.read import read_110a, read_110b, read_230b
from shared.formats.eml.schema import validate
from tests.conftest import EML_SCHEMAS, needs_shared

GOLDEN = Path(__file__).parent / "golden"
CREATED = "2026-03-01T09:00:00.000"


def small_national(seed: int) -> GeneratedElection:
    return generate_national(
        random.Random(seed), districts=20, municipalities=24, stations=40, lists=6, candidates=120
    )


def assert_valid(data: bytes) -> None:
    """Valid against the EML_NL v1.2.2 schema of its message type (shared.formats.eml.schema)."""
    assert EML_SCHEMAS.is_dir()
    assert validate(data) == []


# ----------------------------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), stations=st.integers(1, 12), lists=st.integers(1, 10))
def test_municipal_station_tallies_are_internally_consistent(seed: int, stations: int, lists: int) -> None:
    g = generate_municipal(random.Random(seed), stations=stations, lists=lists)
    el = g.election
    assert len(g.tallies) == stations
    district = el.districts[0]
    for sid, t in g.tallies.items():
        assert check_internal(sid, t) == []
        assert [lst.number for lst in t.lists] == [cl.number for cl in district.lists]
        assert [len(lst.candidate_votes) for lst in t.lists] == [len(cl.candidates) for cl in district.lists]
        assert t.voter_cards == 0  # no voter cards (kiezerspassen) in a municipal election
        assert t.more_ballots == 0 or t.fewer_ballots == 0
        assert t.admitted_voters <= t.eligible_voters
    assert el.preference_threshold == (25 if el.seats >= 19 else 50)
    assert el.subcategory == ("GR2" if el.seats >= 19 else "GR1")


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_national_sums_are_preserved_bottom_up(seed: int) -> None:
    g = small_national(seed)
    el = g.election
    municipal = {m.code: add_tallies(g.station_tallies(m.code), unit=m.code) for m in el.municipalities}
    for m in el.municipalities:
        assert check_sum(m.code, municipal[m.code], dict(g.station_tallies(m.code))) == []
    districts = {
        d.id: add_tallies([(m.code, municipal[m.code]) for m in el.municipalities if m.district_id == d.id])
        for d in el.districts
    }
    national = add_tallies(districts.items())
    assert national == add_tallies(g.tallies.items())
    assert check_internal("national", national) == []
    assert national.votes_on_lists + national.blank + national.invalid == national.ballots_cast
    assert sum(t.ballots_cast for t in g.tallies.values()) == national.ballots_cast


def test_same_seed_same_election_other_seed_other_election() -> None:
    assert generate_municipal(random.Random(7)) == generate_municipal(random.Random(7))
    assert small_national(7) == small_national(7)
    assert generate_municipal(random.Random(7)) != generate_municipal(random.Random(8))


def test_votes_are_skewed_like_real_ones() -> None:
    g = generate_national(random.Random(3), districts=20, municipalities=30, stations=200, lists=26)
    total = add_tallies(g.tallies.items())
    h = total.ballots_cast
    assert 0.001 < total.blank / h < 0.006  # blank ≈ 0.3 %
    assert 0.0005 < total.invalid / h < 0.005  # invalid ≈ 0.2 %
    votes = sorted((lst.votes for lst in total.lists), reverse=True)
    assert votes[0] > 5 * votes[-1]  # a few big parties, many small ones
    for lst in total.lists:
        if lst.votes > 0.05 * total.votes_on_lists:  # big lists: the puller takes the largest share
            assert lst.candidate_votes[0] == max(lst.candidate_votes)
            assert lst.candidate_votes[0] > 0.3 * lst.votes
    differences = [t for t in g.tallies.values() if t.more_ballots or t.fewer_ballots]
    assert 0 < len(differences) < 0.2 * len(g.tallies)  # a few I/J differences, not many
    assert all(t.voter_cards >= 0 for t in g.tallies.values())
    assert sum(t.voter_cards for t in g.tallies.values()) > 0  # TK has voter cards (kiezerspassen)


def test_national_scale_shape() -> None:
    """The default national shape (without drawing 13 million ballots: one station per municipality)."""
    g = generate_national(random.Random(5), stations=340)
    el = g.election
    assert el.category == "TK" and el.seats == 150 and el.preference_threshold == 25
    assert len(el.districts) == 20 and len(el.municipalities) == 340
    assert len({m.code for m in el.municipalities}) == 340
    for d in el.districts:
        assert len(d.lists) == 26
        assert 1000 <= sum(len(cl.candidates) for cl in d.lists) <= 1200
        assert d.lists == el.districts[0].lists  # the same lists in every district
    assert {m.district_id for m in el.municipalities} == {d.id for d in el.districts}


def test_council_seats_follow_gemeentewet_art_8() -> None:
    assert council_seats(3_000) == 9
    assert council_seats(3_001) == 11
    assert council_seats(38_000) == 25
    assert council_seats(150_000) == 39
    assert council_seats(900_000) == 45


def test_poisson_has_the_right_mean() -> None:
    rng = random.Random(1)
    draws = [poisson(rng, 4.5) for _ in range(4000)]
    assert 4.2 < sum(draws) / len(draws) < 4.8
    assert poisson(rng, 0) == 0
    big = [poisson(rng, 100.0) for _ in range(500)]
    assert 95 < sum(big) / len(big) < 105


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_municipal(random.Random(1), stations=0)
    with pytest.raises(ValueError):
        generate_national(random.Random(1), districts=21)
    with pytest.raises(ValueError):
        generate_national(random.Random(1), districts=3, municipalities=2, stations=10)


# ----------------------------------------------------------------------------------------------- definition


@needs_shared
@pytest.mark.parametrize("kind", ["municipal", "national"])
def test_definition_files_validate_and_read_back_to_the_same_election(kind: str) -> None:
    g = generate_municipal(random.Random(11)) if kind == "municipal" else small_national(11)
    el = g.election
    d110a = write_110a(el, created=CREATED)
    d230b = write_230b(el, created=CREATED)
    d110b = [write_110b(el, m, created=CREATED) for m in el.municipalities]
    assert_valid(d110a)
    assert_valid(d230b)
    for data in d110b:
        assert_valid(data)
    back = build_election(read_110a(d110a), [read_230b(d230b)], [read_110b(b) for b in d110b])
    assert back == el


def test_definition_bytes_are_deterministic() -> None:
    a, b = generate_municipal(random.Random(2)), generate_municipal(random.Random(2))
    assert write_110a(a.election, created=CREATED) == write_110a(b.election, created=CREATED)
    assert write_230b(a.election, created=CREATED) == write_230b(b.election, created=CREATED)
    assert write_230b(a.election, created=CREATED) != write_230b(
        a.election, created="2026-03-01T09:00:01.000"
    )


def test_definition_golden_files() -> None:
    """The 110a and 110b of seed 1 are pinned: a change of generator or writer is seen, and reviewed."""
    el = generate_municipal(random.Random(1)).election
    assert write_110a(el, created=CREATED) == (GOLDEN / "generate_gr_seed1_110a.eml.xml").read_bytes()
    assert (
        write_110b(el, el.municipalities[0], created=CREATED)
        == (GOLDEN / "generate_gr_seed1_110b.eml.xml").read_bytes()
    )


def test_names_are_escaped() -> None:
    """A name with XML metacharacters survives the round trip (the writer escapes, the reader unescapes)."""
    import msgspec

    el = generate_municipal(random.Random(4), stations=2, lists=2).election
    d = el.districts[0]
    odd = msgspec.structs.replace(d.lists[0], name='Lijst "A & B" <C>')
    el = msgspec.structs.replace(el, districts=(msgspec.structs.replace(d, lists=(odd, d.lists[1])),))
    back = read_230b(write_230b(el, created=CREATED))
    assert back.districts[0].lists[0].name == 'Lijst "A & B" <C>'


def test_a_230b_for_one_district() -> None:
    el = small_national(3).election
    data = write_230b(el, created=CREATED, district_id="2")
    back = read_230b(data)
    assert [d.id for d in back.districts] == ["2"]
    assert back.districts[0].name == "Leeuwarden"
