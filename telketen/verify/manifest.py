"""What a person reads: every published file against the signed manifests of the bodies that published it.

The summary tree vouches for the numbers; the manifests (`shared.formats.manifest`) vouch for the files — the
report PDFs, the results site, the definition files each body used, everything in the folder. Each
manifest's signature must hold under its body's published enrolment, checked exactly as a summary's key is
(role, authority, election, district, and the election of the definition); it must sit in its body's own
folder; every file it lists must be there with its size and SHA-256; every body with a signed summary must
have one; and every file in the folder must be listed by some body's manifest, so a deleted, changed or added
file (an injected script or page) is a finding that names it.

A set with no signature, summary or manifest at all (the Kiesraad's own files) is not checked here: it was
never signed (`report.signed`).
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.adapters.manifest import file_digest
from shared.domain.election import Election
from shared.domain.keyregister import EnrolmentRecord, readable_fingerprint
from shared.errors import TelketenError
from shared.formats.manifest import MANIFEST_FILE, Manifest, manifest_key_id, open_manifest
from shared.formats.signing import open_enrolment
from telketen.verify.collect import Blob, Published
from telketen.verify.findings import Report
from telketen.verify.tree import VerifiedSummary


def _enrolled(published: Published) -> dict[bytes, EnrolmentRecord]:
    """Key id -> record of every published enrolment whose self-signature holds (the others are `signature`
    findings of the tree check already)."""
    out: dict[bytes, EnrolmentRecord] = {}
    for blob in published.enrolments:
        try:
            record = open_enrolment(blob.data, where=blob.file)
        except TelketenError:
            continue
        out.setdefault(record.key_id, record)
    return out


def _opened(
    blob: Blob, keys: dict[bytes, EnrolmentRecord], election: Election | None, report: Report
) -> Manifest | None:
    """The manifest if its signature holds under its body's enrolment and names that body; else findings."""
    try:
        kid = manifest_key_id(blob.data, where=blob.file)
        record = keys.get(kid)
        if record is None:
            report.add(
                "manifest",
                blob.file,
                "-",
                "key",
                "an enrolment record (.tke) published for this key",
                f"none for {readable_fingerprint(kid)}",
            )
            return None
        public = Ed25519PublicKey.from_public_bytes(record.public_key)
        _, manifest = open_manifest(blob.data, lambda k: public if k == kid else None, where=blob.file)
    except TelketenError as exc:
        report.add("manifest", blob.file, "-", "signed manifest", "a valid signed manifest", exc.message)
        return None
    wrong = False
    for field, claimed, enrolled in (
        ("role", str(manifest.role), str(record.role)),
        ("authority", manifest.authority_id, record.authority_id),
        ("election", manifest.election_id, record.election_id),
        ("district", manifest.district_id, record.district_id or manifest.district_id),
    ):
        if claimed != enrolled:
            wrong = True
            report.add(
                "manifest",
                blob.file,
                manifest.authority_id,
                f"{field} (as enrolled for this key)",
                enrolled,
                claimed,
            )
    if election is not None and manifest.election_id != election.id:
        wrong = True
        report.add(
            "manifest", blob.file, manifest.authority_id, "election", election.id, manifest.election_id
        )
    if blob.folder != manifest.authority_id:
        wrong = True
        report.add(
            "manifest",
            blob.file,
            manifest.authority_id,
            "folder of the manifest",
            f"{manifest.authority_id}/ (the folder of the body that signed it)",
            f"{blob.folder}/",
        )
    return None if wrong else manifest


def _digest(file: Path) -> tuple[int, bytes] | None:
    """(size, SHA-256) of a file, or None when it cannot be read."""
    try:
        return file_digest(file)
    except OSError:
        return None


def check_manifests(
    root: Path,
    published: Published,
    election: Election | None,
    summaries: list[VerifiedSummary],
    report: Report,
) -> None:
    """Every manifest, every file it lists, a manifest for every body, and every file in some manifest."""
    if not report.signed and not published.manifests:
        return
    keys = _enrolled(published)
    known = {f.file: bytes.fromhex(f.sha256) for f in report.files}
    covered: set[str] = set()
    bodies: dict[str, str] = {}
    for blob in published.manifests:
        report.count("manifest")
        manifest = _opened(blob, keys, election, report)
        if manifest is None:
            continue
        if manifest.authority_id in bodies:
            report.add(
                "manifest",
                blob.file,
                manifest.authority_id,
                "signed manifest",
                "one per body",
                f"also {bodies[manifest.authority_id]}",
            )
            continue
        bodies[manifest.authority_id] = blob.file
        for entry in manifest.files:
            report.count("manifest")
            covered.add(entry.path)
            where = f"file in the manifest of {manifest.authority_id} ({blob.file})"
            file = root / entry.path
            found = _digest(file) if entry.path not in known and file.is_file() else None
            if entry.path in known:
                size, sha = file.stat().st_size, known[entry.path]
            elif found is not None:
                size, sha = found
            else:
                report.add("manifest", entry.path, manifest.authority_id, where, "published", "missing")
                continue
            if (size, sha) != (entry.size, entry.sha256):
                report.add(
                    "manifest",
                    entry.path,
                    manifest.authority_id,
                    f"SHA-256 of the {where}",
                    f"{entry.sha256.hex()} ({entry.size} bytes)",
                    f"{sha.hex()} ({size} bytes)",
                )
    for authority in sorted({v.summary.authority_id for v in summaries} - set(bodies)):
        report.count("manifest")
        report.add(
            "manifest",
            f"{authority}/{MANIFEST_FILE}",
            authority,
            "signed manifest of the published files",
            "published and valid",
            "missing",
        )
    manifests = {blob.file for blob in published.manifests}
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = file.relative_to(root).as_posix()
        if rel in manifests:
            continue
        report.count("manifest")
        if rel not in covered:
            report.add("manifest", rel, "-", "listed in a body's signed manifest", "listed", "in no manifest")
