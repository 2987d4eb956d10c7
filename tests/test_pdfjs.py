"""Every report opens in pdf.js, the PDF reader inside Chromium and Firefox, without a warning.

Poppler is checked in test_pdf_structure; a reader in a browser uses pdf.js, which is strict in other places
(cross-reference table, fonts, content streams). The vendored pdf.js (tests/vendor/pdfjs, Apache-2.0) runs in
Chromium, parses every page's text and drawing operators, and whatever it logs as a warning or error fails the
test. A PDF with a broken cross-reference table shows that the check sees what pdf.js complains about.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from playwright.sync_api import sync_playwright

from tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401  (the browser marks and skips)
from tests.test_pdf_structure import demo, o3  # noqa: F401  (fixtures: a municipal demo, an O 3)

VENDOR = Path(__file__).parent / "vendor" / "pdfjs"

PAGE = """<!doctype html><meta charset="utf-8"><title>pdf.js</title><link rel="icon" href="data:,">
<script type="module">
import * as pdfjs from "./pdf.min.mjs";
pdfjs.GlobalWorkerOptions.workerSrc = "./pdf.worker.min.mjs";
window.readAll = async (names) => {
  const out = [];
  for (const name of names) {
    const doc = await pdfjs.getDocument({ url: name, verbosity: pdfjs.VerbosityLevel.WARNINGS }).promise;
    let items = 0;
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      items += (await page.getTextContent()).items.length;
      await page.getOperatorList();
    }
    out.push({ name, pages: doc.numPages, items });
    await doc.destroy();
  }
  return out;
};
window.ready = true;
</script>"""


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A folder on 127.0.0.1 with pdf.js and its page; PDFs are copied into it by the test."""
    for name in ("pdf.min.mjs", "pdf.worker.min.mjs"):
        shutil.copy(VENDOR / name, tmp_path / name)
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def read_in_pdfjs(base: str, names: list[str]) -> tuple[list[dict[str, object]], list[str]]:
    """What pdf.js read of each PDF, and every warning or error it logged meanwhile."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            logged: list[str] = []
            page.on(
                "console",
                lambda m: (
                    logged.append(m.text) if m.type in ("warning", "error") or "Warning" in m.text else None
                ),
            )
            page.on("pageerror", lambda e: logged.append(str(e)))
            page.goto(base + "index.html")
            page.wait_for_function("window.ready === true")
            read = page.evaluate("names => window.readAll(names)", names)
        finally:
            browser.close()
    return json.loads(json.dumps(read)), logged


def test_pdfjs_opens_every_report_without_a_warning(
    demo: Path,  # noqa: F811  (the fixture imported above)
    o3: Path,  # noqa: F811
    served: tuple[str, Path],
) -> None:
    base, folder = served
    pdfs = sorted({p.name: p for p in [*demo.rglob("*.pdf"), o3]}.items())
    assert {"Model_O3.pdf", "sleutelregistratie.pdf"} <= {name for name, _ in pdfs}
    assert any(name.startswith("Model_P22-2") for name, _ in pdfs)
    for name, path in pdfs:
        shutil.copy(path, folder / name)
    read, logged = read_in_pdfjs(base, [name for name, _ in pdfs])
    assert logged == []
    assert [r["name"] for r in read] == [name for name, _ in pdfs]
    assert all(isinstance(r["items"], int) and r["items"] > 0 for r in read)  # text was read from every file


def test_a_pdf_with_a_broken_cross_reference_table_is_reported(demo: Path, served: tuple[str, Path]) -> None:  # noqa: F811
    base, folder = served
    good = next(demo.rglob("Model_Na31-2_*.pdf")).read_bytes()
    at = good.rindex(b"startxref")
    broken = good[:at] + b"startxref\n12\n%%EOF\n"  # points into the header, not at the table
    (folder / "broken.pdf").write_bytes(broken)
    _, logged = read_in_pdfjs(base, ["broken.pdf"])
    assert any("xref" in w.lower() or "Indexing all PDF objects" in w for w in logged), logged
