"""The central polling office's coordinator pages: deceased candidates (Kieswet P 19a) and lots.

`telketen central deceased LIST POSITION` and `finalise`'s lot question are the command line's way; these
pages call the same functions (`central.finalise.enter_deceased`, `central.lots`), under the coordinator's
name in the office's audit log. The lot page shows the tie the seat computation reports for the totals in —
the same computation `finalise` runs — and records the outcome the chair drew in public; the software never
draws a lot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from starlette.responses import Response

from central import lots
from central.finalise import enter_deceased, lists_differ, previous_output, result_view
from central.office import Office
from shared.adapters.desk_site import COORDINATOR
from shared.adapters.web import Ctx, NavItem, WebRoute
from shared.adapters.web_admin import when
from shared.domain.apportionment import LotRequest
from shared.domain.election import District
from shared.errors import InputError, TelketenError
from shared.formats import dutch

TEMPLATES = Path(__file__).resolve().parent / "web_templates"

#: What each kind of lot decides, in the words of the law (the computation's own reason is kept for the log).
LOT_QUESTIONS = {
    "residual_seat": ("Welke lijst krijgt de restzetel?", "artikel P 7 / P 8 Kieswet"),
    "absolute_majority": (
        "Welke lijst staat een zetel af aan de lijst met de volstrekte meerderheid?",
        "artikel P 9 Kieswet",
    ),
    "group_split": ("Welke lijst van de lijstengroep krijgt de zetel?", "artikel P 12 / P 13 Kieswet"),
    "candidate": ("Welke kandidaat is gekozen?", "artikel P 16 Kieswet"),
}

OpenOffice = Callable[[str], Office]

RULES_NL = {
    "largest averages": "grootste gemiddelde (artikel P 7)",
    "largest remainders": "grootste overschot (artikel P 8)",
    "one per list averages": "grootste gemiddelde, één zetel per lijst (artikel P 8)",
    "plain averages": "grootste gemiddelde (artikel P 8)",
}


def mixed(value: str) -> str:
    """`dutch.mixed` of a value in a tie's reason ('100/3' → '33 1/3'); text of another shape as it is."""
    try:
        return dutch.mixed(value)
    except (ValueError, ZeroDivisionError):
        return value


def seats_left(n: str) -> str:
    return "is nog 1 zetel" if n == "1" else f"zijn nog {n} zetels"


#: The computation's own words for each tie (`shared.domain`), and how the page says them in Dutch.
_TIES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(
            r"residual seat (\d+): lists \[[^\]]*\] tie \(([^,]+), value ([^)]+)\) for (\d+) remaining"
        ),
        lambda m: (
            f"Restzetel {m[1]}: deze lijsten staan gelijk met {mixed(m[3])} bij het "
            f"{RULES_NL.get(m[2], m[2])}; er {seats_left(m[4])} te verdelen."
        ),
    ),
    (
        re.compile(r"P 9: which of lists \[[^\]]*\] .* gives a seat to list (\d+)"),
        lambda m: (
            f"Lijst {m[1]} heeft de volstrekte meerderheid van de stemmen maar niet van de zetels; de "
            "lijsten die de laatste restzetels gelijk kregen, komen in aanmerking om er een af te staan."
        ),
    ),
    (
        re.compile(
            r"P 1[23]: lists \[[^\]]*\] of (?:the group|group (\d+)) tie with (?:remainder|average) ([^ ]+)"
        ),
        lambda m: (
            f"Binnen {'lijstengroep ' + m[1] if m[1] else 'de lijstengroep'} staan deze lijsten gelijk "
            f"met {mixed(m[2])}."
        ),
    ),
    (
        re.compile(r"(?:list|group) (\d+): candidates \[[^\]]*\] tie with (\d+) .*for (\d+) remaining"),
        lambda m: (
            f"Deze kandidaten van lijst {m[1]} hebben elk {dutch.number(int(m[2]))} stemmen; er "
            f"{seats_left(m[3])} voor deze lijst."
        ),
    ),
)


def tie_detail(request: LotRequest) -> str:
    """The tie in Dutch (which seat, the equal value, how many seats are left), from the computation's reason;
    '' when the reason has another shape (the question and the options still say what is decided)."""
    for pattern, say in _TIES:
        match = pattern.search(request.reason)
        if match:
            return say(match)
    return ""


def _int_field(ctx: Ctx, name: str, where: str) -> int:
    text = ctx.field(name).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise InputError(
            f"'{text[:20]}' is geen nummer",
            where=where,
            code="admin.not_a_number",
            params={"value": text[:20]},
        )
    return int(text)


def option_labels(view: District, request: LotRequest) -> list[tuple[int, str]]:
    """Each option of a lot with its name: a list's name, or a candidate's on the list the lot is about."""
    if request.kind == "candidate" and request.list_number is not None:
        lst = view.list_by_number(request.list_number)
        names = {c.position: c.display_name for c in lst.candidates} if lst else {}
        return [(o, f"kandidaat {o} {names.get(o, '')}".rstrip()) for o in request.options]
    return [
        (o, f"lijst {o} {lst.name}" if (lst := view.list_by_number(o)) else f"lijst {o}")
        for o in request.options
    ]


def central_pages(open_office: OpenOffice) -> tuple[list[WebRoute], tuple[NavItem, ...]]:
    """The routes and menu items of the deceased and lot pages, for the coordinator only."""

    def deceased_page(ctx: Ctx) -> Response:
        office = open_office(ctx.user.name)
        try:
            view = result_view(office.election)
            rows = [
                (
                    number,
                    pos,
                    next((c.display_name for c in lst.candidates if c.position == pos), "") if lst else "",
                )
                for number, positions in office.deceased().items()
                for pos in positions
                for lst in (view.list_by_number(number),)
            ]
            return ctx.render(
                "deceased.html",
                title="Overleden kandidaten",
                lists=view.lists,
                rows=rows,
                finalised=previous_output(office) is not None,
                differ=lists_differ(office.election),
                done=ctx.request.query_params.get("vastgelegd", ""),
            )
        finally:
            office.conn.close()

    def deceased_post(ctx: Ctx) -> Response:
        number = _int_field(ctx, "list", "lijst")
        position = _int_field(ctx, "position", "kandidaat")
        if ctx.field("confirm") != "1":
            raise InputError(
                "vink aan dat het overlijden is vastgesteld",
                where="bevestiging",
                code="admin.confirm_deceased",
            )
        office = open_office(ctx.user.name)
        try:
            enter_deceased(office, number, position)
        finally:
            office.conn.close()
        return ctx.redirect(f"/centraal/overleden?vastgelegd={number}-{position}")

    def lots_page(ctx: Ctx) -> Response:
        office = open_office(ctx.user.name)
        try:
            view = result_view(office.election)
            problem = ""
            try:
                state: lots.LotState | None = lots.lot_state(office)
            except TelketenError as exc:  # not every authority is in yet: the page says so, it is no error
                state, problem = None, exc.message
            pending = state.pending if state else None
            return ctx.render(
                "lots.html",
                title="Loting",
                state=state,
                problem=problem,
                pending=pending,
                question=LOT_QUESTIONS.get(pending.kind, ("Welke uitkomst?", "")) if pending else None,
                options=option_labels(view, pending) if pending else [],
                detail=tie_detail(pending) if pending else "",
                questions=LOT_QUESTIONS,
                when=when,
                finalised=previous_output(office) is not None,
            )
        finally:
            office.conn.close()

    def lots_post(ctx: Ctx) -> Response:
        outcome = _int_field(ctx, "outcome", "uitkomst")
        if ctx.field("confirm") != "1":
            raise InputError(
                "vink aan dat het lot in het openbaar is getrokken",
                where="bevestiging",
                code="admin.confirm_lot",
            )
        office = open_office(ctx.user.name)
        try:
            lots.record_lot(office, outcome)
        finally:
            office.conn.close()
        return ctx.redirect("/centraal/loting")

    def lots_withdraw(ctx: Ctx) -> Response:
        office = open_office(ctx.user.name)
        try:
            lots.withdraw_last(office)
        finally:
            office.conn.close()
        return ctx.redirect("/centraal/loting")

    c = (COORDINATOR,)
    return (
        [
            WebRoute("/centraal/overleden", deceased_page, c),
            WebRoute("/centraal/overleden", deceased_post, c, methods=("POST",)),
            WebRoute("/centraal/loting", lots_page, c),
            WebRoute("/centraal/loting", lots_post, c, methods=("POST",)),
            WebRoute("/centraal/loting/intrekken", lots_withdraw, c, methods=("POST",)),
        ],
        (NavItem("/centraal/overleden", "Overleden kandidaten", c), NavItem("/centraal/loting", "Loting", c)),
    )
