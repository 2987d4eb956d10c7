"""A receiving tier refuses a summary whose own totals do not hold, whatever key signed it.

The rules (shared/domain/total_rules.py): F.201 A + B + C = D, F.402 E.x = its candidates, F.312
H = D + I − J and the bound on every count refuse; W.205/W.206 (Z) only warn. The pure rules are checked on
tallies that add up by construction (the sum of station tallies that each hold) and on each broken case; the
wiring with a summary signed by a genuinely enrolled municipality key, scanned by `telketen hsb scan` and at
the scanning desk: refused, audited with the rule, never counted, shown in Dutch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest
from conftest import SHARED_DATA, needs_shared
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from test_central_fixtures import PASSPHRASE, Chain, make_chain, municipal_summary, tks_files
from test_hoofdstembureau_app import enrol_all, init

from hoofdstembureau.web import create_hsb_app
from shared.adapters.web import USERS_FILE, UserFile
from shared.domain.tally import ListTally, Tally, add_tallies
from shared.domain.total_rules import MAX_COUNT, check_totals
from shared.formats.eml.read import read_510
from telketen.cli import main
from tests.test_web_support import PW, csrf_of


@st.composite
def station(draw: st.DrawFn, shape: tuple[int, ...]) -> Tally:
    """One station's tally on a ballot of `shape` (candidates per list) that passes the station rules
    (F.201, F.402, F.305–F.309)."""
    lists = tuple(
        ListTally(n, sum(c), tuple(c))
        for n, c in enumerate((draw(st.lists(st.integers(0, 500), min_size=k, max_size=k)) for k in shape), 1)
    )
    blank, invalid = draw(st.integers(0, 50)), draw(st.integers(0, 50))
    h = sum(lst.votes for lst in lists) + blank + invalid
    d = draw(st.integers(max(0, h - 20), h + 20))
    a = draw(st.integers(0, d))
    b = draw(st.integers(0, d - a))
    return Tally(
        eligible_voters=draw(st.integers(0, 5000)),
        poll_cards=a,
        proxy_certificates=b,
        voter_cards=d - a - b,
        admitted_voters=d,
        blank=blank,
        invalid=invalid,
        more_ballots=max(0, h - d),
        fewer_ballots=max(0, d - h),
        lists=lists,
    )


SHAPES = st.lists(st.integers(1, 4), max_size=4).map(tuple)


@settings(max_examples=150, deadline=None)
@given(SHAPES.flatmap(lambda shape: st.lists(station(shape), min_size=1, max_size=8)))
def test_the_sum_of_valid_station_reports_breaks_no_refusing_rule(stations: list[Tally]) -> None:
    total = add_tallies((f"SB{i}", t) for i, t in enumerate(stations))
    assert [f.code for f in check_totals(total) if f.refuses] == []


GOOD = Tally(
    eligible_voters=200,
    poll_cards=100,
    proxy_certificates=5,
    voter_cards=0,
    admitted_voters=105,
    blank=2,
    invalid=3,
    lists=(ListTally(1, 60, (30, 30)), ListTally(2, 40, (40,))),
)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"admitted_voters": 104, "fewer_ballots": 0, "more_ballots": 1}, "F.201"),
        ({"lists": (ListTally(1, 61, (30, 30)), ListTally(2, 39, (40,)))}, "F.402"),
        ({"blank": 3}, "F.312"),
        ({"more_ballots": 1}, "F.312"),
        ({"poll_cards": 2**63, "admitted_voters": 2**63 + 5}, "bound"),
        ({"lists": (ListTally(1, 60, (MAX_COUNT + 1, 30)), ListTally(2, 40, (40,)))}, "bound"),
    ],
)
def test_each_refusing_rule_fires_on_its_case(change: dict[str, object], code: str) -> None:
    assert check_totals(GOOD) == []
    findings = check_totals(msgspec.structs.replace(GOOD, **change))
    assert code in {f.code for f in findings if f.refuses}


def test_z_only_warns() -> None:
    assert [(f.code, f.refuses) for f in check_totals(msgspec.structs.replace(GOOD, eligible_voters=0))] == [
        ("W.205", False)
    ]
    assert [(f.code, f.refuses) for f in check_totals(msgspec.structs.replace(GOOD, eligible_voters=99))] == [
        ("W.206", False)
    ]
    assert check_totals(msgspec.structs.replace(GOOD, eligible_voters=MAX_COUNT)) == []


# ------------------------------------------------------------------------------------ through the tiers

pytestmark = needs_shared


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return make_chain(tmp_path_factory.mktemp("totals-input"), national=True)


@pytest.fixture
def hsb(chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    district = chain.election.districts[0].id
    state = tmp_path / "hsb"
    assert init(chain, state, district) == 0 and enrol_all(chain, state, district) == 0
    return state, chain.codes(district)[0]


def broken(total: Tally, kind: str) -> Tally:
    if kind == "F.312":
        return msgspec.structs.replace(total, blank=total.blank + 1)  # H one more than D + I − J
    if kind == "F.201":
        return msgspec.structs.replace(total, poll_cards=total.poll_cards + 100)
    if kind == "F.402":
        first = total.lists[0]
        lists = (
            ListTally(
                first.number, first.votes, (first.candidate_votes[0] + 100, *first.candidate_votes[1:])
            ),
        )
        return msgspec.structs.replace(total, lists=lists + total.lists[1:])
    return msgspec.structs.replace(total, poll_cards=2**63, admitted_voters=2**63 + total.admitted_voters)


def received(state: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(next(state.glob("*.hsb.sqlite"))) as conn:
        return conn.execute("SELECT stage, outcome, reason FROM received ORDER BY seq").fetchall()


def refusals(state: Path) -> list[str]:
    with sqlite3.connect(next(state.glob("*.hsb.sqlite"))) as conn:
        rows = conn.execute("SELECT payload FROM audit_log WHERE action = 'summary_refused'").fetchall()
    return [msgspec.json.decode(r[0])["reason"] for r in rows]


@pytest.mark.parametrize("kind", ["F.312", "F.201", "F.402", "bound"])
def test_a_genuinely_signed_summary_that_does_not_add_up_is_refused_and_audited(
    chain: Chain, hsb: tuple[Path, str], tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    state, code = hsb
    message = municipal_summary(chain, code, total=broken(chain.total(code), kind))
    assert main(["hsb", "scan", "--state", str(state), *tks_files(tmp_path, message)]) == 3
    assert "refused: its numbers do not add up" in capsys.readouterr().err  # an error: on stderr
    assert received(state) == [("check", "refuse", refusals(state)[0])]
    assert kind in refusals(state)[0]
    assert main(["hsb", "finalise", "--state", str(state)]) == 4  # nothing counted: still missing
    good = municipal_summary(chain, code)
    assert main(["hsb", "scan", "--state", str(state), *tks_files(tmp_path, good)]) == 0


def test_the_desk_shows_the_refusal_in_dutch(chain: Chain, hsb: tuple[Path, str], tmp_path: Path) -> None:
    state, code = hsb
    UserFile(state / USERS_FILE, ("operator", "observer")).add("olga", "operator", PW)
    message = municipal_summary(chain, code, total=broken(chain.total(code), "F.312"))
    c = TestClient(create_hsb_app(state), follow_redirects=True)
    token = csrf_of(c.get("/login").text)
    token = csrf_of(c.post("/login", data={"csrf": token, "name": "olga", "password": PW}).text)
    r = c.post(
        "/balie/upload",
        data={"csrf": token},
        files=[("files", ("m.tks", message, "application/octet-stream"))],
    )
    assert 'data-outcome="refuse"' in r.text
    assert "de getallen kloppen niet: F.312 H (uitgebrachte stemmen) =" in r.text
    assert refusals(state) and "F.312" in refusals(state)[0]


def test_the_central_office_refuses_a_municipal_summary_that_does_not_add_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_central_app import enrolled_council

    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    council, state, code = enrolled_council(tmp_path)
    message = municipal_summary(council, code, total=broken(council.total(code), "F.201"))
    assert main(["central", "scan", "--state", str(state), *tks_files(tmp_path, message)]) == 3
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:
        (reason,) = conn.execute("SELECT reason FROM received").fetchone()
    assert "F.201" in reason


def test_finalise_refuses_a_summary_written_into_the_state_file_past_scan(
    chain: Chain, hsb: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The accepted row of a municipality swapped, with sqlite3, for a genuinely signed summary that does not
    add up: `finalise` opens every counted summary again, checks its totals and signs nothing."""
    from shared.formats.signing import message_digest

    state, code = hsb
    district = chain.district_of(code)
    messages = [municipal_summary(chain, c) for c in chain.codes(district)]
    assert main(["hsb", "scan", "--state", str(state), *tks_files(tmp_path, *messages)]) == 0
    bad = municipal_summary(chain, code, total=broken(chain.total(code), "F.312"))
    with sqlite3.connect(next(state.glob("*.hsb.sqlite"))) as conn:
        conn.execute(
            "UPDATE received SET message = ?, digest = ? WHERE authority_id = ?",
            (bad, message_digest(bad).hex(), code),
        )
    capsys.readouterr()
    assert main(["hsb", "finalise", "--state", str(state)]) == 3
    err = capsys.readouterr().err
    assert f"the counted summary of {code} does not add up: F.312" in err
    assert not (state / "output").exists()


REAL = SHARED_DATA / "eml"


@pytest.mark.parametrize(
    "path",
    [
        "samples/gr2022_westmaasenwaal/Telling_GR2022_WestMaasenWaal.eml.xml",
        "samples/tk2025_westmaasenwaal/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
    ],
)
def test_real_municipal_510b_totals_obey_every_refusing_rule(path: str) -> None:
    """The Kiesraad's own municipal files: their total and every station pass as a municipality's."""
    count = read_510((REAL / path).read_bytes(), path)
    for tally in (count.total.tally, *(u.tally for u in count.units)):
        assert [f.code for f in check_totals(tally) if f.refuses] == []


def test_real_kieskring_510c_totals_without_d_only_warn() -> None:
    """TK2021's kieskring 510c files carry no A and no D (0), per municipality and in total: F.201/F.312
    warn; the same numbers with a D reported are refused."""
    paths = sorted((REAL / "tk2021").glob("Telling_TK2021_kieskring_*.eml.xml"))
    if not paths:
        pytest.skip("no tk2021 result set")
    for path in paths:
        count = read_510(path.read_bytes(), path.name)
        for t in (count.total.tally, *(u.tally for u in count.units)):
            assert t.admitted_voters == 0
            findings = check_totals(t)
            assert [f.code for f in findings if f.refuses] == [], path.name
        assert {"F.201", "F.312"} <= {f.code for f in check_totals(count.total.tally)}
        reported = msgspec.structs.replace(count.total.tally, admitted_voters=1)
        assert "F.312" in {f.code for f in check_totals(reported) if f.refuses}
