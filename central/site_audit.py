"""The results site's page on the hand recount (hertelling, issue 16 part 2): the published audit plan when
there is one, else how the plan is made.

`telketen audit plan --out <published>/hertelling` writes the plan (plan.json), its Dutch explanation page and
the recount forms into the published folder; the central office then publishes again, and this page links
them. The page reads only plan.json's contract fields (docs/audit.md); an unreadable plan is said, not hidden.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from shared.formats import dutch

if TYPE_CHECKING:
    from central.site import SiteContext

#: The folder of the published tree the audit plan is written into.
AUDIT_DIR = "hertelling"
PAGE = "hertelling.html"


def read_plan(data: bytes) -> dict[str, Any] | None:
    """What the page shows of a plan.json: seed, risk limit, stations, full hand count, closest seat; None
    when the file is not a plan."""
    try:
        plan = json.loads(data)
        risk = float(plan["risk_limit"])
        stations = [(str(s["unit"]), str(s["municipality"])) for s in plan["stations"]]
        return {
            "seed": str(plan["seed"]),
            "risk": f"{risk * 100:g}".replace(".", ",") + "\u00a0%",
            "confidence": f"{(1 - risk) * 100:g}".replace(".", ",") + "\u00a0%",
            "stations": stations,
            "count": dutch.number(len(stations)),
            "full": bool(plan.get("full_hand_count")),
            "reason": str(plan.get("reason") or ""),
            "margin": str((plan.get("margin") or {}).get("seat") or ""),
        }
    except (ValueError, KeyError, TypeError):
        return None


def audit_page(ctx: SiteContext) -> dict[str, str]:
    """`hertelling.html`: the plan with links to its page, forms and JSON, or the procedure while none is
    published yet."""
    folder = ctx.out / AUDIT_DIR
    plan_file = folder / "plan.json"
    published = plan_file.is_file()
    plan = read_plan(plan_file.read_bytes()) if published else None
    links = {
        "page": f"../{AUDIT_DIR}/hertelling.html" if (folder / "hertelling.html").is_file() else "",
        "forms": f"../{AUDIT_DIR}/hertelformulieren.pdf"
        if (folder / "hertelformulieren.pdf").is_file()
        else "",
        "json": f"../{AUDIT_DIR}/plan.json",
    }
    html = ctx.render(
        "audit.html",
        title="Hertelling",
        published=published,
        plan=plan,
        links=links,
        audit_dir=AUDIT_DIR,
    )
    return {PAGE: html}
