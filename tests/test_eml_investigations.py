"""`kr:ReportingUnitInvestigations` in a 510: written where the v1.2.2 XSD puts it, read back on every path.

The writer puts the flags after the vote group (the only place v1.2.2 allows); the reader reads them there and
where the rust-eml-nl sample of the next release puts them (before the Selections). A file with flags must not
lose them on the fast paths (raw bytes, XSLT), which only know the vote group."""

from __future__ import annotations

import msgspec
import pytest

from shared.errors import EmlError, InputError
from shared.formats.eml.read import read_510
from shared.formats.eml.write import write_510
from tests.conftest import EML_SAMPLES, needs_shared
from tests.test_eml_write import REAL_510, assert_valid

SAMPLE = "rust-eml-nl/eml510b_with_investigations.eml.xml"
FLAGS = (("onderzocht vanwege andere reden", True), ("uitslag gecorrigeerd", False))


def _with_flags(flags: tuple[tuple[str, bool], ...], sample: str = REAL_510[0]) -> bytes:
    count = read_510((EML_SAMPLES / sample).read_bytes())
    units = list(count.units)
    units[1] = msgspec.structs.replace(units[1], investigations=flags)
    return write_510(msgspec.structs.replace(count, units=tuple(units)))


@needs_shared
def test_the_real_sample_with_investigations_is_read() -> None:
    (unit,) = read_510((EML_SAMPLES / SAMPLE).read_bytes()).units
    assert unit.investigations == (
        ("toegelaten kiezers opnieuw vastgesteld", True),
        ("onderzocht vanwege andere reden", False),
        ("stembiljetten deels herteld", False),
    )


@needs_shared
def test_flags_are_written_where_the_xsd_allows_them_and_read_back() -> None:
    data = _with_flags(FLAGS)
    assert_valid(data)
    count = read_510(data)
    assert count.units[1].investigations == FLAGS
    assert all(not u.investigations for i, u in enumerate(count.units) if i != 1)
    assert read_510(write_510(count)) == count


@needs_shared
@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ((("uitslag gecorrigeerd", True),) * 2, "at most 3 different"),
        (tuple((c, True) for c in ("uitslag gecorrigeerd", "onderzocht vanwege andere reden",
                                   "stembiljetten deels herteld", "onderzocht vanwege andere fout")),
         "at most 3 different"),
        ((("herteld", True),), "unknown investigation code"),
    ],
)  # fmt: skip
def test_the_writer_refuses_what_the_xsd_refuses(flags: tuple[tuple[str, bool], ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        _with_flags(flags)


@needs_shared
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("uitslag gecorrigeerd", "uitslag verbeterd"), "unknown kr:Investigation ReasonCode"),
        ((">false</kr:Investigation>", ">misschien</kr:Investigation>"), "is a boolean"),
        (
            ('ReasonCode="onderzocht vanwege andere reden"', 'ReasonCode="uitslag gecorrigeerd"'),
            "occurs twice",
        ),
    ],
)
def test_the_reader_refuses_bad_flags_with_a_line(edit: tuple[str, str], message: str) -> None:
    data = _with_flags(FLAGS).decode("utf-8").replace(*edit).encode("utf-8")
    with pytest.raises(EmlError, match=message):
        read_510(data, "x.eml.xml")


@needs_shared
def test_the_raw_path_reads_the_flags_and_gives_way_when_it_cannot_be_sure() -> None:
    """The raw-bytes path admits the flags (so a corrigendum is read as fast as any 510b); it steps aside
    for `1`/`0` booleans and for a file whose `kr` prefix means another namespace; the tree path agrees."""
    from shared.formats.eml.read import _read_510_raw

    data = _with_flags(FLAGS, REAL_510[1])  # TK2025: a file our writer gives the raw path
    raw = _read_510_raw(data, "x")
    assert raw is not None and raw == read_510(data) and raw.units[1].investigations == FLAGS
    numeric = data.replace(b">true</kr:Investigation>", b">1</kr:Investigation>")
    assert _read_510_raw(numeric, "x") is None
    assert read_510(numeric).units[1].investigations == FLAGS
    other = data.replace(b'xmlns:kr="http://www.kiesraad.nl/extensions"', b'xmlns:kr="urn:other"', 1)
    assert b'xmlns:kr="urn:other"' in other
    assert _read_510_raw(other, "x") is None
    assert read_510(other).units[1].investigations == ()  # elements of another namespace, not flags
