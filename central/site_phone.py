"""The phone check in the results site: `site/controle.html`, its scripts, and the keys it checks against.

A citizen points a phone at a report's QR sheet; the page decodes the symbols, checks the Ed25519 signature
against the key register the central office published and shows the signed numbers (docs/phone-check.md).
The page must work opened as file:// from the published folder, where a browser fetches nothing but classic
scripts, so what it needs from the folder is written here into `controle/gegevens.js`: every published
enrolment record as its exact bytes (the page checks each self-signature itself), the digest of every
published summary (and which one it replaced), and the list names per district. The vendored libraries
(`central/site/controle/vendor/`, from the npm registry by `scripts/vendor_phone.py`) are copied beside it
with their licences and VENDOR.json.

Written by the site build, before anything lists or signs the site's files, so they are published like the
rest.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jinja2 import DictLoader, Environment, select_autoescape

from shared.adapters.files import atomic_write_many
from shared.domain.election import Election
from shared.errors import TelketenError
from shared.formats.signing import message_digest, open_enrolment, open_signed

#: The page, beside the site's other pages, and the folder of its scripts.
PAGE = "controle.html"
FOLDER = "controle"
#: Our own files of the page, copied as they are.
OWN = ("controle.js", "controle.css")
DATA = "gegevens.js"


def _published(out: Path, site_dir: str, name: str) -> list[Path]:
    """Every published file called `name`, outside the site folder, in path order."""
    return sorted(p for p in out.rglob(name) if p.is_file() and p.relative_to(out).parts[0] != site_dir)


def _superseded(folder: Path, message: bytes) -> str:
    """The digest (hex) a published summary replaces, when it is signed by the key beside it; else ""."""
    try:
        record = open_enrolment((folder / "key.tke").read_bytes(), where=str(folder / "key.tke"))
        key = Ed25519PublicKey.from_public_bytes(record.public_key)
        _, summary = open_signed(message, lambda kid: key if kid == record.key_id else None)
    except (OSError, TelketenError):
        return ""
    return summary.supersedes.hex()


def phone_data(out: Path, election: Election, site_dir: str) -> dict[str, Any]:
    """What the page needs from the published folder `out`, as JSON-ready values."""
    enrolments = [
        {
            "folder": p.parent.relative_to(out).as_posix(),
            "tke": base64.b64encode(p.read_bytes()).decode("ascii"),
        }
        for p in _published(out, site_dir, "key.tke")
    ]
    published = []
    for p in _published(out, site_dir, "summary.tks"):
        message = p.read_bytes()
        published.append(
            {
                "folder": p.parent.relative_to(out).as_posix(),
                "digest": message_digest(message).hex(),
                "supersedes": _superseded(p.parent, message),
            }
        )
    lists = {d.id: {str(lst.number): lst.name for lst in d.lists} for d in election.districts}
    return {
        "election": {"id": election.id, "name": election.name},
        "enrolments": enrolments,
        "published": published,
        "lists": lists,
    }


def _vendor() -> dict[str, bytes]:
    folder = resources.files("central").joinpath("site", FOLDER, "vendor")
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


def vendored_manifest() -> Mapping[str, Mapping[str, str]]:
    """VENDOR.json: per vendored file its package, version, SHA-256 and licence."""
    manifest: Mapping[str, Mapping[str, str]] = json.loads(_vendor()["VENDOR.json"])
    return manifest


def write_phone_check(out: Path, election: Election, site: Mapping[str, Any], site_dir: str) -> list[Path]:
    """Write `controle.html` into `out/site_dir` and its scripts into `out/site_dir/controle/`."""
    here = resources.files("central").joinpath("site")
    env = Environment(
        loader=DictLoader({n: here.joinpath(n).read_text(encoding="utf-8") for n in ("base.html", PAGE)}),
        autoescape=select_autoescape(default=True),
    )
    page = env.get_template(PAGE).render(title="Controle met uw telefoon", site=site, root="")
    data = json.dumps(phone_data(out, election, site_dir), ensure_ascii=False, separators=(",", ":"))
    files: dict[str, bytes] = {
        **_vendor(),
        **{name: here.joinpath(FOLDER, name).read_bytes() for name in OWN},
        DATA: ("window.TK_CONTROLE = " + data + ";\n").encode("utf-8"),
    }
    written = atomic_write_many(out / site_dir / FOLDER, files)
    return written + atomic_write_many(out / site_dir, {PAGE: page})
