"""`telketen seats`: the stable JSON contract (golden file), the readable table, lots, and every refusal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from telketen.cli import main

GOLDEN = Path(__file__).parent / "golden" / "seats_lot_example.json"

# Spec §4: 15 seats, the second residual seat is a lot among lists 2–6; candidate votes made up, adding up.
LOT_EXAMPLE: dict[str, Any] = {
    "id": "spec-lot",
    "category": "GR",
    "seats": 15,
    "lists": [
        {"number": 1, "name": "Een", "votes": 540, "candidate_votes": [300, 20, 50, 41, 40, 39, 30, 20]},
        {"number": 2, "name": "Twee", "votes": 160, "candidate_votes": [100, 60]},
        {"number": 3, "name": "Drie", "votes": 160, "candidates": 5},
        {"number": 4, "name": "Vier", "votes": 80, "candidates": 3},
        {"number": 5, "name": "Vijf", "votes": 80, "candidates": 3},
        {"number": 6, "name": "Zes", "votes": 80, "candidate_votes": [10, 70, 0], "deceased": [3]},
        {"number": 7, "name": "Zeven", "votes": 55, "candidates": 2},
        {"number": 8, "name": "Acht", "votes": 45, "candidates": 2},
    ],
}


def write(tmp_path: Path, data: Any, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(["seats", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def refuse(capsys: pytest.CaptureFixture[str], argv: list[str], *fragments: str) -> None:
    assert main(["seats", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert err.startswith("telketen: error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def test_lot_then_result_matches_golden(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, LOT_EXAMPLE)
    first = run_json(capsys, path)
    assert first["status"] == "lot_required"
    assert first["lot"]["options"] == [2, 3, 4, 5, 6]
    assert "seats" not in first and "elected" not in first
    done = run_json(capsys, "--lot", "6", path)
    assert done["status"] == "complete"
    assert done["quota"] == "1200/15"
    assert done["seats"] == {"1": 7, "2": 2, "3": 2, "4": 1, "5": 1, "6": 2, "7": 0, "8": 0}
    assert done["elected"] == {"1": [1, 3, 4, 2, 5, 6, 7], "2": [1, 2], "6": [2, 1]}
    if os.environ.get("TELKETEN_REGEN_GOLDEN"):
        GOLDEN.write_text(json.dumps(done, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert done == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_lots_in_the_file_equal_lot_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    via_option = run_json(capsys, "--lot", "6", write(tmp_path, LOT_EXAMPLE))
    via_file = run_json(capsys, write(tmp_path, {**LOT_EXAMPLE, "lots": [6]}, "b.json"))
    assert via_option == via_file


def test_batch_gives_an_array(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = [
        {
            "id": "a",
            "category": "GR",
            "seats": 15,
            "lists": [{"number": 1, "votes": 2571}, {"number": 2, "votes": 977}],
        },
        LOT_EXAMPLE,
        {
            "id": "c",
            "category": "TK",
            "seats": 19,
            "lists": [{"number": n, "votes": v} for n, v in enumerate([176, 632, 800, 959, 595, 529], 1)],
        },
    ]
    out = run_json(capsys, write(tmp_path, batch))
    assert [r["id"] for r in out] == ["a", "spec-lot", "c"]
    assert [r["status"] for r in out] == ["complete", "lot_required", "complete"]
    assert out[0]["seats"] == {"1": 11, "2": 4}
    assert list(out[2]["seats"].values()) == [0, 3, 5, 5, 3, 3]  # P 7 lid 2: list 1 is below the quota


def test_steps_are_tagged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run_json(capsys, "--lot", "6", write(tmp_path, LOT_EXAMPLE))
    kinds = [s["step"] for s in done["steps"]]
    assert kinds[:2] == ["quota", "full_seats"]
    assert kinds.count("residual_seat") == 2 and "lot" in kinds and "preference_threshold" in kinds
    lot = next(s for s in done["steps"] if s["step"] == "lot")
    assert (lot["options"], lot["outcome"]) == ([2, 3, 4, 5, 6], 6)


def test_readable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tk = {"id": "TK-demo", "category": "TK", "seats": 150, "lists": [{"number": 1, "votes": 10422852}]}
    assert main(["seats", write(tmp_path, tk)]) == 0
    out = capsys.readouterr().out
    assert "69485 102/150" in out and "150" in out and "complete" in out

    assert main(["seats", write(tmp_path, LOT_EXAMPLE, "lot.json")]) == 0
    out = capsys.readouterr().out
    assert "Lot required" in out and "2, 3, 4, 5, 6" in out and "Een" in out


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.dumps({**LOT_EXAMPLE, "lots": [3]}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = run_json(capsys, "-")
    assert out["seats"]["3"] == 3


@pytest.mark.parametrize(
    ("data", "fragments"),
    [
        ({**LOT_EXAMPLE, "category": "XX"}, ["$.category"]),
        ({**LOT_EXAMPLE, "seats": 0}, ["$.seats", ">= 1"]),
        ({**LOT_EXAMPLE, "lists": [{"number": 1, "votes": -3}]}, ["$.lists[0].votes", ">= 0"]),
        ({**LOT_EXAMPLE, "lists": [{"number": 1, "votes": 3}, {"number": 1, "votes": 4}]}, ["occurs twice"]),
        ({**LOT_EXAMPLE, "lists": [{"number": 1, "votes": "3"}]}, ["$.lists[0].votes", "int"]),
        ({**LOT_EXAMPLE, "lists": [{"number": 1, "votes": 3, "candidate": 2}]}, ["candidate"]),
        ({**LOT_EXAMPLE, "lots": [7]}, ["lots[0]", "not among the options"]),
        ({**LOT_EXAMPLE, "lots": [6, 1]}, ["lots[1]", "only 1 lot"]),
        ({**LOT_EXAMPLE, "lists": [{"number": 1, "votes": 3, "candidate_votes": [1, 1]}]}, ["add up to 2"]),
        ({**LOT_EXAMPLE, "lists": [{"number": 1, "votes": 3, "deceased": [1]}]}, ["deceased"]),
        (
            {**LOT_EXAMPLE, "lists": [{"number": 1, "votes": 3, "candidates": 2, "deceased": [4]}]},
            ["not on the list"],
        ),
        ([{**LOT_EXAMPLE, "id": "x"}, {"id": "y", "category": "GR"}], ["$[1]", "seats"]),
    ],
)
def test_bad_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, fragments: list[str]
) -> None:
    refuse(capsys, [write(tmp_path, data)], *fragments)


def test_bad_json_missing_file_and_lot_on_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    refuse(capsys, [str(bad)], "not valid JSON", "bad.json")
    refuse(capsys, [str(tmp_path / "missing.json")], "file not found")
    refuse(capsys, [str(tmp_path)], "is a folder, expected a file")
    refuse(capsys, ["--lot", "6", write(tmp_path, [LOT_EXAMPLE])], "--lot", "single election")
    refuse(capsys, ["--lot", "0", write(tmp_path, LOT_EXAMPLE, "one.json")], "--lot")


def test_real_process(tmp_path: Path) -> None:
    path = write(tmp_path, {**LOT_EXAMPLE, "lots": [6]})
    done = subprocess.run(
        [sys.executable, "-m", "telketen", "seats", "--json", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["seats"]["6"] == 2
    failed = subprocess.run(
        [sys.executable, "-m", "telketen", "seats", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr and "file not found" in failed.stderr
