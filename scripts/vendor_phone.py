"""Vendor the phone check's browser libraries from the npm registry into central/site/controle/vendor/.

Run by a developer when a version changes (`python scripts/vendor_phone.py`, needs `npm`); never at build or
run time. The page must work opened as file:// from the published folder, where a browser fetches neither ES
modules nor .wasm files, so two files are adapted, each in one documented way:

- zxing-wasm's IIFE reader build is copied unchanged; its .wasm binary is written as base64 into a classic
  script (`zxing-reader-wasm.js` sets `TK_ZXING_WASM`) that the page hands to `prepareZXingModule` as
  `wasmBinary`.
- @noble/ed25519 is an ES module only; its last line `export { … };` becomes
  `globalThis.nobleEd25519 = { … };` inside a function scope (the package's own comment: "Remove the export
  to easily use in … browser console").

VENDOR.json records, per file, the package, version, the npm tarball's integrity, the SHA-256 of the
upstream file it came from and of the file as vendored, and the licence; tests/test_phone_vendor.py holds
the files to it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ZXING = ("zxing-wasm", "3.1.8")
NOBLE = ("@noble/ed25519", "3.2.0")
OUT = Path(__file__).resolve().parents[1] / "central" / "site" / "controle" / "vendor"
#: zxing-wasm's .wasm is zxing-cpp compiled; its npm package carries only its own MIT licence, so zxing-cpp's
#: Apache-2.0 licence text comes from the PyPI package of the same engine (our Python decoder).
ZXING_CPP_LICENSE = ("zxing-cpp", "PyPI package zxing-cpp (dist-info/licenses/LICENSE)", "Apache-2.0")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pack(name: str, version: str, work: Path) -> tuple[Path, str]:
    """`npm pack name@version` into `work`, unpacked; (package folder, the tarball's integrity)."""
    out = subprocess.run(
        ["npm", "pack", "--json", f"{name}@{version}"], cwd=work, check=True, capture_output=True, text=True
    )
    info = json.loads(out.stdout)[0]
    target = work / info["filename"].removesuffix(".tgz")
    with tarfile.open(work / info["filename"]) as tar:
        tar.extractall(target, filter="data")
    return target / "package", str(info["integrity"])


def noble_classic(source: str) -> str:
    """@noble/ed25519's ES module as a classic script defining `globalThis.nobleEd25519`."""
    match = re.search(r"^export \{([^}]*)\};\s*$", source, flags=re.MULTILINE)
    if match is None or len(re.findall(r"^export ", source, flags=re.MULTILINE)) != 1:
        raise SystemExit("@noble/ed25519: the module no longer ends in one export list; adapt this script")
    body = source[: match.start()] + f"globalThis.nobleEd25519 = Object.freeze({{{match.group(1)}}});\n"
    return "(function () {\n'use strict';\n" + body + "})();\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    # name → (package, version, npm integrity, source path, upstream bytes, vendored bytes, licence, how)
    rows: dict[str, tuple[str, str, str, str, bytes, bytes, str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        zx, integrity = _pack(*ZXING, work)
        reader = (zx / "dist/iife/reader/index.js").read_bytes()
        wasm = (zx / "dist/reader/zxing_reader.wasm").read_bytes()
        wasm_js = ("window.TK_ZXING_WASM = '" + base64.b64encode(wasm).decode("ascii") + "';\n").encode()
        licence = (zx / "LICENSE").read_bytes()
        both = "MIT (zxing-wasm), Apache-2.0 (zxing-cpp)"
        rows["zxing-reader.js"] = (
            *ZXING,
            integrity,
            "dist/iife/reader/index.js",
            reader,
            reader,
            "MIT",
            "unchanged",
        )
        rows["zxing-reader-wasm.js"] = (
            *ZXING,
            integrity,
            "dist/reader/zxing_reader.wasm",
            wasm,
            wasm_js,
            both,
            "base64 in window.TK_ZXING_WASM",
        )
        rows["LICENSE-zxing-wasm.txt"] = (*ZXING, integrity, "LICENSE", licence, licence, "MIT", "unchanged")
        nb, integrity = _pack(*NOBLE, work)
        module = (nb / "index.js").read_bytes()
        classic = noble_classic(module.decode("utf-8")).encode("utf-8")
        licence = (nb / "LICENSE").read_bytes()
        rows["noble-ed25519.js"] = (
            *NOBLE,
            integrity,
            "index.js",
            module,
            classic,
            "MIT",
            "export list -> globalThis.nobleEd25519, in a function scope",
        )
        rows["LICENSE-noble-ed25519.txt"] = (
            *NOBLE,
            integrity,
            "LICENSE",
            licence,
            licence,
            "MIT",
            "unchanged",
        )
    import zxingcpp  # the PyPI package of the same engine: its licence file

    dist = next(Path(zxingcpp.__file__).parent.parent.glob("zxing_cpp-*.dist-info"))
    cpp = (dist / "licenses" / "LICENSE").read_bytes()
    version = dist.name.removeprefix("zxing_cpp-").removesuffix(".dist-info")
    rows["LICENSE-zxing-cpp.txt"] = (
        ZXING_CPP_LICENSE[0],
        version,
        "",
        ZXING_CPP_LICENSE[1],
        cpp,
        cpp,
        ZXING_CPP_LICENSE[2],
        "unchanged",
    )
    for old in OUT.iterdir():
        old.unlink() if old.is_file() else shutil.rmtree(old)
    keys = ("package", "version", "npm_integrity", "source", "upstream_sha256", "sha256", "licence", "how")
    manifest = {}
    for name, (package, ver, integ, source, upstream, vendored, lic, how) in rows.items():
        (OUT / name).write_bytes(vendored)
        values = (package, ver, integ, source, _sha(upstream), _sha(vendored), lic, how)
        manifest[name] = dict(zip(keys, values, strict=True))
    (OUT / "VENDOR.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"vendored {len(rows)} files into {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
