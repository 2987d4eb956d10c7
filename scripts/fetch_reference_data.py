"""Fetch the reference data the tests read (`../shared/data`) from its public sources, every file checked.

Why: the tests run the real Kiesraad files (EML_NL schemas, real counts and candidate lists, the TK2021
result set) and the official seat results, which the repository must not copy. Every file was taken byte for
byte from a public repository at a fixed commit (eml/SOURCES.md); the manifest beside this script
(`reference_data.json`) lists each with its SHA-256, size and origin, so a fetched file is either exactly
the one the tests were written against or refused.

    python scripts/fetch_reference_data.py                 # into ../shared/data (or $TELKETEN_SHARED_DATA)
    python scripts/fetch_reference_data.py --check         # only say what is missing or different
    python scripts/fetch_reference_data.py --base-url URL  # a mirror serving the tree under the same paths

Some files have no public byte-identical copy: the official seat results in `oracle/` are JSON made from
the Kiesraad's result CSVs (as collected in squell/electionchecker) and from Abacus's "actual case" tests,
and the two notes (SOURCES.md, README.md) were written for the tree. They are fetched only from a mirror
(`--base-url`); without them the tests that read them skip and say so.

Downloads are atomic: each file is streamed into a hidden temporary file beside its target, hashed while it
arrives, and renamed over the target only when its size and SHA-256 equal the manifest's; on any failure
the temporary file is removed. Standard library only, so it runs before `pip install`.

Exit codes as the `telketen` command: 0 done, 2 bad arguments, 3 a file differs from the manifest, 5 a
download failed (no network, HTTP error).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
MANIFEST = Path(__file__).resolve().with_name("reference_data.json")
#: Where the data lives when this variable is unset: `shared/data` beside the repository.
ENV_VAR = "TELKETEN_SHARED_DATA"
GITHUB_RAW = "https://raw.githubusercontent.com"
SCRIPT = "scripts/fetch_reference_data.py"
CHUNK = 1 << 20
TIMEOUT = 60.0

EXIT_USAGE, EXIT_INTEGRITY, EXIT_ENVIRONMENT = 2, 3, 5

EML_NL_MAIN = ("kiesraad/EML_NL", "66abbfff5500666e5d82c3cb52d32b1885e62cf9")
EML_NL_122 = ("kiesraad/EML_NL", "ee0a64e92cbc7bfd1be79c2746752f097430fbaa")
EML2CSV = ("kiesraad/eml2csv", "c6245632317a88b4439e3a3d575ccfd0a24d998a")
ABACUS = ("kiesraad/abacus", "85da391a39ae048ae2f35223cd405a1a31c22a6d")
RUST_EML_NL = ("kiesraad/rust-eml-nl", "8038e739ed1b18a87d8c4e382265ed09e0425f03")
HCP = ("kiesraad/HCP", "55d8e22e032bfbf3527c5d31353c0aa33b87afff")
ABACUS_DOCS = ("kiesraad/abacus-documentatie", "c14362ec3edeee2e90f7455c457f4cec54438ac7")
TK2021_ZIP = ("dvreeze/dutch-election", "642d794f0be63bbd0a18048cc5dc1fb973055bd5")
TK2021_ZIP_PATH = "data/input/EML_bestanden_TK2021_deel_1.zip"

#: (tree prefix, source, stripped, repository prefix): a file whose path starts with the tree prefix is the
#: repository's `repository prefix + path[len(stripped):]` at the source's commit; first match wins. The same
#: table as eml/SOURCES.md (two sample folders renamed files; tk2021/ holds the members of one zip).
PREFIXES: tuple[tuple[str, tuple[str, str], str, str], ...] = (
    ("eml/schemas/main/xsd/", EML_NL_MAIN, "eml/schemas/main/xsd/", "xsd/"),
    ("eml/schemas/v1.2.2/xsd/", EML_NL_122, "eml/schemas/v1.2.2/xsd/", "xsd/"),
    ("eml/schemas/LICENSE-EUPL-1.2.txt", EML_NL_MAIN, "eml/schemas/LICENSE-EUPL-1.2.txt", "LICENSE"),
    ("eml/samples/gr2022_westmaasenwaal/", EML2CSV, "eml/samples/gr2022_westmaasenwaal/", "tests/"),
    ("eml/samples/tk2025_westmaasenwaal/", EML2CSV, "eml/samples/tk2025_westmaasenwaal/", "tests/"),
    ("eml/samples/definitions/", ABACUS, "eml/samples/definitions/", "backend/src/eml/tests/definitions/"),
    ("eml/samples/abacus/e2e_", ABACUS, "eml/samples/abacus/e2e_", "frontend/e2e-tests/test-data/eml-files/"),
    ("eml/samples/abacus/", ABACUS, "eml/samples/abacus/", "backend/src/eml/tests/"),
    ("eml/samples/rust-eml-nl/", RUST_EML_NL, "eml/samples/rust-eml-nl/", "test-emls/"),
    (
        "eml/samples/hcp/Fake_test_data_Telling_TK2023_",
        HCP,
        "eml/samples/hcp/",
        "test/data/FAKE_TEST_DATA_TK2023_DORDRECHT/",
    ),
    ("eml/samples/hcp/Fake_test_data_Telling_EP2024_", HCP, "eml/samples/hcp/", "test/data/e2e/"),
    (
        "eml/samples/juinen/",
        ABACUS_DOCS,
        "eml/samples/juinen/",
        "gebruikersdocumentatie/src/testdocumenten/test-emls-juinen/",
    ),
)
#: Files without a public byte-identical copy, and why.
DERIVED = {
    "eml/SOURCES.md": "written for the tree: where each file came from",
    "oracle/README.md": "written for the tree: what the oracle files hold",
    "oracle/": "official seat results as JSON, made from the Kiesraad's result CSVs (squell/electionchecker) "
    "and Abacus's 'actual case' tests; see the file's own `source` field",
}


class Problem(Exception):
    """A file could not be fetched or is not the one the manifest names; `code` is the exit code."""

    def __init__(self, code: int, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.code = code


def data_dir() -> Path:
    """Where the reference data is read from and fetched to: $TELKETEN_SHARED_DATA, else ../shared/data."""
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else REPO.parent / "shared" / "data"


def load_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["files"]
    return files


def missing(root: Path, entries: Iterable[dict[str, Any]], *, prefix: str = "") -> list[str]:
    """The manifest's paths under `prefix` that are absent from `root` (present files are not hashed here)."""
    return [e["path"] for e in entries if e["path"].startswith(prefix) and not (root / e["path"]).is_file()]


# ------------------------------------------------------------------------------------------------ manifest


def origin_of(path: str) -> dict[str, str]:
    """Where the file at `path` (relative to the data root) comes from, by the table of eml/SOURCES.md."""
    if path.startswith("eml/tk2021/"):
        repo, commit = TK2021_ZIP
        return {
            "repo": repo,
            "commit": commit,
            "repo_path": TK2021_ZIP_PATH,
            "member": path[len("eml/tk2021/") :],
        }
    for prefix, (repo, commit), stripped, repo_prefix in PREFIXES:
        if path.startswith(prefix):
            return {"repo": repo, "commit": commit, "repo_path": repo_prefix + path[len(stripped) :]}
    for prefix, why in DERIVED.items():
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return {"derived": why}
    raise Problem(EXIT_USAGE, path, "no known public source: add it to PREFIXES or DERIVED")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, entry: dict[str, Any]) -> bool:
    return path.is_file() and path.stat().st_size == entry["size"] and sha256_of(path) == entry["sha256"]


def build_manifest(root: Path) -> dict[str, Any]:
    """The manifest of the tree at `root`: every file with its size, SHA-256 and origin, sorted by path."""
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        files.append({"path": rel, "size": path.stat().st_size, "sha256": sha256_of(path), **origin_of(rel)})
    return {
        "about": f"The reference data of the tests (../shared/data), fetched by {SCRIPT}; "
        "generated from the tree with --write-manifest.",
        "files": files,
    }


# ------------------------------------------------------------------------------------------------ fetching


@contextmanager
def _staged(target: Path) -> Iterator[IO[bytes]]:
    """A hidden temporary file beside `target`; renamed over it on success, removed on any failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _copy_checked(source: IO[bytes], entry: dict[str, Any], target: Path, where: str) -> None:
    """Stream `source` into `target` atomically if its size and SHA-256 are the manifest's, else refuse."""
    size, expected = int(entry["size"]), entry["sha256"]
    with _staged(target) as out:
        digest, seen = hashlib.sha256(), 0
        while chunk := source.read(CHUNK):
            seen += len(chunk)
            if seen > size:
                raise Problem(EXIT_INTEGRITY, where, f"larger than the manifest's {size} bytes: refused")
            digest.update(chunk)
            out.write(chunk)
        left = getattr(source, "length", None)  # an HTTP response: bytes promised but never sent
        if left:
            raise Problem(EXIT_ENVIRONMENT, where, f"download failed (cut off after {seen} bytes)")
        if seen != size:
            raise Problem(EXIT_INTEGRITY, where, f"{seen} bytes, the manifest says {size}: refused")
        if digest.hexdigest() != expected:
            raise Problem(
                EXIT_INTEGRITY,
                where,
                f"SHA-256 {digest.hexdigest()[:16]}…, the manifest says {expected[:16]}…: refused",
            )


@contextmanager
def _download(url: str) -> Iterator[IO[bytes]]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            yield response
    except urllib.error.HTTPError as exc:
        raise Problem(EXIT_ENVIRONMENT, url, f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, EOFError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise Problem(EXIT_ENVIRONMENT, url, f"download failed ({reason})") from exc


def _url(base: str, *parts: str) -> str:
    return base.rstrip("/") + "/" + "/".join(urllib.parse.quote(p) for p in parts)


def fetch(
    root: Path,
    entries: list[dict[str, Any]],
    *,
    base_url: str | None = None,
    github: str = GITHUB_RAW,
    say: Callable[[str], None] = print,
) -> list[Problem]:
    """Fetch every entry that is absent or different under `root`; returns the problems (empty: all done).

    `base_url`: a mirror serving the tree under the same paths (every file, derived ones too); otherwise each
    file comes from its repository at its commit, through `github` (raw file URLs)."""
    problems: list[Problem] = []
    zips: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    fetched = present = 0
    for entry in entries:
        target = root / entry["path"]
        if (
            target.is_file()
            and target.stat().st_size == entry["size"]
            and sha256_of(target) == entry["sha256"]
        ):
            present += 1
            continue
        if base_url is None and "derived" in entry:
            say(f"not fetched: {entry['path']} ({entry['derived']}; only from a mirror, --base-url)")
            continue
        if base_url is None and "member" in entry:
            zips.setdefault((entry["repo"], entry["commit"], entry["repo_path"]), []).append(entry)
            continue
        url = (
            _url(base_url, *entry["path"].split("/"))
            if base_url is not None
            else _url(github, *entry["repo"].split("/"), entry["commit"], *entry["repo_path"].split("/"))
        )
        try:
            with _download(url) as response:
                _copy_checked(response, entry, target, entry["path"])
            fetched += 1
        except Problem as problem:
            problems.append(problem)
    for (repo, commit, repo_path), members in zips.items():
        url = _url(github, *repo.split("/"), commit, *repo_path.split("/"))
        try:
            fetched += _fetch_zip(root, url, members, problems)
        except Problem as problem:
            problems.append(problem)
    say(f"{fetched} fetched, {present} already present and verified, {len(problems)} refused or failed")
    return problems


def _fetch_zip(root: Path, url: str, members: list[dict[str, Any]], problems: list[Problem]) -> int:
    """Download the zip once into a temporary file, then take out each member by name, checked."""
    root.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".download.", suffix=".zip", dir=root)
    tmp = Path(name)
    done = 0
    try:
        with os.fdopen(fd, "wb") as out, _download(url) as response:
            shutil.copyfileobj(response, out, CHUNK)
        try:
            archive = zipfile.ZipFile(tmp)
        except zipfile.BadZipFile as exc:
            raise Problem(EXIT_INTEGRITY, url, "not a zip file") from exc
        with archive:
            by_name = {Path(i.filename).name: i for i in archive.infolist() if not i.is_dir()}
            for entry in members:
                info = by_name.get(entry["member"])
                if info is None:
                    problems.append(Problem(EXIT_INTEGRITY, entry["path"], f"not in {url}"))
                    continue
                try:
                    with archive.open(info) as source:
                        _copy_checked(source, entry, root / entry["path"], entry["path"])
                    done += 1
                except Problem as problem:
                    problems.append(problem)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    problems.append(Problem(EXIT_INTEGRITY, entry["path"], f"damaged in {url} ({exc})"))
    finally:
        tmp.unlink(missing_ok=True)
    return done


def check(root: Path, entries: list[dict[str, Any]], say: Callable[[str], None] = print) -> list[Problem]:
    """Every manifest file present under `root` with its size and SHA-256; nothing is written."""
    problems = []
    for entry in entries:
        path = root / entry["path"]
        if not path.is_file():
            problems.append(Problem(EXIT_ENVIRONMENT, entry["path"], "missing"))
        elif not _verified(path, entry):
            problems.append(Problem(EXIT_INTEGRITY, entry["path"], "differs from the manifest"))
    say(f"{len(entries) - len(problems)} of {len(entries)} files present and verified under {root}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=SCRIPT, description="Fetch the tests' reference data from its public sources, SHA-256 checked."
    )
    parser.add_argument(
        "--dest", type=Path, help=f"where to place it (default: ${ENV_VAR}, else ../shared/data)"
    )
    parser.add_argument(
        "--base-url", help="a mirror serving the tree under the same paths (tests, offline copies)"
    )
    parser.add_argument(
        "--github", default=GITHUB_RAW, help="raw-file address of GitHub (default: %(default)s)"
    )
    parser.add_argument(
        "--only", default="", metavar="PREFIX", help="only files whose path starts with PREFIX"
    )
    parser.add_argument("--check", action="store_true", help="only check what is there; write nothing")
    parser.add_argument(
        "--write-manifest", type=Path, metavar="TREE", help="maintainers: the manifest of the tree TREE"
    )
    args = parser.parse_args(argv)
    if args.write_manifest is not None:
        manifest = build_manifest(args.write_manifest)
        text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
        with _staged(MANIFEST) as out:
            out.write(text.encode("utf-8"))
        print(f"{MANIFEST}: {len(manifest['files'])} files")
        return 0
    root = args.dest or data_dir()
    entries = [e for e in load_manifest() if e["path"].startswith(args.only)]
    if not entries:
        print(f"{SCRIPT}: error: no file in the manifest starts with {args.only!r}", file=sys.stderr)
        return EXIT_USAGE
    try:
        problems = (
            check(root, entries)
            if args.check
            else fetch(root, entries, base_url=args.base_url, github=args.github)
        )
    except OSError as exc:
        print(f"{SCRIPT}: error: {root}: cannot write ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_ENVIRONMENT
    for problem in problems:
        print(f"{SCRIPT}: error: {problem}", file=sys.stderr)
    codes = {p.code for p in problems}
    return EXIT_INTEGRITY if EXIT_INTEGRITY in codes else max(codes, default=0)


if __name__ == "__main__":
    sys.exit(main())
