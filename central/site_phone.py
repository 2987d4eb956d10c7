"""The phone check in the results site: `site/controle.html`, its scripts, and the keys it checks against.

A citizen points a phone at a report's QR sheet; the page decodes the symbols, checks the Ed25519 signature
against the key register the central office published and shows the signed numbers (docs/phone-check.md).
The page must work opened as file:// from the published folder, where a browser fetches nothing but classic
scripts, so what it needs from the folder is written here into `controle-gegevens.js`: every published
enrolment record as its exact bytes (the page checks each self-signature itself), the digest of every
published summary (and which one it replaced), and the list names per district. The vendored libraries
(`central/site/controle/vendor/`, from the npm registry by `scripts/vendor_phone.py`) are written beside it
with their licences and VENDOR.json.

A page builder of the site (`central.site.PAGE_BUILDERS`): its files are written with the site's other pages,
before anything lists or signs the site's files, so they are published like the rest.
"""

from __future__ import annotations

import base64
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.domain.election import Election
from shared.errors import TelketenError
from shared.formats.signing import message_digest, open_enrolment, open_signed

if TYPE_CHECKING:
    from central.site import SiteContext

PAGE = "controle.html"
#: Where the page's own script and style sheet, and the vendored files, sit in the package.
SOURCE = "controle"
OWN = ("controle.js", "controle.css")
DATA = "controle-gegevens.js"


def _superseded(folder: Path, message: bytes) -> str:
    """The digest (hex) a published summary replaces, when it is signed by the key beside it; else ""."""
    try:
        record = open_enrolment((folder / "key.tke").read_bytes(), where=str(folder / "key.tke"))
        key = Ed25519PublicKey.from_public_bytes(record.public_key)
        _, summary = open_signed(message, lambda kid: key if kid == record.key_id else None)
    except (OSError, TelketenError):
        return ""
    return summary.supersedes.hex()


def phone_data(out: Path, election: Election) -> dict[str, Any]:
    """What the page needs from the published folder `out` (each body's files in `out/<authority-id>/`, the
    published layout of docs/tiers.md), as JSON-ready values."""
    enrolments = [
        {"folder": p.parent.name, "tke": base64.b64encode(p.read_bytes()).decode("ascii")}
        for p in sorted(out.glob("*/key.tke"))
    ]
    published = []
    for p in sorted(out.glob("*/summary.tks")):
        message = p.read_bytes()
        published.append(
            {
                "folder": p.parent.name,
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


def phone_check_page(ctx: SiteContext) -> dict[str, str]:
    """`controle.html`, its script and style, the keys data and the vendored files, all beside the site's
    pages (every file is text: the .wasm travels as base64)."""
    here = resources.files("central").joinpath("site", SOURCE)
    vendor = {f.name: f.read_text(encoding="utf-8") for f in here.joinpath("vendor").iterdir() if f.is_file()}
    data = json.dumps(phone_data(ctx.out, ctx.election), ensure_ascii=False, separators=(",", ":"))
    return {
        **vendor,
        **{name: here.joinpath(name).read_text(encoding="utf-8") for name in OWN},
        DATA: "window.TK_CONTROLE = " + data + ";\n",
        PAGE: ctx.render(PAGE, title="Controle met uw telefoon"),
    }
