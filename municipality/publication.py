"""What a municipality publishes: its finalise output folder, complete for `<code>/` and signed as a whole.

The output of `finalise` is the folder the municipality publishes as `<code>/` (docs/tiers.md): its 510b, CSV,
report PDF, summary (`summary.tks`, the name `verify` and `publish --gather` look for), `key.tke`, the hash
codes, and — when given — the definition file it imported that it publishes itself (its 110b). The signed
manifest (`manifest.tkm`, `shared.formats.manifest`) lists every one of them under `<code>/`, so `verify` can
name a report that was deleted, replaced or edited after the municipality signed it.

A corrigendum's folder is published over the earlier one: the Na 31-2 stays published beside the Na 14-2. So
its manifest also lists the files of the previous finalise's manifest that the new output does not replace,
if they are still in that folder unchanged (the municipality still stands by them; a file changed since is
left out and `verify` names it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality.service import Service, sha256_hex
from shared.adapters.manifest import entry_of, signed_manifest
from shared.errors import InputError, TelketenError
from shared.formats.manifest import MANIFEST_FILE, ManifestEntry, open_manifest
from shared.formats.signing import key_id


def check_imported(svc: Service, also: Mapping[str, bytes]) -> None:
    """Each extra file must be one this municipality imported at init, byte for byte (name and SHA-256)."""
    imported = {(s.name, s.sha256) for s in svc.sources}
    for name, data in also.items():
        if (name, sha256_hex(data)) not in imported:
            raise InputError(
                "not a file imported at init (name and SHA-256 must be those of the 110b/110a/230b)",
                where=name,
            )


def with_manifest(
    svc: Service,
    files: Mapping[str, bytes],
    enrolment: bytes,
    private_key: Ed25519PrivateKey,
    *,
    at: datetime,
    also: Mapping[str, bytes],
) -> dict[str, bytes]:
    """`files` with the imported files in `also` and the manifest signing all of them."""
    check_imported(svc, also)
    published = {**files, **also}
    code = svc.municipality.code
    entries = [entry_of(f"{code}/{name}", data) for name, data in published.items()]
    entries += earlier_entries(svc, private_key, {e.path for e in entries})
    return {**published, MANIFEST_FILE: signed_manifest(enrolment, private_key, at.isoformat(), entries)}


def earlier_entries(svc: Service, private_key: Ed25519PrivateKey, replaced: set[str]) -> list[ManifestEntry]:
    """The entries of the previous finalise's manifest not in `replaced` whose files are still unchanged in
    that finalise's folder (nothing when there was none, or its folder or manifest is gone or not ours)."""
    row = svc.conn.execute("SELECT folder FROM outputs ORDER BY session DESC LIMIT 1").fetchone()
    if row is None:
        return []
    folder = Path(row[0])
    own = private_key.public_key()
    try:
        message = (folder / MANIFEST_FILE).read_bytes()
        _, earlier = open_manifest(message, lambda kid: own if kid == key_id(own) else None)
    except (OSError, TelketenError):
        return []
    kept = []
    for entry in earlier.files:
        if entry.path in replaced:
            continue
        try:
            data = (folder / entry.path.rpartition("/")[2]).read_bytes()
        except OSError:
            continue
        if entry_of(entry.path, data) == entry:
            kept.append(entry)
    return kept
