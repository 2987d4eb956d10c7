"""`central publish --gather DIR`: a central office publishing on its own machine gathers what `verify` needs.

The municipality publishes its 510b, summary and key in its own folder; the central office's folder holds only
copies of the summaries it scanned. Without gathering, a journalist's first `telketen verify` on the central
folder fails for the missing 510b; with `--gather` it verifies. A folder whose summary the office did not add
up is left out and said so, and a gathered file that contradicts one already published is refused.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from test_central_fixtures import (
    PASSPHRASE,
    Chain,
    fingerprint,
    make_chain,
    municipal_summary,
    publish_municipality,
    sheet,
)

from shared.formats.eml.hashcode import typed_groups
from telketen.cli import main


@pytest.fixture()
def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Chain, Path, Path]:
    """A finalised council: the central state and the municipality's own published folder."""
    monkeypatch.setenv("TELKETEN_PASSPHRASE", PASSPHRASE)
    chain = make_chain(tmp_path / "in", national=False)
    state, municipal = tmp_path / "csb", tmp_path / "municipality-published"
    (code,) = chain.codes()
    assert main(
        ["central", "init", "--state", str(state), "--definition", str(chain.a110),
         "--candidates", str(chain.b230), "--place", "Den Haag",
         "--hash-110a", typed_groups(chain.a110.read_bytes()),
         "--hash-230b", typed_groups(chain.b230.read_bytes())]
    ) == 0  # fmt: skip
    tke = tmp_path / "m.tke"
    tke.write_bytes(chain.municipalities[code].enrolment)
    fp = fingerprint(chain.municipalities[code].enrolment)
    assert main(["central", "enrol", "--state", str(state), str(tke), "--expect-fingerprint", fp]) == 0
    message = municipal_summary(chain, code)
    publish_municipality(chain, code, municipal, message)
    assert main(["central", "scan", "--state", str(state), str(sheet(message, tmp_path / "gsb.pdf"))]) == 0
    assert main(["central", "finalise", "--state", str(state)]) == 0
    return chain, state, municipal


def verify_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    main(["verify", "--json", str(folder)])
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_without_gathering_verify_misses_the_510b_and_with_it_verifies(
    council: tuple[Chain, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain, state, municipal = council
    (code,) = chain.codes()
    alone = tmp_path / "alone"
    assert main(["central", "publish", "--state", str(state), "--out", str(alone)]) == 0
    findings = verify_json(alone, capsys)["findings"]
    assert isinstance(findings, list)
    assert {"check": "completeness", "file": f"{code}/", "unit": code, "field": "510b"} in [
        {k: f[k] for k in ("check", "file", "unit", "field")} for f in findings
    ]
    gathered = tmp_path / "gathered"
    assert (
        main(
            ["central", "publish", "--state", str(state), "--out", str(gathered), "--gather", str(municipal)]
        )
        == 0
    )
    assert sorted(p.name for p in (gathered / code).iterdir()) == sorted(
        p.name for p in (municipal / code).iterdir()
    )
    report = verify_json(gathered, capsys)
    assert report["ok"] is True, report["findings"]
    # gathered before the site is built: its area page shows the stations from the gathered 510b (the phone
    # check knows the key); published alone, the page has only the municipality's total
    area = f"gebied-{code}.html"
    assert 'id="onderdelen">Stembureaus' in (gathered / "site" / area).read_text(encoding="utf-8")
    assert 'id="onderdelen"' not in (alone / "site" / area).read_text(encoding="utf-8")
    phone = (gathered / "site" / "controle-gegevens.js").read_text(encoding="utf-8")
    assert base64.b64encode(chain.municipalities[code].enrolment).decode("ascii") in phone
    with sqlite3.connect(next(state.glob("*.csb.sqlite"))) as conn:
        logged = [r[0] for r in conn.execute("SELECT payload FROM audit_log WHERE action = 'published'")]
    assert any(f"{code}/Telling_" in payload for payload in logged)  # the copy is in the audit log


def test_a_folder_the_office_did_not_add_up_is_not_gathered(
    council: tuple[Chain, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain, state, municipal = council
    (code,) = chain.codes()
    stranger = tmp_path / "stranger" / "9999"
    stranger.mkdir(parents=True)
    (stranger / "summary.tks").write_bytes(b"TKS not one this office counted")
    (stranger / "Telling_x.eml.xml").write_bytes(b"<EML/>")
    out = tmp_path / "out"
    capsys.readouterr()
    args = ["central", "publish", "--state", str(state), "--out", str(out)]
    assert main([*args, "--gather", str(municipal), "--gather", str(stranger.parent)]) == 0
    said = capsys.readouterr().out
    assert "not gathered" in said and "9999" in said
    assert not (out / "9999").exists() and (out / code / "key.tke").is_file()


def test_a_gathered_file_that_contradicts_the_published_one_is_refused(
    council: tuple[Chain, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain, state, municipal = council
    (code,) = chain.codes()
    (own,) = (municipal / code).glob("Telling_*.eml.xml")
    out = tmp_path / "out"
    (out / code).mkdir(parents=True)
    (out / code / own.name).write_bytes(b"another 510b under the same name")
    capsys.readouterr()
    assert (
        main(["central", "publish", "--state", str(state), "--out", str(out), "--gather", str(municipal)])
        == 2
    )
    err = capsys.readouterr().err
    assert own.name in err and "differs" in err and "Traceback" not in err
    assert (out / code / own.name).read_bytes() == b"another 510b under the same name"  # nothing overwritten
