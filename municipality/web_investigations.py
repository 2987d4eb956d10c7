"""The coordinator's investigation screens (`/coordinator/onderzoeken`): open, close and list investigations.

Why apart from municipality/web.py: the investigation flow is one legal procedure (Kieswet art. P 2a; models
P 2a and Na 14-2 Bijlage 1) with its own three actions, and the service already holds every rule (OZ.1–OZ.6,
municipality/investigation.py). This module only turns the coordinator's forms into `Service.new_session`,
`investigate` and `close_investigation` calls and shows the list with what each investigation still needs.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

from municipality.investigation import Investigation, parse_corrected
from municipality.na14_2_b1 import na14_2_b1_data, render_na14_2_b1
from municipality.service import Service, User
from shared.adapters.web import Ctx, WebRoute
from shared.domain import double_entry as de
from shared.errors import InputError

PATH = "/coordinator/onderzoeken"


class InvestigationPages:
    """The pages, over a function that opens the state (one connection per request) and the clock."""

    def __init__(self, open_service: Callable[[], Service], stamp: Callable[[], str]) -> None:
        self.open = open_service
        self.stamp = stamp

    def _user(self, ctx: Ctx) -> User:
        """The coordinator (the routes admit no other role; the service checks again)."""
        return User(ctx.user.name, "coordinator")

    def list_page(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            session = svc.current_session()
            rows = [_row(svc, inv) for inv in svc.investigations(session)]
            investigated = {r["number"] for r in rows}
            return ctx.render(
                "investigations.html",
                title="Onderzoeken",
                session=session,
                finalised=svc.session_finalised(session),
                rows=rows,
                stations=[s for s in svc.municipality.stations if s.number not in investigated],
            )
        finally:
            svc.close()

    def annex(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            pdf, name = blank_annex(svc, ctx.request.path_params["nr"])
        finally:
            svc.close()
        disposition = f'attachment; filename="{name}"'
        return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})

    def new_session(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            svc.new_session(self._user(ctx), at=self.stamp())
        finally:
            svc.close()
        return ctx.redirect(PATH)

    def open_investigation(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            ref = ctx.field("station").strip()
            if not ref:
                raise InputError("choose the station", where="stembureau", code="inquiry.station_missing")
            svc.investigate(self._user(ctx), ref, ctx.field("reason"), at=self.stamp())
        finally:
            svc.close()
        return ctx.redirect(PATH)

    def close_investigation(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            corrected = parse_corrected(ctx.field("corrected"))
            station = svc.station(ctx.request.path_params["nr"])
            svc.close_investigation(
                self._user(ctx), station.id, ctx.field("findings"), corrected, at=self.stamp()
            )
        finally:
            svc.close()
        return ctx.redirect(PATH)


def blank_annex(svc: Service, station_ref: str) -> tuple[bytes, str]:
    """The blank Na 14-2 Bijlage 1 of a station under investigation in the current session, and its name."""
    session = svc.current_session()
    station = svc.station(station_ref)
    inv = next((i for i in svc.investigations(session) if i.station == station.id), None)
    if inv is None:
        raise InputError(
            f"station {station.number} is not under investigation in this session",
            where="stembureau",
            code="inquiry.not_investigated",
            params={"number": station.number},
        )
    earlier = svc.definitive_report(station, before=session).to_tally(station.eligible_voters or 0)
    data = na14_2_b1_data(svc.election, svc.municipality, station, inv, earlier)
    name = f"Model_Na14-2_{svc.election.id}_Stembureau_{station.number}_Bijlage_1.pdf"
    return render_na14_2_b1(data), name


def _row(svc: Service, inv: Investigation) -> dict[str, object]:
    """One line of the list, in Dutch: what was recorded and what the investigation still needs."""
    st = svc.station(inv.station)
    entry = svc.entry(st.id) if inv.corrected is not False else None
    if inv.corrected is None:
        needs = "bevindingen vastleggen"
    elif entry is not None and entry.state != "definitive":
        needs = "twee keer invoeren"
    else:
        needs = "klaar"
    return {
        "number": st.number,
        "name": st.name,
        "reason": inv.reason,
        "findings": inv.findings or "",
        "corrected": "" if inv.corrected is None else ("ja" if inv.corrected else "nee"),
        "entry": "geen invoer nodig" if entry is None else de.STATE_LABELS_NL[entry.state],
        "needs": needs,
        "open": inv.corrected is None,
    }


def investigation_routes(
    open_service: Callable[[], Service], stamp: Callable[[], str], roles: tuple[str, ...]
) -> list[WebRoute]:
    pages = InvestigationPages(open_service, stamp)
    return [
        WebRoute(PATH, pages.list_page, roles),
        WebRoute(PATH, pages.open_investigation, roles, methods=("POST",)),
        WebRoute(f"{PATH}/zitting", pages.new_session, roles, methods=("POST",)),
        WebRoute(PATH + "/{nr}/bijlage-1", pages.annex, roles),
        WebRoute(PATH + "/{nr}/afsluiten", pages.close_investigation, roles, methods=("POST",)),
    ]
