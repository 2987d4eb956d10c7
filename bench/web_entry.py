"""Benchmark: the typist's page for a national-size ballot (26 lists, 1,092 candidates) through the web app.

Measures, in one run, the server time to show the entry page, to save a full entry (parse, validate, store,
audit, redirect, re-render) and to show the coordinator's dashboard, against a baseline measured in the same
run: the login page for an anonymous visitor (the cheapest page: one template and a cookie).

Run: `python bench/web_entry.py [--reps N]`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.testclient import TestClient

# `import municipality` must find the package, not bench/municipality.py; the repository root gives `tests`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from municipality import setup  # noqa: E402
from municipality.service import Service, SourceFile  # noqa: E402
from municipality.web import create_municipality_app  # noqa: E402
from shared.domain.election import (  # noqa: E402
    Candidate,
    CandidateList,
    District,
    DistrictId,
    Election,
    ElectionId,
    Municipality,
    MunicipalityCode,
    Station,
    StationId,
)
from tests.test_web_support import AT, PASSPHRASE, PW  # noqa: E402

LISTS, CANDIDATES = 26, 42


def big_election() -> Election:
    lists = tuple(
        CandidateList(
            number=n,
            name=f"Partij {n}",
            candidates=tuple(
                Candidate(position=i + 1, last_name=f"Kandidaat{n}-{i}", initials="A.")
                for i in range(CANDIDATES)
            ),
        )
        for n in range(1, LISTS + 1)
    )
    stations = tuple(
        Station(id=StationId(f"9999::SB{i}"), number=i, name=f"Stembureau {i}", postal_code="1234 AB")
        for i in range(1, 4)
    )
    return Election(
        id=ElectionId("TK2029"),
        name="Tweede Kamer 2029",
        category="TK",
        subcategory="TK",
        date="2029-03-21",
        seats=150,
        preference_threshold=25,
        districts=(District(id=DistrictId("1"), name="Kieskring 1", lists=lists),),
        municipalities=(
            Municipality(
                code=MunicipalityCode("9999"),
                name="Proefstad",
                district_id=DistrictId("1"),
                stations=stations,
            ),
        ),
        domain=None,
    )


def timed(fn: Callable[[], object], reps: int) -> float:
    """Median seconds of `reps` calls."""
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    reps = parser.parse_args().reps
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        setup.initialise(
            state,
            big_election(),
            "9999",
            sources=[SourceFile(kind="110a", name="x.xml", sha256="0" * 64)],
            passphrase=PASSPHRASE.encode(),
            at=AT,
            private_key=Ed25519PrivateKey.generate(),
        )
        svc = Service.open(state, at="t")
        svc.add_user("coord", "coordinator", PW, at="t", by="setup")
        svc.add_user("anna", "typist", PW, at="t", by="setup")
        svc.close()
        app = create_municipality_app(state)
        typist, coord = TestClient(app), TestClient(app)
        tokens = {}
        for client, name in ((typist, "anna"), (coord, "coord")):
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert token
            page = client.post("/login", data={"csrf": token.group(1), "name": name, "password": PW})
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert found
            tokens[name] = found.group(1)
        form_html = typist.post("/invoer/1/claim", data={"csrf": tokens["anna"]}).text
        paths = re.findall(r'data-path="([^"]+)"', form_html)
        data = {"csrf": tokens["anna"], "action": "save"}
        data.update({f"f:{p}": "7" for p in paths if "candidate_votes" in p})

        anonymous = TestClient(app)
        baseline = timed(lambda: anonymous.get("/login"), reps)
        show = timed(lambda: typist.get("/invoer/1"), reps)
        save = timed(lambda: typist.post("/invoer/1", data=data), reps)
        dashboard = timed(lambda: coord.get("/coordinator"), reps)
        size = len(typist.get("/invoer/1").content)

    boxes = f"{LISTS} lists, {LISTS * CANDIDATES} candidates, {len(paths)} boxes"
    print(f"entry form: {boxes}, page {size / 1024:.0f} KiB")
    print(f"{'':28}{'median ms':>10}{'× baseline':>12}")
    for label, value in (
        ("baseline: login page", baseline),
        ("typist: show entry page", show),
        ("typist: save full entry", save),
        ("coordinator: dashboard", dashboard),
    ):
        print(f"{label:28}{value * 1000:>10.1f}{value / baseline:>12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
