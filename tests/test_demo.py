"""`telketen demo`: the municipal chain end to end, deterministic, and caught when tampered with afterwards.

One demo run (module fixture, through the command line) is shared by the tests; a second run checks that the
same seed publishes the same EML, signed summaries and key records, for every tier. The simulated typists'
slips are tested against the real validation and double-entry rules.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.domain.generate import generate_municipal
from shared.domain.station_report import report_from_tally
from shared.domain.validation import ValidationContext, validate
from shared.formats.eml.read import read_510
from shared.formats.signing import open_enrolment, open_signed
from telketen.cli import main
from telketen.demo.run import ElectionSpec, run_demo
from telketen.demo.typists import consistent_slip, inconsistent_slip
from telketen.verify.collect import _text_kind
from telketen.verify.run import verify_dir


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo through its command line, on an 80-column terminal; what it printed is in terminal.txt."""
    out = tmp_path_factory.mktemp("demo") / "run"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(printed):
        mp.setenv("COLUMNS", "80")
        assert main(["demo", "--out", str(out), "--seed", "1"]) == 0
    (out.parent / "terminal.txt").write_text(printed.getvalue(), "utf-8")
    return out


def test_the_demo_output_reads_at_80_columns(demo: Path) -> None:
    """No sentence cut by the terminal, counts agree with their nouns, paths whole on a line of their own."""
    text = (demo.parent / "terminal.txt").read_text("utf-8")
    lines = text.splitlines()
    assert [line for line in lines if len(line) > 80 and " " in line.strip()] == []
    assert "  passphrase 'demo-passphrase-NOT-SECRET', passwords 'demo-password-NOT-SECRET'," in lines
    assert "1 municipality, 20 stations, 205 candidates per district." in lines
    # 40 entries of 20 stations, 2 of the investigated station's re-entry, 2 after the coordinator's returns
    assert "44 entries typed: 1 slip caught by validation, 1 by double entry." in lines
    assert not re.search(r"\b1 (slips|municipalities|stations|entries|candidates)\b", text)
    seats = next(i for i, line in enumerate(lines) if line.startswith("Seats: "))
    assert lines[seats + 1].startswith("list ") and lines[seats + 1].endswith("23 candidates elected.")
    assert f"  {demo / 'published'}" in lines and "Results site:" in lines


def test_the_municipal_demo_publishes_a_verified_result(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = demo / "published"
    names = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    assert any(n.startswith("definition/Verkiezingsdefinitie_") for n in names)
    assert any(n.startswith("definition/Kandidatenlijsten_") for n in names)
    municipal = [n for n in names if re.fullmatch(r"\d{4}/Telling_.*\.eml\.xml", n)]
    assert len(municipal) == 1
    code = municipal[0].split("/")[0]
    for name in ("summary.tks", "key.tke"):
        assert f"{code}/{name}" in names and f"CSB/{name}" in names
    assert any(n.startswith(f"{code}/") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("CSB/Totaaltelling_") for n in names)
    assert any(n.startswith("CSB/Resultaat_") for n in names)
    assert "site/index.html" in names
    assert list((demo / "scans").glob("*.jpg")), "the summaries travelled as scanned images"
    assert main(["verify", str(published)]) == 0
    out = capsys.readouterr().out
    assert "GEVERIFIEERD" in out
    # The readable report is for a Dutch reader: roles, kinds of file and sources in Dutch, not JSON codes.
    assert "  gemeente 0" in out and "  centraal stembureau CSB" in out and "Herkomst van de delen" in out
    for english in ("municipality", "Sources of", "× other", "× summary", "× enrolment"):
        assert english not in out


def test_the_demo_holds_a_next_session_with_a_corrected_and_an_uncorrected_investigation(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = demo / "published"
    (folder,) = [p for p in published.iterdir() if re.fullmatch(r"\d{4}", p.name)]
    pdfs = sorted(p.name.split("_")[1] for p in folder.glob("Model_*.pdf"))
    assert pdfs == ["Na14-2", "Na31-2", "P2a"]
    (eml,) = folder.glob("Telling_*.eml.xml")
    flags = {u.id: dict(u.investigations) for u in read_510(eml.read_bytes()).units if u.investigations}
    assert [f["uitslag gecorrigeerd"] for f in flags.values()] == [False, True]
    record = open_enrolment((folder / "key.tke").read_bytes())
    key = Ed25519PublicKey.from_public_bytes(record.public_key)
    _, summary = open_signed((folder / "summary.tks").read_bytes(), lambda kid: key)
    assert summary.phase == 1 and [i.corrected for i in summary.investigations] == [False, True]
    assert main(["verify", str(published)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "onderzochte stembureaus" in out and "uitslag gecorrigeerd" in out and "GEVERIFIEERD" in out


def test_the_demo_publishes_each_municipalitys_csv_and_verify_recognises_it(demo: Path) -> None:
    """The osv4-3 CSV (the file people open) is published beside its 510b, read as a CSV although it starts
    with a byte-order mark, and checked against the 510b it was made from."""
    published = demo / "published"
    csvs = sorted(published.glob("*/osv4-3_telling_*.csv"))
    assert [p.parent.name for p in csvs] == [p.parent.name for p in published.glob("*/Telling_*.eml.xml")]
    assert csvs[0].read_bytes().startswith(b'\xef\xbb\xbf"Verkiezing";;"Gemeenteraad ')
    report = verify_dir(published)
    assert report.ok, report.findings
    rel = csvs[0].relative_to(published).as_posix()
    assert [f.kind for f in report.files if f.file == rel] == ["osv4-3"]
    assert report.checked["csv"] == len(csvs)


def test_a_csv_that_differs_from_its_510b_is_caught_whatever_its_name(demo: Path, tmp_path: Path) -> None:
    published = tmp_path / "published"
    shutil.copytree(demo / "published", published)
    csv = next(published.glob("*/osv4-3_telling_*.csv"))
    lines = csv.read_bytes().split(b"\n")
    row = next(i for i, line in enumerate(lines) if line.startswith(b'"1";'))
    cells = lines[row].split(b";")
    cells[4] = b'"%d"' % (int(cells[4].strip(b'"')) + 1)  # one more vote for list 1 in the total column
    lines[row] = b";".join(cells)
    renamed = csv.with_name("uitslag.eml.xml")  # a name that says XML: the content says CSV
    renamed.write_bytes(b"\n".join(lines))
    csv.unlink()
    report = verify_dir(published)
    rel = renamed.relative_to(published).as_posix()
    assert [f.kind for f in report.files if f.file == rel] == ["osv4-3"]
    content = [f for f in report.findings if f.check != "manifest"]
    assert [(f.file, f.field) for f in content] == [(rel, "osv4-3 CSV")]
    assert f"line {row + 1} differs" in content[0].found
    # and the manifest names the file as renamed: the CSV it signed is gone, a file it did not sign is there
    assert {(f.file, f.found) for f in report.findings if f.check == "manifest"} == {
        (csv.relative_to(published).as_posix(), "missing"),
        (rel, "in no manifest"),
    }


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b'\xef\xbb\xbf"Verkiezing";;"Tweede Kamer"', "osv4-3"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><EML/>', "xml"),
        (b"\n  <EML xmlns='urn:oasis:names:tc:evs:schema:eml' Id='510b'/>", "xml"),
        (b"<eml:EML xmlns:eml='urn:oasis:names:tc:evs:schema:eml'/>", "xml"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html lang='nl'>", "other"),
        (b"\xef\xbb\xbfsome text", "other"),
    ],
)
def test_published_text_files_are_recognised_by_content(head: bytes, kind: str) -> None:
    assert _text_kind(head, "bestand") == kind


def signed_and_eml(published: Path) -> list[Path]:
    """Every EML file, signed summary and key record in a published folder (relative paths)."""
    return sorted(
        p.relative_to(published)
        for p in published.rglob("*")
        if p.name.endswith(".eml.xml") or p.name in ("summary.tks", "key.tke")
    )


def test_the_demo_is_deterministic_for_a_seed(demo: Path, tmp_path: Path) -> None:
    """Same seed, same bytes: the EML files, and the signed summary and key record of every tier (the upper
    tiers get the demo's clock and keys through `at=`, `clock=` and `private_key=`)."""
    again = run_demo(tmp_path / "again", spec=ElectionSpec(seed=1))
    assert again.verify is not None and again.verify.ok
    files = signed_and_eml(demo / "published")
    assert files == signed_and_eml(again.published)
    tiers = {rel.parts[0] for rel in files if rel.name in ("summary.tks", "key.tke")}
    assert "CSB" in tiers and any(t.isdigit() for t in tiers), tiers  # the municipality and central
    for rel in files:
        assert (again.published / rel).read_bytes() == (demo / "published" / rel).read_bytes(), rel
    other = run_demo(tmp_path / "other", spec=ElectionSpec(seed=2, sizes={"stations": 3, "lists": 3}))
    assert other.election_id != again.election_id
    assert other.verify is not None and other.verify.ok


def test_the_demo_catches_slips_with_validation_and_double_entry(demo: Path, tmp_path: Path) -> None:
    result = run_demo(tmp_path / "slips", spec=ElectionSpec(seed=1, sizes={"stations": 40, "lists": 4}))
    e = result.entries
    assert e.stations == 41 and e.entries >= 82  # 40 stations and the investigated one typed again
    assert e.caught_by_validation + e.caught_by_double_entry >= 1
    assert e.entries == 82 + e.caught_by_validation + e.caught_by_double_entry
    assert result.verify is not None and result.verify.ok


def test_a_changed_vote_in_the_demo_output_is_caught(demo: Path, tmp_path: Path) -> None:
    published = tmp_path / "published"
    shutil.copytree(demo / "published", published)
    target = next(published.glob("[0-9]*/Telling_*.eml.xml"))
    text = target.read_text("utf-8")
    m = list(re.finditer(r"<ValidVotes>(\d+)</ValidVotes>", text))[-3]
    target.write_text(text[: m.start(1)] + str(int(m.group(1)) + 1) + text[m.end(1) :], "utf-8")
    report = verify_dir(published)
    assert not report.ok
    assert any(f.file == target.relative_to(published).as_posix() for f in report.findings)
    assert main(["verify", str(published)]) == 3


def test_the_demo_refuses_a_folder_in_use(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(demo)]) == 2
    assert "empty" in capsys.readouterr().err
    assert main(["demo", "--out", str(demo / "x"), "--jobs", "0"]) == 2


def test_slips_are_what_validation_and_double_entry_catch() -> None:
    g = generate_municipal(random.Random(3), stations=3, lists=4)
    district = g.election.districts[0]
    ctx = ValidationContext(
        lists=tuple((cl.number, len(cl.candidates)) for cl in district.lists), voter_cards=False
    )
    rng = random.Random(1)
    for tally in g.tallies.values():
        paper = report_from_tally("cso_first", tally, with_voter_cards=False)
        assert not validate(paper, ctx).has_errors
        wrong = inconsistent_slip(paper, rng)
        assert wrong is not None
        assert any(r.code == "F.402" for r in validate(wrong, ctx).errors)
        swapped = consistent_slip(paper, rng)
        assert swapped is not None and swapped != paper
        assert not validate(swapped, ctx).has_errors  # only the second typist's different entry shows it
        assert paper == report_from_tally(
            "cso_first", tally, with_voter_cards=False
        )  # the paper is untouched


@pytest.mark.parametrize("folder", ["municipality", "CSB"])
def test_a_flipped_bit_in_a_published_summary_of_the_demo_is_caught(
    folder: str, demo: Path, tmp_path: Path
) -> None:
    import shutil

    published = tmp_path / "published"
    shutil.copytree(demo / "published", published)
    where = next(published.glob("[0-9]*")) if folder == "municipality" else published / "CSB"
    tks = where / "summary.tks"
    data = bytearray(tks.read_bytes())
    data[len(data) // 3] ^= 0x01
    tks.write_bytes(bytes(data))
    report = verify_dir(published)
    assert any(
        f.file == tks.relative_to(published).as_posix() and f.check == "signature" for f in report.findings
    )


def test_worker_processes_publish_the_same_result(tmp_path: Path) -> None:
    """Municipalities in worker processes (spawned, recycled) give the same files as in-process."""
    spec = ElectionSpec(seed=5, sizes={"stations": 4, "lists": 3})
    one = run_demo(tmp_path / "one", spec=spec, jobs=1)
    two = run_demo(tmp_path / "two", spec=spec, jobs=2)
    assert two.verify is not None and two.verify.ok
    files = signed_and_eml(one.published)
    assert files and files == signed_and_eml(two.published)
    for rel in files:
        assert (one.published / rel).read_bytes() == (two.published / rel).read_bytes(), rel
    assert one.entries == two.entries
