"""verify's readable report (issue 15, issue 16 part 1): Dutch by default and English with `--lang en`, 80
columns wide without a cut name or hash, the lists and the elected by name, what each check compared, the
findings' texts in the reader's language, and plausibility advice that informs without changing the verdict.

On the municipal demo (one run for the module) and on the Kiesraad's own TK2021 result set."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import msgspec
import pytest

from shared.formats.dutch import number
from telketen.cli import main
from telketen.demo.run import ElectionSpec, run_demo
from telketen.verify.findings import Plausibility, Report
from telketen.verify.render import report_lines
from telketen.verify.run import verify_dir
from telketen.verify.words import say
from tests.conftest import SHARED_DATA, needs_shared

TK2021 = SHARED_DATA / "eml" / "tk2021"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "run"
    run_demo(out, spec=ElectionSpec(scale="municipal", seed=1))
    return out / "published"


@pytest.fixture(scope="module")
def demo_report(published: Path) -> Report:
    return verify_dir(published)


@pytest.fixture(scope="module")
def tk2021() -> Report:
    return verify_dir(TK2021)


def _joined(lines: list[str]) -> str:
    """The report's text with the wrapping undone: what a reader reads across line ends."""
    return re.sub(r"\s+", " ", " ".join(lines))


def test_the_report_is_dutch_and_fits_80_columns(demo_report: Report) -> None:
    lines = report_lines(demo_report)
    assert demo_report.ok and lines[-1].startswith("GEVERIFIEERD: ")
    assert [line for line in lines if len(line) > 80] == []
    text = _joined(lines)
    for english in ("municipality", "expected", "checks hold", "elected candidates", "Keys", "× other"):
        assert english not in text


def test_hash_codes_and_fingerprints_are_printed_whole_in_groups(demo_report: Report) -> None:
    lines = report_lines(demo_report)
    for f in (f for f in demo_report.files if f.kind in ("110a", "230b")):
        at = next(i for i, line in enumerate(lines) if line.endswith(f.file))  # the whole name, not cut
        groups = (lines[at + 1] + " " + lines[at + 2]).split()
        assert "".join(groups) == f.sha256 and all(len(g) == 4 for g in groups)
    for k in demo_report.keys:
        assert k.fingerprint in _joined(lines)


def test_seats_and_elected_are_named(demo_report: Report) -> None:
    text = _joined(report_lines(demo_report))
    assert demo_report.list_names and demo_report.candidates
    for list_number, seats in demo_report.seats.items():
        if seats:
            assert f"lijst {list_number} {demo_report.list_names[list_number]}: {seats}" in text
    for row in demo_report.candidates:
        assert f"{row.candidate}. {row.name} (" in text


def test_the_report_says_what_each_sum_compared(demo_report: Report, published: Path) -> None:
    text = _joined(report_lines(demo_report))
    municipal = next(c for c in demo_report.compared if c.check == "sum" and c.part == "station")
    assert municipal.parts == 20 and municipal.votes > 1000
    assert (
        f"{municipal.file}: som van 20 stembureaus = totaal {municipal.authority}: "
        f"{number(municipal.votes)} stemmen" in text
    )
    assert any(c.check == "chain" for c in demo_report.compared)
    assert "optelling (" in text and "handtekening (" in text  # every kind named with its explanation


def test_lang_en_gives_the_english_report(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--lang", "en", str(published)]) == 0
    out = capsys.readouterr().out
    assert "VERIFIED: " in out and "GEVERIFIEERD" not in out
    assert re.search(r"sum of 20 polling stations = total of 0\d{3} ", re.sub(r"\s+", " ", out))
    assert main(["verify", str(published)]) == 0
    assert "GEVERIFIEERD: " in capsys.readouterr().out


def test_findings_are_told_in_dutch(published: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(published, root)
    count = next(root.glob("0*/Telling_*.eml.xml"))
    text = count.read_text("utf-8")
    m = re.search(r"<ValidVotes>(\d+)</ValidVotes>", text)
    assert m is not None
    count.write_text(text[: m.start(1)] + str(int(m.group(1)) + 1) + text[m.end(1) :], "utf-8")
    report = verify_dir(root)
    assert report.findings and not report.ok
    lines = report_lines(report)
    assert lines[-1].startswith("NIET GEVERIFIEERD")
    told = _joined(lines[lines.index(next(x for x in lines if x.endswith("bevinding(en)"))) :])
    assert "verwacht:" in told and "gevonden:" in told
    for english in (" sum of units", " published", " missing", " expected", " of the ", "present"):
        assert english not in told, english
    english = _joined(report_lines(report, "en"))
    assert "expected:" in english and "NOT VERIFIED" in english


@pytest.mark.parametrize(
    ("text", "dutch"),
    [
        ("E.3 = sum of units", "E.3 = som van de eenheden"),
        ("510b", "510b"),
        ("missing", "ontbreekt"),
        ("list 4 candidate 12", "lijst 4 kandidaat 12"),
        ("keyed by ann and bob", "ingevoerd door ann en bob"),
        ("23412", "23.412"),
        ("a.xml and b.xml", "a.xml en b.xml"),
    ],
)
def test_finding_texts_in_dutch(text: str, dutch: str) -> None:
    assert say(text, "nl") == dutch


def test_plausibility_advice_never_changes_the_verdict(demo_report: Report) -> None:
    advice = Plausibility(
        file="0276/x.eml.xml", unit="0276::SB3", kind="swap", score=9.0, detail="lijsten 2 en 3"
    )
    advised = msgspec.structs.replace(demo_report, plausibility=[advice])
    assert advised.ok
    lines = report_lines(advised)
    assert lines[-1].startswith("GEVERIFIEERD")
    assert "Ter informatie, geen fout: 1 eenheid" in _joined(lines)
    assert "0276::SB3 (score 9,0): lijsten 2 en 3" in _joined(lines)


@needs_shared
def test_tk2021_names_the_elected_shows_plausibility_and_fits_80_columns(tk2021: Report) -> None:
    lines = report_lines(tk2021)
    assert [line for line in lines if len(line) > 80] == []
    text = _joined(lines)
    assert sum(tk2021.seats.values()) == 150 == len(tk2021.candidates)
    assert "Rutte, M. (Mark) (voorkeurstemmen; in de 520: ja)" in text
    assert "lijst 1 VVD: 34" in text
    # the Kiesraad's files are advised on (real outliers), as information beside the verdict
    assert tk2021.plausibility and "Ter informatie, geen fout" in text
    assert {p.unit for p in tk2021.plausibility if p.kind == "turnout"} >= {"HSB20"}  # Bonaire: 25.6 %
    assert {f.check for f in tk2021.findings} == {"sum"}  # the Kiesraad's known errors, not the advice
    assert "som van 37 gemeenten = totaal HSB7 Arnhem: 964.689 stemmen" in text
