"""The results site's hand-recount page (issue 16 part 2): the procedure while no plan is published, and once
`telketen audit plan --out <published>/hertelling` has run and the central office published again, the plan
with links to its explanation, its recount forms and its JSON — all of which exist, and verify still holds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from central.site_audit import read_plan
from telketen.cli import main
from telketen.demo.clock import DEMO_PASSPHRASE
from telketen.demo.run import ElectionSpec, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit-site") / "run"
    run_demo(out, spec=ElectionSpec(scale="municipal", seed=1))
    return out


def _publish(demo: Path) -> str:
    state, out = str(demo / "work" / "CSB"), str(demo / "published")
    passphrase = DEMO_PASSPHRASE.decode()  # publish signs the central office's manifest (docs/verify.md)
    assert main(["central", "publish", "--state", state, "--out", out, "--passphrase", passphrase]) == 0
    return (demo / "published" / "site" / "hertelling.html").read_text("utf-8")


def test_without_a_plan_the_page_explains_the_procedure(demo: Path) -> None:
    page = (demo / "published" / "site" / "hertelling.html").read_text("utf-8")
    assert "Nog geen hertelplan gepubliceerd" in page
    assert "telketen audit plan --seed" in page and "--out published/hertelling published" in page
    assert 'href="../hertelling/' not in page
    index = (demo / "published" / "site" / "index.html").read_text("utf-8")
    assert 'href="hertelling.html">Hertelling</a>' in index  # every page leads to it


def test_a_published_plan_is_linked_and_verify_still_holds(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = tmp_path / "run"
    shutil.copytree(demo, published)
    folder = published / "published"
    plan_dir = folder / "hertelling"
    assert main(["audit", "plan", "--seed", "3 6 1 4 2 5", "--out", str(plan_dir), str(folder)]) == 0
    page = _publish(published)
    assert "Het gepubliceerde hertelplan" in page and "<code>3 6 1 4 2 5</code>" in page
    plan = json.loads((plan_dir / "plan.json").read_text("utf-8"))
    if plan["full_hand_count"]:
        assert "Alle stembureaus worden met de hand herteld" in page
    links = re.findall(r'href="(\.\./hertelling/[^"]+)"', page)
    assert sorted(links) == [
        "../hertelling/hertelformulieren.pdf", "../hertelling/hertelling.html", "../hertelling/plan.json"
    ]  # fmt: skip
    for link in links:
        assert (folder / "site" / link).resolve().is_file()
    files = (folder / "site" / "bestanden.html").read_text("utf-8")
    assert "Hertelplan: de te hertellen stembureaus" in files and "Hertelformulieren voor de teams" in files
    capsys.readouterr()
    assert main(["verify", str(folder)]) == 0  # the plan beside the result does not disturb the check
    capsys.readouterr()
    (plan_dir / "plan.json").write_text("{}", "utf-8")  # and the central office's manifest covers the plan
    assert main(["verify", "--json", str(folder)]) == 3
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["check"], f["file"]) for f in findings] == [("manifest", "hertelling/plan.json")]


def test_an_unreadable_plan_is_said_not_hidden(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "run"
    shutil.copytree(demo, copy)
    (copy / "published" / "hertelling").mkdir()
    (copy / "published" / "hertelling" / "plan.json").write_text("{not json", "utf-8")
    page = _publish(copy)
    assert "geen leesbaar plan" in page


def test_read_plan_takes_the_contract_fields() -> None:
    data = {
        "risk_limit": 0.05,
        "seed": "1 2 3",
        "margin": {"seat": "De 6e zetel van lijst 8 gaat naar lijst 2."},
        "stations": [{"unit": "0276::SB1", "municipality": "Oost-Neddam"}],
        "full_hand_count": False,
    }
    plan = read_plan(json.dumps(data).encode())
    assert plan is not None
    assert plan["risk"] == "5\u00a0%" and plan["confidence"] == "95\u00a0%"
    assert plan["stations"] == [("0276::SB1", "Oost-Neddam")] and plan["count"] == "1"
    assert read_plan(b"[]") is None and read_plan(b'{"seed": 1}') is None
