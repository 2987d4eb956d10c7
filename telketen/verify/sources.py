"""Where each part of a district or central total came from: scanned and signed, or keyed from paper.

A hoofdstembureau's summary (format version 2) says per child whether its numbers came from the child's
signed summary (under which key) or were typed twice from the paper report (by whom; `keyed.tkk`, published
where the child's summary would be). Verify reports that for every part, and checks that it holds: a
scanned part's key is the key of the published summary its digest names, a keyed part's digest is that of a
published keyed record of the same body typed by the same two users. A keyed part is never silently mixed in.
"""

from __future__ import annotations

import hashlib

from shared.errors import TelketenError
from shared.formats.eml.model import Count510
from shared.formats.keyed import KeyedPart, decode_keyed, source_text
from shared.formats.signing import message_digest, split_signed
from shared.formats.summary import Summary
from telketen.verify.collect import Published
from telketen.verify.findings import PartSource, Report


def keyed_parts(published: Published, report: Report) -> dict[bytes, tuple[str, KeyedPart]]:
    """Every published keyed record that reads, by its SHA-256 (the digest its parent lists)."""
    out: dict[bytes, tuple[str, KeyedPart]] = {}
    for blob in published.keyed:
        report.count("hash")
        try:
            part = decode_keyed(blob.data, where=blob.file)
        except TelketenError as exc:
            report.add("hash", blob.file, "-", "keyed part", "a readable keyed record", exc.message)
            continue
        out[hashlib.sha256(blob.data).digest()] = (blob.file, part)
        _check_typed_hash(published, blob.folder, blob.file, part, report)
    return out


def _check_typed_hash(published: Published, folder: str, file: str, part: KeyedPart, report: Report) -> None:
    """Where the typists typed the hash printed on the paper report, the 510b published beside the keyed
    record (the municipality's own) must be that file: the paper and the file are the same count."""
    if not part.eml_sha256:
        return
    counts = [f for f in published.emls if f.folder == folder and isinstance(f.message, Count510)]
    if not counts:
        return  # the municipality published no 510b (other software, or not yet): nothing to compare
    report.count("hash")
    if not any(f.sha256 == part.eml_sha256 for f in counts):
        names = " or ".join(f.file for f in counts)
        report.add("hash", file, part.authority_id, f"typed EML hash (SHA-256 of {names})",
                   " or ".join(f.sha256.hex() for f in counts), part.eml_sha256.hex())  # fmt: skip


def check_sources(
    published: Published,
    parents: list[tuple[str, str, Summary]],
    keyed: dict[bytes, tuple[str, KeyedPart]],
    report: Report,
) -> None:
    """Record and check the declared source of every child of every summary in `parents` ((file,
    authority, Summary) of the verified summaries)."""
    key_of = {message_digest(b.data): _key_id(b.data) for b in published.summaries}
    for file, authority, summary in parents:
        for child, source in zip(summary.children, summary.sources, strict=False):
            report.count("hash")
            report.sources.append(
                PartSource(parent=authority, unit=child.authority_id, source=source_text(source))
            )
            if source.keyed:
                part = keyed.get(child.digest)
                found = (
                    "no published keyed.tkk with this digest"
                    if part is None
                    else (f"keyed by {' and '.join(part[1].keyed_by)}")
                )
                if (
                    part is None
                    or part[1].keyed_by != source.keyed_by
                    or part[1].authority_id != child.authority_id
                ):
                    report.add("hash", file, child.authority_id, "source (keyed part)",
                               f"keyed by {' and '.join(source.keyed_by)}", found)  # fmt: skip
            elif key_of.get(child.digest) not in (None, source.key_id):
                report.add("hash", file, child.authority_id, "source (scanned, key)",
                           source.key_id.hex(), (key_of[child.digest] or b"").hex())  # fmt: skip


def _key_id(data: bytes) -> bytes | None:
    try:
        return split_signed(data, where="summary").key_id
    except TelketenError:
        return None
