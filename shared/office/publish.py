"""The published folder of a receiving office (docs/tiers.md): own files, the definition, what it received.

`<out>/<authority-id>/` holds the office's EML, PDF report, `summary.tks` and `key.tke`; `<out>/definition/`
the 110a and 230b as imported. The office also copies every summary it added up, with that authority's
enrolment record, into `<out>/<authority-id of the sender>/`, so that `verify` can follow the hash tree down
a tier even if the sender's own folder is missing; the bytes are the exact bytes received, so they are
identical to what the sender publishes itself. A part keyed from paper (`shared.office.keyed`) is written
there as `keyed.tkk`, the record whose digest the office's summary lists.

What an office cannot write itself — the lower tiers' EML (510b, 510c) and reports, published on their own
machines — `gather` copies from their published folders (`publish --gather DIR`), so a folder published by
the central office alone is complete for `telketen verify`. It copies a folder only when its `summary.tks` is
one the office added up or one of those summaries' parts (their digests), so nothing unvouched slips in; the
copied EML and PDFs are then checked by `verify` against the hashes their summary carries.

Last, `sign_published` writes the office's signed manifest (`<out>/<authority-id>/manifest.tkm`,
`shared.adapters.manifest`) over every file this publication wrote, the central office's whole site included,
so `verify` can name any published file that was deleted, changed or added since. What `gather` copies in is
covered by the lower bodies' own manifests, copied with their folders.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from shared.adapters.files import atomic_write_many
from shared.adapters.keyfiles import SigningKey, load_signing_key
from shared.adapters.manifest import publish_manifest
from shared.errors import InputError
from shared.formats.keyed import FILE_NAME as KEYED_FILE
from shared.formats.keyed import is_keyed
from shared.formats.signing import message_digest, split_signed
from shared.formats.summary import decode_summary
from shared.office.office import Office
from shared.office.setup import ENROLMENT_FILE

SUMMARY_FILE = "summary.tks"
KEY_FILE = "key.tke"


def write_published(office: Office, out: Path, own: dict[str, bytes]) -> list[Path]:
    """Write the office's `own` files (plus its key.tke), the definition and copies of what it consumed."""
    written = atomic_write_many(
        out / office.authority_id, {**own, KEY_FILE: (office.state_dir / ENROLMENT_FILE).read_bytes()}
    )
    definition = {}
    for kind in ("110a", "230b"):
        name, _, data = office.definition(kind)
        definition[name] = data
    for name, _, data in office.more_candidate_lists():
        definition[name] = data
    written += atomic_write_many(out / "definition", definition)
    enrolments = {
        str(who): bytes(rec)
        for who, rec in office.conn.execute("SELECT authority_id, record FROM register").fetchall()
    }
    for rec in office.book().counting():
        message = office.message(rec.digest)
        if is_keyed(message):  # typed from paper: no signed summary, no key of the sender
            written += atomic_write_many(out / rec.authority, {KEYED_FILE: message})
            continue
        received = {SUMMARY_FILE: message}
        if rec.authority in enrolments:
            received[KEY_FILE] = enrolments[rec.authority]
        written += atomic_write_many(out / rec.authority, received)
    return written


def _vouched(office: Office) -> dict[bytes, str]:
    """Digest -> authority of every summary the office added up and of each of their parts."""
    out: dict[bytes, str] = {}
    for rec in office.book().counting():
        out[rec.digest] = rec.authority
        message = office.message(rec.digest)
        if is_keyed(message):  # keyed from paper: a record of totals, no parts of its own
            continue
        summary = decode_summary(split_signed(message).summary_bytes)
        for child in summary.children:
            out[child.digest] = child.authority_id
    return out


def _authority_folders(sources: Sequence[Path]) -> Iterator[Path]:
    """Folders with a `summary.tks`: each source itself, or its sub-folders (a whole published folder)."""
    for src in sources:
        if not src.is_dir():
            raise InputError("not a folder of published files", where=str(src))
        if (src / SUMMARY_FILE).is_file():
            yield src
        else:
            yield from sorted(d for d in src.iterdir() if d.is_dir() and (d / SUMMARY_FILE).is_file())


def gather(office: Office, out: Path, sources: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Copy into `out/<authority>/` the lower tiers' published folders whose summary this office vouches for;
    return what was written and, in words, each folder left out and why."""
    vouched = _vouched(office)
    written: list[Path] = []
    skipped: list[str] = []
    for folder in _authority_folders(sources):
        try:
            files = {
                p.name: p.read_bytes()
                for p in sorted(folder.iterdir())
                if p.is_file() and not p.name.startswith(".")
            }
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", where=str(folder)) from None
        authority = vouched.get(message_digest(files[SUMMARY_FILE]))
        if authority is None:
            skipped.append(f"{folder}: its summary.tks is not one this office added up, nor a part of one")
            continue
        target = out / authority
        new: dict[str, bytes] = {}
        for name, data in files.items():
            present = target / name
            if not present.is_file():
                new[name] = data
            elif present.read_bytes() != data:
                raise InputError(f"differs from the already published {present}", where=str(folder / name))
        if new:
            written += atomic_write_many(target, new)
    return written, skipped


def log_published(office: Office, out: Path, written: list[Path], at: datetime | None = None) -> None:
    """The audit entry of a publication, once everything is written."""
    with office.transaction():
        office.log("published", {"folder": str(out), "files": [str(p) for p in written]}, at or office.now())


def office_key(office: Office, passphrase: bytes) -> SigningKey:
    """The office's signing key, unlocked before anything is written: a wrong passphrase publishes nothing."""
    return load_signing_key(office.key_path, passphrase)


def sign_published(out: Path, written: list[Path], key: SigningKey, at: datetime) -> Path:
    """Sign and write the office's manifest over `written` (its publication); returns the manifest's path."""
    return publish_manifest(out, key.enrolment, key.private_key, written, at=at.isoformat())
