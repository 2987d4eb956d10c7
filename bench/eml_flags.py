"""What investigation flags cost the 510 reader: a 510b with `kr:ReportingUnitInvestigations` vs without.

    python bench/eml_flags.py [--repeat N]

The raw-bytes fast path of the reader (shared/formats/eml/fast510.py) admits only the vote group, so a file
whose units carry flags is read on the XSLT path, and a flagged unit on the element walk (docs/eml.md,
"Investigation flags"). Baseline, measured in the same run: the same real file (TK2025 West Maas en Waal, the
Kiesraad's 510b, written back by our writer) without flags. Printed: best-of-N seconds of `read_510` for the
file without flags, with one flagged station and with every station flagged, each × the baseline.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import msgspec

from shared.formats.eml.read import read_510
from shared.formats.eml.write import write_510

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "shared/data/eml/samples/tk2025_westmaasenwaal/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
)
FLAGS = (("onderzocht vanwege andere reden", True), ("uitslag gecorrigeerd", True))


def best(data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        read_510(data)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    count = read_510(SAMPLE.read_bytes())
    plain = write_510(count)
    one = list(count.units)
    one[0] = msgspec.structs.replace(one[0], investigations=FLAGS)
    every = [msgspec.structs.replace(u, investigations=FLAGS) for u in count.units]
    files = {
        "no flags (baseline)": plain,
        "one station flagged": write_510(msgspec.structs.replace(count, units=tuple(one))),
        "every station flagged": write_510(msgspec.structs.replace(count, units=tuple(every))),
    }
    print(f"{SAMPLE.name}: {len(plain) / 1e6:.2f} MB, {len(count.units)} stations, best of {args.repeat}")
    base = best(plain, args.repeat)
    for label, data in files.items():
        seconds = base if data is plain else best(data, args.repeat)
        print(f"  {label:24} {seconds * 1000:8.1f} ms  {seconds / base:5.2f}×")


if __name__ == "__main__":
    main()
