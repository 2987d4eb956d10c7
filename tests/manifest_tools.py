"""Sign the manifests of a published folder built by a test, as the bodies themselves would at publish.

Tests that lay out a published folder by hand (`tests/test_verify.py`'s Publisher, the forgeries of
`tests/test_verify_checks.py`) model bodies that sign what they publish: each body's manifest lists the files
of its own folder `<authority>/` (its `key.tke` names it); the central office's (or, without one, the first
body's) also lists the folders no body owns (`definition/`, `site/`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.manifest import entry_on_disk, signed_manifest
from shared.formats.manifest import MANIFEST_FILE
from shared.formats.signing import open_enrolment

AT = "2026-03-18T22:00:00+01:00"


def seal_manifests(root: Path, key_of: Callable[[str], Ed25519PrivateKey]) -> None:
    """(Re)write every body's `manifest.tkm` over the files now under `root`, signed by `key_of(body)`."""
    owners: dict[str, bytes] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        tke = folder / "key.tke"
        if tke.is_file() and open_enrolment(tke.read_bytes()).authority_id == folder.name:
            owners[folder.name] = tke.read_bytes()
    if not owners:
        return
    root_body = "CSB" if "CSB" in owners else sorted(owners)[0]
    files: dict[str, list[Path]] = {name: [] for name in owners}
    for file in sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_FILE):
        top = file.relative_to(root).parts[0]
        files[top if top in owners else root_body].append(file)
    for name, enrolment in owners.items():
        entries = [entry_on_disk(root, f) for f in files[name]]
        message = signed_manifest(enrolment, key_of(name), AT, entries)
        (root / name / MANIFEST_FILE).write_bytes(message)
