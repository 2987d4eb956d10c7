"""The national demo's hoofdstembureaus on worker processes: the same bytes as in this process.

The hoofdstembureaus run side by side, each on its own clock; what they publish and the paper they hand the
central office must not depend on the number of workers or on the order in which the workers finish them.
Two districts of a small Tweede Kamer election are enough (the whole chain runs in bench/chain.py).
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from shared.domain.generate import GeneratedElection
from telketen.demo.clock import DemoClock
from telketen.demo.run import (
    ElectionSpec,
    Progress,
    generate,
    run_districts,
    run_municipalities,
    write_definition,
)

SIZES = {"municipalities": 20, "stations": 20, "lists": 2, "candidates": 10}


def test_hoofdstembureaus_on_workers_publish_the_same_result(tmp_path: Path) -> None:
    spec = ElectionSpec(scale="national", seed=3, sizes=SIZES)
    g = generate(spec)
    el = g.election
    districts = el.districts[:2]
    mine = tuple(m for m in el.municipalities if m.district_id in {d.id for d in districts})
    part = GeneratedElection(election=msgspec.structs.replace(el, municipalities=mine), tallies=g.tallies)
    definition = write_definition(g, tmp_path / "definition", DemoClock(el.date, hour=8))
    municipal = run_municipalities(spec, part, definition, tmp_path / "m", jobs=1, progress=Progress())
    two = msgspec.structs.replace(el, districts=districts)
    runs = {
        jobs: run_districts(
            spec, two, definition, municipal, tmp_path / f"jobs{jobs}", jobs=jobs, progress=Progress()
        )
        for jobs in (1, 2)
    }
    for kind in ("report", "enrolment"):
        paper = [[getattr(j.delivery, kind).messages for j in runs[jobs]] for jobs in (1, 2)]
        assert paper[0] == paper[1] and all(paper[0]), kind
    assert [j.finished for j in runs[1]] == [j.finished for j in runs[2]]
    files = {
        p.relative_to(tmp_path / "jobs1" / "published")
        for p in (tmp_path / "jobs1" / "published").rglob("*")
        if p.is_file()
    }
    assert {rel.parts[0] for rel in files} >= {"HSB1", "HSB2", "definition"}
    assert any(rel.name.endswith(".eml.xml") and rel.parts[0] == "HSB2" for rel in files)
    for rel in sorted(files):
        one_bytes = (tmp_path / "jobs1" / "published" / rel).read_bytes()
        assert one_bytes == (tmp_path / "jobs2" / "published" / rel).read_bytes(), rel
