"""`telketen paper encode/decode`: the stable contract, and clean one-line errors for bad input."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shared.adapters.pdf import rasterize
from telketen.cli import main
from tests.conftest import needs_zbar

PAYLOAD = random.Random(11).randbytes(3000)  # 4 symbols: one page, 2 x 2 at 0.75 mm


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("paper")
    (directory / "data.bin").write_bytes(PAYLOAD)
    assert (
        main(
            [
                "paper",
                "encode",
                str(directory / "data.bin"),
                "-o",
                str(directory / "sheets.pdf"),
                "--title",
                "Test",
            ]
        )
        == 0
    )
    return directory


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_encode_then_decode_pdf(encoded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.bin"
    code, stdout, stderr = run(["paper", "decode", str(encoded / "sheets.pdf"), "-o", str(out)], capsys)
    assert code == 0
    assert out.read_bytes() == PAYLOAD
    assert "verified" in stdout and "4/4 symbols, complete" in stderr
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temp file


def test_decode_png_scans_in_any_order(
    encoded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = rasterize((encoded / "sheets.pdf").read_bytes(), 200)[0]
    scan = tmp_path / "scan.jpg"
    page.save(scan, quality=80)
    out = tmp_path / "out.bin"
    assert run(["paper", "decode", str(scan), str(scan), "-o", str(out)], capsys)[0] == 0
    assert out.read_bytes() == PAYLOAD


@needs_zbar
def test_incomplete_scan_names_missing_symbols(
    encoded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = np.array(rasterize((encoded / "sheets.pdf").read_bytes(), 200)[0])
    h = page.shape[0]
    page[h // 2 :, :] = 255  # the bottom row of symbols (3 and 4) did not make it into the scan
    scan = tmp_path / "half.png"
    Image.fromarray(page).save(scan)
    out = tmp_path / "out.bin"
    code, _, stderr = run(["paper", "decode", str(scan), "-o", str(out)], capsys)
    assert code == 2
    assert "telketen: error:" in stderr and "missing symbols 3, 4 of 4" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_dense_encode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.bin"
    data.write_bytes(b"\x00\xff" * 50)
    code, stdout, _ = run(["paper", "encode", str(data), "-o", str(tmp_path / "d.pdf"), "--dense"], capsys)
    assert code == 0 and "version 29-L, 0.34 mm" in stdout
    out = tmp_path / "o.bin"
    assert run(["paper", "decode", str(tmp_path / "d.pdf"), "-o", str(out)], capsys)[0] == 0
    assert out.read_bytes() == b"\x00\xff" * 50


def _bad_inputs(tmp: Path, encoded: Path) -> dict[str, tuple[Path, str]]:
    pdf = (encoded / "sheets.pdf").read_bytes()
    files = {
        "truncated.pdf": (pdf[: len(pdf) // 4], "cannot open the PDF"),
        "random.png": (random.Random(1).randbytes(5000), "not a readable image or PDF"),
        "empty.jpg": (b"", "the file is empty"),
        "text.tiff": (b"II*\x00 this is not a tiff", "not a readable image or PDF"),
    }
    out: dict[str, tuple[Path, str]] = {}
    for name, (blob, text) in files.items():
        (tmp / name).write_bytes(blob)
        out[name] = (tmp / name, text)
    noise = tmp / "noise.png"
    Image.fromarray(np.random.default_rng(2).integers(0, 256, (900, 700), dtype=np.uint8)).save(noise)
    out["noise.png"] = (noise, "no Telketen QR symbols were found in")
    out["missing.png"] = (tmp / "missing.png", "file not found")
    return out


@pytest.mark.parametrize(
    "name", ["truncated.pdf", "random.png", "empty.jpg", "text.tiff", "noise.png", "missing.png"]
)
def test_bad_inputs_give_one_line_errors(
    name: str, encoded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = _bad_inputs(tmp_path, encoded)[name]
    code, _, stderr = run(["paper", "decode", str(path), "-o", str(tmp_path / "o.bin")], capsys)
    assert code == 2
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("telketen: error:") and text in last and name in last
    assert "Traceback" not in stderr
    assert not (tmp_path / "o.bin").exists()


def test_foreign_qr_code_is_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from shared.adapters.qr_render import qr_image

    path = tmp_path / "url.png"
    qr_image(b"https://example.org/", 3, "M", 8, border=4).save(path)
    code, _, stderr = run(["paper", "decode", str(path), "-o", str(tmp_path / "o.bin")], capsys)
    assert code == 2 and "not a Telketen chunk" in stderr


def test_two_messages_at_once_are_refused(
    encoded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.bin").write_bytes(b"another message")
    assert main(["paper", "encode", str(tmp_path / "b.bin"), "-o", str(tmp_path / "b.pdf")]) == 0
    code, _, stderr = run(
        [
            "paper",
            "decode",
            str(encoded / "sheets.pdf"),
            str(tmp_path / "b.pdf"),
            "-o",
            str(tmp_path / "o.bin"),
        ],
        capsys,
    )
    assert code == 2 and "2 different messages" in stderr


def test_encode_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(["paper", "encode", str(tmp_path / "nope"), "-o", str(tmp_path / "x.pdf")], capsys)
    assert code == 2 and "file not found" in stderr
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(1024 * 1024 + 1))
    code, _, stderr = run(["paper", "encode", str(big), "-o", str(tmp_path / "x.pdf")], capsys)
    assert code == 2 and "more than" in stderr
    small = tmp_path / "s.bin"
    small.write_bytes(b"x")
    code, _, stderr = run(["paper", "encode", str(small), "-o", str(tmp_path / "no" / "x.pdf")], capsys)
    assert code == 2 and "does not exist" in stderr
    code, _, stderr = run(["paper", "decode", "-o", str(tmp_path / "o.bin")], capsys)
    assert code == 2 and "give scanned images" in stderr


def test_webcam_without_camera_is_an_environment_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = run(["paper", "decode", "--webcam", "57", "-o", str(tmp_path / "o.bin")], capsys)
    assert code == 5 and "no webcam could be opened at device 57" in stderr
    code, _, stderr = run(
        ["paper", "decode", "x.png", "--webcam", "0", "-o", str(tmp_path / "o.bin")], capsys
    )
    assert code == 2 and "not both" in stderr
