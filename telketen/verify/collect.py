"""Read a published folder: every EML file, signed summary, enrolment record, PDF and osv4-3 CSV, by content.

Why by content, not by name: anyone may have renamed or re-arranged the files they downloaded; what a file
*is* is decided by its bytes (EML message id, the TKS/TKE magic, %PDF, the first cell of an osv4-3 CSV). A
byte-order mark says nothing: the municipality's CSV starts with one as much as an XML file may. The folder
a file sits in still matters for one thing: the published layout (docs/tiers.md) puts an issuer's EML,
`summary.tks` and `key.tke` (and a municipality's CSV) together in `<authority-id>/`, which is how a summary
is tied to the file it vouches for.

A PDF is read for the QR sheets that close it (the signed summary as it went on paper to the next tier),
straight from the symbols embedded in the file; `telketen.verify.paper` compares them with the summaries.

A file that cannot be read is a finding, not an abort: the verifier goes on and lists everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import msgspec

from shared.adapters.qr_pdf import read_embedded_sheets
from shared.errors import TelketenError
from shared.formats.eml.model import (
    CandidateLists230b,
    Count510,
    Definition110a,
    PollingStations110b,
    Result520,
)
from shared.formats.eml.read import read_eml
from shared.formats.keyed import is_keyed
from shared.formats.manifest import is_manifest
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


class Paper(msgspec.Struct, frozen=True, kw_only=True):
    """A published PDF and what its QR sheets carry: the complete messages, and what is wrong with others."""

    file: str
    folder: str
    messages: tuple[bytes, ...]
    partial: tuple[str, ...]


class Published(msgspec.Struct, kw_only=True):
    """Everything found under the folder, sorted by path so the report is the same on every machine."""

    root: str
    emls: list[Eml] = msgspec.field(default_factory=list)
    summaries: list[Blob] = msgspec.field(default_factory=list)
    enrolments: list[Blob] = msgspec.field(default_factory=list)
    deceased: list[Blob] = msgspec.field(default_factory=list)
    keyed: list[Blob] = msgspec.field(default_factory=list)
    csvs: list[Blob] = msgspec.field(default_factory=list)
    manifests: list[Blob] = msgspec.field(default_factory=list)
    papers: list[Paper] = msgspec.field(default_factory=list)

    def of_type(self, kind: type[object]) -> list[Eml]:
        return [e for e in self.emls if isinstance(e.message, kind)]


#: From this many bytes of XML on, files are read by worker processes: below it, starting them costs more than
#: it saves (a national folder holds ~1 GB of 510b; a test folder a few MB).
PARALLEL_FROM = 48 * 1024 * 1024
#: At most this many workers: the verifier is meant to run on an ordinary laptop (2 cores measured).
MAX_WORKERS = 2


class _Read(msgspec.Struct, frozen=True, kw_only=True):
    """One file as read (here or in a worker): what it is, and its contents or why it is unreadable."""

    kind: str
    sha256: bytes = b""
    data: bytes = b""
    message: Definition110a | PollingStations110b | CandidateLists230b | Count510 | Result520 | None = None
    problem: tuple[str, str, str] | None = None  # (field, expected, found) of a `file` finding
    qr_messages: tuple[bytes, ...] = ()  # a PDF: the complete messages of its QR sheets
    qr_partial: tuple[str, ...] = ()  # a PDF: its incomplete messages and refused symbols, described


_BOM = b"\xef\xbb\xbf"
#: How an osv4-3 CSV begins (shared.formats.eml.csv), after its byte-order mark.
OSV43_START = b'"Verkiezing";'
#: How an EML file begins, after an optional byte-order mark and white space: a declaration or the root.
_XML_START = re.compile(rb"<(\?xml|([A-Za-z_][\w.-]*:)?EML[\s>/])")


def _text_kind(data: bytes, name: str) -> str:
    """ "osv4-3", "xml" or "other", from the first bytes after a byte-order mark (and the name for .xml)."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    head = data[start : start + 256]
    if head.startswith(OSV43_START):
        return "osv4-3"
    if name.lower().endswith(".xml") or _XML_START.match(head.lstrip()):
        return "xml"
    return "other"


def _read_one(path: str, rel: str) -> _Read:
    """Read, hash and, for EML, parse one file; pure but for reading `path` (so it can run in a worker)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE:
            return _Read(kind="error", problem=("size", f"at most {MAX_FILE} bytes", str(size)))
        data = p.read_bytes()
    except OSError as exc:
        return _Read(kind="error", problem=("readable", "a readable file", exc.strerror or str(exc)))
    sha = hashlib.sha256(data).digest()
    head = data[:5]
    if head.startswith(SUMMARY_MAGIC):
        return _Read(kind="summary", sha256=sha, data=data)
    if head.startswith(ENROLMENT_MAGIC):
        return _Read(kind="enrolment", sha256=sha, data=data)
    if is_keyed(head):
        return _Read(kind="keyed", sha256=sha, data=data)
    if is_manifest(head):
        return _Read(kind="manifest", sha256=sha, data=data)
    if p.name == DECEASED_FILE:
        return _Read(kind="deceased", sha256=sha, data=data)
    if head.startswith(b"%PDF"):
        return _read_pdf(data, sha, rel)
    kind = _text_kind(data, p.name)
    if kind == "osv4-3":
        return _Read(kind=kind, sha256=sha, data=data)
    if kind == "xml":
        try:
            message = read_eml(data, rel)  # one parse: the reader dispatches on the message id
        except TelketenError as exc:
            return _Read(kind="error", problem=("EML", "a readable EML_NL file", exc.message))
        kind = message.message_id if isinstance(message, Count510) else message.header.message_id
        return _Read(kind=kind, sha256=sha, message=message)
    return _Read(kind="other", sha256=sha)


def _read_pdf(data: bytes, sha: bytes, rel: str) -> _Read:
    """A PDF with the messages of its QR sheets, read from the embedded symbols (`shared.adapters.qr_pdf`)."""
    try:
        scan = read_embedded_sheets(data, where=rel)
    except TelketenError as exc:
        return _Read(kind="error", problem=("PDF", "a PDF that opens", exc.message))
    partial = []
    for msg_id, missing in scan.missing.items():
        if missing:
            total = scan.reassembler.count(msg_id)
            partial.append(f"message {msg_id.hex()}: {total - len(missing)} of {total} QR codes")
    partial.extend(f"refused: {reason}" for reason in scan.rejected)
    return _Read(kind="pdf", sha256=sha, qr_messages=tuple(scan.messages.values()), qr_partial=tuple(partial))


def _xml_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.suffix.lower() == ".xml":
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def _read_all(paths: list[Path], rels: list[str], workers: int | None) -> Iterator[_Read]:
    """Every file read, in the given order; by worker processes when the folder is large enough."""
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1) if _xml_bytes(paths) >= PARALLEL_FROM else 1
    if workers <= 1 or len(paths) < 2 or threading.active_count() > 1:
        yield from map(_read_one, map(str, paths), rels)
        return
    # fork where there is one: nothing to re-import; and only from a single-threaded process (checked above),
    # so no lock held by another thread is inherited
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_read_one, map(str, paths), rels, chunksize=4)


def collect(root: Path, report: Report, *, workers: int | None = None) -> Published:
    """Read every file under `root`; unreadable or unknown files become findings of check `file`.

    `workers`: processes that read the files (None: up to two, when there is enough XML to be worth it)."""
    published = Published(root=str(root))
    paths = [p for p in sorted(p for p in root.rglob("*") if p.is_file()) if not p.name.startswith(".")]
    rels = [p.relative_to(root).as_posix() for p in paths]
    for path, rel, read in zip(paths, rels, _read_all(paths, rels, workers), strict=True):
        folder = path.parent.relative_to(root).as_posix()
        if read.problem is not None:
            report.add("file", rel, "-", *read.problem)
            continue
        if read.kind in ("summary", "enrolment", "deceased", "keyed", "osv4-3", "manifest"):
            blobs = {
                "summary": published.summaries,
                "enrolment": published.enrolments,
                "keyed": published.keyed,
                "osv4-3": published.csvs,
                "manifest": published.manifests,
            }.get(read.kind, published.deceased)
            blobs.append(Blob(file=rel, folder=folder, data=read.data))
        elif read.kind == "pdf":
            published.papers.append(
                Paper(file=rel, folder=folder, messages=read.qr_messages, partial=read.qr_partial)
            )
        elif read.message is not None:
            published.emls.append(Eml(file=rel, folder=folder, sha256=read.sha256, message=read.message))
        report.files.append(FileInfo(file=rel, kind=read.kind, sha256=read.sha256.hex()))
    return published
