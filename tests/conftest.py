"""Shared test fixtures: where the read-only reference data lives, a skip when it is absent, and the
hypothesis profiles.

`../shared/data` sits beside the repository (never copied into it); tests that need it use `needs_shared`.

Hypothesis runs the `ci` profile unless told otherwise: derandomised (the examples follow from each test's
source, so CI is reproducible and a red run is red again on any machine) and without an example database. The
`sweep` profile is the longer randomised search, a documented command in the README:
`pytest --hypothesis-profile=sweep -q tests/test_seats_properties.py ...` (tests that fix their own
`max_examples` keep it; the sweep still draws new examples on every run).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("sweep", max_examples=1000, derandomize=False, deadline=None, print_blob=True)


def pytest_configure(config: pytest.Config) -> None:
    """`ci` unless `--hypothesis-profile` names another (the plugin has loaded that one already)."""
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("ci")


REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EML_SAMPLES = SHARED_DATA / "eml" / "samples"
EML_SCHEMAS = SHARED_DATA / "eml" / "schemas" / "v1.2.2" / "xsd"
ORACLE = SHARED_DATA / "oracle"

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data is not beside the repository"
)
