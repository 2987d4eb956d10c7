"""Atomic file writes: a reader (or a crash) never sees half a file.

The printed report, the 510b and the signed summary are legal artefacts; a power cut while writing must leave
either the old file or the new one. Write to a temporary file in the same directory, fsync it, `os.replace` it
over the target (atomic on POSIX within one file system), then fsync the directory so the rename survives.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from shared.errors import EnvironmentProblem, InputError


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (its folder 0700) unless it exists: state files hold password
    hashes, sessions and the whole count, readable by the office's own account only. SQLite gives its
    journal files the database file's mode."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create: {exc.strerror}", where=str(path)) from None
    os.close(fd)


def atomic_write(path: Path | str, data: bytes | str, *, mode: int = 0o644) -> Path:
    """Write `data` (str is UTF-8 encoded) to `path` atomically; creates the parent folder if needed."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write here: {exc.strerror}", where=str(target)) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EnvironmentProblem(f"cannot write: {exc.strerror}", where=str(target)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target


def atomic_write_many(folder: Path | str, files: Mapping[str, bytes | str]) -> list[Path]:
    """Write several files into `folder`, each atomically, staging all first: none is written if one fails.

    Staging writes every file to a temporary name; only when all are on disk are they renamed into place, so
    an error while producing the set leaves the folder as it was.
    """
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create the folder: {exc.strerror}", where=str(out)) from exc
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            if "/" in name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            payload = data.encode("utf-8") if isinstance(data, str) else data
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            tmp = Path(tmp_name)
            staged.append((tmp, out / name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise EnvironmentProblem(f"cannot write: {exc.strerror}", where=str(out)) from exc
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(out)
    return [target for _, target in staged]


def read_error(path: Path | str, exc: OSError) -> InputError:
    """The one wording of a file a person named that cannot be read: "file not found", "is a folder,
    expected a file" or "cannot read: <why>", always naming the path."""
    if isinstance(exc, FileNotFoundError):
        return InputError("file not found", where=str(path), code="file.missing", params={"path": path})
    if isinstance(exc, IsADirectoryError):
        return InputError(
            "is a folder, expected a file", where=str(path), code="file.folder", params={"path": path}
        )
    return InputError(
        f"cannot read: {exc.strerror or exc}", where=str(path), code="file.unreadable", params={"path": path}
    )


def read_input(path: Path | str) -> bytes:
    """The exact bytes of a file a person named; an InputError in `read_error`'s words if unreadable."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise read_error(path, exc) from None
