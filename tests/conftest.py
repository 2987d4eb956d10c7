"""Shared test fixtures: where the read-only reference data lives, a skip when it is absent, and the
hypothesis profiles.

The reference data (EML_NL schemas and real Kiesraad files, official seat results) is never copied into the
repository. It is read from `$TELKETEN_SHARED_DATA`, else from `../shared/data` beside the repository, and
`scripts/fetch_reference_data.py` fetches it there from its public sources, checked against the manifest
`scripts/reference_data.json`. This is the one place the tests find it: tests that need it use `needs_shared`
(the EML files) or `needs_oracle` (the official seat results), which skip naming that script when files are
missing; tests that need the second QR decoder use `needs_zbar`.

Hypothesis runs the `ci` profile unless told otherwise: derandomised (the examples follow from each test's
source, so CI is reproducible and a red run is red again on any machine) and without an example database. The
`sweep` profile is the longer randomised search, a documented command in the README:
`pytest --hypothesis-profile=sweep -q tests/test_seats_properties.py ...` (tests that fix their own
`max_examples` keep it; the sweep still draws new examples on every run).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from scripts.fetch_reference_data import ENV_VAR, REPO, SCRIPT, data_dir, load_manifest, missing
from shared.adapters.qr_scan import zbar_problem
from shared.formats.eml import schema

# No deadline and no too-slow health check in CI: on two shared cores a slow machine is not a failing test,
# and with derandomised examples nothing else in a run depends on timing.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("sweep", max_examples=1000, derandomize=False, deadline=None, print_blob=True)


def pytest_configure(config: pytest.Config) -> None:
    """`ci` unless `--hypothesis-profile` names another (the plugin has loaded that one already)."""
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("ci")


SHARED_DATA = data_dir()
EML_SAMPLES = SHARED_DATA / "eml" / "samples"
EML_SCHEMAS = SHARED_DATA / "eml" / "schemas" / "v1.2.2" / "xsd"
ORACLE = SHARED_DATA / "oracle"
# The app's own schema lookup (TELKETEN_EML_SCHEMAS, else beside the repository) follows the tests' data.
os.environ.setdefault(schema.ENV_VAR, str(EML_SCHEMAS))

# The machines that run the suite are on a network, and every tier's data handling refuses to start there
# (shared/adapters/airgap.py); the suite runs with the training override, which the tiers audit. Tests of the
# check itself remove it (monkeypatch.delenv) or pass `env={}`.
os.environ.setdefault("TELKETEN_ALLOW_NETWORK", "1")

__all__ = [
    "EML_SAMPLES",
    "EML_SCHEMAS",
    "ORACLE",
    "REPO",
    "SHARED_DATA",
    "needs_oracle",
    "needs_shared",
    "needs_zbar",
    "reference_params",
]


def missing_reason(prefix: str) -> str | None:
    """Why tests reading the manifest's files under `prefix` cannot run here (None: they are all present)."""
    # the notes written for the tree (SOURCES.md, README.md) are read by no test
    needed = (e for e in load_manifest() if not e["path"].endswith(".md"))
    absent = missing(SHARED_DATA, needed, prefix=prefix)
    if not absent:
        return None
    return (
        f"reference data missing: {len(absent)} files under {SHARED_DATA} (e.g. {absent[0]}); "
        f"fetch it with `python {SCRIPT}` (or set {ENV_VAR})"
    )


@cache
def _reason(prefix: str) -> str:
    return missing_reason(prefix) or ""


needs_shared = pytest.mark.skipif(bool(_reason("eml/")), reason=_reason("eml/"))
needs_oracle = pytest.mark.skipif(bool(_reason("oracle/")), reason=_reason("oracle/"))


def reference_params(find: Callable[[], list[Path]]) -> list[Any]:
    """Parameters over reference files found by `find`; without the data, one parameter that skips naming the
    fetch script (an empty list would make the test vanish from the run instead)."""
    reason = _reason("eml/")
    if reason:
        return [pytest.param(None, id="reference-data-missing", marks=pytest.mark.skip(reason=reason))]
    return find()


# without libzbar0 the reason is zbar's own message, which names the package to install
_ZBAR = zbar_problem()
needs_zbar = pytest.mark.skipif(_ZBAR is not None, reason=_ZBAR or "")


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published folder of one small municipal-council demo (`telketen demo`: the real apps, seed 3, 4
    stations, 3 lists, no next session), run once per session for every test that reads or tampers with a copy
    of it."""
    from telketen.demo.run import ElectionSpec, run_demo

    out = tmp_path_factory.mktemp("small-demo") / "demo"
    run_demo(out, spec=ElectionSpec(seed=3, sizes={"stations": 4, "lists": 3}, investigations=False))
    return out / "published"
