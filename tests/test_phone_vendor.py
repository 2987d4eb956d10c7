"""The phone check's vendored browser libraries are exactly the files VENDOR.json names, with their licences.

The files come from the npm registry (scripts/vendor_phone.py); the repo never fetches them at build or run
time, so what is committed must be what the manifest says was fetched: a changed or extra byte fails here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scripts.vendor_phone import noble_classic

VENDOR = Path(__file__).resolve().parents[1] / "central" / "site" / "controle" / "vendor"


def _manifest() -> dict[str, dict[str, str]]:
    manifest: dict[str, dict[str, str]] = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    return manifest


def test_every_vendored_file_matches_its_manifest_entry() -> None:
    manifest = _manifest()
    on_disk = {p.name for p in VENDOR.iterdir() if p.is_file()} - {"VENDOR.json"}
    assert on_disk == set(manifest), "a vendored file is missing from VENDOR.json, or listed but absent"
    for name, entry in manifest.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == entry["sha256"], name
        if entry["how"] == "unchanged":
            assert entry["sha256"] == entry["upstream_sha256"], name
        assert entry["package"] and entry["version"] and entry["licence"], name


def test_each_vendored_package_ships_its_licence() -> None:
    manifest = _manifest()
    packages = {e["package"] for name, e in manifest.items() if not name.startswith("LICENSE-")}
    licences = {e["package"] for name, e in manifest.items() if name.startswith("LICENSE-")}
    assert packages <= licences
    assert "zxing-cpp" in licences  # the engine compiled into zxing-wasm's .wasm: Apache-2.0
    assert "Apache License" in (VENDOR / "LICENSE-zxing-cpp.txt").read_text(encoding="utf-8")


def test_the_wasm_is_the_one_the_zxing_build_names() -> None:
    """zxing-wasm's reader names the SHA-256 of the .wasm it was built with; the vendored bytes are those."""
    entry = _manifest()["zxing-reader-wasm.js"]
    reader = (VENDOR / "zxing-reader.js").read_text(encoding="utf-8")
    assert f"ZXING_WASM_SHA256=`{entry['upstream_sha256']}`" in reader


def test_noble_becomes_a_classic_script_or_the_script_stops() -> None:
    module = "const x = 1;\nfunction verify() {}\n// the export below\nexport { verify, x };\n"
    classic = noble_classic(module)
    assert "export" not in classic.replace("// the export below", "")
    assert classic.startswith("(function () {") and classic.rstrip().endswith("})();")
    assert "globalThis.nobleEd25519 = Object.freeze({ verify, x });" in classic
    with pytest.raises(SystemExit):
        noble_classic(module + "export { y };\n")
    with pytest.raises(SystemExit):
        noble_classic("export default 1;\n")
