"""`verify` covers what a person reads: every tamper of issue 13 item 3 on a folder the real apps published.

The folder is conftest's small demo (a municipal council: the municipality and the central office, each
with its signed `manifest.tkm`); each test tampers with a copy and expects a `manifest` finding that names
the file. The hoofdstembureau's O 3 is deleted in `tests/test_keyed.py` (a two-district chain the real HSB
app published).
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import msgspec
import pypdfium2 as pdfium
import pytest

from shared.adapters.manifest import entry_on_disk, signed_manifest
from shared.domain.keyregister import ENROLMENT_VERSION, EnrolmentRecord, Role
from shared.formats.manifest import MANIFEST_FILE, open_manifest
from shared.formats.signing import open_enrolment, raw_public_key, sign_enrolment
from telketen.cli import main
from telketen.demo.clock import demo_key
from telketen.verify.findings import Finding, Report
from telketen.verify.run import verify_dir

SEED = 3  # conftest's small demo


@pytest.fixture
def root(small_demo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "published"
    shutil.copytree(small_demo, copy)
    return copy


def municipality(root: Path) -> str:
    return next(p.name for p in sorted(root.iterdir()) if p.name.isdigit())


def manifest_findings(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.check == "manifest"]


def named(report: Report) -> set[str]:
    """The files the manifest findings name."""
    return {f.file for f in manifest_findings(report)}


def changed(report: Report, file: str) -> bool:
    return any(f.file == file and f.field.startswith("SHA-256") for f in manifest_findings(report))


def missing(report: Report, file: str) -> bool:
    return any(f.file == file and f.found == "missing" for f in manifest_findings(report))


def unlisted(report: Report, file: str) -> bool:
    return any(f.file == file and f.found == "in no manifest" for f in manifest_findings(report))


def test_the_demo_publishes_a_signed_manifest_per_body_covering_every_file(small_demo: Path) -> None:
    report = verify_dir(small_demo)
    assert report.ok, report.findings
    code = municipality(small_demo)
    on_disk = {p.relative_to(small_demo).as_posix() for p in small_demo.rglob("*") if p.is_file()}
    listed: set[str] = set()
    for body, role in ((code, "municipality"), ("CSB", "central")):
        tke = open_enrolment((small_demo / body / "key.tke").read_bytes())
        public = demo_key(SEED, body).public_key()
        _, m = open_manifest(
            (small_demo / body / MANIFEST_FILE).read_bytes(),
            lambda kid, tke=tke, public=public: public if kid == tke.key_id else None,
        )
        assert (m.authority_id, str(m.role)) == (body, role)
        listed |= {e.path for e in m.files}
    assert listed == on_disk - {f"{code}/{MANIFEST_FILE}", f"CSB/{MANIFEST_FILE}"}
    assert any(p.startswith(f"{code}/Stembureaus_") for p in listed)  # the municipality's 110b
    assert {p for p in listed if p.startswith(("definition/", "site/"))} >= {"site/index.html"}
    assert report.checked["manifest"] > len(on_disk)


def test_a_number_edited_in_a_site_page(root: Path) -> None:
    page = root / "site" / "index.html"
    html = page.read_text("utf-8")
    edited = re.sub(r"(<td[^>]*>)(\d)", lambda m: m[1] + str((int(m[2]) + 1) % 10), html, count=1)
    assert edited != html
    page.write_text(edited, "utf-8")
    report = verify_dir(root)
    assert changed(report, "site/index.html")
    assert named(report) == {"site/index.html"}  # nothing else in the folder saw it


def test_a_script_injected_into_a_page_and_a_new_file_in_the_site(root: Path) -> None:
    page = root / "site" / "lijsten.html"
    page.write_text(
        page.read_text("utf-8").replace("</body>", '<script src="x.js"></script></body>'), "utf-8"
    )
    (root / "site" / "x.js").write_text("alert(1)", "utf-8")
    (root / "site" / ".hidden.js").write_text("alert(2)", "utf-8")  # a dot file is no hiding place
    report = verify_dir(root)
    assert changed(report, "site/lijsten.html")
    assert unlisted(report, "site/x.js") and unlisted(report, "site/.hidden.js")


def test_two_site_pages_swapped(root: Path) -> None:
    one, two = root / "site" / "lijst-1.html", root / "site" / "lijst-2.html"
    a, b = one.read_bytes(), two.read_bytes()
    one.write_bytes(b)
    two.write_bytes(a)
    assert named(verify_dir(root)) == {"site/lijst-1.html", "site/lijst-2.html"}


def test_a_site_page_deleted(root: Path) -> None:
    (root / "site" / "gebieden.html").unlink()
    report = verify_dir(root)
    assert missing(report, "site/gebieden.html")
    assert any("the manifest of CSB" in f.field for f in manifest_findings(report))


def na31_2(root: Path) -> Path:
    (pdf,) = (root / municipality(root)).glob("Model_Na31-2_*.pdf")
    return pdf


def test_the_na31_2_deleted(root: Path) -> None:
    pdf = na31_2(root)
    pdf.unlink()
    report = verify_dir(root)
    rel = pdf.relative_to(root).as_posix()
    assert missing(report, rel)
    assert any(f.unit == municipality(root) for f in manifest_findings(report) if f.file == rel)


def test_the_na31_2_replaced(root: Path) -> None:
    pdf = na31_2(root)
    (p22,) = (root / "CSB").glob("Model_P22-*.pdf")
    pdf.write_bytes(p22.read_bytes())  # another real PDF under the report's name
    assert changed(verify_dir(root), pdf.relative_to(root).as_posix())


def test_two_table_pages_of_the_na31_2_swapped_keeping_its_qr_sheets(root: Path) -> None:
    """The QR sheets still carry the signed summary, so the paper check holds: only the manifest sees it."""
    pdf = na31_2(root)
    doc = pdfium.PdfDocument(pdf.read_bytes())
    texts = [page.get_textpage().get_text_range() for page in doc]
    first, second = (next(i for i, t in enumerate(texts) if f"Lijst {n} " in t) for n in (1, 2))
    order = list(range(len(doc)))
    order[first], order[second] = order[second], order[first]
    swapped = pdfium.PdfDocument.new()
    swapped.import_pages(doc, order)
    buffer = io.BytesIO()
    swapped.save(buffer)
    pdf.write_bytes(buffer.getvalue())
    report = verify_dir(root)
    assert [f.check for f in report.findings] == ["manifest"]
    assert changed(report, pdf.relative_to(root).as_posix())


def test_the_p22_deleted(root: Path) -> None:
    (p22,) = (root / "CSB").glob("Model_P22-*.pdf")
    p22.unlink()
    report = verify_dir(root)
    assert missing(report, p22.relative_to(root).as_posix())
    assert not [f for f in report.findings if f.check != "manifest"]  # no other check reads the P 22


def test_a_first_name_changed_in_the_230b(root: Path) -> None:
    (b230,) = (root / "definition").glob("Kandidatenlijsten_*.eml.xml")
    text = b230.read_text("utf-8")
    first = re.search(r"<xnl:FirstName>([^<]+)</xnl:FirstName>", text)
    assert first is not None
    b230.write_text(text.replace(first[0], "<xnl:FirstName>Xander</xnl:FirstName>", 1), "utf-8")
    assert changed(verify_dir(root), b230.relative_to(root).as_posix())


def test_the_110b_edited(root: Path) -> None:
    (b110,) = (root / municipality(root)).glob("Stembureaus_*.eml.xml")
    text = b110.read_text("utf-8")
    place = re.search(r"<xal:LocalityName>([^<]+)</xal:LocalityName>", text)
    assert place is not None  # a polling station moved to another address
    b110.write_text(text.replace(place[0], "<xal:LocalityName>Elders</xal:LocalityName>", 1), "utf-8")
    assert changed(verify_dir(root), b110.relative_to(root).as_posix())


def test_the_110a_edited(root: Path) -> None:
    (a110,) = (root / "definition").glob("Verkiezingsdefinitie_*.eml.xml")
    a110.write_bytes(a110.read_bytes().replace(b"</", b" </", 1))
    assert changed(verify_dir(root), a110.relative_to(root).as_posix())


def resign(root: Path, body: str, key: object, enrolment: bytes) -> None:
    """Sign `body`'s manifest over its current entries with `key`, as enrolled in `enrolment`."""
    path = root / body / MANIFEST_FILE
    _, m = open_manifest(path.read_bytes(), lambda kid: demo_key(SEED, body).public_key())
    entries = [entry_on_disk(root, root / e.path) for e in m.files]
    assert hasattr(key, "sign")
    path.write_bytes(signed_manifest(enrolment, key, m.issued_at, entries))  # type: ignore[arg-type]


def test_a_manifest_signed_by_an_unenrolled_key(root: Path) -> None:
    """Someone rewrites the site and signs the CSB manifest with a key of their own, enrolled nowhere."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    intruder = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
    record = open_enrolment((root / "CSB" / "key.tke").read_bytes())
    fake = sign_enrolment(msgspec.structs.replace(record, public_key=raw_public_key(intruder)), intruder)
    (root / "site" / "index.html").write_text("<p>anders</p>", "utf-8")
    resign(root, "CSB", intruder, fake)  # the fake enrolment is not published: the key is unknown
    report = verify_dir(root)
    assert any(
        f.file == f"CSB/{MANIFEST_FILE}" and f.field == "key" and f.found.startswith("none for")
        for f in report.findings
    )
    assert missing(report, f"CSB/{MANIFEST_FILE}")  # so the central office has no valid manifest
    assert unlisted(report, "site/index.html")


def test_a_manifest_signed_by_a_key_of_another_role(root: Path) -> None:
    """The municipality's genuine key signs a manifest that claims to be the central office's."""
    code = municipality(root)
    record = open_enrolment((root / code / "key.tke").read_bytes())
    claim = EnrolmentRecord(
        version=ENROLMENT_VERSION,
        role=Role.CENTRAL,
        authority_id="CSB",
        authority_name="Centraal stembureau",
        election_id=record.election_id,
        district_id="",
        public_key=record.public_key,
        created_at=record.created_at,
    )
    key = demo_key(SEED, code)
    resign(root, "CSB", key, sign_enrolment(claim, key))
    report = verify_dir(root)
    fields = {(f.file, f.field, f.expected, f.found) for f in manifest_findings(report)}
    assert (f"CSB/{MANIFEST_FILE}", "role (as enrolled for this key)", "municipality", "central") in fields
    assert (f"CSB/{MANIFEST_FILE}", "authority (as enrolled for this key)", code, "CSB") in fields


def test_the_manifest_of_one_body_in_the_place_of_another(root: Path) -> None:
    code = municipality(root)
    shutil.copyfile(root / code / MANIFEST_FILE, root / "CSB" / MANIFEST_FILE)
    report = verify_dir(root)
    assert any(
        f.file == f"CSB/{MANIFEST_FILE}" and f.field == "folder of the manifest" and f.found == "CSB/"
        for f in report.findings
    )
    assert missing(report, f"CSB/{MANIFEST_FILE}")
    assert unlisted(report, "site/index.html")  # the central office's files are vouched for by no one


def test_a_body_without_a_manifest(root: Path) -> None:
    code = municipality(root)
    (root / code / MANIFEST_FILE).unlink()
    report = verify_dir(root)
    assert missing(report, f"{code}/{MANIFEST_FILE}")
    assert unlisted(report, na31_2(root).relative_to(root).as_posix())
    assert not unlisted(report, f"{code}/summary.tks")  # the central office's copy of it: in its manifest


def test_a_second_manifest_of_the_same_body(root: Path) -> None:
    """An earlier manifest kept under another name may not vouch for files the body no longer stands by."""
    shutil.copyfile(root / "CSB" / MANIFEST_FILE, root / "CSB" / "oud.tkm")
    report = verify_dir(root)
    assert [(f.file, f.expected) for f in manifest_findings(report)] == [("CSB/oud.tkm", "one per body")]


def test_the_readable_report_tells_the_findings_in_dutch_and_json_keeps_the_codes(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "site" / "lijst-1.html").unlink()
    (root / "site" / "x.js").write_text("alert(1)", "utf-8")
    assert main(["verify", str(root)]) == 3
    out = " ".join(capsys.readouterr().out.split())
    assert "manifest: site/lijst-1.html" in out and "manifest: site/x.js" in out
    assert "veld: bestand in het manifest van CSB (CSB/manifest.tkm)" in out and "gevonden: ontbreekt" in out
    assert "genoemd in het ondertekende manifest van een instantie" in out and "in geen enkel manifest" in out
    assert "NIET GEVERIFIEERD" in out
    assert main(["verify", "--lang", "en", str(root)]) == 3
    assert "file in the manifest of CSB" in capsys.readouterr().out
    assert main(["verify", "--json", str(root)]) == 3
    report = json.loads(capsys.readouterr().out)
    assert [(f["check"], f["file"], f["found"]) for f in report["findings"]] == [
        ("manifest", "site/lijst-1.html", "missing"),
        ("manifest", "site/x.js", "in no manifest"),
    ]


def test_a_manifest_of_another_election(root: Path) -> None:
    """Key and manifest agree on an election that is not the 110a's: the central office re-enrolled its key
    for TK2099 and signed its manifest so; the manifest vouches for nothing."""
    record = open_enrolment((root / "CSB" / "key.tke").read_bytes())
    key = demo_key(SEED, "CSB")
    other = sign_enrolment(msgspec.structs.replace(record, election_id="TK2099"), key)
    (root / "CSB" / "key.tke").write_bytes(other)
    resign(root, "CSB", key, other)
    report = verify_dir(root)
    assert any(
        (f.file, f.field, f.found) == (f"CSB/{MANIFEST_FILE}", "election", "TK2099")
        for f in manifest_findings(report)
    )
    assert unlisted(report, "site/index.html")


def test_a_manifest_edited_to_vouch_for_an_edited_page(root: Path) -> None:
    """A site page is edited and the CSB manifest's entry rewritten to its new SHA-256: the layout holds, the
    signature does not, and the manifest then vouches for nothing."""
    page = root / "site" / "index.html"
    old = entry_on_disk(root, page)
    page.write_text("<p>anders</p>", "utf-8")
    path = root / "CSB" / MANIFEST_FILE
    data = path.read_bytes()
    assert data.count(old.sha256) == 1
    new = entry_on_disk(root, page).sha256
    path.write_bytes(data.replace(old.sha256, new))
    report = verify_dir(root)
    assert any(
        f.file == f"CSB/{MANIFEST_FILE}" and "signature does not hold" in f.found
        for f in manifest_findings(report)
    )
    assert unlisted(report, "site/index.html")
