"""The phone check (site/controle.html) in a real Chromium with a fake camera, on a demo's published folder.

The camera is Chromium's fake capture device fed a Y4M video of the Na 31-2's QR sheet as our own code
renders it, degraded like a photograph (tests/phone_camera.py). Proven here: the genuine sheet is decoded,
its signature holds against the published enrolments and the page shows the signed numbers the Python code
signed; a sheet signed with an unenrolled key and one with a changed byte are refused; a message of several
symbols is collected one by one with its progress shown; the page's decoders read our Python bytes field by
field (golden summaries included); every refusal rule of the page fires on the case it exists for, with
WebCrypto and with the @noble/ed25519 fallback. Screenshots at 390 px go to test-artifacts/phone/ (git-
ignored), to be looked at.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, Playwright, sync_playwright

from central.site_phone import DATA, PAGE
from shared.adapters.pdf import compile_typst
from shared.adapters.qr_render import qr_image, smallest_version
from shared.adapters.sheets import sheet_markup
from shared.domain.keyregister import EnrolmentRecord, Role, readable_fingerprint
from shared.formats import dutch
from shared.formats.framing import frame
from shared.formats.signing import message_digest, sign_enrolment, sign_summary, split_signed
from shared.formats.summary import (
    ChildDigest,
    ChildSource,
    StationInvestigation,
    Summary,
    decode_summary,
    encode_summary,
)
from tests.phone_camera import photographed, sheet_frames, write_y4m
from tests.summary_golden import GOLDEN
from tests.test_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401  (the browser marks and skips)

SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "phone"
CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
#: Makes WebCrypto refuse Ed25519, as a browser without it does: the page must fall back to @noble/ed25519.
NO_WEBCRYPTO_ED25519 = """(() => {
  const importKey = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, key, alg, ...rest) =>
    ((alg && (alg.name || alg)) === 'Ed25519') ? Promise.reject(new DOMException('no', 'NotSupportedError'))
                                               : importKey(format, key, alg, ...rest);
})();"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from telketen.cli import main

    out = tmp_path_factory.mktemp("phone-demo") / "run"
    assert main(["demo", "--out", str(out), "--seed", "1"]) == 0  # the demo verifies its published folder
    return out / "published"


@pytest.fixture(scope="module")
def pw() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


def _report(published: Path) -> Path:
    return next((published / "0276").glob("Model_Na31-2_*.pdf"))


def _open(pw: Playwright, site: Path | str, video: Path | None = None, init: str | None = None) -> Page:
    """The check page (in the folder `site`, or at the address) at 390 px, in a browser whose camera plays
    `video`; ready to scan."""
    args = ARGS + ([*CAMERA, f"--use-file-for-fake-video-capture={video}"] if video else [])
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    if init:
        page.add_init_script(init)
    page.goto(site + PAGE if isinstance(site, str) else (site / PAGE).as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return page


def _close(page: Page) -> None:
    browser = page.context.browser
    page.context.close()
    if browser:
        browser.close()


def _scan(page: Page, name: str) -> str:
    """Start the camera, wait for the verdict, keep a screenshot; the verdict's text."""
    page.click("#camera-knop")
    page.wait_for_selector("#oordeel", timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    return page.inner_text("#oordeel")


def _sheet_video(tmp: Path, message: bytes, name: str, seed: int = 7) -> Path:
    """A video of the QR sheet our report code prints for `message`, photographed."""
    markup, files = sheet_markup(message, title="Samenvatting", subtitle="test")
    pdf = tmp / f"{name}.pdf"
    pdf.write_bytes(compile_typst(markup, files))
    return write_y4m(tmp / f"{name}.y4m", [photographed(f, seed) for f in sheet_frames(pdf)])


def _table(page: Page) -> list[tuple[str, str]]:
    rows = page.locator("#uitslag table").first.locator("tbody tr")
    return [(r.locator("th").inner_text(), r.locator("td").last.inner_text()) for r in rows.all()]


def _expected_rows(summary: Summary) -> list[tuple[str, str]]:
    c, n = summary.counts, dutch.number
    e = sum(lst.votes for lst in c.lists)
    rows = [("Z", c.eligible_voters), ("A", c.poll_cards), ("B", c.proxy_certificates), ("C", c.voter_cards),
            ("D", c.admitted_voters)]  # fmt: skip
    rows += [(f"E.{i}", lst.votes) for i, lst in enumerate(c.lists, start=1)]
    rows += [("E", e), ("F", c.blank), ("G", c.invalid), ("H", e + c.blank + c.invalid)]
    rows += [("I", c.more_ballots), ("J", c.fewer_ballots)]
    return [(code, n(v)) for code, v in rows]


# ------------------------------------------------------------------------------------------ with the camera


def test_a_photographed_sheet_shows_its_signer_and_signed_numbers(
    pw: Playwright, published: Path, tmp_path: Path
) -> None:
    from shared.adapters.qr_pdf import read_embedded_sheets
    from tests.test_a11y import problems

    (message,) = read_embedded_sheets(_report(published).read_bytes(), where="Na 31-2").messages.values()
    parts = split_signed(message)
    summary = decode_summary(parts.summary_bytes)
    current = (published / "0276" / "summary.tks").read_bytes()
    shots = [photographed(f, 1) for f in sheet_frames(_report(published))]
    page = _open(pw, published / "site", write_y4m(tmp_path / "sheet.y4m", shots))
    try:
        assert _scan(page, "genuine") == "Handtekening klopt"
        assert page.inner_text("#vingerafdruk") == readable_fingerprint(parts.key_id)
        assert page.inner_text("#samenvatting") == dutch.hash_groups(message_digest(message).hex())[:39]
        assert "Oost-Neddam (0276)" in page.inner_text("#instantie")
        said = page.inner_text("#publicatie")  # the Na 31-2's own summary, or one a Na 14-2 replaced
        if message == current:
            assert "dezelfde samenvatting als de gepubliceerde (map 0276)" in said
        else:
            assert "vervangen door een correctie (map 0276)" in said
        rows = _table(page)
        assert [(code, value) for code, value in rows] == _expected_rows(summary)
        labels = page.locator("#uitslag table").first.locator("tbody td:nth-child(2)").all_inner_texts()
        assert labels[5] == "Totaal lijst 1 - Leefbaar"  # lists by name, from the site's data
        assert problems(page) == []  # the result as shown meets WCAG 2.1 AA and reflows at 390 and 320 px
    finally:
        _close(page)


def test_the_printed_sheet_carries_the_signing_keys_fingerprint(published: Path) -> None:
    """What the page asks the reader to compare is on the paper: the key's fingerprint above the codes."""
    import pypdfium2 as pdfium

    from shared.adapters.qr_pdf import page_text, sheet_pages

    key_id = split_signed((published / "0276" / "summary.tks").read_bytes()).key_id
    document = pdfium.PdfDocument(_report(published).read_bytes())
    try:
        (last,) = sheet_pages(document)
        text = page_text(document[last])
    finally:
        document.close()
    assert f"Vingerafdruk sleutel: {readable_fingerprint(key_id)}" in text


def test_a_sheet_signed_with_an_unenrolled_key_is_refused(
    pw: Playwright, published: Path, tmp_path: Path
) -> None:
    genuine = split_signed((published / "0276" / "summary.tks").read_bytes())
    forged = sign_summary(genuine.summary_bytes, Ed25519PrivateKey.generate())
    page = _open(pw, published / "site", _sheet_video(tmp_path, forged, "forged"))
    try:
        verdict = _scan(page, "unenrolled")
        assert verdict.startswith("Geweigerd: de sleutel ")
        assert "staat niet in het gepubliceerde sleutelregister" in verdict
        assert page.locator("#getallen").count() == 0  # no numbers shown for a refused summary
    finally:
        _close(page)


def test_a_sheet_with_one_changed_byte_is_refused(pw: Playwright, published: Path, tmp_path: Path) -> None:
    message = bytearray((published / "0276" / "summary.tks").read_bytes())
    message[40] ^= 0x01  # inside the compressed summary; framed anew, so every CRC and digest holds
    page = _open(pw, published / "site", _sheet_video(tmp_path, bytes(message), "changed"))
    try:
        verdict = _scan(page, "changed")
        assert verdict.startswith("Geweigerd: de handtekening klopt niet")
        assert "Oost-Neddam" in page.inner_text("#instantie")  # the key is known: the signature does not hold
    finally:
        _close(page)


def test_symbols_are_collected_one_by_one_with_progress(
    pw: Playwright, published: Path, tmp_path: Path
) -> None:
    message = (published / "0276" / "summary.tks").read_bytes()
    chunks = frame(message, -(-(len(message) + 32) // 3) + 19)  # three symbols, whatever the summary's size
    assert len(chunks) == 3
    shots = [
        photographed(qr_image(c, smallest_version(len(c), "M"), "M", 8, 4), i) for i, c in enumerate(chunks)
    ]
    page = _open(pw, published / "site", write_y4m(tmp_path / "three.y4m", shots, repeat=8))
    page.evaluate("""() => { window.seen = []; const p = document.getElementById('voortgang');
      new MutationObserver(() => window.seen.push(p.textContent))
        .observe(p, {childList: true, characterData: true, subtree: true}); }""")
    try:
        assert _scan(page, "three-symbols") == "Handtekening klopt"
        seen = page.evaluate("() => window.seen")
        assert "1 van 3 codes gelezen" in seen and "2 van 3 codes gelezen" in seen, seen
        assert seen[-1] == "3 van 3 codes gelezen"
    finally:
        _close(page)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request log on stderr."""


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    """`folder` served over http on a free loopback port (a secure context, as https is)."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_served_page_checks_a_photo_with_noble_where_webcrypto_has_no_ed25519(
    pw: Playwright, published: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    photographed(sheet_frames(_report(published))[0], 3).save(photo)
    with _served(published / "site") as url:
        page = _open(pw, url, init=NO_WEBCRYPTO_ED25519)
        try:
            page.set_input_files("#foto", str(photo))
            page.wait_for_selector("#oordeel", timeout=30_000)
            assert page.inner_text("#oordeel") == "Handtekening klopt"
            assert "@noble/ed25519" in page.inner_text("#uitslag")
        finally:
            _close(page)


# ------------------------------------------------------------------------------------ the page's decoders

_TO_PLAIN = """(x) => JSON.parse(JSON.stringify(x, (k, v) =>
  v instanceof Uint8Array ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('') : v))"""


def _plain(s: Summary) -> dict[str, Any]:
    """A summary as the page's decoder returns it (bytes as hex), from the Python decoder."""
    c = s.counts
    return {
        "version": s.version, "election_id": s.election_id, "district_id": s.district_id, "role": str(s.role),
        "authority_id": s.authority_id, "phase": s.phase, "supersedes": s.supersedes.hex(),
        "issued_at": s.issued_at,
        "counts": {
            "eligible_voters": c.eligible_voters, "poll_cards": c.poll_cards,
            "proxy_certificates": c.proxy_certificates, "voter_cards": c.voter_cards,
            "admitted_voters": c.admitted_voters, "blank": c.blank, "invalid": c.invalid,
            "more_ballots": c.more_ballots, "fewer_ballots": c.fewer_ballots,
            "lists": [{"number": lst.number, "votes": lst.votes, "candidates": list(lst.candidate_votes)}
                      for lst in c.lists],
            "explanations": [[code, n] for code, n in c.explanations],
        },
        "eml_sha256": s.eml_sha256.hex(),
        "children": [[ch.authority_id, ch.digest.hex()] for ch in s.children],
        "seats": list(s.seats),
        "sources": [[src.key_id.hex(), list(src.keyed_by)] for src in s.sources],
        "investigations": [[inv.station, inv.corrected] for inv in s.investigations],
    }  # fmt: skip


def _version_2() -> bytes:
    """A hoofdstembureau's summary of format version 2: children, sources scanned and keyed, large numbers."""
    base = decode_summary((GOLDEN / "summary_v1_central.bin").read_bytes())
    return encode_summary(
        msgspec.structs.replace(
            base,
            version=2,
            role=Role.HOOFDSTEMBUREAU,
            authority_id="HSB6",
            seats=[],
            children=[ChildDigest("0668", b"\x01" * 32), ChildDigest("0669", b"\x02" * 32)],
            sources=[ChildSource(b"\x03" * 16, []), ChildSource(b"", ["anna", "bram"])],
            counts=msgspec.structs.replace(base.counts, eligible_voters=2**40, admitted_voters=70_000),
        )
    )


@pytest.fixture(scope="module")
def page(pw: Playwright, published: Path) -> Iterator[Page]:
    p = _open(pw, published / "site")
    yield p
    _close(p)


def test_the_page_decodes_summaries_field_by_field_as_python_does(page: Page, published: Path) -> None:
    cases = {name.name: name.read_bytes() for name in sorted(GOLDEN.glob("summary_v1_*.bin"))}
    cases.pop("summary_v1_signed.bin")
    cases["version 2"] = _version_2()
    cases["version 3"] = encode_summary(
        msgspec.structs.replace(
            decode_summary(_version_2()),
            version=3,
            investigations=[
                StationInvestigation("0668::SB3", True),
                StationInvestigation("0668::SB4", False),
            ],
        )
    )
    cases["demo municipality"] = split_signed((published / "0276" / "summary.tks").read_bytes()).summary_bytes
    decoded = page.evaluate(
        f"""async (items) => {{ const T = window.TelketenControle, plain = {_TO_PLAIN};
        const out = {{}};
        for (const [k, b] of Object.entries(items)) {{
          out[k] = plain(T.parseSummary(await T.inflate(T.fromBase64(b))));
        }}
        return out; }}""",
        {k: base64.b64encode(v).decode() for k, v in cases.items()},
    )
    for name, data in cases.items():
        assert decoded[name] == _plain(decode_summary(data)), name


def test_the_page_reads_each_published_enrolment_as_python_does(page: Page, published: Path) -> None:
    from shared.formats.signing import open_enrolment

    keys = page.evaluate(f"""async () => {{ const plain = {_TO_PLAIN};
      const r = await window.TelketenControle.loadRegister(window.TK_CONTROLE);
      return {{keys: plain(Array.from(r.keys.values())), bad: r.bad}}; }}""")
    assert keys["bad"] == []
    expected = [open_enrolment(p.read_bytes()) for p in sorted(published.glob("*/key.tke"))]
    assert len(keys["keys"]) == len(expected) == 2
    for got, rec in zip(keys["keys"], expected, strict=True):
        assert got["fingerprint"] == readable_fingerprint(rec.key_id)
        fields = ("role", "authority_id", "authority_name", "election_id", "district_id", "created_at")
        assert {f: got[f] for f in fields} == {f: str(getattr(rec, f)) for f in fields}
        assert got["public_key"] == rec.public_key.hex()


def test_the_page_says_whether_the_summary_is_the_published_one(page: Page) -> None:
    """The published one; one a published corrigendum replaced (Na 14-2); one not published at all."""
    data = {"published": [{"folder": "0668", "digest": "aa" * 32, "supersedes": "bb" * 32}]}
    said = page.evaluate(
        "([d, data]) => d.map((x) => window.TelketenControle.publication(x, data))",
        [["aa" * 32, "bb" * 32, "cc" * 32], data],
    )
    assert [s["kind"] for s in said] == ["ok", "warn", "warn"]
    assert said[0]["text"].startswith("Dit is dezelfde samenvatting als de gepubliceerde (map 0668)")
    assert said[1]["text"].startswith("Deze samenvatting is vervangen door een correctie (map 0668)")
    assert said[2]["text"].startswith("Deze samenvatting staat niet bij de gepubliceerde bestanden")


# ------------------------------------------------------------------------------------------ every refusal

KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"telketen phone test key").digest())
RECORD = EnrolmentRecord(
    version=1,
    role=Role.MUNICIPALITY,
    authority_id="0668",
    authority_name="Testdorp",
    election_id="TK2025",
    district_id="6",
    public_key=KEY.public_key().public_bytes_raw(),
    created_at="2025-10-01T10:00:00",
)


def _summary(**changes: Any) -> bytes:
    base = decode_summary((GOLDEN / "summary_v1_municipality.bin").read_bytes())  # TK2025, district 6, 0668
    return encode_summary(msgspec.structs.replace(base, **changes))


def _raw_summary(fields: list[Any]) -> bytes:
    """Compressed msgpack that no Python encoder would write (a wrong version, trailing bytes…)."""
    return zlib.compress(msgspec.msgpack.encode(fields))


def _golden_fields() -> list[Any]:
    raw = zlib.decompress((GOLDEN / "summary_v1_municipality.bin").read_bytes())
    fields: list[Any] = msgspec.msgpack.decode(raw)
    return fields


def _chunk(msg_id: bytes, index: int, count: int, data: bytes) -> bytes:
    head = struct.pack(">2sB8sHH", b"TK", 1, msg_id, index, count)
    return head + struct.pack(">I", zlib.crc32(head + data)) + data


def _refusals() -> dict[str, tuple[bytes, str | None]]:
    """Message → the start of the page's reason (None: accepted), one case per rule."""
    good = sign_summary(_summary(), KEY)
    changed = bytearray(good)
    changed[30] ^= 0x40
    enrolled_other = dict(
        other_authority=(sign_summary(_summary(authority_id="0669"), KEY), "de samenvatting zegt van het"),
        other_role=(sign_summary(_summary(role=Role.CENTRAL), KEY), "de samenvatting zegt van het"),
        other_election=(
            sign_summary(_summary(election_id="TK2023"), KEY),
            "de samenvatting is van verkiezing",
        ),
        other_district=(sign_summary(_summary(district_id="7"), KEY), "de samenvatting is van kieskring"),
    )
    return {
        "genuine": (good, None),
        "unknown key": (sign_summary(_summary(), Ed25519PrivateKey.generate()), "de sleutel "),
        "changed byte": (bytes(changed), "de handtekening klopt niet"),
        "trailing byte": (good + b"\0", "de samenvatting heeft niet de lengte"),
        "enrolment, not a summary": (sign_enrolment(RECORD, KEY), "dit is een sleutelregistratie"),
        "not ours": (b"https://example.org/" * 5, "geen ondertekende samenvatting"),
        "version 4": (
            sign_summary(_raw_summary([4, *_golden_fields()[1:]]), KEY),
            "samenvatting van versie 4; deze pagina leest 1, 2 en 3",
        ),
        "bytes after the summary": (
            sign_summary(zlib.compress(zlib.decompress(_summary()) + b"\xc0"), KEY),
            "1 bytes na het einde",
        ),
        "negative count": (
            sign_summary(_raw_summary([*_golden_fields()[:5], -1, *_golden_fields()[6:]]), KEY),
            "zitting is geen telling",
        ),
        "not zlib": (sign_summary(b"\x00" * 40, KEY), "samenvatting is geen geldige zlib-data"),
        **enrolled_other,
    }


@pytest.mark.parametrize("engine", ["WebCrypto", "noble"])
def test_every_refusal_rule_fires_on_its_case(pw: Playwright, published: Path, engine: str) -> None:
    cases = _refusals()
    other = Ed25519PrivateKey.generate()
    other_record = msgspec.structs.replace(
        RECORD, authority_id="0670", public_key=other.public_key().public_bytes_raw()
    )
    broken = bytearray(sign_enrolment(other_record, other))
    broken[12] ^= 0x01  # a letter of the authority's name, after it was signed
    register = {"enrolments": [
        {"folder": "0668", "tke": base64.b64encode(sign_enrolment(RECORD, KEY)).decode()},
        {"folder": "0670", "tke": base64.b64encode(bytes(broken)).decode()},
    ]}  # fmt: skip
    cases["key whose enrolment is not self-signed"] = (
        sign_summary(_summary(authority_id="0670"), other),
        "de sleutel ",
    )
    page = _open(pw, published / "site", init=None if engine == "WebCrypto" else NO_WEBCRYPTO_ED25519)
    try:
        result = page.evaluate(
            """async ([register, items]) => { const T = window.TelketenControle;
            const reg = await T.loadRegister(register), out = {};
            for (const [k, b] of Object.entries(items)) {
              out[k] = (await T.check(T.fromBase64(b), reg)).refusal;
            }
            const bad = reg.bad.map((b) => b.folder + ': ' + b.reason);
            return {engine: await T.chooseEngine(), bad, out}; }""",
            [register, {k: base64.b64encode(m).decode() for k, (m, _) in cases.items()}],
        )
    finally:
        _close(page)
    assert result["engine"] == engine
    assert result["bad"] == ["0670: de eigen handtekening van de sleutelregistratie klopt niet"]
    for name, (_, reason) in cases.items():
        got = result["out"][name]
        assert (got is None) if reason is None else (got or "").startswith(reason), f"{name}: {got}"


def test_the_collector_refuses_damaged_foreign_and_inconsistent_symbols(page: Page) -> None:
    message = sign_summary(_summary(), KEY)
    good = frame(message, 200)
    damaged = bytearray(good[1])
    damaged[-1] ^= 0x01
    msg_id = message_digest(message)[:8]
    wrong_digest = hashlib.sha256(b"something else").digest() + message
    size = -(-len(wrong_digest) // 2)
    lying = [_chunk(msg_id, i, 2, wrong_digest[i * size : (i + 1) * size]) for i in range(2)]
    other_count = _chunk(msg_id, 0, 5, b"x")
    result = page.evaluate(
        """async ([good, damaged, lying, otherCount]) => {
        const T = window.TelketenControle, b = T.fromBase64;
        const attempt = async (f) => {
          try { return await f(); } catch (e) { return 'refused: ' + e.message; }
        };
        const c = new T.Collector();
        const out = {first: await attempt(() => c.add(b(good[0]))),
                     again: await attempt(() => c.add(b(good[0]))),
                     damaged: await attempt(() => c.add(b(damaged))),
                     foreign: await attempt(() => c.add(new TextEncoder().encode('https://example.org/')))};
        for (const g of good.slice(1)) c.add(b(g));
        out.message = await attempt(async () => (await c.message()).length);
        const k = new T.Collector(); k.add(b(good[0]));
        out.count = await attempt(() => k.add(b(otherCount)));
        for (const g of good.slice(1)) k.add(b(g));
        out.conflicted = await attempt(() => k.message());
        const l = new T.Collector(); for (const x of lying) l.add(b(x));
        out.lying = await attempt(() => l.message());
        return out; }""",
        [
            [base64.b64encode(g).decode() for g in good],
            base64.b64encode(bytes(damaged)).decode(),
            [base64.b64encode(x).decode() for x in lying],
            base64.b64encode(other_count).decode(),
        ],
    )
    assert result["first"] is True and result["again"] is False
    assert result["damaged"] == "refused: de QR-code is beschadigd (CRC32 klopt niet)"
    assert result["foreign"].startswith("refused: deze QR-code hoort niet bij")
    assert result["count"].startswith("refused: QR-codes van één samenvatting noemen een verschillend aantal")
    assert result["message"] == len(message)
    assert result["conflicted"].startswith("refused: deze QR-codes zijn niet te vertrouwen")
    assert result["lying"].startswith("refused: de QR-codes vormen samen niet het bericht")


# ------------------------------------------------------------------------------------------ the files


def test_the_site_publishes_the_page_with_the_vendored_files_and_the_keys(published: Path) -> None:
    folder = published / "site"
    vendor = json.loads((folder / "VENDOR.json").read_text(encoding="utf-8"))
    for name, entry in vendor.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"], name
    data = (folder / DATA).read_text(encoding="utf-8")
    assert data.startswith("window.TK_CONTROLE = ")
    keys = json.loads(data.removeprefix("window.TK_CONTROLE = ").rstrip().removesuffix(";"))
    assert sorted(e["folder"] for e in keys["enrolments"]) == ["0276", "CSB"]
    assert {p["folder"]: p["digest"] for p in keys["published"]}["0276"] == hashlib.sha256(
        (published / "0276" / "summary.tks").read_bytes()
    ).hexdigest()
    assert 'href="controle.html"' in (published / "site" / "index.html").read_text(encoding="utf-8")
