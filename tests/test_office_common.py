"""The receiving office's state file helpers (`shared.adapters.store`, `shared.office.state`).

The hoofdstembureau and central apps (and, for the store helpers, the municipality) find, create and migrate
their state files through these; the app tests drive them end to end, these pin the refusals and their words.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from central.office import Office as CentralOffice
from hoofdstembureau.office import Office as HsbOffice
from shared.adapters.store import get_meta, locate_state, open_state, schema_version, set_meta
from shared.errors import InputError, StateError
from shared.office.office import Office
from shared.office.state import StateLayout, db_name, migrations

NIGHT = datetime(2029, 3, 21, 23, 0, 0)

LAYOUT = StateLayout(
    app="test",
    command="telketen test",
    suffix=".test.sqlite",
    default_state=Path("telketen-test"),
    scope="district and election",
    per="district",
    migrations=migrations("CREATE TABLE outputs (phase INTEGER PRIMARY KEY);"),
)


def test_locate_refuses_a_missing_folder_an_empty_one_and_several_files(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"no state folder here; run `telketen test init` first"):
        LAYOUT.locate(tmp_path / "absent")
    with pytest.raises(StateError, match=r"no test state file; run `telketen test init` first"):
        LAYOUT.locate(tmp_path)
    (tmp_path / "a.test.sqlite").touch()
    assert LAYOUT.locate(tmp_path) == tmp_path / "a.test.sqlite"
    (tmp_path / "b.test.sqlite").touch()
    with pytest.raises(InputError, match=r"\(a\.test\.sqlite, b\.test\.sqlite\); use one folder per dis"):
        LAYOUT.locate(tmp_path)


def test_locate_state_with_a_prefix_picks_one_election(tmp_path: Path) -> None:
    for name in ("GR2022-0668.x.sqlite", "TK2025-0668.x.sqlite"):
        (tmp_path / name).touch()
    found = locate_state(tmp_path, ".x.sqlite", app="x", init="x init", several="{names}", prefix="TK")
    assert found.name == "TK2025-0668.x.sqlite"
    with pytest.raises(InputError, match=r"GR2022-0668\.x\.sqlite, TK2025-0668\.x\.sqlite"):
        locate_state(tmp_path, ".x.sqlite", app="x", init="x init", several="{names}")


def test_open_creates_migrates_and_never_creates_twice(tmp_path: Path) -> None:
    path = tmp_path / db_name("TK 2025", "HSB6", ".test.sqlite")
    assert path.name == "TK_2025-HSB6.test.sqlite"
    conn = LAYOUT.open_db(path, at="2025-10-29T21:00:00", create=True)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "definition", "register", "received", "election_cache", "outputs", "audit_log",
            "more_candidate_lists"} <= tables  # fmt: skip
    assert "keyed_entries" in tables
    assert schema_version(conn) == 5
    columns = {r[1] for r in conn.execute("PRAGMA table_info(received)")}
    assert "reason_nl" in columns  # the desk's Dutch reason of a refusal
    conn.close()
    with pytest.raises(StateError, match="a state file for this district and election already exists"):
        LAYOUT.open_db(path, at="2025-10-29T21:00:00", create=True)
    with pytest.raises(StateError, match="no state file here"):
        open_state(tmp_path / "absent.sqlite", LAYOUT.migrations, at="t", create=False, exists="")


def test_meta_is_upserted_and_a_missing_key_is_named(tmp_path: Path) -> None:
    conn = LAYOUT.open_db(tmp_path / "m.test.sqlite", at="t", create=True)
    with pytest.raises(StateError, match="the state file has no 'place'"):
        get_meta(conn, "place")
    set_meta(conn, "place", "Arnhem")
    set_meta(conn, "place", "Nijmegen")
    assert get_meta(conn, "place") == "Nijmegen"
    assert conn.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 1
    conn.close()


def test_an_office_must_say_whom_it_adds_up(tmp_path: Path) -> None:
    """The base office is abstract: a tier that forgets a rule cannot open an office at all."""

    class Half(Office):
        layout = LAYOUT

    with pytest.raises(TypeError, match="abstract"):
        Half(tmp_path, sqlite3.connect(":memory:"), "u", clock=lambda: NIGHT)  # type: ignore[abstract]
    assert HsbOffice.layout.suffix == ".hsb.sqlite" and CentralOffice.layout.suffix == ".csb.sqlite"


def test_only_the_edge_reads_the_machine_clock() -> None:
    """Time is passed in (docs/tiers.md): none of the receiving offices' modules reads the machine's clock but
    through the edges' one clock (`shared.adapters.clock`, called by `shared/office/cli.py`), and nothing
    patches a module's clock any more."""
    repo = Path(__file__).resolve().parents[1]
    modules = [
        p
        for folder in ("shared/office", "hoofdstembureau", "central", "telketen/demo")
        for p in sorted((repo / folder).glob("*.py"))
    ]
    assert len(modules) > 20
    readers = {
        p.relative_to(repo).as_posix()
        for p in modules
        if any(call in p.read_text("utf-8") for call in ("datetime.now(", "time.time(", "date.today("))
    }
    assert readers == set()
    assert "clock.now()" in (repo / "shared/office/cli.py").read_text("utf-8")
    patchers = [p.name for p in modules if 'setattr(module, "now"' in p.read_text("utf-8")]
    assert patchers == []


def test_an_office_takes_its_time_from_the_clock_it_was_opened_with(tmp_path: Path) -> None:
    readings = iter([NIGHT, NIGHT.replace(minute=1), NIGHT.replace(minute=2)])
    path = tmp_path / db_name("TK2029", "HSB1", ".hsb.sqlite")
    HsbOffice.layout.open_db(path, at=NIGHT.isoformat(), create=True).close()
    office = HsbOffice.open(tmp_path, "u", clock=lambda: next(readings))  # the first reading: opening
    try:
        assert office.now() == NIGHT.replace(minute=1)
        with office.transaction():
            office.log("test", {})
        (at,) = office.conn.execute("SELECT at FROM audit_log WHERE action = 'test'").fetchone()
    finally:
        office.conn.close()
    assert at == NIGHT.replace(minute=2).isoformat()
