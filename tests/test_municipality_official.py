"""The official West Maas en Waal counts (TK2025, GR2022) reproduced through the municipality app, number for
number, `Cast` included.

The Kiesraad publishes no 110a or 110b for these two counts, so they are written by our own writers (the
generator's real forms: no RegionNumber on the national region, the 110b's MaxVotes) from what the official
510b says: the stations with their names and postcodes, each station's `Cast` and the municipality's. The 230b
is the official file. Then the real command line runs `municipality init` on those files (with the typed hash
groups; for GR2022 the electorate is entered with `--electorate`, for TK2025 it comes from the 110b's
MaxVotes), two typists enter every station's official numbers through the service, the coordinator
finalises, and the written 510b is compared with the official one field by field.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from municipality import setup
from municipality.service import Service
from shared.adapters.keyfiles import load_signing_key
from shared.domain.election import (
    District,
    DistrictId,
    Election,
    Municipality,
    MunicipalityCode,
    Station,
    StationId,
)
from shared.domain.station_report import report_from_tally
from shared.formats.eml.definition_writer import write_110a, write_110b
from shared.formats.eml.hashcode import blanked_groups, digest, groups
from shared.formats.eml.model import Count510, UnitVotes
from shared.formats.eml.read import read_230b, read_510
from shared.formats.eml.schema import validate
from telketen.cli import main
from tests.conftest import EML_SAMPLES, needs_shared

pytestmark = needs_shared

_LABEL = re.compile(r"^Stembureau (.*?)(?: \(postcode: (\d{4} \w{2})\))?$")
PASSWORD = "correct horse battery"
CREATED = "2025-09-01T09:00:00.000"


@dataclass(frozen=True)
class Official:
    folder: Path
    count: str
    candidates: str
    csv: str
    seats: int
    threshold: int
    #: the electorate is typed at init (`--electorate`), else the 110b's MaxVotes holds it
    entered: bool
    #: how many numbers the official 510b holds (its ValidVotes, Cast, TotalCounted, Rejected, Uncounted)
    numbers: int


CASES = {
    "tk2025": Official(
        EML_SAMPLES / "tk2025_westmaasenwaal",
        "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        "Kandidatenlijsten_TK2025_Nijmegen.eml.xml",
        "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv",
        150,
        25,
        entered=False,
        numbers=13_488,
    ),
    "gr2022": Official(
        EML_SAMPLES / "gr2022_westmaasenwaal",
        "Telling_GR2022_WestMaasenWaal.eml.xml",
        "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
        "osv4-3_telling_gr2022_westmaasenwaal.csv",
        17,  # ../shared/data/oracle/GR20220316_municipalities.json; GR1, so Kieswet P 15: 50 %
        50,
        entered=True,
        numbers=6_028,
    ),
}


def _stations(count: Count510) -> tuple[Station, ...]:
    out = []
    for unit in count.units:
        m = _LABEL.match(unit.name)
        assert m, unit.name
        z = unit.tally.eligible_voters
        out.append(
            Station(
                id=StationId(unit.id),
                number=int(unit.id.split("::SB")[1]),
                name=m.group(1),
                postal_code=m.group(2),
                eligible_voters=z or None,
            )
        )
    return tuple(out)


def _definition(case: Official, count: Count510) -> tuple[Election, Municipality]:
    """The election as its 110a/110b would describe it (what the official 510b and 230b tell)."""
    candidate_lists = read_230b((case.folder / case.candidates).read_bytes())
    lists = candidate_lists.districts[0]
    e = count.election
    municipality = Municipality(
        code=MunicipalityCode(count.authority_id),
        name=count.authority_name,
        district_id=lists.id,
        stations=_stations(count),
        electorate=None if case.entered else count.total.tally.eligible_voters,
    )
    districts: tuple[District, ...] = (lists,)
    if e.category == "TK":  # the 110a's tree has all 20 kieskringen; only Nijmegen's lists are needed here
        districts = tuple(
            lists if str(n) == lists.id else District(id=DistrictId(str(n)), name=f"Kieskring {n}", lists=())
            for n in range(1, 21)
        )
    election = Election(
        id=e.id,  # type: ignore[arg-type]
        name=e.name or e.id,
        category=e.category,
        subcategory=e.subcategory,
        date=e.date or "",
        seats=case.seats,
        preference_threshold=case.threshold,
        districts=districts,
        municipalities=(municipality,),
        domain=e.domain_id,
        nomination_date=candidate_lists.election.nomination_date,
    )
    return election, municipality


def _typed(data: bytes) -> list[str]:
    """The two groups an operator types from the paper that came with the file."""
    dig = digest(data)
    i, j = blanked_groups(dig)
    return [groups(dig)[i], groups(dig)[j]]


@dataclass
class Run:
    case: Official
    official: Count510
    ours: Count510
    out: Path
    init_output: str


def _run(case: Official, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    official = read_510((case.folder / case.count).read_bytes(), case.count)
    election, municipality = _definition(case, official)
    files = tmp / "files"
    files.mkdir()
    definition = files / "110a.eml.xml"
    definition.write_bytes(write_110a(election, created=CREATED))
    stations = files / "110b.eml.xml"
    stations.write_bytes(write_110b(election, municipality, created=CREATED))
    assert validate(definition.read_bytes()) == [] and validate(stations.read_bytes()) == []
    candidates = case.folder / case.candidates
    monkeypatch.setenv("TELKETEN_PASSPHRASE", "passphrase for tests")
    state = tmp / "state"
    args = [
        "municipality", "init", "--state", str(state), "--definition", str(definition),
        "--candidates", str(candidates), "--stations", str(stations),
        "--hash-110a", *_typed(definition.read_bytes()), "--hash-230b", *_typed(candidates.read_bytes()),
    ]  # fmt: skip
    if case.entered:
        args += ["--electorate", f"{official.total.tally.eligible_voters:,}".replace(",", ".")]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(args) == 0
    init_output = printed.getvalue()
    svc = Service.open(state, at="t")
    try:
        svc.add_user("coord", "coordinator", PASSWORD, at="t", by="setup")
        anna = svc.add_user("anna", "typist", PASSWORD, at="t", by="setup")
        bert = svc.add_user("bert", "typist", PASSWORD, at="t", by="setup")
        with_cards = official.total.tally.voter_cards > 0
        for unit in official.units:
            report = report_from_tally("cso_first", unit.tally, with_voter_cards=with_cards)
            for typist in (anna, bert):
                svc.claim(typist, unit.id, at="t")
                svc.save(typist, unit.id, report, progress=100, at="t")
                svc.finalise_entry(typist, unit.id, accept_warnings=True, at="t")
        out = tmp / "out"
        key = load_signing_key(setup.key_path(svc), b"passphrase for tests").private_key
        setup.finalise(svc, svc.login("coord", PASSWORD), out, key, at=datetime(2025, 10, 30, 1, 0, 0))
    finally:
        svc.close()
    ours = read_510((out / case.count).read_bytes(), case.count)
    return Run(case, official, ours, out, init_output)


@pytest.fixture(scope="module", params=list(CASES))
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _run(CASES[request.param], tmp_path_factory.mktemp(request.param), monkeypatch)


def _numbers(unit: UnitVotes) -> list[tuple[str, int]]:
    """Every number of a 510 unit, named: Cast, TotalCounted, rejected, uncounted, lists and candidates."""
    t = unit.tally
    out = [("Cast", t.eligible_voters), ("TotalCounted", unit.total_counted)]
    out += [("blanco", t.blank), ("ongeldig", t.invalid)]
    for field in ("poll_cards", "proxy_certificates", "voter_cards", "admitted_voters"):
        out.append((field, getattr(t, field)))
    out += [("more_ballots", t.more_ballots), ("fewer_ballots", t.fewer_ballots)]
    out += [(f"uncounted {code}", n) for code, n in t.explanations]
    for lst in t.lists:
        out.append((f"list {lst.number}", lst.votes))
        out += [(f"list {lst.number} candidate {i + 1}", v) for i, v in enumerate(lst.candidate_votes)]
    return out


def test_every_number_of_the_official_510b(run: Run) -> None:
    """Total and every station: the same units, names, lists and every number (13,488 for TK2025)."""
    assert (run.ours.contest_id, run.ours.contest_name) == (
        run.official.contest_id,
        run.official.contest_name,
    )
    assert run.ours.lists == run.official.lists
    assert [(u.id, u.name) for u in run.ours.units] == [(u.id, u.name) for u in run.official.units]
    differ: list[str] = []
    compared = 0
    for mine, theirs in zip(
        (run.ours.total, *run.ours.units), (run.official.total, *run.official.units), strict=True
    ):
        ours, official = _numbers(mine), _numbers(theirs)
        assert [name for name, _ in ours] == [name for name, _ in official]
        compared += len(official)
        differ += [
            f"{mine.id} {n}: {a} ≠ {b}" for (n, a), (_, b) in zip(ours, official, strict=True) if a != b
        ]
    assert differ == []
    assert compared == run.case.numbers


def test_cast_is_the_electorate_as_the_official_files_write_it(run: Run) -> None:
    total = run.ours.total.tally.eligible_voters
    assert total == run.official.total.tally.eligible_voters
    if run.official.election.category == "TK":
        assert total == 16_290 and all(u.tally.eligible_voters == 0 for u in run.ours.units)
        assert "electorate 16290 (110b MaxVotes)" in run.init_output
    else:
        assert total == 16_202 == sum(u.tally.eligible_voters for u in run.ours.units)
        assert "electorate 16202 (entered)" in run.init_output


def test_the_csv_is_the_official_one_by_name_and_bytes(run: Run) -> None:
    assert (run.out / run.case.csv).read_bytes() == (run.case.folder / run.case.csv).read_bytes()


def test_the_na31_2_prints_the_electorate_and_the_last_list_number(run: Run) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(next(run.out.glob("Model_Na31-2_*.pdf")).read_bytes())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).replace("\r\n", "\n")
    z = f"{run.official.total.tally.eligible_voters:,}".replace(",", ".")
    assert f"{z} Z Kiesgerechtigden" in text
    last = max(lst.number for lst in run.official.lists)
    assert f"tel E.1 t/m E.{last} op" in text
