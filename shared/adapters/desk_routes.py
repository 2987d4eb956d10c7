"""The scanning desk's pages: upload, webcam frames, the last results and the dashboard (`/balie`, `/status`).

`roles` may look; `scan_roles` may also scan. The templates are the shared `desk.html` and
`desk_status.html`; reading the uploads is `desk_upload`, checking and booking them the tier's backend.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, Response

from shared.adapters.desk_model import DeskBackend, DeskItem
from shared.adapters.desk_upload import camera_frame, collect_uploads, read_uploads
from shared.adapters.web import Ctx, WebRoute
from shared.i18n.catalogue import text


@dataclass
class DeskMemory:
    """Per logged-in session: the webcam symbols collected so far and the last results shown."""

    reports: dict[str, Any] = field(default_factory=dict)
    last: dict[str, tuple[list[DeskItem], list[str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def desk_routes(
    backend: Callable[[], DeskBackend], roles: tuple[str, ...], *, scan_roles: tuple[str, ...]
) -> list[WebRoute]:
    """The scanning desk: upload scans or .tks files, webcam frames, the results and the dashboard."""
    memory = DeskMemory()

    def desk(ctx: Ctx) -> Response:
        b = backend()
        with memory.lock:
            items, notes = memory.last.get(ctx.csrf, ([], []))
        return ctx.render(
            "desk.html",
            title=b.title,
            desk=b.status(),
            items=items,
            notes=notes,
            can_scan=ctx.user.role in scan_roles,
        )

    def status_page(ctx: Ctx) -> Response:
        b = backend()
        return ctx.render("desk_status.html", title=b.title, desk=b.status())

    def upload(ctx: Ctx) -> Response:
        assert ctx.form is not None
        messages, notes = collect_uploads(read_uploads(ctx.form))
        if not messages and not notes:
            notes = [text("desk.nothing_complete")]
        items = backend().receive(ctx.user, messages) if messages else []
        with memory.lock:
            memory.last[ctx.csrf] = (items, notes)
        return ctx.redirect("/balie")

    def webcam_frame(ctx: Ctx) -> Response:
        """One camera frame from the browser: decode its symbols, add them, receive complete messages."""
        from shared.adapters.qr_scan import ScanReport, add_payloads
        from shared.adapters.webcam import decode_frame, progress_line

        assert ctx.form is not None
        image = camera_frame(ctx.form)
        with memory.lock:
            report = memory.reports.setdefault(ctx.csrf, ScanReport())
        new = add_payloads(report, decode_frame(image), "camera")
        complete = report.messages
        done = bool(complete) and report.reassembler.complete
        items: list[DeskItem] = []
        if done:
            sources = [
                (text("desk.source_camera", {"number": n}), m) for n, m in enumerate(complete.values(), 1)
            ]
            items = backend().receive(ctx.user, sources)
            with memory.lock:
                memory.reports.pop(ctx.csrf, None)
                memory.last[ctx.csrf] = (items, [])
        return JSONResponse(
            {"new": new, "progress": progress_line(report), "done": done, "items": len(items)}
        )

    def webcam_reset(ctx: Ctx) -> Response:
        with memory.lock:
            memory.reports.pop(ctx.csrf, None)
        return ctx.redirect("/balie")

    return [
        WebRoute("/balie", desk, roles),
        WebRoute("/status", status_page, roles),
        WebRoute("/balie/upload", upload, scan_roles, methods=("POST",)),
        WebRoute("/balie/camera", webcam_frame, scan_roles, methods=("POST",)),
        WebRoute("/balie/camera/opnieuw", webcam_reset, scan_roles, methods=("POST",)),
    ]
