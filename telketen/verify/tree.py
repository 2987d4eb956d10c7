"""Every signature and every hash of the summary tree, from the central result down to each municipality.

A signed summary (`.tks`) is checked against the enrolment record (`.tke`) published with it: layout, key,
the Ed25519 signature over the exact bytes, and only then its contents. Its key's record must name the same
body (role, authority, election, district) as the summary. Then the tree: `eml_sha256` must be the SHA-256 of
the EML file published beside it in its folder, its counts must be that file's totals, and `children` must be
exactly the digests of the published summaries of the bodies it added up — every municipality of a district
for a hoofdstembureau, every district (or, for a municipal council, the municipality) for the central office.

The fingerprints are reported, because a valid self-signature only proves someone holds the key: whose key it
is, a person decides by comparing the fingerprint with the signed paper letter (ARCHITECTURE §1).
"""

from __future__ import annotations

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.domain.election import Election
from shared.domain.keyregister import EnrolmentRecord, readable_fingerprint
from shared.domain.tally import compare_tallies
from shared.errors import TelketenError
from shared.formats.eml.model import Count510, Result520
from shared.formats.keyed import KeyedPart
from shared.formats.signing import message_digest, open_enrolment, split_signed, verify_parts
from shared.formats.summary import Summary, decode_summary, tally_from_counts
from telketen.verify.collect import Blob, Eml, Published
from telketen.verify.findings import KeyInfo, Report
from telketen.verify.sources import check_sources, keyed_parts

#: The count a summary of each role carries the totals of (the file in the same folder).
EML_OF_ROLE = {"municipality": "510b", "hoofdstembureau": "510c", "central": "510d"}


def _beside(published: Published, folder: str, role: str) -> tuple[tuple[Eml, Count510] | None, list[Eml]]:
    """The count in a summary's folder, and the files its `eml_sha256` may name: the count, or for the
    central office also the 520 (the result is the root of the tree)."""
    kind = EML_OF_ROLE.get(role, "")
    counted: tuple[Eml, Count510] | None = None
    hashed: list[Eml] = []
    for f in published.emls:
        if f.folder != folder:
            continue
        if isinstance(f.message, Count510) and f.message.message_id == kind:
            counted = (f, f.message)
            hashed.append(f)
        elif role == "central" and isinstance(f.message, Result520):
            hashed.append(f)
    return counted, hashed


class VerifiedSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A summary whose signature held, with its file, folder and digest (its identity in the tree)."""

    file: str
    folder: str
    digest: bytes
    summary: Summary


def _enrolments(published: Published, report: Report) -> dict[bytes, tuple[Blob, EnrolmentRecord]]:
    out: dict[bytes, tuple[Blob, EnrolmentRecord]] = {}
    for blob in published.enrolments:
        report.count("signature")
        try:
            record = open_enrolment(blob.data, where=blob.file)
        except TelketenError as exc:
            report.add("signature", blob.file, "-", "enrolment record", "a self-signed record", exc.message)
            continue
        if record.key_id in out:
            continue  # the same key published in two places (a tier copies the records it enrolled)
        out[record.key_id] = (blob, record)
        report.keys.append(
            KeyInfo(
                file=blob.file,
                role=str(record.role),
                authority_id=record.authority_id,
                authority_name=record.authority_name,
                district_id=record.district_id,
                fingerprint=readable_fingerprint(record.key_id),
            )
        )
    return out


def verify_signatures(
    published: Published, election: Election | None, report: Report
) -> list[VerifiedSummary]:
    """Check every published summary's signature against the published enrolment of its key."""
    keys = _enrolments(published, report)
    verified: dict[bytes, VerifiedSummary] = {}
    for blob in published.summaries:
        report.count("signature")
        try:
            parts = split_signed(blob.data, where=blob.file)
        except TelketenError as exc:
            report.add(
                "signature", blob.file, "-", "signed summary", "a well-formed signed summary", exc.message
            )
            continue
        known = keys.get(parts.key_id)
        if known is None:
            report.add(
                "signature",
                blob.file,
                "-",
                "key",
                "an enrolment record (.tke) published for this key",
                f"none for {readable_fingerprint(parts.key_id)}",
            )
            continue
        record = known[1]
        try:
            verify_parts(parts, Ed25519PublicKey.from_public_bytes(record.public_key), where=blob.file)
            summary = decode_summary(parts.summary_bytes, where=blob.file)
        except TelketenError as exc:
            report.add(
                "signature",
                blob.file,
                "-",
                "signature",
                f"valid for key {readable_fingerprint(parts.key_id)}",
                exc.message,
            )
            continue
        # As the receiving tiers apply it (keyregister.check_acceptance): a key enrolled without a district
        # (the central office) may speak for any contest; otherwise everything must match the enrolment.
        for field, claimed, enrolled in (
            ("role", str(summary.role), str(record.role)),
            ("authority", summary.authority_id, record.authority_id),
            ("election", summary.election_id, record.election_id),
            ("district", summary.district_id, record.district_id or summary.district_id),
        ):
            if claimed != enrolled:
                report.add(
                    "signature",
                    blob.file,
                    summary.authority_id,
                    f"{field} (as enrolled for this key)",
                    enrolled,
                    claimed,
                )
        if election is not None and summary.election_id != election.id:
            report.add(
                "signature", blob.file, summary.authority_id, "election", election.id, summary.election_id
            )
        digest = message_digest(blob.data)
        verified.setdefault(
            digest, VerifiedSummary(file=blob.file, folder=blob.folder, digest=digest, summary=summary)
        )
    return list(verified.values())


def check_tree(
    election: Election, summaries: list[VerifiedSummary], published: Published, report: Report
) -> None:
    """Tie each summary to its EML file and its children, and every body of the election to a summary."""
    by_digest = {v.digest: v for v in summaries}
    keyed = keyed_parts(published, report)
    check_sources(published, [(v.file, v.summary.authority_id, v.summary) for v in summaries], keyed, report)
    by_authority: dict[str, VerifiedSummary] = {}
    for v in summaries:
        other = by_authority.get(v.summary.authority_id)
        if other is None or v.summary.phase > other.summary.phase:
            by_authority[v.summary.authority_id] = v
    for v in summaries:
        s = v.summary
        counted, hashed = _beside(published, v.folder, str(s.role))
        report.count("hash")
        if counted is None:
            kind = EML_OF_ROLE.get(str(s.role), "EML")
            report.add("hash", v.file, s.authority_id, f"{kind} beside the summary", "published", "missing")
        else:
            f, c = counted
            if not any(s.eml_sha256 == h.sha256 for h in hashed):
                names = " or ".join(h.file for h in hashed)
                report.add(
                    "hash",
                    v.file,
                    s.authority_id,
                    f"eml_sha256 (SHA-256 of {names})",
                    " or ".join(h.sha256.hex() for h in hashed),
                    s.eml_sha256.hex(),
                )
            if c.authority_id != s.authority_id:
                report.add(
                    "hash", v.file, s.authority_id, f"authority of {f.file}", s.authority_id, c.authority_id
                )
            report.count("summary")
            for m in compare_tallies(s.authority_id, c.total.tally, tally_from_counts(s.counts)):
                report.add(
                    "hash",
                    v.file,
                    s.authority_id,
                    f"summary {m.field} (= TotalVotes of {f.file})",
                    m.expected,
                    m.found,
                )
        _check_children(election, v, by_digest, keyed, report)
    # every body of the election has a verified summary
    expected: list[str] = [m.code for m in election.municipalities]
    if len(election.districts) > 1:
        expected += [f"HSB{d.id}" for d in election.districts]
    have = set(by_authority)
    have |= {  # a body whose paper was keyed by the office above it, which signed for that
        child.authority_id for v in summaries for child in v.summary.children if child.digest in keyed
    }
    if any(str(v.summary.role) == "central" for v in summaries):
        have.add("CSB")
    for authority in [*expected, "CSB"]:
        report.count("completeness")
        if authority not in have:
            report.add(
                "completeness", f"{authority}/", authority, "signed summary", "published and valid", "missing"
            )


def _expected_children(election: Election, s: Summary) -> set[str] | None:
    role = str(s.role)
    if role == "hoofdstembureau":
        district = s.district_id or s.authority_id.removeprefix("HSB")
        return {m.code for m in election.municipalities if m.district_id == district}
    if role == "central":
        if len(election.districts) > 1:
            return {f"HSB{d.id}" for d in election.districts}
        return {m.code for m in election.municipalities}
    return None


def _check_children(
    election: Election,
    v: VerifiedSummary,
    by_digest: dict[bytes, VerifiedSummary],
    keyed: dict[bytes, tuple[str, KeyedPart]],
    report: Report,
) -> None:
    expected = _expected_children(election, v.summary)
    if expected is None:
        if v.summary.children:
            report.add(
                "hash",
                v.file,
                v.summary.authority_id,
                "children",
                "none (a municipality adds up stations)",
                len(v.summary.children),
            )
        return
    named: set[str] = set()
    for child in v.summary.children:
        report.count("hash")
        named.add(child.authority_id)
        target = by_digest.get(child.digest)
        if target is None and child.digest in keyed:
            _, part = keyed[child.digest]
            if part.authority_id != child.authority_id:
                wanted = f"a keyed part of {child.authority_id}"
                found = f"the keyed part of {part.authority_id}"
                report.add("hash", v.file, child.authority_id, "child digest", wanted, found)
        elif target is None:
            report.add(
                "hash",
                v.file,
                child.authority_id,
                "child digest",
                "the digest of a published summary",
                f"{child.digest.hex()[:16]}… matches no published summary",
            )
        elif target.summary.authority_id != child.authority_id:
            report.add(
                "hash",
                v.file,
                child.authority_id,
                "child digest",
                f"a summary of {child.authority_id}",
                f"the summary of {target.summary.authority_id} ({target.file})",
            )
    for missing in sorted(expected - named):
        report.add("hash", v.file, missing, "child summary", "named in children", "missing")
    for extra in sorted(named - expected):
        report.add("hash", v.file, extra, "child summary", "not a body below this one", "named in children")
