"""Writing 510 and 520: real files written back keep their counts, generated counts round-trip exactly, and
every file we write validates against the official v1.2.2 XSD."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no hints; lxml-stubs is no dependency

from shared.domain.election import Candidate, CandidateList, District, DistrictId, Election, ElectionId
from shared.domain.tally import ListTally, Tally
from shared.errors import InputError
from shared.formats.eml import (
    ElectedCandidate,
    ResultInput,
    build_election,
    read_110a,
    read_230b,
    read_510,
    read_520,
    write_510,
    write_520,
)
from shared.formats.eml.model import (
    ADMISSION_CODES,
    EXPLANATION_CODES,
    INVESTIGATION_CODES,
    STANDARD_EXPLANATIONS,
    Count510,
    ElectionIdentifier,
    ListLayout,
    UnitVotes,
)
from shared.formats.eml.write import layout_of, unit_votes
from tests.conftest import EML_SAMPLES, EML_SCHEMAS, needs_shared


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(EML_SCHEMAS / name)))


def assert_valid(data: bytes, name: str = "510-count-kiesraad-strict.xsd") -> None:
    """Valid against the official schema; only in tests marked `needs_shared` (never skipped silently)."""
    schema = _schema(name)
    doc = etree.fromstring(data)
    assert schema.validate(doc), [f"{e.line}: {e.message}" for e in schema.error_log][:5]


REAL_510 = [
    "gr2022_westmaasenwaal/Telling_GR2022_WestMaasenWaal.eml.xml",
    "tk2025_westmaasenwaal/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
    "rust-eml-nl/deserialize_eml510b_test.eml.xml",
    "rust-eml-nl/deserialize_eml510d_test.eml.xml",
    "hcp/Fake_test_data_Telling_EP2024_gemeente_Steenwijkerland.eml.xml",
    "hcp/Fake_test_data_Telling_TK2023_gemeente_Dordrecht.eml.xml",
]


@needs_shared
@pytest.mark.parametrize("name", REAL_510)
def test_real_510_written_back_has_the_same_counts(name: str) -> None:
    original = read_510((EML_SAMPLES / name).read_bytes())
    written = write_510(original)
    assert_valid(written)
    assert read_510(written) == original


@needs_shared
def test_write_with_election_checks_the_lists() -> None:
    count = read_510((EML_SAMPLES / REAL_510[1]).read_bytes())
    lists = read_230b(
        (EML_SAMPLES / "tk2025_westmaasenwaal/Kandidatenlijsten_TK2025_Nijmegen.eml.xml").read_bytes()
    )
    haarlem = read_230b(
        (EML_SAMPLES / "tk2025_westmaasenwaal/Kandidatenlijsten_TK2025_Haarlem.eml.xml").read_bytes()
    )
    election = Election(
        id=ElectionId("TK2025"),
        name="TK",
        category="TK",
        subcategory="TK",
        date="2025-10-29",
        seats=150,
        preference_threshold=25,
        districts=lists.districts,
    )
    assert read_510(write_510(count, election)) == count
    other = Election(
        id=ElectionId("TK2025"),
        name="TK",
        category="TK",
        subcategory="TK",
        date="2025-10-29",
        seats=150,
        preference_threshold=25,
        districts=(District(id=DistrictId("6"), name="x", lists=haarlem.districts[0].lists),),
    )
    with pytest.raises(InputError, match="differ from those of district 6"):
        write_510(count, other)


# ------------------------------------------------------------------ property: generated counts round-trip

_token = st.text(alphabet="abcdeXYZ éëü&<>\"'-.()0123", min_size=0, max_size=12).map(
    lambda s: " ".join(s.split())
)
_nat = st.integers(min_value=0, max_value=10**7)


def _short_code(number: int, position: int) -> str:
    """A ShortCode as the XSD has it (letters, then at most 7 digits; 15 at most) per list and position."""
    return f"Kand{chr(97 + number % 26)}{chr(97 + number // 26)}{position}"


@st.composite
def counts(draw: st.DrawFn) -> Count510:
    message_id = draw(st.sampled_from(["510a", "510b", "510c", "510d"]))
    # The national 510d form: TotalVotes names candidates by ShortCode only, each kieskring has its own lists.
    national = message_id == "510d" and draw(st.booleans())
    n_lists = draw(st.integers(1, 4))
    layout = tuple(
        ListLayout(number, draw(_token), tuple(range(1, draw(st.integers(0, 5)) + 1)))
        for number in sorted(draw(st.sets(st.integers(1, 40), min_size=n_lists, max_size=n_lists)))
    )
    if national:
        layout = tuple(
            ListLayout(
                lay.number,
                lay.name,
                (0,) * len(lay.positions),
                tuple(_short_code(lay.number, p) for p in lay.positions),
            )
            for lay in layout
        )

    def own_layout() -> tuple[ListLayout, ...] | None:
        """A kieskring's lists: some national ones, each with some of its candidates (Id and ShortCode); None
        when that happens to be the national layout itself."""
        chosen = sorted(draw(st.sets(st.sampled_from(range(len(layout))), min_size=1)))
        out = []
        for k in chosen:
            codes = draw(st.permutations(layout[k].short_codes))[
                : draw(st.integers(0, len(layout[k].short_codes)))
            ]
            out.append(
                ListLayout(layout[k].number, layout[k].name, tuple(range(1, len(codes) + 1)), tuple(codes))
            )
        if [(lay.number, lay.candidate_keys()) for lay in out] == [
            (lay.number, lay.candidate_keys()) for lay in layout
        ]:
            return None
        return tuple(out)

    def unit(uid: str, lists_of: tuple[ListLayout, ...] | None = None, *, flagged: bool = False) -> UnitVotes:
        own = lists_of or layout
        has_admissions = draw(st.booleans())
        missing: tuple[str, ...] = ()
        explanations: tuple[tuple[str, int], ...] = ()
        if has_admissions:
            # some real files leave admission codes out (TK2021: no stempassen, no toegelaten kiezers)
            gone = draw(st.sets(st.sampled_from([code for code, _ in ADMISSION_CODES]), max_size=5))
            missing = tuple(code for code, _ in ADMISSION_CODES if code in gone)
            explanations = tuple(
                sorted(
                    (code, draw(_nat))
                    for code in EXPLANATION_CODES
                    if code in STANDARD_EXPLANATIONS or draw(st.booleans())
                )
            )
        lists = tuple(
            ListTally(lay.number, draw(_nat), tuple(draw(_nat) for _ in lay.positions)) for lay in own
        )
        scalars = {
            field: draw(_nat) if has_admissions and code not in missing else 0
            for code, field in ADMISSION_CODES
        }
        tally = Tally(
            eligible_voters=draw(_nat),
            blank=draw(_nat),
            invalid=draw(_nat),
            lists=lists,
            explanations=explanations,
            **scalars,
        )
        return UnitVotes(
            id=uid,
            name=draw(_token),
            tally=tally,
            total_counted=draw(_nat),
            has_admissions=has_admissions,
            layout=lists_of,
            missing_admissions=missing,
            # a station's kr:Investigation flags (docs/eml.md): up to three different codes, in any order
            investigations=tuple(
                (code, draw(st.booleans()))
                for code in draw(st.lists(st.sampled_from(INVESTIGATION_CODES), max_size=3, unique=True))
            )
            if flagged
            else (),
        )

    category = draw(st.sampled_from(["GR", "TK", "PS", "EP"]))
    n_units = draw(st.integers(0, 4))
    return Count510(
        message_id=message_id,
        election=ElectionIdentifier(
            id=f"{category}2026",
            name=draw(_token) or None,
            category=category,
            subcategory=draw(
                st.sampled_from([None, {"GR": "GR1", "TK": "TK", "PS": "PS2", "EP": "EP"}[category]])
            ),
            date="2026-03-18",
            domain_id=draw(st.sampled_from([None, "0668", "7"])),
            domain_name=draw(_token) or None,
        ),
        contest_id=draw(st.sampled_from(["geen", "1", "20", "alle"])),
        contest_name=draw(_token) or None,
        authority_id=draw(st.sampled_from(["0668", "CSB", "HSB3"])),
        authority_name=draw(_token),
        created=draw(st.sampled_from(["2026-03-19T01:02:03.456", "2026-03-19T01:02:03"])),
        lists=layout,
        total=unit("0668"),
        units=tuple(
            unit(f"0668::SB{i + 1}", own_layout() if national else None, flagged=True) for i in range(n_units)
        ),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts())
def test_generated_count_round_trips(count: Count510) -> None:
    data = write_510(count)
    back = read_510(data)
    # The reader names the total after the authority; everything else comes back exactly.
    assert back == count.__class__(
        **{**{f: getattr(count, f) for f in count.__struct_fields__}, "total": back.total}
    )
    assert back.total.tally == count.total.tally and back.total.total_counted == count.total.total_counted


@needs_shared
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts())
def test_generated_count_validates(count: Count510) -> None:
    assert_valid(write_510(count))


def test_unit_votes_derives_total_counted() -> None:
    t = Tally(lists=(ListTally(1, 5, (3, 2)), ListTally(2, 7, (7,))))
    assert unit_votes("0668::SB1", "x", t).total_counted == 12


def test_writer_refuses_mismatched_tally() -> None:
    count = Count510(
        message_id="510b",
        election=ElectionIdentifier(
            id="GR2026", name=None, category="GR", subcategory=None, date="2026-03-18"
        ),
        contest_id="geen",
        contest_name=None,
        authority_id="0668",
        authority_name="W",
        created="2026-03-19T00:00:00",
        lists=(ListLayout(1, "A", (1, 2)),),
        total=unit_votes("0668", "W", Tally(lists=(ListTally(1, 3, (3,)),))),
    )
    with pytest.raises(InputError, match="does not match the layout"):
        write_510(count)
    with pytest.raises(InputError, match="not a 510 type"):
        write_510(
            count.__class__(
                **{**{f: getattr(count, f) for f in count.__struct_fields__}, "message_id": "520"}
            )
        )


# ------------------------------------------------------------------ 520


def _juinen() -> Election:
    j = EML_SAMPLES / "juinen"
    return build_election(
        read_110a((j / "eml110a_verkiezingsdefinitie-juinen.eml.xml").read_bytes()),
        [read_230b((j / "eml230b_kandidatenlijsten-juinen.eml.xml").read_bytes())],
    )


@needs_shared
def test_write_520_validates_and_reads_back() -> None:
    el = _juinen()
    lists = el.districts[0].lists
    elected = tuple(
        ElectedCandidate(list_number=lst.number, position=c.position, ranking=1 if k == 0 else 2)
        for lst in lists[:2]
        for k, c in enumerate(lst.candidates[:3])
    )
    result = ResultInput(
        district_id="geen",
        authority_id="CSB",
        authority_name="Juinen",
        created="2025-08-30T10:00:00.000",
        seats=((lists[0].number, 3), (lists[1].number, 3)),
        elected=elected,
    )
    data = write_520(result, el)
    assert_valid(data, "520-result-kiesraad-strict.xsd")
    back = read_520(data)
    assert back.seats() == {lists[0].number: 3, lists[1].number: 3}
    assert [(e.list_number, e.candidate.position, e.ranking) for e in back.elected] == [
        (e.list_number, e.position, e.ranking) for e in elected
    ]
    assert back.elected[0].candidate == lists[0].candidates[0]
    assert back.election.domain_id == "0042"


@needs_shared
def test_write_520_refuses_inconsistent_input() -> None:
    el = _juinen()
    n = el.districts[0].lists[0].number
    base = dict(district_id="geen", authority_id="CSB", authority_name="J", created="2025-08-30T10:00:00")
    with pytest.raises(InputError, match="has 2 seats but 1 elected"):
        write_520(
            ResultInput(**base, seats=((n, 2),), elected=(ElectedCandidate(list_number=n, position=1),)), el
        )
    with pytest.raises(InputError, match="has no candidate 999"):
        write_520(
            ResultInput(**base, seats=((n, 1),), elected=(ElectedCandidate(list_number=n, position=999),)), el
        )
    with pytest.raises(InputError, match="Ranking must be 1 or 2"):
        write_520(
            ResultInput(
                **base, seats=((n, 1),), elected=(ElectedCandidate(list_number=n, position=1, ranking=3),)
            ),
            el,
        )
    with pytest.raises(InputError, match="at least one elected"):
        write_520(ResultInput(**base, seats=(), elected=()), el)
    with pytest.raises(InputError, match="district 7 is not in election"):
        write_520(ResultInput(**{**base, "district_id": "7"}, seats=(), elected=()), el)


@needs_shared
def test_read_520_sample() -> None:
    r = read_520((EML_SAMPLES / "rust-eml-nl/eml520_test.eml.xml").read_bytes())
    assert r.contest_id == "geen" and r.seats()[1] == 6
    assert r.elected[1].candidate.prefix == "de" and r.elected[1].candidate.last_name == "Blikkert"


def test_layout_of_district() -> None:
    d = District(
        id=DistrictId("geen"),
        name=None,
        lists=(
            CandidateList(
                number=3,
                name="P",
                candidates=(Candidate(position=1, last_name="A"), Candidate(position=3, last_name="B")),
            ),
        ),
    )
    assert layout_of(d) == (ListLayout(3, "P", (1, 3)),)


# ------------------------------------------------------------------ golden: the bytes we publish (and hash)

GOLDEN = Path(__file__).parent / "eml_golden_510b.eml.xml"


def _golden_count() -> Count510:
    def tally(a: int) -> Tally:
        lists = (ListTally(1, 10 + a, (7 + a, 3)), ListTally(2, 5, (5,)))
        e = sum(lst.votes for lst in lists)
        return Tally(
            eligible_voters=100,
            poll_cards=e + 2,
            admitted_voters=e + 2,
            blank=1,
            invalid=1,
            explanations=tuple(sorted((code, 0) for code in STANDARD_EXPLANATIONS)),
            lists=lists,
        )

    units = (
        unit_votes("0668::SB1", "Stembureau Dorpshuis & Co (postcode: 6626 AC)", tally(0)),
        unit_votes("0668::SB2", 'Stembureau "De Kerk"', tally(1)),
    )
    from shared.domain.tally import add_tallies

    total = add_tallies((u.id, u.tally) for u in units)
    return Count510(
        message_id="510b",
        election=ElectionIdentifier(
            id="GR2026_WestMaasenWaal",
            name="Gemeenteraad West Maas en Waal 2026",
            category="GR",
            subcategory="GR2",
            date="2026-03-18",
            domain_id="0668",
            domain_name="West Maas en Waal",
        ),
        contest_id="geen",
        contest_name=None,
        authority_id="0668",
        authority_name="West Maas en Waal",
        created="2026-03-19T01:02:03.456",
        lists=(ListLayout(1, "Lijst <Één>", (1, 2)), ListLayout(2, "Partij B", (1,))),
        total=unit_votes("0668", "West Maas en Waal", total),
        units=units,
    )


def test_golden_510b_bytes() -> None:
    """The exact bytes of a small 510b: a change here changes every published hash code, so it must be
    deliberate (regenerate: `python -c "from tests.test_eml_write import regenerate_golden as r; r()"`)."""
    data = write_510(_golden_count())
    assert data == GOLDEN.read_bytes()
    assert read_510(data) == _golden_count()


@needs_shared
def test_golden_510b_validates() -> None:
    assert_valid(GOLDEN.read_bytes())


def regenerate_golden() -> None:
    GOLDEN.write_bytes(write_510(_golden_count()))


def test_fast_and_element_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The XSLT fast path and the element walk must read every sample 510 identically."""
    import shared.formats.eml.read as read_module

    samples = [EML_SAMPLES / name for name in REAL_510 if (EML_SAMPLES / name).is_file()]
    samples.append(GOLDEN)
    fast = [read_510(p.read_bytes()) for p in samples]
    monkeypatch.setattr(read_module, "extract_units", lambda *args: [])
    slow = [read_510(p.read_bytes()) for p in samples]
    assert fast == slow


def test_writer_never_drops_admission_counts() -> None:
    count = _golden_count()
    lossy = count.units[0].__class__(
        id="0668::SB1", name="x", tally=count.units[0].tally, total_counted=15, has_admissions=False
    )
    fields = {f: getattr(count, f) for f in count.__struct_fields__}
    with pytest.raises(InputError, match="would be lost"):
        write_510(Count510(**{**fields, "units": (lossy,)}))
    with pytest.raises(InputError, match="CreationDateTime"):
        write_510(Count510(**{**fields, "created": ""}))
