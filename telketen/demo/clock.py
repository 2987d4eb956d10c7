"""Demo time and demo secrets: everything the real apps take from the clock or the OS, derived from the seed.

Why: `telketen demo --seed N` must publish the same bytes every time (timestamps are inside the EML files and
the signed summaries), so the demo never reads the clock and never draws keys from the OS. The keys and
passphrases here are demo values, printed as such: never use them for an election.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEMO_PASSPHRASE = b"demo-passphrase-NOT-SECRET"
DEMO_PASSWORD = "demo-password-NOT-SECRET"


class DemoClock:
    """A clock that starts on election night and moves a few seconds per action: deterministic time."""

    def __init__(self, election_date: str, *, hour: int = 21) -> None:
        self.now = datetime.fromisoformat(election_date).replace(hour=hour)

    def tick(self, seconds: int = 7) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def stamp(self, seconds: int = 7) -> str:
        """The next moment as the apps write it (ISO 8601, seconds)."""
        return self.tick(seconds).isoformat(timespec="seconds")


def demo_key(seed: int, authority: str) -> Ed25519PrivateKey:
    """A signing key derived from the seed and the authority: reproducible, and therefore NOT secret."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"telketen-demo:{seed}:{authority}".encode()).digest()
    )
