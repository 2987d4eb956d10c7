"""`scripts/fetch_reference_data.py`: the reference data fetched over HTTP, checked file by file, atomically.

The public sources are out of reach here, so a server on 127.0.0.1 plays them: it serves the data tree under
the same paths (the script's `--base-url`, as a mirror would), or the Kiesraad's TK2021 zip at its GitHub
address (`--github`), built from the tree's tk2021/ files.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import fetch_reference_data as fetch
from tests.conftest import SHARED_DATA, missing_reason, needs_oracle, needs_shared


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[functools.partial[str]]:
    """Start a server on 127.0.0.1 for a folder; returns its base URL. Stopped after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield functools.partial(start)
    for server in servers:
        server.shutdown()
        server.server_close()


def leftovers(root: Path) -> list[str]:
    """Temporary files a fetch may have left: there must be none."""
    return [p.name for p in root.rglob(".*") if p.is_file()]


@needs_shared
@needs_oracle
def test_the_manifest_is_the_reference_tree() -> None:
    """Regenerated from ../shared/data, the manifest is the committed one: every file, hash and origin."""
    assert fetch.build_manifest(SHARED_DATA)["files"] == fetch.load_manifest()
    assert fetch.main(["--check", "--dest", str(SHARED_DATA)]) == 0


@needs_shared
@needs_oracle
def test_everything_fetched_from_a_mirror_is_the_tree(
    serve: functools.partial[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "data"
    assert fetch.main(["--base-url", serve(SHARED_DATA), "--dest", str(dest)]) == 0
    entries = fetch.load_manifest()
    for entry in entries:
        assert (dest / entry["path"]).read_bytes() == (SHARED_DATA / entry["path"]).read_bytes()
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == sorted(
        e["path"] for e in entries
    )
    assert f"{len(entries)} fetched, 0 already present" in capsys.readouterr().out
    # a second run finds everything in place and fetches nothing (the server is not even asked)
    assert fetch.main(["--base-url", "http://127.0.0.1:9/", "--dest", str(dest)]) == 0
    assert f"0 fetched, {len(entries)} already present and verified" in capsys.readouterr().out


@needs_shared
def test_a_file_with_a_wrong_hash_is_refused_and_nothing_is_left(
    serve: functools.partial[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(SHARED_DATA / "eml" / "samples" / "juinen", mirror / "eml" / "samples" / "juinen")
    bad = mirror / "eml" / "samples" / "juinen" / "eml110b_stembureaulijst-juinen.eml.xml"
    data = bytearray(bad.read_bytes())
    data[-20] ^= 1  # same size, one bit different
    bad.write_bytes(bytes(data))
    dest = tmp_path / "data"
    code = fetch.main(["--base-url", serve(mirror), "--dest", str(dest), "--only", "eml/samples/juinen/"])
    err = capsys.readouterr().err
    assert code == 3
    assert "eml/samples/juinen/eml110b_stembureaulijst-juinen.eml.xml: SHA-256" in err and "refused" in err
    assert not (dest / "eml/samples/juinen/eml110b_stembureaulijst-juinen.eml.xml").exists()
    assert (dest / "eml/samples/juinen/eml110a_verkiezingsdefinitie-juinen.eml.xml").is_file()  # the others
    assert leftovers(dest) == []
    # a longer file is refused as soon as it passes the manifest's size
    bad.write_bytes(bytes(data) + b" ")
    assert (
        fetch.main(["--base-url", serve(mirror), "--dest", str(dest), "--only", str(bad.relative_to(mirror))])
        == 3
    )
    assert "larger than the manifest's" in capsys.readouterr().err
    assert leftovers(dest) == [] and not (dest / bad.relative_to(mirror)).exists()


@needs_shared
def test_an_interrupted_download_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The server promises the whole file and hangs up halfway: nothing half-written stays behind."""
    target = "eml/samples/juinen/eml230b_kandidatenlijsten-juinen.eml.xml"
    whole = (SHARED_DATA / target).read_bytes()

    class HangUp(_Quiet):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(whole)))
            self.end_headers()
            self.wfile.write(whole[: len(whole) // 2])
            self.close_connection = True

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HangUp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        dest = tmp_path / "data"
        code = fetch.main(["--base-url", url, "--dest", str(dest), "--only", target])
    finally:
        server.shutdown()
        server.server_close()
    assert code == 5
    assert "download failed" in capsys.readouterr().err
    assert not (dest / target).exists() and leftovers(dest) == []


@needs_shared
def test_the_tk2021_files_come_out_of_the_kiesraad_zip_at_its_github_address(
    serve: functools.partial[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The published zip is fetched once through the raw-file address and each member is checked."""
    entries = [e for e in fetch.load_manifest() if e["path"].startswith("eml/tk2021/")]
    github = tmp_path / "github"
    repo, commit = fetch.TK2021_ZIP
    archive = github / repo / commit / fetch.TK2021_ZIP_PATH
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for entry in entries[:3]:
            zf.write(SHARED_DATA / entry["path"], f"EML_bestanden_TK2021/{entry['member']}")
        zf.writestr(f"EML_bestanden_TK2021/{entries[3]['member']}", b"<EML/>")  # not the published bytes
    dest = tmp_path / "data"
    code = fetch.main(["--github", serve(github), "--dest", str(dest), "--only", "eml/tk2021/"])
    err = capsys.readouterr().err
    assert code == 3
    for entry in entries[:3]:
        assert (dest / entry["path"]).read_bytes() == (SHARED_DATA / entry["path"]).read_bytes()
    assert f"{entries[3]['path']}: 6 bytes, the manifest says" in err
    assert f"{entries[4]['path']}: not in " in err
    assert not (dest / entries[3]["path"]).exists() and leftovers(dest) == []


def test_without_a_network_the_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = fetch.main(
        ["--github", "http://127.0.0.1:9", "--dest", str(tmp_path), "--only", "eml/samples/juinen/"]
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 5
    assert len(err) == 4 and all(
        line.startswith(f"{fetch.SCRIPT}: error: http://127.0.0.1:9/") for line in err
    )
    assert "download failed" in err[0] and leftovers(tmp_path) == []


def test_the_data_folder_follows_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(fetch.ENV_VAR, str(tmp_path))
    assert fetch.data_dir() == tmp_path
    monkeypatch.delenv(fetch.ENV_VAR)
    assert fetch.data_dir() == fetch.REPO.parent / "shared" / "data"


def test_the_skip_reason_names_the_script(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the data the tests skip with a reason that says how to get it (and never pass silently)."""
    monkeypatch.setattr("tests.conftest.SHARED_DATA", tmp_path)
    reason = missing_reason("eml/")
    assert (
        reason is not None and "python scripts/fetch_reference_data.py" in reason and str(tmp_path) in reason
    )
    assert "TELKETEN_SHARED_DATA" in reason


def test_every_file_has_an_origin() -> None:
    """Each manifest entry is fetched from a repository at a commit, or named as derived (mirror only)."""
    for entry in fetch.load_manifest():
        assert len(entry["sha256"]) == 64 and entry["size"] >= 0
        if "derived" in entry:
            assert entry["path"].startswith("oracle/") or entry["path"].endswith(".md"), entry
        else:
            assert len(entry["commit"]) == 40 and entry["repo"].count("/") == 1, entry
            assert entry["repo_path"] and not entry["repo_path"].startswith("/"), entry
    with pytest.raises(fetch.Problem, match="no known public source"):
        fetch.origin_of("eml/samples/new-folder/x.xml")
