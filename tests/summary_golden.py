"""The fixed summaries whose version-1 bytes are pinned in tests/golden/summary_v1_*.bin.

Regenerate ONLY on purpose (a deliberate format change is a new version, not an edit of v1):

    python tests/summary_golden.py --write

Without --write it prints what it would write and whether the committed files still match.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.domain.tally import ListTally, Tally
from shared.formats.signing import sign_summary
from shared.formats.summary import (
    ChildDigest,
    Role,
    Summary,
    counts_from_tally,
    encode_summary,
)

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_key() -> Ed25519PrivateKey:
    """A fixed, public test key: Ed25519 signatures are deterministic, so the signed bytes are fixed too."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"telketen golden test key").digest())


def _d(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


MUNICIPALITY_TALLY = Tally(
    eligible_voters=14_210,
    poll_cards=10_100,
    proxy_certificates=402,
    voter_cards=17,
    admitted_voters=10_519,
    blank=31,
    invalid=12,
    more_ballots=2,
    fewer_ballots=0,
    lists=(
        ListTally(1, 6_000, (5_000, 700, 300)),
        ListTally(2, 4_000, (3_100, 0, 900)),
        ListTally(3, 478, (478,)),
    ),
    explanations=(("meegenomen", 3),),
)

CASES: dict[str, Summary] = {
    "municipality": Summary(
        version=1,
        election_id="TK2025",
        district_id="6",
        role=Role.MUNICIPALITY,
        authority_id="0668",
        phase=0,
        supersedes=b"",
        issued_at="2025-10-30T21:15:00+01:00",
        counts=counts_from_tally(MUNICIPALITY_TALLY),
        eml_sha256=_d("510b 0668"),
        children=[],
        seats=[],
    ),
    "corrigendum": Summary(
        version=1,
        election_id="TK2025",
        district_id="6",
        role=Role.MUNICIPALITY,
        authority_id="0668",
        phase=1,
        supersedes=_d("first session 0668"),
        issued_at="2025-11-03T10:00:00+01:00",
        counts=counts_from_tally(MUNICIPALITY_TALLY),
        eml_sha256=_d("510b 0668 corrigendum"),
        children=[],
        seats=[],
    ),
    "central": Summary(
        version=1,
        election_id="GR2022_WestMaasenWaal",
        district_id="geen",
        role=Role.CENTRAL,
        authority_id="CSB",
        phase=0,
        supersedes=b"",
        issued_at="2022-03-18T16:00:00+01:00",
        counts=counts_from_tally(MUNICIPALITY_TALLY),
        eml_sha256=_d("510d"),
        children=[ChildDigest("0668", _d("child 0668")), ChildDigest("HSB6", _d("child HSB6"))],
        seats=[12, 8, 1],
    ),
}


def expected_files() -> dict[str, bytes]:
    """File name → bytes, including one signed message over the municipality summary."""
    files = {f"summary_v1_{name}.bin": encode_summary(s) for name, s in CASES.items()}
    files["summary_v1_signed.bin"] = sign_summary(files["summary_v1_municipality.bin"], golden_key())
    return files


def main(argv: list[str] | None = None) -> int:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    parser.add_argument("--write", action="store_true", help="overwrite the golden files")
    args = parser.parse_args(argv)
    for name, data in expected_files().items():
        path = GOLDEN / name
        same = path.exists() and path.read_bytes() == data
        print(f"{name}: {len(data)} bytes, {'unchanged' if same else 'DIFFERS'}")
        if args.write and not same:
            GOLDEN.mkdir(exist_ok=True)
            path.write_bytes(data)
            print(f"  written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
