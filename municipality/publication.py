"""What a municipality publishes: its finalise output folder, complete for `<code>/` and signed as a whole.

The output of `finalise` is the folder the municipality publishes as `<code>/` (docs/tiers.md): its 510b, CSV,
report PDF, summary (`summary.tks`, the name `verify` and `publish --gather` look for), `key.tke`, the hash
codes, and — when given — the definition file it imported that it publishes itself (its 110b). The signed
manifest (`manifest.tkm`, `shared.formats.manifest`) lists every one of them under `<code>/`, so `verify` can
name a report that was deleted, replaced or edited after the municipality signed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality.service import Service, sha256_hex
from shared.adapters.manifest import entry_of, signed_manifest
from shared.errors import InputError
from shared.formats.manifest import MANIFEST_FILE


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
    return {**published, MANIFEST_FILE: signed_manifest(enrolment, private_key, at.isoformat(), entries)}
