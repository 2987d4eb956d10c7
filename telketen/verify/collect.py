"""Read a published folder: every EML file, signed summary, enrolment record and PDF, by content, not by name.

Why by content: anyone may have renamed or re-arranged the files they downloaded; what a file *is* is decided
by its bytes (EML message id, the TKS/TKE magic, %PDF). The folder a file sits in still matters for one thing:
the published layout (docs/tiers.md) puts an issuer's EML, `summary.tks` and `key.tke` together in
`<authority-id>/`, which is how a summary is tied to the file it vouches for.

A file that cannot be read is a finding, not an abort: the verifier goes on and lists everything.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec

from shared.errors import TelketenError
from shared.formats.eml.model import (
    CandidateLists230b,
    Count510,
    Definition110a,
    PollingStations110b,
    Result520,
)
from shared.formats.eml.read import read_eml
from shared.formats.signing import ENROLMENT_MAGIC, SUMMARY_MAGIC
from telketen.verify.findings import FileInfo, Report

#: The central office's list of deceased candidates (Kieswet P 19a), which the 520 cannot express.
DECEASED_FILE = "deceased.json"
#: Files larger than this are not read (no published file comes near; a 510b of Amsterdam is ~60 MB).
MAX_FILE = 512 * 1024 * 1024


class Eml(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed EML file with where it was and the SHA-256 of its exact bytes."""

    file: str
    folder: str
    sha256: bytes
    message: Definition110a | PollingStations110b | CandidateLists230b | Count510 | Result520


class Blob(msgspec.Struct, frozen=True, kw_only=True):
    """A signed summary or enrolment record as published (checked later, never trusted here)."""

    file: str
    folder: str
    data: bytes


class Published(msgspec.Struct, kw_only=True):
    """Everything found under the folder, sorted by path so the report is the same on every machine."""

    root: str
    emls: list[Eml] = msgspec.field(default_factory=list)
    summaries: list[Blob] = msgspec.field(default_factory=list)
    enrolments: list[Blob] = msgspec.field(default_factory=list)
    deceased: list[Blob] = msgspec.field(default_factory=list)

    def of_type(self, kind: type[object]) -> list[Eml]:
        return [e for e in self.emls if isinstance(e.message, kind)]


def collect(root: Path, report: Report) -> Published:
    """Read every file under `root`; unreadable or unknown files become findings of check `file`."""
    published = Published(root=str(root))
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        folder = path.parent.relative_to(root).as_posix()
        if path.name.startswith("."):
            continue
        try:
            if path.stat().st_size > MAX_FILE:
                report.add("file", rel, "-", "size", f"at most {MAX_FILE} bytes", path.stat().st_size)
                continue
            data = path.read_bytes()
        except OSError as exc:
            report.add("file", rel, "-", "readable", "a readable file", exc.strerror or str(exc))
            continue
        sha = hashlib.sha256(data).digest()
        head = data[:5]
        if head.startswith(SUMMARY_MAGIC):
            published.summaries.append(Blob(file=rel, folder=folder, data=data))
            report.files.append(FileInfo(file=rel, kind="summary", sha256=sha.hex()))
        elif head.startswith(ENROLMENT_MAGIC):
            published.enrolments.append(Blob(file=rel, folder=folder, data=data))
            report.files.append(FileInfo(file=rel, kind="enrolment", sha256=sha.hex()))
        elif path.name == DECEASED_FILE:
            published.deceased.append(Blob(file=rel, folder=folder, data=data))
            report.files.append(FileInfo(file=rel, kind="deceased", sha256=sha.hex()))
        elif head.startswith(b"%PDF"):
            report.files.append(FileInfo(file=rel, kind="pdf", sha256=sha.hex()))
        elif path.suffix.lower() == ".xml" or head.startswith((b"<?xml", b"<EML", b"\xef\xbb\xbf")):
            try:
                message = read_eml(data, rel)  # one parse: the reader dispatches on the message id
            except TelketenError as exc:
                report.add("file", rel, "-", "EML", "a readable EML_NL file", exc.message)
                continue
            published.emls.append(Eml(file=rel, folder=folder, sha256=sha, message=message))
            kind = message.message_id if isinstance(message, Count510) else message.header.message_id
            report.files.append(FileInfo(file=rel, kind=kind, sha256=sha.hex()))
        else:
            report.files.append(FileInfo(file=rel, kind="other", sha256=sha.hex()))
    return published
