"""The summary format: round trips, golden bytes of version 1, and refusal of anything malformed."""

from __future__ import annotations

import contextlib
import random
import zlib
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from summary_golden import CASES, GOLDEN, MUNICIPALITY_TALLY

from shared.domain.tally import ListTally, Tally
from shared.errors import InputError, IntegrityError
from shared.formats.summary import (
    MAX_DECOMPRESSED,
    ChildDigest,
    ChildSource,
    Role,
    StationInvestigation,
    Summary,
    SummaryCounts,
    SummaryList,
    counts_from_tally,
    decode_summary,
    encode_summary,
    summary_payload,
    tally_from_counts,
)

counts = st.integers(min_value=0, max_value=2**40)
digests = st.binary(min_size=32, max_size=32)
idents = st.text(max_size=30)


@st.composite
def tallies(draw: st.DrawFn) -> Tally:
    n_lists = draw(st.integers(0, 6))
    lists = tuple(
        ListTally(number, draw(counts), tuple(draw(st.lists(counts, max_size=8))))
        for number in draw(st.lists(st.integers(1, 99), min_size=n_lists, max_size=n_lists, unique=True))
    )
    expl = tuple(draw(st.lists(st.tuples(idents, counts), max_size=3)))
    return Tally(
        eligible_voters=draw(counts),
        poll_cards=draw(counts),
        proxy_certificates=draw(counts),
        voter_cards=draw(counts),
        admitted_voters=draw(counts),
        blank=draw(counts),
        invalid=draw(counts),
        more_ballots=draw(counts),
        fewer_ballots=draw(counts),
        lists=lists,
        explanations=expl,
    )


sources = st.one_of(
    st.binary(min_size=16, max_size=16).map(lambda k: ChildSource(key_id=k, keyed_by=[])),
    st.lists(st.text(min_size=1, max_size=20), min_size=2, max_size=2, unique=True).map(
        lambda users: ChildSource(key_id=b"", keyed_by=users)
    ),
)


@st.composite
def summaries(draw: st.DrawFn) -> Summary:
    t = draw(tallies())
    n = len(t.lists)
    phase = draw(st.integers(0, 5))
    version = draw(st.sampled_from([1, 2, 3]))
    children = [ChildDigest(a, d) for a, d in draw(st.lists(st.tuples(idents, digests), max_size=5))]
    return Summary(
        version=version,
        election_id=draw(idents),
        district_id=draw(idents),
        role=draw(st.sampled_from(list(Role))),
        authority_id=draw(idents),
        phase=phase,
        supersedes=draw(digests) if phase else b"",
        issued_at=draw(idents),
        counts=counts_from_tally(t),
        eml_sha256=draw(digests),
        children=children,
        seats=draw(st.lists(counts, min_size=n, max_size=n)) if draw(st.booleans()) else [],
        sources=draw(st.lists(sources, min_size=len(children), max_size=len(children)))
        if version >= 2
        else [],
        investigations=[
            StationInvestigation(station, corrected)
            for station, corrected in draw(
                st.lists(st.tuples(idents, st.booleans()), max_size=4, unique_by=lambda x: x[0])
            )
        ]
        if version == 3
        else [],
    )


@given(summaries())
@settings(max_examples=150, deadline=None)
def test_round_trip(s: Summary) -> None:
    assert decode_summary(encode_summary(s)) == s


@given(tallies())
@settings(max_examples=100, deadline=None)
def test_tally_round_trip(t: Tally) -> None:
    assert tally_from_counts(counts_from_tally(t)) == t


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_v1_bytes(name: str) -> None:
    """The committed bytes decode to the fixed summary, and re-encoding gives the same msgpack bytes."""
    golden = (GOLDEN / f"summary_v1_{name}.bin").read_bytes()
    assert decode_summary(golden) == CASES[name]
    # The msgpack layout is the format; zlib output may differ between zlib builds, so pin the payload.
    assert zlib.decompress(golden) == summary_payload(CASES[name])


def test_golden_layout_is_positional() -> None:
    """v1 is array-like: the first elements are version, election, district, role, authority, phase."""
    raw = msgspec.msgpack.decode(zlib.decompress((GOLDEN / "summary_v1_municipality.bin").read_bytes()))
    assert raw[:6] == [1, "TK2025", "6", "municipality", "0668", 0]
    assert len(raw) == 12
    assert raw[8][9][0] == [1, 6000, [5000, 700, 300]]


def test_national_scale_municipal_summary_is_small() -> None:
    """26 lists, 1,100 candidates, realistic municipal counts: fits one QR symbol (ARCHITECTURE §2)."""
    rng = random.Random(7)
    per_list = [1100 // 26 + (1 if i < 1100 % 26 else 0) for i in range(26)]
    lists = []
    for number, n in enumerate(per_list, start=1):
        cands = tuple(rng.choice([0, 0, 1, 2, 3, 5, 8, 20, 150]) for _ in range(n))
        lists.append(ListTally(number, sum(cands), cands))
    s = CASES["municipality"]
    big = msgspec.structs.replace(s, counts=counts_from_tally(Tally(lists=tuple(lists))))
    size = len(encode_summary(big))
    assert size < 1600, size


def _compress_raw(obj: object) -> bytes:
    return zlib.compress(msgspec.msgpack.encode(obj))


def _raw_municipality() -> list[object]:
    raw = msgspec.msgpack.decode(zlib.decompress((GOLDEN / "summary_v1_municipality.bin").read_bytes()))
    assert isinstance(raw, list)
    return raw


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.__setitem__(0, 4), "version 4"),
        (lambda r: r.append([[b"\x01" * 16, []]]), "version 1 summary carries no sources"),
        (lambda r: (r.__setitem__(0, 2), r.append([[b"\x01" * 16, []]])), "1 sources for 0 children"),
        (lambda r: r.append("extra"), "malformed summary"),
        (lambda r: r.pop(), "malformed summary"),
        (lambda r: r.__setitem__(3, "mayor"), "malformed summary"),
        (lambda r: r.__setitem__(5, -1), "malformed summary"),
        (lambda r: r.__setitem__(6, b"\x01" * 31), "'supersedes'"),
        (lambda r: r.__setitem__(9, b"\x01" * 33), "malformed summary"),
        (lambda r: r[8].__setitem__(0, -5), "malformed summary"),
        (lambda r: r[8][9].append(r[8][9][0]), "list number occurs twice"),
        (lambda r: r.__setitem__(11, [1, 2]), "seat counts for 3 lists"),
        (lambda r: r.__setitem__(1, "x" * 201), "malformed summary"),
    ],
)
def test_malformed_fields_are_refused(mutate: object, message: str) -> None:
    raw = _raw_municipality()
    assert callable(mutate)
    mutate(raw)
    with pytest.raises(InputError, match=message):
        decode_summary(_compress_raw(raw))


def test_head_must_be_an_array_with_version() -> None:
    for obj in ({"version": 1}, [], ["1"], 1):
        with pytest.raises(InputError, match="not a summary"):
            decode_summary(_compress_raw(obj))


def test_zlib_bomb_is_bounded() -> None:
    bomb = zlib.compress(b"\x00" * (MAX_DECOMPRESSED + 1), 9)
    assert len(bomb) < 10_000
    with pytest.raises(InputError, match="larger than"):
        decode_summary(bomb)


def test_truncated_and_trailing_zlib_are_refused() -> None:
    good = (GOLDEN / "summary_v1_municipality.bin").read_bytes()
    with pytest.raises(InputError, match="truncated"):
        decode_summary(good[:-5])
    with pytest.raises(InputError, match="after the end"):
        decode_summary(good + b"\x00")
    with pytest.raises(InputError, match="not zlib"):
        decode_summary(b"\x00" + good)
    with pytest.raises(InputError, match="trailing"):
        decode_summary(zlib.compress(zlib.decompress(good) + b"\xc0"))


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(InputError, IntegrityError):
        decode_summary(data)


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_random_msgpack_inside_valid_zlib_never_crashes(data: bytes) -> None:
    with contextlib.suppress(InputError, IntegrityError):
        decode_summary(zlib.compress(data))


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_flipped_byte_in_payload_decodes_or_refuses(data: st.DataObject) -> None:
    """A damaged (but unsigned) payload is either a well-formed summary or a clear InputError."""
    raw = bytearray(zlib.decompress((GOLDEN / "summary_v1_central.bin").read_bytes()))
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] ^= data.draw(st.integers(1, 255))
    try:
        s = decode_summary(zlib.compress(bytes(raw)))
    except InputError:
        return
    assert isinstance(s, Summary)


def test_encode_refuses_invalid_summary() -> None:
    s = CASES["municipality"]
    with pytest.raises(InputError, match="'supersedes'"):
        encode_summary(msgspec.structs.replace(s, supersedes=b"short"))
    with pytest.raises(InputError, match="version"):
        encode_summary(msgspec.structs.replace(s, version=4))
    with pytest.raises(InputError, match="seat counts"):
        encode_summary(msgspec.structs.replace(s, seats=[1]))
    with pytest.raises(InputError, match="cannot encode"):
        encode_summary(msgspec.structs.replace(s, counts=msgspec.structs.replace(s.counts, blank=2**70)))


def test_sources_say_scanned_or_keyed_by_two_different_users_never_both() -> None:
    s = msgspec.structs.replace(
        CASES["municipality"], version=2, children=[ChildDigest("0001", b"\x02" * 32)], sources=[]
    )
    for bad, text in [
        ([], "0 sources for 1 children"),
        ([ChildSource(key_id=b"\x01" * 16, keyed_by=["ann", "bob"])], "not both"),
        ([ChildSource(key_id=b"", keyed_by=[])], "not both"),
        ([ChildSource(key_id=b"", keyed_by=["ann", "ann"])], "two different users"),
        ([ChildSource(key_id=b"", keyed_by=["ann"])], "two different users"),
        ([ChildSource(key_id=b"\x01" * 8, keyed_by=[])], "16-byte key id"),
    ]:
        with pytest.raises(InputError, match=text):
            encode_summary(msgspec.structs.replace(s, sources=bad))
    keyed = msgspec.structs.replace(s, sources=[ChildSource(key_id=b"", keyed_by=["ann", "bob"])])
    assert decode_summary(encode_summary(keyed)).sources[0].keyed


def test_counts_keep_ballot_order() -> None:
    c = counts_from_tally(MUNICIPALITY_TALLY)
    assert [lst.number for lst in c.lists] == [1, 2, 3]
    assert c.lists[1] == SummaryList(2, 4000, [3100, 0, 900])
    assert isinstance(c, SummaryCounts)


def test_golden_files_are_present() -> None:
    names = sorted(p.name for p in Path(GOLDEN).glob("summary_v1_*.bin"))
    assert names == sorted([*(f"summary_v1_{n}.bin" for n in CASES), "summary_v1_signed.bin"])


def test_a_version_2_summary_decodes_without_investigations_and_keeps_its_13_fields() -> None:
    """Version 3 added field 13: a version-2 summary (as every hoofdstembureau wrote it) still decodes, and
    a version-2 summary is still written without the field, so its bytes (and signature) are as before."""
    v2 = msgspec.structs.replace(
        CASES["municipality"],
        version=2,
        children=[ChildDigest("0001", b"\x02" * 32)],
        sources=[ChildSource(key_id=b"\x01" * 16, keyed_by=[])],
    )
    payload = summary_payload(v2)
    assert len(msgspec.msgpack.decode(payload)) == 13
    decoded = decode_summary(zlib.compress(payload))
    assert decoded.investigations == [] and decoded == v2
    v3 = msgspec.structs.replace(v2, version=3, investigations=[StationInvestigation("0001::SB1", True)])
    assert len(msgspec.msgpack.decode(summary_payload(v3))) == 14
    assert decode_summary(encode_summary(v3)).investigations == [StationInvestigation("0001::SB1", True)]


def test_investigations_belong_to_version_3_and_name_each_station_once() -> None:
    inv = [StationInvestigation("0001::SB1", False)]
    for version in (1, 2):
        with pytest.raises(InputError, match="that is version 3"):
            encode_summary(
                msgspec.structs.replace(CASES["municipality"], version=version, investigations=inv)
            )
    v3 = msgspec.structs.replace(CASES["municipality"], version=3, investigations=inv + inv)
    with pytest.raises(InputError, match="named twice"):
        encode_summary(v3)
    # the same refusal when a decoder meets such bytes (a forged or buggy writer)
    forged = msgspec.msgpack.encode(
        msgspec.structs.replace(CASES["municipality"], version=2, investigations=inv)
    )
    with pytest.raises(InputError, match="that is version 3"):
        decode_summary(zlib.compress(forged))
