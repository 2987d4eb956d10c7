"""Shared test fixtures: where the read-only reference data lives, and a skip when it is absent.

`../shared/data` sits beside the repository (never copied into it); tests that need it use `needs_shared`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EML_SAMPLES = SHARED_DATA / "eml" / "samples"
EML_SCHEMAS = SHARED_DATA / "eml" / "schemas" / "v1.2.2" / "xsd"
ORACLE = SHARED_DATA / "oracle"

# The machines that run the suite are on a network, and every tier's data handling refuses to start there
# (shared/adapters/airgap.py); the suite runs with the training override, which the tiers audit. Tests of the
# check itself remove it (monkeypatch.delenv) or pass `env={}`.
os.environ.setdefault("TELKETEN_ALLOW_NETWORK", "1")

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data is not beside the repository"
)
