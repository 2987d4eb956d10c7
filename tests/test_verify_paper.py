"""`telketen verify` reads each report's QR sheets from the PDF and holds them against the summaries.

The folder is what the real apps publish (`telketen demo`, a small municipal council); the tampered PDFs are
real typst PDFs with real QR sheets (`shared.adapters.sheets`), read back by `shared.adapters.qr_pdf`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.pdf import compile_typst, rasterize
from shared.adapters.qr_pdf import read_embedded_sheets
from shared.adapters.sheets import render_sheets, sheet_markup
from shared.errors import InputError
from shared.formats.signing import message_digest, sign_summary, split_signed
from shared.formats.summary import decode_summary, encode_summary
from telketen.cli import main
from telketen.demo.clock import demo_key
from telketen.verify.findings import Finding
from telketen.verify.run import verify_dir

SEED = 3


@pytest.fixture
def demo_folder(small_demo: Path) -> Path:
    """conftest's small demo (seed SEED, without the demo's next session: these tests build their own
    corrigendum and count the reports), run once per session."""
    return small_demo


@pytest.fixture
def folder(demo_folder: Path, tmp_path: Path) -> Path:
    root = tmp_path / "published"
    shutil.copytree(demo_folder, root)
    return root


def municipality_of(root: Path) -> Path:
    return next(p for p in sorted(root.iterdir()) if p.name.isdigit())


def paper_findings(root: Path) -> list[Finding]:
    return [f for f in verify_dir(root).findings if f.check == "paper"]


def test_the_published_reports_carry_their_summaries(demo_folder: Path) -> None:
    report = verify_dir(demo_folder)
    assert report.ok, report.findings
    assert report.checked["paper"] == 1  # the municipality's Na 31-2; the central P 22 has no QR sheets
    muni = municipality_of(demo_folder)
    (pdf,) = muni.glob("*.pdf")
    scan = read_embedded_sheets(pdf.read_bytes(), where=pdf.name)
    assert list(scan.messages.values()) == [(muni / "summary.tks").read_bytes()]


def test_a_report_carrying_another_message_is_caught(folder: Path) -> None:
    muni = municipality_of(folder)
    (pdf,) = muni.glob("*.pdf")
    other = (folder / "CSB" / "summary.tks").read_bytes()  # a genuine summary, but not this folder's
    pdf.write_bytes(render_sheets(other, title="Samenvatting", timestamp=0))
    findings = paper_findings(folder)
    rel = pdf.relative_to(folder).as_posix()
    assert [(f.file, f.field) for f in findings] == [
        (rel, "signed summary in the QR sheets"),
        (f"{muni.name}/summary.tks", "printed report"),
    ]
    assert message_digest(other).hex() in findings[0].found


def test_a_changed_summary_no_longer_matches_its_report(folder: Path) -> None:
    muni = municipality_of(folder)
    tks = muni / "summary.tks"
    data = bytearray(tks.read_bytes())
    data[-5] ^= 0x10  # in the signature: the summary no longer verifies, the report still has the original
    tks.write_bytes(bytes(data))
    findings = paper_findings(folder)
    (pdf,) = muni.glob("*.pdf")
    assert [f.file for f in findings] == [pdf.relative_to(folder).as_posix()]


def test_an_incomplete_set_of_qr_codes_is_caught(folder: Path) -> None:
    muni = municipality_of(folder)
    markup, files = sheet_markup(bytes(range(256)) * 40, title="Samenvatting")  # several symbols
    images = [line for line in markup.splitlines() if "image(" in line]
    assert len(images) > 2
    (muni / "extra.pdf").write_bytes(compile_typst(markup.replace(images[1], ""), files, timestamp=0))
    findings = paper_findings(folder)
    assert [(f.file, f.field) for f in findings] == [(f"{muni.name}/extra.pdf", "QR sheets")]
    assert f"{len(images) - 1} of {len(images)} QR codes" in findings[0].found


def test_an_unreadable_pdf_is_a_finding(folder: Path) -> None:
    muni = municipality_of(folder)
    (muni / "broken.pdf").write_bytes(b"%PDF-1.7\n this is no PDF")
    findings = verify_dir(folder).findings
    assert [(f.check, f.file, f.field) for f in findings] == [
        ("file", f"{muni.name}/broken.pdf", "PDF"),
        ("manifest", f"{muni.name}/broken.pdf", "listed in a body's signed manifest"),  # added afterwards
    ]


def damaged_page_tree(pdf: bytes) -> bytes:
    """`pdf` with one byte of its page tree changed: /Count promises more pages than /Kids holds, so pdfium
    opens the file but cannot load its last pages (where the QR sheets are)."""
    at = pdf.index(b"/Count ") + len(b"/Count ")
    return pdf[:at] + b"9" + pdf[at + 1 :]


def test_a_damaged_page_tree_is_a_clean_refusal_everywhere(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found about one run in ten by the property test below; built here on purpose so it is always run."""
    muni = municipality_of(folder)
    (pdf,) = muni.glob("*.pdf")
    damaged = damaged_page_tree(pdf.read_bytes())
    with pytest.raises(InputError, match="cannot read the PDF's pages") as sheets:
        read_embedded_sheets(damaged, where="damaged.pdf")
    assert sheets.value.where == "damaged.pdf"
    with pytest.raises(InputError, match="cannot load page") as pages:
        rasterize(damaged, 20, where="damaged.pdf")
    assert pages.value.where == "damaged.pdf"
    pdf.write_bytes(damaged)
    rel = pdf.relative_to(folder).as_posix()
    findings = [(f.check, f.file) for f in verify_dir(folder).findings]
    assert findings == [("file", rel), ("manifest", rel)]  # unreadable, and not the PDF the body signed
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(damaged)
    assert main(["paper", "decode", str(scan), "-o", str(tmp_path / "out.tks")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot load page" in err and "Traceback" not in err


def test_a_report_replaced_by_a_corrigendum_stays_valid(folder: Path) -> None:
    """After a corrigendum the earlier report stays published; the new summary names it and is on paper."""
    muni = municipality_of(folder)
    tks = muni / "summary.tks"
    earlier = tks.read_bytes()
    summary = decode_summary(split_signed(earlier).summary_bytes)
    corrected = msgspec.structs.replace(summary, phase=1, supersedes=message_digest(earlier))
    signed = sign_summary(encode_summary(corrected), demo_key(SEED, muni.name))
    tks.write_bytes(signed)
    findings = paper_findings(folder)
    assert [f.field for f in findings] == ["printed report"]  # the Na 14-2 with the new summary is missing
    (muni / "Model_Na14-2.pdf").write_bytes(render_sheets(signed, title="Samenvatting", timestamp=0))
    assert paper_findings(folder) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_pdf_is_read_or_refused_never_a_crash(demo_folder: Path, data: st.DataObject) -> None:
    """Any bytes that start like a PDF: the QR sheets are read, or an InputError names the file."""
    (pdf,) = municipality_of(demo_folder).glob("*.pdf")
    blob = bytearray(pdf.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(blob) // 2, len(blob)))
    try:
        scan = read_embedded_sheets(bytes(blob[:cut]), where="damaged.pdf")
    except InputError as exc:
        assert exc.where == "damaged.pdf"
    else:
        assert all(isinstance(m, bytes) for m in scan.messages.values())
