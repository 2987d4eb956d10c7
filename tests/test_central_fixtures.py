"""Helpers for the hoofdstembureau and central tests: a small generated election and its lower-tier paper.

No tests here. The municipalities are played with the real keys, summary, signing, 510 writer and QR sheet
APIs (not the municipality app, which is another engineer's and may be in progress): each gets a real key pair
and enrolment record, a real 510b, a signed summary of its true totals, and its summary printed as a QR sheet
PDF that the tier under test scans.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.adapters.keyfiles import new_enrolment
from shared.adapters.manifest import entry_of, signed_manifest
from shared.adapters.sheets import render_sheets
from shared.domain.election import Election, ElectionId
from shared.domain.generate import GeneratedElection, generate_municipal, generate_national
from shared.domain.keyregister import Role, readable_fingerprint
from shared.domain.tally import Tally, add_tallies
from shared.formats.eml.definition_writer import write_110a, write_230b
from shared.formats.eml.model import Count510
from shared.formats.eml.write import identifier_of, layout_of, unit_votes, write_510
from shared.formats.manifest import MANIFEST_FILE
from shared.formats.signing import message_digest, open_enrolment, sign_summary
from shared.formats.summary import FORMAT_VERSION, ChildDigest, Summary, counts_from_tally, encode_summary

CREATED = "2029-03-21T21:00:00"
PASSPHRASE = "correct horse battery"


class Ticking:
    """A clock that moves 5 seconds at each reading, from `start`: what a test or the demo hands an office."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=5)
        return self.at


@dataclass
class Authority:
    """A lower-tier body played by the test: its key and self-signed enrolment record."""

    role: Role
    authority_id: str
    name: str
    district_id: str
    key: Ed25519PrivateKey
    enrolment: bytes


@dataclass
class Chain:
    """A generated election with its definition files and the municipalities' keys and true totals."""

    generated: GeneratedElection
    folder: Path
    a110: Path
    b230: Path
    municipalities: dict[str, Authority] = field(default_factory=dict)

    @property
    def election(self) -> Election:
        return self.generated.election

    def total(self, code: str) -> Tally:
        return add_tallies(self.generated.station_tallies(code), unit=code)

    def district_of(self, code: str) -> str:
        return self.election.municipality(code).district_id

    def codes(self, district_id: str | None = None) -> list[str]:
        return [m.code for m in self.election.municipalities if district_id in (None, m.district_id)]


def make_authority(
    role: Role, authority_id: str, name: str, election_id: str, district_id: str, *, seed: int
) -> Authority:
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"key{seed}{authority_id}".encode()).digest())
    _, enrolment = new_enrolment(
        key,
        role=role,
        authority_id=authority_id,
        authority_name=name,
        election_id=election_id,
        district_id=district_id,
        created_at=CREATED,
    )
    return Authority(role, authority_id, name, district_id, key, enrolment)


def fingerprint(enrolment: bytes) -> str:
    """The readable fingerprint of an enrolment record, as the operator confirms it."""
    return readable_fingerprint(open_enrolment(enrolment).key_id)


def make_chain(
    folder: Path, *, national: bool, seed: int = 7, municipalities: int = 4, stations: int = 8
) -> Chain:
    """A small election: national = 2 kieskringen with `municipalities` between them (2 each by default) and
    `stations` over those; else a municipal council."""
    rng = random.Random(seed)
    if national:
        # Two kieskringen: a provincial election (PS2) is the smallest multi-district election the definition
        # rules accept (the Tweede Kamer needs all 20, Kieswet E 1).
        gen = generate_national(
            rng,
            districts=2,
            municipalities=municipalities,
            stations=stations,
            lists=5,
            candidates=150,
        )
        gen = msgspec.structs.replace(
            gen,
            election=msgspec.structs.replace(
                gen.election,
                id=ElectionId("PS2029_Gelderland"),
                name="Provinciale Staten Gelderland 2029",
                category="PS",
                subcategory="PS2",
                domain="Gelderland",
                seats=45,
                preference_threshold=25,
            ),
        )
    else:
        gen = generate_municipal(rng, stations=4, lists=5)
    folder.mkdir(parents=True, exist_ok=True)
    e = gen.election
    a110 = folder / f"Verkiezingsdefinitie_{e.id}.eml.xml"
    b230 = folder / f"Kandidatenlijsten_{e.id}.eml.xml"
    a110.write_bytes(write_110a(e, created=CREATED))
    b230.write_bytes(write_230b(e, created=CREATED))
    chain = Chain(generated=gen, folder=folder, a110=a110, b230=b230)
    for m in e.municipalities:
        chain.municipalities[m.code] = make_authority(
            Role.MUNICIPALITY, m.code, f"Gemeente {m.name}", e.id, m.district_id, seed=seed
        )
    return chain


def municipal_510b(chain: Chain, code: str, total: Tally) -> bytes:
    e = chain.election
    m = e.municipality(code)
    district = e.district(m.district_id)
    count = Count510(
        message_id="510b",
        election=identifier_of(e),
        contest_id=district.id,
        contest_name=district.name,
        authority_id=code,
        authority_name=m.name,
        created=CREATED,
        lists=layout_of(district),
        total=unit_votes(code, m.name, total),
        units=tuple(unit_votes(sid, sid, t) for sid, t in chain.generated.station_tallies(code)),
    )
    return write_510(count, e)


def signed_summary(
    author: Authority,
    *,
    election_id: str,
    district_id: str,
    total: Tally,
    eml: bytes,
    phase: int = 0,
    supersedes: bytes = b"",
    children: list[ChildDigest] | None = None,
) -> bytes:
    summary = Summary(
        version=FORMAT_VERSION,
        election_id=election_id,
        district_id=district_id,
        role=author.role,
        authority_id=author.authority_id,
        phase=phase,
        supersedes=supersedes,
        issued_at=CREATED,
        counts=counts_from_tally(total),
        eml_sha256=hashlib.sha256(eml).digest(),
        children=children or [],
        seats=[],
    )
    return sign_summary(encode_summary(summary), author.key)


def recounted(total: Tally, *, blank: int = 0, invalid: int = 0) -> Tally:
    """`total` after a recount found more blank or invalid ballots, each of a voter admitted with a poll card:
    a corrigendum whose numbers still add up (A + B + C = D, H = D + I − J)."""
    more = blank + invalid
    return msgspec.structs.replace(
        total,
        blank=total.blank + blank,
        invalid=total.invalid + invalid,
        poll_cards=total.poll_cards + more,
        admitted_voters=total.admitted_voters + more,
    )


def municipal_summary(chain: Chain, code: str, **kw: object) -> bytes:
    """A municipality's signed summary of its true totals (overrides: phase, supersedes, total, ids)."""
    author = chain.municipalities[code]
    total = kw.pop("total", None) or chain.total(code)
    assert isinstance(total, Tally)
    return signed_summary(
        author,
        election_id=str(kw.pop("election_id", chain.election.id)),
        district_id=str(kw.pop("district_id", chain.district_of(code))),
        total=total,
        eml=municipal_510b(chain, code, total),
        **kw,  # type: ignore[arg-type]
    )


def publish_municipality(chain: Chain, code: str, out: Path, message: bytes | None = None) -> Path:
    """What a municipality publishes (docs/tiers.md): its 510b, signed summary and enrolment record, and last
    its signed manifest of them."""
    folder = out / code
    folder.mkdir(parents=True, exist_ok=True)
    eml = municipal_510b(chain, code, chain.total(code))
    files = {
        f"Telling_{chain.election.id}_gemeente_{code}.eml.xml": eml,
        "summary.tks": message or municipal_summary(chain, code),
        "key.tke": chain.municipalities[code].enrolment,
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    author = chain.municipalities[code]
    entries = [entry_of(f"{code}/{name}", data) for name, data in files.items()]
    (folder / MANIFEST_FILE).write_bytes(signed_manifest(author.enrolment, author.key, CREATED, entries))
    return folder


def sheet(message: bytes, path: Path, title: str = "Samenvatting") -> Path:
    """The message printed as a QR sheet PDF (what the next tier scans)."""
    path.write_bytes(render_sheets(message, title=title))
    return path


def digest(message: bytes) -> bytes:
    return message_digest(message)


def tks_files(folder: Path, *messages: bytes) -> list[str]:
    """Each signed message as a `.tks` file in `folder`, as an operator hands them to `scan`."""
    paths = []
    for n, m in enumerate(messages):
        p = folder / f"m{n}-{message_digest(m).hex()[:8]}.tks"
        p.write_bytes(m)
        paths.append(str(p))
    return paths
