"""The fast paths of `verify` and the results site read exactly what the slow paths read, or step aside.

The raw 510 path (`fast510.split_body` / `read_body`) must give the same `Count510` as the element walk for
every file it accepts, and must decline (None) anything it cannot be sure of: comments, CDATA, prefixes,
namespace declarations, other encodings, character references, another layout, a unit twice. The parallel
reading of a folder must give the same report as reading it in one process; the column sums of verify the same
totals as `add_tallies`; the site's one-pass reader the same station rows as `read_510`.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import threading
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from central import site
from shared.domain.generate import generate_municipal
from shared.domain.tally import ListTally, Tally, add_tallies
from shared.errors import EmlError
from shared.formats.eml import read as read_module
from shared.formats.eml.model import Count510, ElectionIdentifier, ListLayout
from shared.formats.eml.read import _read_510, _read_510_raw, _root, read_510, read_eml
from shared.formats.eml.write import unit_votes, write_510
from telketen.verify.collect import collect
from telketen.verify.counts import add_units
from telketen.verify.findings import Report
from telketen.verify.run import verify_dir
from tests.conftest import EML_SAMPLES, needs_shared
from tests.test_verify import Publisher

EID = ElectionIdentifier(id="TK2029", name="Tweede Kamer", category="TK", subcategory="TK", date="2029-03-21")
EXPLANATIONS = (("andere verklaring", 0), ("geen verklaring", 1), ("meegenomen stembiljetten", 2))


def tree(data: bytes) -> Count510:
    """The reference: the file read on the lxml tree by the element walk (no XSLT pass, no raw path)."""
    root, mid = _root(data, "<t>")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(read_module, "extract_units", lambda *_: [])
        return _read_510(root, mid, "<t>")


def xslt(data: bytes) -> Count510:
    """The file read on the tree by the XSLT pass (where it applies)."""
    root, mid = _root(data, "<t>")
    return _read_510(root, mid, "<t>")


def count(names: list[str], unit_names: list[str], votes: list[list[int]]) -> Count510:
    """A 510b with lists named `names` (candidates 1..3 each) and one station per entry of `votes`."""
    layout = tuple(ListLayout(i + 1, name, (1, 2, 3)) for i, name in enumerate(names))

    def tally(v: list[int]) -> Tally:
        lists = tuple(
            ListTally(i + 1, sum(v[3 * i : 3 * i + 3]), tuple(v[3 * i : 3 * i + 3]))
            for i in range(len(names))
        )
        h = sum(lst.votes for lst in lists) + 3
        return Tally(
            eligible_voters=h + 10,
            poll_cards=h,
            admitted_voters=h,
            blank=1,
            invalid=2,
            lists=lists,
            explanations=EXPLANATIONS,
        )

    units = tuple(
        unit_votes(f"0001::SB{k + 1}", unit_names[k % len(unit_names)], tally(v)) for k, v in enumerate(votes)
    )
    total = add_tallies((u.id, u.tally) for u in units)
    return Count510(
        message_id="510b",
        election=EID,
        contest_id="1",
        contest_name="Groningen",
        authority_id="0001",
        authority_name="Zanddijk",
        created="2029-03-21T21:00:00",
        lists=layout,
        total=unit_votes("0001", "Zanddijk", total),
        units=units,
    )


SAMPLE = write_510(
    count(["Partij A", "B & C <samen>"], ["Stembureau 1", "Café ’t Hoekje"], [[1] * 6, [2] * 6])
)

names = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\ufffe\uffff"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() and all(c >= " " or c in "\t\n\r" for c in s))


@settings(max_examples=60, deadline=None)
@given(
    list_names=st.lists(names, min_size=1, max_size=3),
    unit_names=st.lists(names, min_size=1, max_size=3),
    votes=st.lists(st.lists(st.integers(0, 10**6), min_size=9, max_size=9), min_size=1, max_size=4),
)
def test_raw_path_reads_what_the_tree_reads(
    list_names: list[str], unit_names: list[str], votes: list[list[int]]
) -> None:
    c = count(list_names, unit_names, [v[: 3 * len(list_names)] for v in votes])
    data = write_510(c)
    raw = _read_510_raw(data, "<t>")
    assert raw is not None  # our own writer's output is always on the raw path
    assert raw == tree(data) == xslt(data)
    assert read_510(data) == read_eml(data) == raw


def _pretty(data: bytes) -> bytes:
    root = etree.fromstring(data)
    etree.indent(root, space="  ")
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out.replace(b"\n", b"\r\n")


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(_pretty, id="pretty-crlf"),
        pytest.param(
            lambda d: d.replace(b'"/></Candidate>', b'"></CandidateIdentifier></Candidate>'), id="end-tags"
        ),
        pytest.param(lambda d: d.replace(b"<ValidVotes>", b"<ValidVotes>\n "), id="space-in-numbers"),
        pytest.param(lambda d: b"\xef\xbb\xbf" + d, id="bom"),
    ],
)
def test_forms_real_writers_use_stay_on_the_raw_path(transform: object) -> None:
    changed = transform(SAMPLE)  # type: ignore[operator]
    assert changed != SAMPLE
    raw = _read_510_raw(changed, "<t>")
    assert raw is not None and raw == tree(changed) == tree(SAMPLE)


#: Changes the raw path must decline: (name, change). The tree path reads each or names what is wrong.
DECLINED = [
    ("comment", lambda d: d.replace(b"<Selection>", b"<!-- </ContestIdentifier> --><Selection>", 1)),
    (
        "fake body in a comment",
        lambda d: d.replace(b"<Contests>", b"<!--</ContestIdentifier></Contest>--><Contests>"),
    ),
    ("cdata", lambda d: d.replace(b"<RegisteredName>Partij A", b"<RegisteredName><![CDATA[Partij A]]>")),
    ("pi", lambda d: d.replace(b"<Count>", b"<?pi </Contest>?><Count>")),
    ("char ref", lambda d: d.replace(b"<ValidVotes>1<", b"<ValidVotes>&#49;<", 1)),
    ("latin-1", lambda d: d.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')),
    ("redeclared namespace", lambda d: d.replace(b"<Selection>", b'<Selection xmlns="urn:other">', 3)),
    (
        "prefixed contest",
        lambda d: d.replace(b"<Contest>", b'<e:Contest xmlns:e="urn:oasis:names:tc:evs:schema:eml">').replace(
            b"</Contest>", b"</e:Contest>"
        ),
    ),
    ("unknown element", lambda d: d.replace(b"<Cast>", b"<Extra>1</Extra><Cast>", 2)),
    ("unit twice", lambda d: d.replace(b'Id="0001::SB2"', b'Id="0001::SB1"')),
    ("other layout", lambda d: d[::-1].replace(b'"3"=dI', b'"4"=dI', 1)[::-1]),
    ("reason code twice", lambda d: d.replace(b'ReasonCode="blanco"', b'ReasonCode="ongeldig"', 1)),
    ("unknown reason", lambda d: d.replace(b"geen verklaring", b"geen idee", 1)),
    ("second contest end", lambda d: d.replace(b"</ContestName>", b"</ContestName><Contest/>")),
]


@pytest.mark.parametrize("change", [c for _, c in DECLINED], ids=[n for n, _ in DECLINED])
def test_what_the_raw_path_cannot_be_sure_of_goes_to_the_tree(change: object) -> None:
    changed = change(SAMPLE)  # type: ignore[operator]
    assert changed != SAMPLE
    assert _read_510_raw(changed, "<t>") is None
    try:
        expected = tree(changed)
    except EmlError as exc:
        with pytest.raises(EmlError) as caught:
            read_510(changed, "<t>")
        assert caught.value.message == exc.message  # the precise error, with the line in the real file
    else:
        assert read_510(changed, "<t>") == expected


SNIPPETS = [
    b"<!--x-->", b"<![CDATA[1]]>", b"&amp;", b"&#49;", b"</Contest>", b"</ContestIdentifier>", b"<Contest>",
    b"<Selection>", b"</Selection>", b'xmlns="u"', b" ", b"\n", b"<", b">", b'"', b"1", b"\xff", b"\xc3\xa9",
    b"<ValidVotes>1</ValidVotes>", b"<?x?>", b"e:",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(SAMPLE)), st.integers(0, 3), st.sampled_from(SNIPPETS)),
        min_size=1,
        max_size=3,
    )
)
def test_fuzz_raw_path_never_disagrees_with_the_tree(edits: list[tuple[int, int, bytes]]) -> None:
    data = SAMPLE
    for at, cut, snippet in edits:
        at = min(at, len(data))
        data = data[:at] + snippet + data[at + cut :]
    raw = _read_510_raw(data, "<t>")
    if raw is None:
        return
    assert raw == tree(data)  # accepted: then the tree reads the file, and reads the same


@needs_shared
@pytest.mark.parametrize(
    "name",
    [
        "tk2025_westmaasenwaal/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        "gr2022_westmaasenwaal/Telling_GR2022_WestMaasenWaal.eml.xml",
    ],
)
def test_real_kiesraad_files_take_the_raw_path(name: str) -> None:
    data = (EML_SAMPLES / name).read_bytes()
    raw = _read_510_raw(data, name)
    assert raw is not None and raw == tree(data)


@settings(max_examples=80, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), max_size=3),
    n=st.integers(1, 5),
    seed=st.integers(0, 2**32),
)
def test_column_sums_equal_add_tallies(shape: list[int], n: int, seed: int) -> None:
    rng = random.Random(seed)
    parts = [
        Tally(
            eligible_voters=rng.randint(0, 9),
            poll_cards=rng.randint(0, 9),
            blank=rng.randint(0, 9),
            fewer_ballots=rng.randint(0, 2),
            lists=tuple(
                ListTally(k + 1, rng.randint(0, 99), tuple(rng.randint(0, 9) for _ in range(c)))
                for k, c in enumerate(shape)
            ),
            explanations=tuple(
                sorted({rng.choice("abc"): rng.randint(0, 3) for _ in range(rng.randint(0, 2))}.items())
            ),
        )
        for _ in range(n)
    ]
    assert add_units(parts) == add_tallies((str(i), p) for i, p in enumerate(parts))
    if shape:
        odd = msgspec.structs.replace(parts[0], lists=parts[0].lists[:-1])
        assert add_units([*parts, odd]) is None


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast") / "published"
    Publisher(root, generate_municipal(random.Random(11), stations=12, lists=5)).publish()
    return root


def test_workers_read_a_folder_as_one_process_does(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "published"
    shutil.copytree(folder, copy)
    (copy / "0276").mkdir(exist_ok=True)
    (copy / "0276" / "broken.eml.xml").write_bytes(b"<EML")  # a finding, in the same place either way
    assert threading.active_count() == 1  # else the workers would (rightly) not be used
    one, two = Report(directory="x"), Report(directory="x")
    assert collect(copy, one, workers=1) == collect(copy, two, workers=2)
    assert one == two and any(f.check == "file" for f in one.findings)


def test_a_folder_read_by_workers_still_verifies_and_catches(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telketen.verify import collect as collect_module

    monkeypatch.setattr(collect_module, "PARALLEL_FROM", 0)  # workers even for this small folder
    assert verify_dir(folder).ok
    copy = tmp_path / "published"
    shutil.copytree(folder, copy)
    (t510,) = [p for p in copy.rglob("Telling_*.eml.xml") if "510b" in p.read_text()[:400]]
    data = t510.read_bytes()
    t510.write_bytes(data.replace(b"<ValidVotes>", b"<ValidVotes>1", 1))
    report = verify_dir(copy)
    assert not report.ok and {f.check for f in report.findings} >= {"sum", "hash"}


def test_the_site_reads_each_file_once_and_the_vouched_510b_for_its_stations(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (t510,) = [p for p in folder.rglob("Telling_*.eml.xml") if "510b" in p.read_text()[:400]]
    data = t510.read_bytes()
    sha = hashlib.sha256(data).digest()
    c = read_510(data)
    rows = site._read_file(str(t510), sha).stations
    assert rows is not None and len(rows) == len(c.units) > 0
    for row, u in zip(rows, c.units, strict=True):
        assert (row.id, row.name, row.ballots) == (u.id, u.name, u.tally.ballots_cast)
        assert row.list_votes == tuple(lst.votes for lst in u.tally.lists)
    other = site._read_file(str(t510), b"\0" * 32)
    assert other.stations is None and (other.size, other.sha256) == (len(data), sha)  # not vouched for
    jobs = [(str(p), sha if p == t510 else None) for p in sorted(folder.rglob("*")) if p.is_file()]
    serial = site._read_files(jobs, 0)
    monkeypatch.setattr(site, "PARALLEL_FROM", 0)
    assert threading.active_count() == 1
    assert site._read_files(jobs, 1) == serial
    assert [r.sha256 for r in serial] == [hashlib.sha256(Path(p).read_bytes()).digest() for p, _ in jobs]
