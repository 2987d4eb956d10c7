"""Finalising a district: add up the accepted municipal summaries, write 510c, sign, print O 3.

The district total is the field-wise sum of the summaries that count in the book (Kieswet art. O 3: the
hoofdstembureau establishes the totals of its kieskring from the municipal reports). The office's own summary
lists the digest of every municipal summary it consumed and the SHA-256 of the 510c, so the summaries form a
hash tree from the central result down to each municipality's 510b. A later finalise after a corrigendum was
received is a corrigendum of this office too: its summary names the one it supersedes.
"""

from __future__ import annotations

import hashlib
import re

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hoofdstembureau.investigations import o3_lines, reported
from hoofdstembureau.office import Office
from hoofdstembureau.report import Consumed, o3_data, render_o3
from shared.adapters import audit
from shared.adapters.keyfiles import load_signing_key, read_key_file_public
from shared.domain.keyregister import Role, readable_fingerprint
from shared.domain.tally import Tally, add_tallies, check_internal
from shared.errors import StateError
from shared.formats import dutch
from shared.formats.eml.model import Count510
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510
from shared.formats.keyed import source_text
from shared.formats.signing import message_digest, open_signed, sign_summary
from shared.formats.summary import (
    SOURCES_VERSION,
    ChildDigest,
    ChildSource,
    Summary,
    counts_from_tally,
    encode_summary,
)
from shared.office.keyed import child_numbers


class Output(msgspec.Struct, frozen=True, kw_only=True):
    """What one finalise produced (also stored in the `outputs` table)."""

    phase: int
    digest: str
    eml_sha256: str
    eml_name: str
    pdf_name: str
    total: Tally
    warnings: tuple[str, ...] = ()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def counted_tallies(office: Office) -> list[tuple[str, bytes, int, Tally]]:
    """(municipality code, summary digest, phase, tally) of every part that counts, in district order."""
    return [(code, digest, phase, tally) for code, digest, phase, tally, _ in counted_parts(office)]


def counted_parts(office: Office) -> list[tuple[str, bytes, int, Tally, ChildSource]]:
    """Every part that counts, in district order, with where its numbers came from (scanned or keyed)."""
    register = office.register()
    out = []
    for rec in office.book().counting():
        tally, _, source = child_numbers(office.message(rec.digest), register, where=rec.authority)
        out.append((rec.authority, rec.digest, rec.phase, tally, source))
    return out


def previous_output(office: Office) -> tuple[int, bytes, list[str]] | None:
    """(phase, digest, consumed child digests) of the last summary this office produced, or None."""
    row = office.conn.execute(
        "SELECT phase, digest, signed_message FROM outputs ORDER BY phase DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    _, summary = open_signed(bytes(row[2]), lambda kid: _own_public_key(office, kid))
    return int(row[0]), bytes.fromhex(row[1]), [c.digest.hex() for c in summary.children]


def _own_public_key(office: Office, kid: bytes) -> Ed25519PublicKey | None:
    _, record = read_key_file_public(office.key_path)
    return Ed25519PublicKey.from_public_bytes(record.public_key) if record.key_id == kid else None


def finalise(office: Office, *, passphrase: bytes) -> Output:
    """Add up, write 510c, sign the summary, render O 3, and store it all in one transaction."""
    book = office.book()
    if not book.complete:
        names = ", ".join(f"{c} {office.municipality_name(c)}" for c in book.missing)
        raise StateError(f"not every municipality is in; missing: {names}", where="finalise")
    counted = counted_parts(office)
    parts = [(code, digest, phase, tally) for code, digest, phase, tally, _ in counted]
    previous = previous_output(office)
    children = [digest.hex() for _, digest, _, _ in parts]
    if previous is not None and previous[2] == children:
        raise StateError(
            f"already finalised (session {previous[0]}) with exactly these municipal summaries; "
            "nothing changed",
            where="finalise",
        )
    phase = 0 if previous is None else previous[0] + 1
    supersedes = b"" if previous is None else previous[1]
    at = office.now()
    election = office.election
    district_id = office.district_id
    total = add_tallies(((code, t) for code, _, _, t in parts), unit=office.authority_id)
    warnings = tuple(str(m) for m in check_internal(office.authority_id, total))
    units = [(code, office.municipality_name(code), t) for code, _, _, t in parts]
    district = election.district(district_id)
    count = Count510(
        message_id="510c",
        election=identifier_of(election),
        contest_id=district_id,
        contest_name=district.name,
        authority_id=office.authority_id,
        authority_name=office.meta("authority_name"),
        created=at.isoformat(),
        lists=layout_of(district),
        total=unit_votes(office.authority_id, office.meta("authority_name"), total),
        units=tuple(unit_votes(code, name, t) for code, name, t in units),
    )
    eml = write_510(count, election)
    eml_sha = hashlib.sha256(eml).hexdigest()
    key = load_signing_key(office.key_path, passphrase)
    summary = Summary(
        version=SOURCES_VERSION,
        election_id=election.id,
        district_id=district_id,
        role=Role.HOOFDSTEMBUREAU,
        authority_id=office.authority_id,
        phase=phase,
        supersedes=supersedes,
        issued_at=at.isoformat(),
        counts=counts_from_tally(total),
        eml_sha256=bytes.fromhex(eml_sha),
        children=[ChildDigest(authority_id=code, digest=digest) for code, digest, _, _ in parts],
        seats=[],
        sources=[source for *_, source in counted],
    )
    signed = sign_summary(encode_summary(summary), key.private_key)
    digest = message_digest(signed)
    district_slug = _slug(district.name or district_id)
    eml_name = f"Telling_{election.id}_kieskring_{district_slug}.eml.xml"
    pdf_name = f"Model_O3_{election.id}_kieskring_{district_id}.pdf"
    investigated, keyed = reported(
        [(code, office.municipality_name(code), office.message(d)) for code, d, *_ in counted],
        office.register(),
    )
    with office.transaction():
        seq, head_hash = audit.head(office.conn)
        data = o3_data(
            election,
            district_id,
            total,
            place=office.meta("place"),
            at=at,
            eml_sha256=eml_sha,
            consumed=[
                Consumed(
                    code=code,
                    name=office.municipality_name(code),
                    phase=ph,
                    digest=d.hex(),
                    source=source_text(source),
                )
                for code, d, ph, _, source in counted
            ],
            audit_head=f"regel {seq}, vingerafdruk {dutch.hash_groups(head_hash)}",
            investigated=o3_lines(investigated),
            keyed=keyed,
        )
        pdf = render_o3(
            data,
            signed,
            qr_title=f"Samenvatting O 3 — {office.meta('authority_name')}",
            qr_subtitle=f"{election.id}, kieskring {district_id}, "
            + ("eerste zitting" if phase == 0 else f"corrigendum {phase}")
            + f", sleutel {readable_fingerprint(key.record.key_id)}",
            at=at,
        )
        office.conn.execute(
            "INSERT INTO outputs (phase, created_at, digest, eml_sha256, signed_message, eml, eml_name, pdf, "
            "pdf_name) VALUES (?,?,?,?,?,?,?,?,?)",
            (phase, at.isoformat(), digest.hex(), eml_sha, signed, eml, eml_name, pdf, pdf_name),
        )
        office.log(
            "finalised",
            {
                "phase": phase,
                "summary_digest": digest.hex(),
                "supersedes": supersedes.hex(),
                "eml_sha256": eml_sha,
                "eml": eml_name,
                "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                "children": children,
                "previous_audit_head": head_hash,
            },
            at,
        )
    return Output(
        phase=phase,
        digest=digest.hex(),
        eml_sha256=eml_sha,
        eml_name=eml_name,
        pdf_name=pdf_name,
        total=total,
        warnings=warnings,
    )


def latest(office: Office) -> tuple[int, bytes, bytes, str, bytes, str]:
    """(phase, signed summary, 510c, its name, O 3 PDF, its name) of the latest finalise."""
    row = office.conn.execute(
        "SELECT phase, signed_message, eml, eml_name, pdf, pdf_name FROM outputs ORDER BY phase DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise StateError("not finalised yet; run finalise first")
    return int(row[0]), bytes(row[1]), bytes(row[2]), str(row[3]), bytes(row[4]), str(row[5])
