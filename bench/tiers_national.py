"""The hoofdstembureau and central apps at Tweede Kamer scale, stage by stage (no QR scanning: `.tks` files).

    python bench/tiers_national.py [--districts 20] [--municipalities 340] [--stations 10000] [--seed 1]

A generated national election (20 kieskringen, ~340 municipalities, ~10,000 stations, 26 lists, ~1,100
candidates); each municipality's signed summary is handed to its hoofdstembureau as a `.tks` file; each
hoofdstembureau receives, finalises (510c, O 3 PDF) and publishes; the central office receives the 20 district
summaries, computes seats and candidates, writes 510d, 520, P 22-1 and the results site. Prints seconds and
peak memory per stage, and each stage as a ratio of the baseline measured in the same run: adding up every
station tally of the election in memory (`add_tallies`), the least any tier must do.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_central_fixtures import (
    PASSPHRASE,
    Authority,
    make_authority,
    signed_summary,
)

from central import finalise as central_finalise
from central import publish as central_publish
from central import receive as central_receive
from central import setup as central_setup
from central.office import Office as CentralOffice
from hoofdstembureau import finalise as hsb_finalise
from hoofdstembureau import publish as hsb_publish
from hoofdstembureau import receive as hsb_receive
from hoofdstembureau import setup as hsb_setup
from hoofdstembureau.office import Office as HsbOffice
from shared.domain.generate import generate_national
from shared.domain.keyregister import Role, readable_fingerprint
from shared.domain.tally import add_tallies
from shared.formats.eml.definition_writer import write_110a, write_230b
from shared.formats.eml.hashcode import blanked_groups, groups
from shared.formats.signing import open_enrolment
from telketen.demo.clock import DemoClock, demo_key

T = TypeVar("T")
rows: list[tuple[str, float, float]] = []


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage(name: str, fn: Callable[[], T]) -> T:
    t0 = time.perf_counter()
    out = fn()
    rows.append((name, time.perf_counter() - t0, peak_mb()))
    return out


def fp(enrolment: bytes) -> str:
    return readable_fingerprint(open_enrolment(enrolment).key_id)


def typed(data: bytes) -> str:
    import hashlib

    dig = hashlib.sha256(data).digest()
    i, j = blanked_groups(dig)
    return f"{groups(dig)[i]}{groups(dig)[j]}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--municipalities", type=int, default=340)
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ["TELKETEN_PASSPHRASE"] = PASSPHRASE
    gen = stage(
        "generate election",
        lambda: generate_national(
            random.Random(args.seed),
            districts=args.districts,
            municipalities=args.municipalities,
            stations=args.stations,
        ),
    )
    e = gen.election
    baseline = stage("baseline: add all station tallies", lambda: add_tallies(gen.tallies.items()))
    tmp = Path(tempfile.mkdtemp(prefix="telketen-bench-"))
    a110, b230 = write_110a(e, created="2029-03-21T21:00:00"), write_230b(e, created="2029-03-21T21:00:00")
    totals = stage(
        "municipal totals",
        lambda: {str(m.code): add_tallies(gen.station_tallies(m.code)) for m in e.municipalities},
    )
    authorities: dict[str, Authority] = {
        m.code: make_authority(Role.MUNICIPALITY, m.code, m.name, e.id, m.district_id, seed=args.seed)
        for m in e.municipalities
    }
    messages = stage(
        "municipal summaries signed",
        lambda: {
            code: signed_summary(a, election_id=e.id, district_id=a.district_id, total=totals[code], eml=b"")
            for code, a in authorities.items()
        },
    )
    passphrase = PASSPHRASE.encode()
    published = tmp / "published"
    hsb_messages: list[tuple[str, bytes, bytes]] = []
    clock = DemoClock(e.date, hour=23)  # time and keys handed in, as the demo does: the same bytes every run

    def run_hsbs() -> None:
        for d in e.districts:
            state = tmp / f"hsb{d.id}"
            hsb_setup.init(
                state, definition=("110a.xml", a110), candidates=("230b.xml", b230), typed_110a=typed(a110),
                typed_230b=typed(b230), district_id=d.id, place="X", passphrase=passphrase, user="bench",
                at=clock.tick(), private_key=demo_key(args.seed, f"HSB{d.id}"),
            )  # fmt: skip
            office = HsbOffice.open(state, "bench", clock=clock.tick)
            codes = [m.code for m in e.municipalities if m.district_id == d.id]
            hsb_setup.enrol_messages(
                office, [(c, authorities[c].enrolment) for c in codes],
                expected=[fp(authorities[c].enrolment) for c in codes], ask=None, show=lambda _: None,
            )  # fmt: skip
            for c in codes:
                item = hsb_receive.receive_message(office, f"{c}.tks", messages[c])
                assert not item.refused, item.text
            hsb_finalise.finalise(office, passphrase=passphrase)
            hsb_publish.publish(office, published, passphrase)
            _, signed, *_ = hsb_finalise.latest(office)
            hsb_messages.append((d.id, signed, (state / "key.tke").read_bytes()))

    stage(f"{len(e.districts)} hoofdstembureaus: init, enrol, receive, finalise, publish", run_hsbs)

    def run_central() -> None:
        state = tmp / "csb"
        central_setup.init(
            state, definition=("110a.xml", a110), candidates=("230b.xml", b230), typed_110a=typed(a110),
            typed_230b=typed(b230), place="Den Haag", passphrase=passphrase, user="bench",
            at=clock.tick(), private_key=demo_key(args.seed, "CSB"),
        )  # fmt: skip
        office = CentralOffice.open(state, "bench", clock=clock.tick)
        keys = [(d, key) for d, _, key in hsb_messages]
        expected = [fp(key) for _, key in keys]
        central_setup.enrol_messages(office, keys, expected=expected, ask=None, show=lambda _: None)
        for d, signed, _ in hsb_messages:
            assert not central_receive.receive_message(office, f"HSB{d}", signed).refused
        stage("  central finalise (seats, 510d, 520, P 22-1)", lambda: central_finalise.finalise(
            office, passphrase=passphrase))  # fmt: skip
        stage(
            "  central publish (copies + site)",
            lambda: central_publish.publish(office, published, passphrase),
        )

    stage("central: init, enrol, receive, finalise, publish", run_central)
    base = next(s for n, s, _ in rows if n.startswith("baseline"))
    print(f"national: {len(e.districts)} districts, {len(e.municipalities)} municipalities, "
          f"{len(gen.tallies)} stations, {len(e.districts[0].lists)} lists; "
          f"{baseline.votes_on_lists} votes")  # fmt: skip
    print(f"{'stage':<72} {'seconds':>9} {'× baseline':>11} {'peak MB':>8}")
    for name, secs, mb in rows:
        print(f"{name:<72} {secs:9.2f} {secs / base:11.1f} {mb:8.0f}")
    print(f"published folder: {published}")


if __name__ == "__main__":
    main()
