"""Plausibility where issue 16 promised it beyond `telketen plausibility`: at a receiving office's desk (the
hoofdstembureau's here; the central office shares the code), over the parts received so far. Advice only:
the planted summary is accepted, counted and finalised like any other."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from test_central_fixtures import (
    PASSPHRASE,
    Chain,
    fingerprint,
    make_chain,
    municipal_summary,
    tks_files,
)

from hoofdstembureau import publish as hsb_publish
from hoofdstembureau.office import Office
from shared.adapters.web import make_environment
from shared.domain.tally import ListTally, Tally
from shared.formats.eml.hashcode import typed_groups
from shared.office.cli import system_clock
from telketen.cli import main


def swapped(total: Tally, a: int, b: int) -> Tally:
    """`total` with the votes of lists at positions a and b exchanged, as on a form whose rows were swapped;
    each list's votes sit on its first candidate, so every sum still holds."""
    lists = list(total.lists)

    def carrying(lst: ListTally, votes: int) -> ListTally:
        cands = (votes,) + (0,) * (len(lst.candidate_votes) - 1)
        return msgspec.structs.replace(lst, votes=votes, candidate_votes=cands)

    va, vb = lists[a].votes, lists[b].votes
    lists[a], lists[b] = carrying(lists[a], vb), carrying(lists[b], va)
    return msgspec.structs.replace(total, lists=tuple(lists))


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Chain, Path, str, str]:
    """A kieskring of eight municipalities whose first summary has its largest and smallest list swapped."""
    base = tmp_path_factory.mktemp("desk")
    chain = make_chain(base / "input", national=True, municipalities=16, stations=48)
    district = chain.election.districts[0].id
    state = base / "state"
    mp = pytest.MonkeyPatch()
    mp.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    assert main(
        ["hsb", "init", "--state", str(state), "--definition", str(chain.a110),
         "--candidates", str(chain.b230), "--district", district, "--place", "Arnhem",
         "--hash-110a", *typed_groups(chain.a110.read_bytes()).split(),
         "--hash-230b", *typed_groups(chain.b230.read_bytes()).split()]
    ) == 0  # fmt: skip
    codes = chain.codes(district)
    files, fps = [], []
    for code in codes:
        path = chain.folder / f"{code}.tke"
        path.write_bytes(chain.municipalities[code].enrolment)
        files.append(str(path))
        fps += ["--expect-fingerprint", fingerprint(chain.municipalities[code].enrolment)]
    assert main(["hsb", "enrol", "--state", str(state), *files, *fps]) == 0
    planted = codes[0]
    votes = [lst.votes for lst in chain.total(planted).lists]
    wrong = swapped(chain.total(planted), votes.index(max(votes)), votes.index(min(votes)))
    summaries = [municipal_summary(chain, c, total=wrong if c == planted else None) for c in codes]
    assert main(["hsb", "scan", "--state", str(state), *tks_files(base, *summaries)]) == 0  # all accepted
    mp.undo()
    return chain, state, district, planted


def test_the_desk_advises_on_the_swapped_summary_and_only_on_it(desk: tuple[Chain, Path, str, str]) -> None:
    _, state, _, planted = desk
    office = Office.open(state, "test", clock=system_clock)
    try:
        status = hsb_publish.status(office)
    finally:
        office.conn.close()
    assert status.complete  # advice never holds a summary back
    assert [(a.unit, a.kind) for a in status.advice] == [(planted, "swap")]
    assert "lijken verwisseld" in status.advice[0].detail


def test_the_status_command_prints_the_advice(
    desk: tuple[Chain, Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, state, _, planted = desk
    assert main(["hsb", "status", "--state", str(state)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"plausibility advice: {planted} (score" in out and "lijken verwisseld" in out


def test_the_desk_page_shows_the_advice_in_dutch(desk: tuple[Chain, Path, str, str]) -> None:
    _, state, _, planted = desk
    office = Office.open(state, "test", clock=system_clock)
    try:
        status = hsb_publish.status(office)
    finally:
        office.conn.close()
    env = make_environment()  # the desk's own environment: its filters (nl, tijd, rol) included
    html = env.get_template("desk_table.html").render(desk=status)
    assert "Plausibiliteit (advies)" in html and "blokkeert niets" in html
    assert f"<td>{planted}</td>" in html and "lijken verwisseld" in html
    quiet = env.get_template("desk_table.html").render(desk=msgspec.structs.replace(status, advice=()))
    assert "Niets opvallends in de ontvangen delen" in quiet
