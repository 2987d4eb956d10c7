"""The summary: an issuing body's totals as they travel on paper in QR codes (ARCHITECTURE §2).

Array-like msgspec structs encoded as msgpack and compressed with zlib: positions instead of field names, and
counts in ballot order as plain integer arrays, because a map keyed by candidate compresses 2–3× worse and
every byte costs paper. The layout is pinned by golden files (tests/golden/summary_v1_*.bin): changing a
field, its order or its type is a new format version, never an edit of version 1.

Decoding reads outside input (a scan): it bounds the decompressed size, checks the version before the rest,
rejects unknown trailing fields and negative counts, and raises `InputError` / `IntegrityError`, never a bare
exception.
"""

from __future__ import annotations

import zlib
from typing import Annotated

import msgspec

from shared.domain.keyregister import DIGEST_LEN, Claim, Role
from shared.domain.tally import ListTally, Tally
from shared.errors import InputError

__all__ = [
    "FORMAT_VERSION",
    "INVESTIGATIONS_VERSION",
    "MAX_DECOMPRESSED",
    "READABLE_VERSIONS",
    "SOURCES_VERSION",
    "ChildDigest",
    "ChildSource",
    "Role",
    "StationInvestigation",
    "Summary",
    "SummaryCounts",
    "SummaryList",
    "claim_of",
    "counts_from_tally",
    "decode_summary",
    "encode_summary",
    "summary_payload",
    "tally_from_counts",
]

FORMAT_VERSION = 1
#: Version 2 = version 1 + field 12 `sources`: for every child, how its numbers came in (scanned and signed,
#: or keyed from paper by two users). A summary that adds up children is written as version 2; one without
#: children (a municipality's) stays version 1, byte for byte as before (the golden files).
SOURCES_VERSION = 2
#: Version 3 = version 2 + field 13 `investigations`: the stations a municipality investigated in a next
#: session (Kieswet art. P 2a) and whether each result was corrected, for the hoofdstembureau's O 3. Only a
#: summary that carries investigations is written as version 3; every other stays version 1 or 2.
INVESTIGATIONS_VERSION = 3
READABLE_VERSIONS = (FORMAT_VERSION, SOURCES_VERSION, INVESTIGATIONS_VERSION)
_V1_FIELDS = 12
_V2_FIELDS = 13
#: Bound on the decompressed summary: a national result with 20 × 1,100 candidates is well under 200 KB.
MAX_DECOMPRESSED = 4 * 1024 * 1024
#: zlib level: the summary is tiny and written once; the smallest output is worth the microseconds.
ZLIB_LEVEL = 9

Count = Annotated[int, msgspec.Meta(ge=0)]
Digest = Annotated[bytes, msgspec.Meta(min_length=DIGEST_LEN, max_length=DIGEST_LEN)]
OptionalDigest = Annotated[bytes, msgspec.Meta(max_length=DIGEST_LEN)]
Ident = Annotated[str, msgspec.Meta(max_length=200)]


class SummaryList(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """E.x of one list and its candidates' votes in list order."""

    number: Count
    votes: Count
    candidate_votes: list[Count]


class SummaryCounts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """The counts of a `Tally`, with the paper letters: Z, A, B, C, D, F (blank), G (invalid), I, J, lists.

    `explanations` carries the other EML UncountedVotes reasons (code, count) so that a tally round-trips.
    """

    eligible_voters: Count
    poll_cards: Count
    proxy_certificates: Count
    voter_cards: Count
    admitted_voters: Count
    blank: Count
    invalid: Count
    more_ballots: Count
    fewer_ballots: Count
    lists: list[SummaryList]
    explanations: list[tuple[Ident, Count]]


class ChildDigest(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A child summary this one consumed: its authority id and the digest of its signed message."""

    authority_id: Ident
    digest: Digest


KeyId = Annotated[bytes, msgspec.Meta(max_length=16)]
UserName = Annotated[str, msgspec.Meta(max_length=100)]


class ChildSource(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """How one child's numbers came in (version 2): `key_id` (16 bytes) of the signed summary that was
    scanned, or empty when the numbers were keyed from its paper report by the two `keyed_by` users."""

    key_id: KeyId
    keyed_by: list[UserName]

    @property
    def keyed(self) -> bool:
        return not self.key_id


class StationInvestigation(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One investigated station (version 3): its id (`0668::SB3`) and whether its result was corrected."""

    station: Ident
    corrected: bool


class Summary(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """Format version 1, 2 or 3 of the summary. Field order is the wire order.

    `phase` is 0 for the first session and n for corrigendum n; `supersedes` is the digest of the signed
    summary it replaces (empty in the first session). `issued_at` is an ISO 8601 string passed in by the
    caller. `eml_sha256` is the SHA-256 of the EML file published with this summary; `children` the digests of
    every child summary added up (so summaries form a hash tree); `seats` the seats per list in ballot order
    for a central result, empty otherwise. `sources` (version 2 only) says per child, in `children` order,
    whether it was scanned (and under which key) or keyed from paper (and by whom). `investigations`
    (version 3 only) names the stations investigated in the session this summary closes.
    """

    version: int
    election_id: Ident
    district_id: Ident
    role: Role
    authority_id: Ident
    phase: Count
    supersedes: OptionalDigest
    issued_at: Ident
    counts: SummaryCounts
    eml_sha256: Digest
    children: list[ChildDigest]
    seats: list[Count]
    sources: list[ChildSource] = msgspec.field(default_factory=list)
    investigations: list[StationInvestigation] = msgspec.field(default_factory=list)


class _Head(msgspec.Struct, array_like=True):
    """Only the first element, to read the version before trusting the rest of the layout."""

    version: int


_ENCODER = msgspec.msgpack.Encoder()
_HEAD = msgspec.msgpack.Decoder(_Head)
_DECODER = msgspec.msgpack.Decoder(Summary)


def counts_from_tally(t: Tally) -> SummaryCounts:
    """The summary form of a tally (same numbers, wire layout)."""
    return SummaryCounts(
        eligible_voters=t.eligible_voters,
        poll_cards=t.poll_cards,
        proxy_certificates=t.proxy_certificates,
        voter_cards=t.voter_cards,
        admitted_voters=t.admitted_voters,
        blank=t.blank,
        invalid=t.invalid,
        more_ballots=t.more_ballots,
        fewer_ballots=t.fewer_ballots,
        lists=[SummaryList(lst.number, lst.votes, list(lst.candidate_votes)) for lst in t.lists],
        explanations=[(code, n) for code, n in t.explanations],
    )


def tally_from_counts(c: SummaryCounts) -> Tally:
    """The domain tally of decoded summary counts."""
    return Tally(
        eligible_voters=c.eligible_voters,
        poll_cards=c.poll_cards,
        proxy_certificates=c.proxy_certificates,
        voter_cards=c.voter_cards,
        admitted_voters=c.admitted_voters,
        blank=c.blank,
        invalid=c.invalid,
        more_ballots=c.more_ballots,
        fewer_ballots=c.fewer_ballots,
        lists=tuple(ListTally(lst.number, lst.votes, tuple(lst.candidate_votes)) for lst in c.lists),
        explanations=tuple((code, n) for code, n in c.explanations),
    )


def _check(s: Summary, where: str) -> None:
    """The rules msgspec's type constraints cannot say."""
    if s.version not in READABLE_VERSIONS:
        raise InputError(f"summary format version {s.version}, this program writes 1, 2 and 3", where=where)
    if s.version == FORMAT_VERSION and s.sources:
        raise InputError("a version 1 summary carries no sources; that is version 2", where=where)
    if s.version != INVESTIGATIONS_VERSION and s.investigations:
        raise InputError(
            f"a version {s.version} summary carries no investigations; that is version 3", where=where
        )
    stations = [inv.station for inv in s.investigations]
    if len(set(stations)) != len(stations):
        raise InputError("a station is named twice in the investigations", where=where)
    if s.version != FORMAT_VERSION and len(s.sources) != len(s.children):
        raise InputError(
            f"{len(s.sources)} sources for {len(s.children)} children: one per child", where=where
        )
    for n, source in enumerate(s.sources, start=1):
        if bool(source.key_id) == bool(source.keyed_by) or len(source.key_id) not in (0, 16):
            raise InputError(
                f"source {n} must be a 16-byte key id (scanned) or the users who keyed it, not both",
                where=where,
            )
        if source.keyed_by and (len(source.keyed_by) != 2 or source.keyed_by[0] == source.keyed_by[1]):
            raise InputError(f"source {n} was keyed by two different users", where=where)
    if len(s.supersedes) not in (0, DIGEST_LEN):
        raise InputError(
            f"'supersedes' is empty or a {DIGEST_LEN}-byte digest, not {len(s.supersedes)} bytes", where=where
        )
    numbers = [lst.number for lst in s.counts.lists]
    if len(set(numbers)) != len(numbers):
        raise InputError("a list number occurs twice in the counts", where=where)
    if s.seats and len(s.seats) != len(numbers):
        raise InputError(f"{len(s.seats)} seat counts for {len(numbers)} lists", where=where)


def summary_payload(s: Summary) -> bytes:
    """The uncompressed msgpack bytes of a summary: what the golden files pin, whatever the zlib build."""
    _check(s, "summary")
    try:
        if s.version == FORMAT_VERSION:  # without field 12: the same bytes as before version 2 existed
            return _ENCODER.encode(msgspec.structs.astuple(s)[:_V1_FIELDS])
        if s.version == SOURCES_VERSION:  # without field 13: the same bytes as before version 3 existed
            return _ENCODER.encode(msgspec.structs.astuple(s)[:_V2_FIELDS])
        return _ENCODER.encode(s)
    except (TypeError, OverflowError, msgspec.EncodeError) as exc:
        raise InputError(f"cannot encode the summary: {exc}", where="summary") from exc


def encode_summary(s: Summary) -> bytes:
    """The compressed summary bytes that get signed."""
    return zlib.compress(summary_payload(s), ZLIB_LEVEL)


def _inflate(data: bytes, where: str) -> bytes:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_DECOMPRESSED)
    except zlib.error as exc:
        raise InputError(f"not zlib-compressed summary data ({exc})", where=where) from exc
    if d.unconsumed_tail:
        raise InputError(f"summary larger than {MAX_DECOMPRESSED} bytes when decompressed", where=where)
    if not d.eof:
        raise InputError("compressed summary is truncated", where=where)
    if d.unused_data:
        raise InputError(f"{len(d.unused_data)} bytes after the end of the compressed summary", where=where)
    return out


def decode_summary(data: bytes, *, where: str = "summary") -> Summary:
    """The summary in compressed bytes; `InputError` naming the rule for anything that is not a summary."""
    raw = _inflate(data, where)
    try:
        head = _HEAD.decode(raw)
    except (msgspec.DecodeError, ValueError) as exc:  # ValueError: bad UTF-8
        raise InputError(f"not a summary ({exc})", where=where) from exc
    if head.version not in READABLE_VERSIONS:
        raise InputError(
            f"summary format version {head.version}; this program reads versions 1, 2 and 3", where=where
        )
    try:
        s = _DECODER.decode(raw)
    except (msgspec.DecodeError, ValueError) as exc:  # ValueError: bad UTF-8
        raise InputError(f"malformed summary: {exc}", where=where) from exc
    _check(s, where)
    return s


def claim_of(s: Summary, *, key_id: bytes, digest: bytes) -> Claim:
    """What the acceptance rules (`keyregister.check_acceptance`) need from a verified summary."""
    return Claim(
        key_id=key_id,
        digest=digest,
        election_id=s.election_id,
        district_id=s.district_id,
        role=s.role,
        authority_id=s.authority_id,
        phase=s.phase,
        supersedes=s.supersedes,
    )
