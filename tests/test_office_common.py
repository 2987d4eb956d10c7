"""The receiving office's state file helpers (`shared.adapters.store`, `shared.office.state`).

The hoofdstembureau and central apps (and, for the store helpers, the municipality) find, create and migrate
their state files through these; the app tests drive them end to end, these pin the refusals and their words.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from central.office import Office as CentralOffice
from hoofdstembureau.office import Office as HsbOffice
from shared.adapters.store import get_meta, locate_state, open_state, schema_version, set_meta
from shared.errors import InputError, StateError
from shared.office.office import Office
from shared.office.state import StateLayout, db_name, migrations

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
    assert {"meta", "definition", "register", "received", "election_cache", "outputs", "audit_log"} <= tables
    assert schema_version(conn) == 2
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
        Half(tmp_path, sqlite3.connect(":memory:"), "u")  # type: ignore[abstract]
    assert HsbOffice.layout.suffix == ".hsb.sqlite" and CentralOffice.layout.suffix == ".csb.sqlite"
