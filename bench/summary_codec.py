"""Size and speed of the signed summary at national scale, against baselines measured in the same run.

Sizes: the v1 array-like summary vs the same numbers as a map keyed by list and candidate (the design choice
of ARCHITECTURE §2: "a map keyed by candidate compresses 2–3× worse"). Speed: encode+sign and verify+decode
per summary vs a plain SHA-256 of the same message (the cheapest thing a reader must do anyway).

    python bench/summary_codec.py
"""

from __future__ import annotations

import hashlib
import random
import time
import zlib
from collections.abc import Callable
from functools import partial

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.domain.tally import ListTally, Tally
from shared.formats.signing import key_id, open_signed, sign_summary
from shared.formats.summary import ChildDigest, Role, Summary, counts_from_tally, encode_summary

N_LISTS, N_CANDIDATES = 26, 1100


def national_tally(rng: random.Random, scale: int) -> Tally:
    """26 lists, 1,100 candidates; skewed votes (a few candidates get most) like real results."""
    per_list = [N_CANDIDATES // N_LISTS + (1 if i < N_CANDIDATES % N_LISTS else 0) for i in range(N_LISTS)]
    lists = []
    for number, n in enumerate(per_list, start=1):
        cands = tuple(int(rng.paretovariate(1.2) * scale) - scale for _ in range(n))
        lists.append(ListTally(number, sum(cands), cands))
    votes = sum(lst.votes for lst in lists)
    return Tally(
        eligible_voters=votes * 4 // 3,
        poll_cards=votes,
        admitted_voters=votes,
        blank=votes // 300,
        invalid=votes // 400,
        lists=tuple(lists),
    )


def summary(t: Tally, role: Role, children: int) -> Summary:
    return Summary(
        version=1,
        election_id="TK2025",
        district_id="6" if role is not Role.CENTRAL else "",
        role=role,
        authority_id={Role.MUNICIPALITY: "0668", Role.HOOFDSTEMBUREAU: "HSB6", Role.CENTRAL: "CSB"}[role],
        phase=0,
        supersedes=b"",
        issued_at="2025-10-30T21:15:00+01:00",
        counts=counts_from_tally(t),
        eml_sha256=hashlib.sha256(b"eml").digest(),
        children=[ChildDigest(f"{i:04d}", hashlib.sha256(str(i).encode()).digest()) for i in range(children)],
        seats=[6] * N_LISTS if role is Role.CENTRAL else [],
    )


def map_keyed(s: Summary) -> bytes:
    """Baseline: the same counts keyed by name, as a naive format would carry them."""
    doc = {
        "meta": msgspec.to_builtins(s, builtin_types=(bytes,))[:8],
        "lists": {
            f"lijst {lst.number}": {
                "votes": lst.votes,
                "candidates": {f"kandidaat {i}": v for i, v in enumerate(lst.candidate_votes, start=1)},
            }
            for lst in s.counts.lists
        },
    }
    return zlib.compress(msgspec.msgpack.encode(doc), 9)


def encode_and_sign(s: Summary, key: Ed25519PrivateKey) -> bytes:
    return sign_summary(encode_summary(s), key)


def timed(fn: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    rng = random.Random(2025)
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench").digest())
    lookup = {key_id(key): key.public_key()}.get
    cases = {
        "municipality (mid-size)": summary(national_tally(rng, 3), Role.MUNICIPALITY, 0),
        "hoofdstembureau (district)": summary(national_tally(rng, 120), Role.HOOFDSTEMBUREAU, 30),
        "central (national)": summary(national_tally(rng, 2000), Role.CENTRAL, 20),
    }
    print(f"{'summary':<28} {'v1 bytes':>9} {'map bytes':>10} {'map/v1':>7} {'signed':>7}")
    for name, s in cases.items():
        v1 = encode_summary(s)
        signed = sign_summary(v1, key)
        baseline = map_keyed(s)
        print(f"{name:<28} {len(v1):>9} {len(baseline):>10} {len(baseline) / len(v1):>7.2f} {len(signed):>7}")
    print()
    print(f"{'summary':<28} {'sha256 µs':>10} {'enc+sign µs':>12} {'ratio':>6} {'open µs':>9} {'ratio':>6}")
    for name, s in cases.items():
        signed = sign_summary(encode_summary(s), key)
        base = timed(partial(hashlib.sha256, signed), 2000)
        enc = timed(partial(encode_and_sign, s, key), 200)
        dec = timed(partial(open_signed, signed, lookup), 200)
        print(
            f"{name:<28} {base * 1e6:>10.1f} {enc * 1e6:>12.1f} {enc / base:>6.0f} {dec * 1e6:>9.1f} "
            f"{dec / base:>6.0f}"
        )


if __name__ == "__main__":
    main()
