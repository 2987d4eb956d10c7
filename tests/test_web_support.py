"""Helpers for the web tests (no tests here): real state folders for the municipality and a hoofdstembureau.

The municipality is set up with its real service (`municipality.setup.initialise`, users with scrypt
passwords); the hoofdstembureau with its real `init` and key enrolment, fed by municipalities played with real
keys, summaries and QR sheets (`tests.test_central_fixtures`).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from municipality import setup as m_setup
from municipality.service import Service, SourceFile
from tests.municipality_helpers import small_election

PW = "correct horse battery"
PASSPHRASE = "passphrase for web tests"
AT = datetime(2026, 3, 19, 22, 15, 0).astimezone()


def municipality_state(root: Path, counting: str = "central") -> Path:
    """A fresh municipality state folder with users coord (coordinator), anna, bert, cees (typists)."""
    state = root / "state"
    m_setup.initialise(
        state,
        small_election(),
        "9999",
        sources=[SourceFile(kind="110a", name="x.xml", sha256="0" * 64)],
        passphrase=PASSPHRASE.encode(),
        at=AT,
        private_key=Ed25519PrivateKey.generate(),
        counting=counting,
    )
    svc = Service.open(state, at="t")
    svc.add_user("coord", "coordinator", PW, at="t", by="setup")
    for name in ("anna", "bert", "cees"):
        svc.add_user(name, "typist", PW, at="t", by="coord")
    svc.close()
    return state


#: A station report as typed from paper: field path → text, in paper order (station 1 of `small_election`).
GOOD_ENTRY: dict[str, str] = {
    "extra_investigation.other_reason.no": "x",
    "extra_investigation.ballots_recounted.no": "x",
    "counting_differences.unexplained_difference.no": "x",
    "counting_differences.list_totals_differ.no": "x",
    "voters.poll_cards": "100",
    "voters.proxy_certificates": "5",
    "voters.admitted_voters": "105",
    "votes.list_votes[0]": "60",
    "votes.list_votes[1]": "40",
    "votes.votes_on_candidates": "100",
    "votes.blank": "2",
    "votes.invalid": "3",
    "votes.ballots_cast": "105",
    "differences.equal": "x",
    "lists[0].candidate_votes[0]": "30",
    "lists[0].candidate_votes[1]": "20",
    "lists[0].candidate_votes[2]": "10",
    "lists[0].total": "60",
    "lists[1].candidate_votes[0]": "25",
    "lists[1].candidate_votes[1]": "15",
    "lists[1].total": "40",
}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(app: object) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on a free loopback port; yields the base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
