"""The hoofdstembureau on the real Tweede Kamer 2021: kieskring Lelystad adds up its own lists.

The hoofdstembureau is set up from the 110a and its own kieskring's 230b as the Kiesraad published them (CDA,
D66, PvdA and CODE ORANJE have a list for this kieskring only). Its six municipalities (test keys) sign
summaries whose totals are those in the official 510c; the office scans them, finalises, and its 510c must
carry the same numbers as the Kiesraad's, municipality by municipality and in total.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_DATA, needs_shared
from test_central_fixtures import PASSPHRASE, fingerprint, make_authority, signed_summary, tks_files

from shared.domain.keyregister import Role
from shared.formats.eml.hashcode import typed_groups
from shared.formats.eml.read import read_510, read_path
from telketen.cli import main

TK2021 = SHARED_DATA / "eml" / "tk2021"
pytestmark = [needs_shared, pytest.mark.skipif(not TK2021.is_dir(), reason="no tk2021 result set")]
FIELDS = ("eligible_voters", "poll_cards", "proxy_certificates", "voter_cards", "admitted_voters", "blank",
          "invalid", "more_ballots", "fewer_ballots", "explanations", "lists")  # fmt: skip


def test_kieskring_lelystad_adds_up_to_the_official_510c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    a110 = TK2021 / "Verkiezingsdefinitie_TK2021.eml.xml"
    b230 = TK2021 / "Kandidatenlijsten_TK2021_Lelystad.eml.xml"
    official = read_510(read_path(TK2021 / "Telling_TK2021_kieskring_Lelystad.eml.xml"))
    state = tmp_path / "hsb"
    assert main(
        ["hsb", "init", "--state", str(state), "--definition", str(a110), "--candidates", str(b230),
         "--district", official.contest_id, "--place", "Lelystad",
         "--hash-110a", typed_groups(a110.read_bytes()), "--hash-230b", typed_groups(b230.read_bytes())]
    ) == 0  # fmt: skip
    messages = []
    for unit in official.units:
        code = unit.id.split("::")[-1]
        gsb = make_authority(Role.MUNICIPALITY, code, unit.name, "TK2021", official.contest_id, seed=5)
        tke = tmp_path / f"{code}.tke"
        tke.write_bytes(gsb.enrolment)
        fp = fingerprint(gsb.enrolment)
        assert main(["hsb", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 0
        messages.append(
            signed_summary(
                gsb,
                election_id="TK2021",
                district_id=official.contest_id,
                total=unit.tally,
                eml=code.encode(),
            )
        )
    assert main(["hsb", "scan", "--state", str(state), *tks_files(tmp_path, *messages)]) == 0
    assert main(["hsb", "finalise", "--state", str(state)]) == 0
    (ours_path,) = (state / "output").glob("*.eml.xml")
    ours = read_510(ours_path.read_bytes(), ours_path.name)
    assert ours.contest_id == official.contest_id
    assert [(x.number, x.name, x.positions) for x in ours.lists] == [
        (x.number, x.name, x.positions) for x in official.lists
    ]
    for field in FIELDS:
        assert getattr(ours.total.tally, field) == getattr(official.total.tally, field), field
    # the official file orders its municipalities by code, ours as the 110a lists them
    by_code = {u.id.split("::")[-1]: u for u in ours.units}
    assert sorted(by_code) == sorted(u.id.split("::")[-1] for u in official.units)
    for u_off in official.units:
        u_ours = by_code[u_off.id.split("::")[-1]]
        for field in FIELDS:
            assert getattr(u_ours.tally, field) == getattr(u_off.tally, field), (u_ours.id, field)
