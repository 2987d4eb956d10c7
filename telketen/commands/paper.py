"""`telketen paper`: print any bytes as framed QR sheets, and read them back from scans or a webcam.

Stable contract: `paper encode FILE -o SHEETS.pdf [--dense] [--title T]` and `paper decode IMAGE_OR_PDF... -o
FILE`. Decode exits 0 only when one message is complete and matches its SHA-256; otherwise it says exactly
which symbols are missing ("missing symbols 3, 7 of 15") and exits non-zero.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

from shared.adapters.files import read_input
from shared.adapters.qr_scan import ScanReport, scan_files
from shared.adapters.sheets import choose_layout, render_sheets
from shared.errors import InputError
from shared.formats.framing import frame

MAX_PAYLOAD = 1024 * 1024  # 1 MiB is ~70 pages: paper is not the medium for more


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    paper = subparsers.add_parser(
        "paper",
        help="print any file as QR sheets (PDF) and read it back from scans",
        description="Print any file as framed QR sheets, and decode scans of them byte-exact.",
    )
    actions = paper.add_subparsers(dest="paper_action", metavar="ACTION")
    actions.required = True

    encode = actions.add_parser(
        "encode",
        help="render FILE as A4 QR sheets (PDF)",
        description=(
            "Render a file (up to the paper transport's size) as A4 sheets of numbered QR codes, as PDF."
        ),
    )
    encode.add_argument("file", metavar="FILE", help="any file (at most 1 MiB)")
    encode.add_argument("-o", "--output", required=True, metavar="SHEETS.pdf", help="PDF to write")
    encode.add_argument(
        "--dense", action="store_true", help="0.34 mm modules, ~32 KB/page: for 300 dpi scans only"
    )
    encode.add_argument("--title", default=None, help="title printed on every sheet (default: the file name)")
    encode.add_argument("--subtitle", default="", help="second line printed on every sheet")
    encode.add_argument("--fingerprint", default=None, help="key fingerprint to print on every sheet")
    encode.set_defaults(func=run_encode)

    decode = actions.add_parser(
        "decode",
        help="read scans (PNG/JPEG/TIFF/PDF) or a webcam back into a file",
        description=(
            "Read QR sheets back from scans (PNG/JPEG/TIFF/PDF) or the webcam into the original file, byte "
            "for byte."
        ),
    )
    decode.add_argument("inputs", nargs="*", metavar="IMAGE_OR_PDF", help="scanned pages, in any order")
    decode.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the message")
    decode.add_argument(
        "--dpi", type=int, default=300, help="resolution for rendering PDF scans (default 300)"
    )
    decode.add_argument("--webcam", type=int, default=None, metavar="DEVICE", help="read from this webcam")
    decode.add_argument("--timeout", type=float, default=300.0, help="seconds to wait at the webcam")
    decode.set_defaults(func=run_decode)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file next to `path`, then rename: a crash leaves the old file or the new one."""
    target = Path(path)
    where = os.fspath(path)
    if target.is_dir():
        raise InputError("is a directory", where=where)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"directory {directory} does not exist", where=where)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", where=where) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_encode(args: argparse.Namespace) -> int:
    where = args.file
    payload = read_input(where)
    if len(payload) > MAX_PAYLOAD:
        raise InputError(
            f"{len(payload)} bytes is more than the {MAX_PAYLOAD} bytes paper transport takes", where=where
        )
    title = args.title if args.title is not None else Path(args.file).name
    pdf = render_sheets(
        payload, title=title, subtitle=args.subtitle, fingerprint=args.fingerprint, dense=args.dense
    )
    write_atomic(args.output, pdf)
    layout = choose_layout(len(payload), dense=args.dense)
    symbols = len(frame(payload, layout.chunk_capacity))
    pages = -(-symbols // layout.per_page)
    print(
        f"wrote {args.output}: {len(payload)} bytes in {symbols} QR symbol(s) on {pages} page(s) "
        f"(version {layout.version}-{layout.ecc}, {layout.module_mm} mm modules); "
        f"SHA-256 {hashlib.sha256(payload).hexdigest()}"
    )
    return 0


def run_decode(args: argparse.Namespace) -> int:
    if not args.inputs and args.webcam is None:
        raise InputError("give scanned images or PDFs, or --webcam DEVICE", where="paper decode")
    if args.inputs and args.webcam is not None:
        raise InputError("give either scanned files or --webcam, not both", where="paper decode")
    report: ScanReport
    if args.webcam is not None:
        from shared.adapters.webcam import camera_frames, read_frames

        def show(line: str) -> None:
            print(f"\r\x1b[2K{line}", end="", file=sys.stderr, flush=True)

        report = read_frames(camera_frames(args.webcam, timeout_s=args.timeout), on_progress=show)
        print(file=sys.stderr)
    else:
        report = scan_files(args.inputs, dpi=args.dpi)
    for line in report.describe():
        print(line, file=sys.stderr)
    message = report.message()
    write_atomic(args.output, message)
    print(
        f"wrote {args.output}: {len(message)} bytes, SHA-256 {hashlib.sha256(message).hexdigest()} verified"
    )
    return 0
