"""Write a body's signed manifest (`shared.formats.manifest`) of the files it published, as the last step.

Every tier calls this once its files are written: the municipality at finalise (its output folder is what it
publishes, under `<code>/`), the hoofdstembureau and the central office at `publish` (the central office after
its results site is built, so the site is covered as it was written). The manifest goes into the body's own
folder, atomically, after everything it lists: a crash before leaves the previous manifest in place.

A later publication by the same body (a corrigendum) keeps the files of its earlier manifest that are still
there unchanged — the Na 31-2 stays published beside the Na 14-2 — so nothing the body once vouched for drops
out; a file found changed since is not carried over (verify then names it as not covered).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.adapters.files import atomic_write
from shared.domain.keyregister import EnrolmentRecord
from shared.errors import EnvironmentProblem, InputError, TelketenError
from shared.formats.manifest import (
    MANIFEST_FILE,
    Manifest,
    ManifestEntry,
    open_manifest,
    path_problem,
    sign_manifest,
)
from shared.formats.signing import key_id, open_enrolment, raw_public_key


def entry_of(path: str, data: bytes) -> ManifestEntry:
    """The entry of a file held in memory, at `path` under the published folder."""
    return ManifestEntry(path=path, size=len(data), sha256=hashlib.sha256(data).digest())


def file_digest(file: Path) -> tuple[int, bytes]:
    """(size, SHA-256) of a file, read in chunks (a national 510b is tens of MB); OSError when unreadable."""
    with file.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
        return fh.tell(), digest.digest()


def entry_on_disk(root: Path, file: Path) -> ManifestEntry:
    """The entry of a file under `root`."""
    try:
        size, sha256 = file_digest(file)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read: {exc.strerror}", where=str(file)) from None
    return ManifestEntry(path=file.relative_to(root).as_posix(), size=size, sha256=sha256)


def build_manifest(record: EnrolmentRecord, at: str, entries: Iterable[ManifestEntry]) -> Manifest:
    """The manifest of `entries` for the body of `record` (role, authority, election, district as
    enrolled)."""
    by_path: dict[str, ManifestEntry] = {}
    for entry in entries:
        problem = path_problem(entry.path)
        if problem is not None:
            raise InputError(f"{problem}: {entry.path!r}", where="manifest")
        if by_path.setdefault(entry.path, entry) != entry:
            raise InputError(f"two different files at {entry.path}", where="manifest")
    return Manifest(
        election_id=record.election_id,
        role=record.role,
        authority_id=record.authority_id,
        district_id=record.district_id,
        issued_at=at,
        files=[by_path[p] for p in sorted(by_path)],
    )


def signed_manifest(
    enrolment: bytes, private_key: Ed25519PrivateKey, at: str, entries: Iterable[ManifestEntry]
) -> bytes:
    """The signed manifest, for the body whose enrolment record (`.tke`) belongs to `private_key`."""
    record = open_enrolment(enrolment, where="enrolment record")
    if record.public_key != raw_public_key(private_key):
        raise InputError("the enrolment record is not for this signing key", where="manifest")
    return sign_manifest(build_manifest(record, at, entries), private_key)


def _still_published(root: Path, previous: Path, private_key: Ed25519PrivateKey) -> list[ManifestEntry]:
    """The entries of the body's own earlier manifest whose files are still there with the same bytes."""
    try:
        message = previous.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read: {exc.strerror}", where=str(previous)) from None
    own: Ed25519PublicKey = private_key.public_key()

    def lookup(kid: bytes) -> Ed25519PublicKey | None:
        return own if kid == key_id(own) else None

    try:
        _, manifest = open_manifest(message, lookup, where=str(previous))
    except TelketenError:
        return []  # not ours, or damaged: vouch only for what is published now
    kept = []
    for entry in manifest.files:
        file = root / entry.path
        if file.is_file() and entry_on_disk(root, file) == entry:
            kept.append(entry)
    return kept


def publish_manifest(
    root: Path,
    enrolment: bytes,
    private_key: Ed25519PrivateKey,
    files: Iterable[Path],
    *,
    at: str,
    extra: Mapping[str, bytes] | None = None,
) -> Path:
    """Sign and write `<root>/<authority>/manifest.tkm` over `files` (paths under `root`, read from disk),
    `extra` (path -> bytes) and what the body's earlier manifest still vouches for."""
    record = open_enrolment(enrolment, where="enrolment record")
    target = root / record.authority_id / MANIFEST_FILE
    listed = {p.resolve() for p in files}
    fresh = [entry_on_disk(root.resolve(), p) for p in sorted(listed) if p.name != MANIFEST_FILE]
    fresh += [entry_of(path, data) for path, data in (extra or {}).items()]
    new_paths = {e.path for e in fresh}
    kept = [e for e in _still_published(root, target, private_key) if e.path not in new_paths]
    message = signed_manifest(enrolment, private_key, at, [*fresh, *kept])
    return atomic_write(target, message)


__all__ = ["MANIFEST_FILE", "entry_of", "entry_on_disk", "publish_manifest", "signed_manifest"]
