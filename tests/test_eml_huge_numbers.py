"""A number longer than `MAX_DIGITS` anywhere in a real EML file is one line and exit 2, never a traceback.

Python's `int(str)` raises a bare ValueError past 4,300 digits; each reader (the fast paths on raw bytes and
on the tree, and the slow path that names the field) must refuse the number before that. Every numeric element
and attribute of real Kiesraad files of each kind is tried.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.formats.eml.xml import MAX_DIGITS
from telketen.cli import main
from telketen.demo.run import ElectionSpec, run_demo
from telketen.verify.run import verify_dir
from tests.conftest import EML_SAMPLES, SHARED_DATA, needs_shared

pytestmark = needs_shared

REAL_FILES = [
    EML_SAMPLES / "gr2022_westmaasenwaal" / "Telling_GR2022_WestMaasenWaal.eml.xml",
    EML_SAMPLES / "gr2022_westmaasenwaal" / "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
    EML_SAMPLES / "abacus" / "eml110b_test.eml.xml",
    EML_SAMPLES / "definitions" / "Verkiezingsdefinitie_GR2026_Stadskanaal.eml.xml",
    SHARED_DATA / "eml" / "tk2021" / "Resultaat_TK2021.eml.xml",
]
#: A whole element text or attribute value of digits: what a reader turns into an int.
NUMBER = re.compile(rb'(<(?P<tag>[\w:]+)(?: [^>]*)?>\s*)[0-9]+(\s*<)|( (?P<attr>[\w:]+)=")[0-9]+(")')


def huge_variants(data: bytes) -> dict[str, bytes]:
    """One variant per distinct numeric element or attribute: its first occurrence made 5,000 digits long."""
    variants: dict[str, bytes] = {}
    for m in NUMBER.finditer(data):
        name = m["tag"].decode() if m["tag"] else "@" + m["attr"].decode()
        if name in variants:
            continue
        prefix, suffix = (m.group(1), m.group(3)) if m["tag"] else (m.group(4), m.group(6))
        variants[name] = data[: m.start()] + prefix + b"9" * 5000 + suffix + data[m.end() :]
    return variants


CASES = [
    pytest.param(path, name, id=f"{path.name.split('_')[0]}-{name}")
    for path in REAL_FILES
    if path.exists()
    for name in huge_variants(path.read_bytes())
]


@pytest.mark.parametrize(("path", "name"), CASES)
def test_a_huge_number_is_refused_in_one_line(
    path: Path, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / path.name
    bad.write_bytes(huge_variants(path.read_bytes())[name])
    for command in ("check", "info"):
        code = main(["eml", command, str(bad)])
        out, err = capsys.readouterr()
        said = (out + err).strip()
        # A traceback would escape `main`; read as a number the value is refused by the bound, read as text
        # (a transaction id, a name) it is just text and the file may pass.
        # (`check` lists every schema finding, one a line.)
        assert code in (0, 1, 2) and "Traceback" not in said, said


def test_every_count_of_a_510_has_the_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The counts (fast raw path, fast tree path, slow path) are numbers: each variant is refused by name."""
    (path,) = REAL_FILES[:1]
    variants = huge_variants(path.read_bytes())
    for tag in (b"AffiliationIdentifier", b"CandidateIdentifier"):
        variants[tag.decode()] = re.sub(
            b"<" + tag + b' Id="[0-9]+"',
            b"<" + tag + b' Id="' + b"7" * 5000 + b'"',
            path.read_bytes(),
            count=1,
        )
    for name in (
        "ValidVotes",
        "Cast",
        "TotalCounted",
        "RejectedVotes",
        "UncountedVotes",
        "AffiliationIdentifier",
        "CandidateIdentifier",
    ):
        bad = tmp_path / path.name
        bad.write_bytes(variants[name])
        assert main(["eml", "info", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"5000 digits; at most {MAX_DIGITS} are accepted" in err, (name, err)


def test_the_bound_is_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """MAX_DIGITS digits are read (a leading zero keeps the value small); one more is refused."""
    data = REAL_FILES[0].read_bytes()
    cast = re.search(rb"<Cast>([0-9]+)</Cast>", data)
    assert cast is not None
    value = cast.group(1)
    for digits, expected in ((MAX_DIGITS, 0), (MAX_DIGITS + 1, 2)):
        padded = value.rjust(digits, b"0")
        bad = tmp_path / "padded.eml.xml"
        bad.write_bytes(data[: cast.start(1)] + padded + data[cast.end(1) :])
        main(["eml", "info", str(bad)])
        capsys.readouterr()
        assert main(["eml", "check", str(bad)]) in ((0, 1) if expected == 0 else (2,)), digits


def test_a_huge_number_via_character_references_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`&#57;` is a 9 only after parsing: the raw fast path cannot see it, the tree path must."""
    data = REAL_FILES[0].read_bytes()
    bad = tmp_path / "refs.eml.xml"
    bad.write_bytes(re.sub(rb"<Cast>[0-9]+</Cast>", b"<Cast>" + b"&#57;" * 5000 + b"</Cast>", data, count=1))
    assert main(["eml", "check", str(bad)]) == 2
    assert f"at most {MAX_DIGITS} are accepted" in capsys.readouterr().err


def test_verify_names_the_file_with_a_huge_number(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    run_demo(out, spec=ElectionSpec(seed=5, sizes={"stations": 2, "lists": 2}))
    root = out / "published"
    (count,) = root.glob("[0-9]*/Telling_*.eml.xml")
    count.write_bytes(re.sub(rb"<Cast>[0-9]+", b"<Cast>" + b"9" * 5000, count.read_bytes(), count=1))
    report = verify_dir(root)
    assert not report.ok
    rel = count.relative_to(root).as_posix()
    assert any(f.file == rel and f"at most {MAX_DIGITS}" in f.found for f in report.findings), report.findings
