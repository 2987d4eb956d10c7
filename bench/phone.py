"""Benchmark: the phone check (site/controle.html) in Chromium, against our Python decoder in the same run.

Measures, on a demo's published folder and its Na 31-2 sheet photographed into a 1280 × 720 camera frame:

- decoding one camera frame with zxing-wasm in the page (`ZXingWASM.readBarcodes` on the frame's ImageData)
  against the baseline: the same frame decoded by zxing-cpp from Python (`zxingcpp.read_barcodes`), the same
  engine compiled natively;
- the page from navigation to ready to scan (1.3 MB of scripts parsed, the .wasm compiled from base64, every
  published enrolment's self-signature checked);
- one summary's check after its symbols are read (SHA-256, Ed25519 with WebCrypto and with @noble/ed25519,
  zlib, msgpack), as a multiple of the baseline too.

Run: `python bench/phone.py [--reps N]` (needs Chromium at /usr/bin/chromium and python playwright).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import zxingcpp  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from telketen.cli import main as telketen  # noqa: E402
from tests.phone_camera import fit, photographed, sheet_frames  # noqa: E402
from tests.test_browser import ARGS, CHROMIUM  # noqa: E402
from tests.test_phone_check import NO_WEBCRYPTO_ED25519  # noqa: E402

DECODE = """async ([w, h, b64, reps]) => {
  const bin = atob(b64), gray = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) { rgba.set([gray[i], gray[i], gray[i], 255], i * 4); }
  const image = new ImageData(rgba, w, h);
  const opts = {formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 64};
  await ZXingWASM.readBarcodes(image, opts);  // the first call instantiates the module
  const times = [];
  let found = 0;
  for (let i = 0; i < reps; i++) {
    const t = performance.now(); found = (await ZXingWASM.readBarcodes(image, opts)).length;
    times.push(performance.now() - t);
  }
  return {times, found};
}"""
CHECK = """async ([b64, reps]) => {
  const T = window.TelketenControle, reg = await T.loadRegister(window.TK_CONTROLE), m = T.fromBase64(b64);
  const times = [];
  let refusal;
  for (let i = 0; i < reps; i++) {
    const t = performance.now(); refusal = (await T.check(m, reg)).refusal; times.push(performance.now() - t);
  }
  return {times, refusal, engine: await T.chooseEngine()};
}"""


def _ms(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    reps = parser.parse_args().reps
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        with contextlib.redirect_stdout(io.StringIO()):
            if telketen(["demo", "--out", str(out), "--seed", "1"]) != 0:
                return 1
        published = out / "published"
        pdf = next((published / "0276").glob("Model_Na31-2_*.pdf"))
        frame = fit(photographed(sheet_frames(pdf)[0], 1))
        gray = np.asarray(frame)
        message = (published / "0276" / "summary.tks").read_bytes()

        native: list[float] = []
        for _ in range(reps):
            t = time.perf_counter()
            found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=True)
            native.append((time.perf_counter() - t) * 1000)
        assert len(found) == 1, "the Python decoder must read the frame"
        base = _ms(native)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ready: list[float] = []
            for _ in range(max(3, reps // 3)):
                page = browser.new_context().new_page()
                t = time.perf_counter()
                page.goto((published / "site" / "controle.html").as_uri())
                page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                ready.append((time.perf_counter() - t) * 1000)
                page.context.close()
            page = browser.new_context().new_page()
            page.goto((published / "site" / "controle.html").as_uri())
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            wasm = page.evaluate(
                DECODE, [frame.width, frame.height, base64.b64encode(gray.tobytes()).decode(), reps]
            )
            assert wasm["found"] == 1, "the page must read the frame"
            check = page.evaluate(CHECK, [base64.b64encode(message).decode(), reps])
            page.context.close()
            slow = browser.new_context().new_page()
            slow.add_init_script(NO_WEBCRYPTO_ED25519)
            slow.goto((published / "site" / "controle.html").as_uri())
            slow.wait_for_selector("body[data-ready=true]", timeout=60_000)
            noble = slow.evaluate(CHECK, [base64.b64encode(message).decode(), reps])
            slow.context.close()
            browser.close()
    assert check["refusal"] is None and noble["refusal"] is None and noble["engine"] == "noble"
    rows = [
        ("baseline: zxing-cpp from Python, one 1280 × 720 frame", base),
        ("zxing-wasm in the page, the same frame", _ms(wasm["times"])),
        ("page load to ready (scripts, wasm, key register)", _ms(ready)),
        (f"check one summary ({check['engine']})", _ms(check["times"])),
        ("check one summary (@noble/ed25519)", _ms(noble["times"])),
    ]
    print(f"phone check, median of {reps} runs")
    for label, ms in rows:
        print(f"  {label:<58} {ms:9.1f} ms  {ms / base:7.2f}× baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
