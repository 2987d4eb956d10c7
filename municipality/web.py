"""`telketen municipality serve`: the browser interface of the municipal app, for typists and the coordinator.

Why a browser: on election night several typists enter hundreds of station reports at once on the
municipality's own offline network. Every action goes through `municipality.service` (claim, save, finalise,
resolve, reset, status) and `municipality.setup.finalise`, and every rule comes from `station.form`,
`station.entry` and `shared.domain` — this module only turns HTTP forms into those calls and their results
into Dutch pages. The four-eyes principle (Kieswet art. N 11; spec station-reports.md §1.3) is enforced by the
service: the second entry by the user of the first is refused there and shown here.

Pages: `/invoer` (typist: pick a station), `/invoer/{nr}` (the station report in the order of the paper, Enter
to the next box, sums while typing, save and resume, findings with their codes at the boxes, warnings accepted
explicitly), `/coordinator` (progress of every station, refreshing itself), `/coordinator/stembureau/{nr}`
(the resolution screens), `/coordinator/vaststellen` (finalise; download the report, 510b, CSV and summary);
the set-up, users, sessions and audit log are `municipality.web_admin`'s.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import FileResponse, Response

from municipality import setup, web_admin
from municipality.dso import COUNTING_NL
from municipality.forms import render_corrigenda, render_forms, render_insert
from municipality.plausible import station_advice
from municipality.service import DIFFERENCE_RESOLUTIONS, ERROR_RESOLUTIONS, Service, StationStatus, User
from municipality.web_investigations import PATH as INVESTIGATIONS
from municipality.web_investigations import investigation_routes
from shared.adapters import clock
from shared.adapters.airgap import check_air_gap, require_air_gap
from shared.adapters.keyfiles import load_signing_key
from shared.adapters.messages import dutch
from shared.adapters.web import (
    Ctx,
    NavItem,
    Site,
    WebRoute,
    WebUser,
    create_app,
    load_secret,
    login_failure,
    serve,
)
from shared.adapters.web_airgap import AirGapGuard
from shared.adapters.web_auth import SESSIONS_FILE
from shared.domain import double_entry as de
from shared.domain.station_report import StationReport
from shared.domain.validation import Leaf, ValidationResult, ValidationResults, get_field, validate
from shared.errors import InputError, StateError
from shared.i18n.catalogue import RULES, text
from station.entry import apply_values, describe, group_by_section, parse_typed, running_totals
from station.form import Form, FormField, build_form

TEMPLATES = Path(__file__).resolve().parent / "web_templates"
TYPIST, COORDINATOR = "typist", "coordinator"

#: How the coordinator's dashboard groups the states (the categories of the issue and of Abacus).
CATEGORIES: tuple[tuple[str, str, tuple[de.State, ...]], ...] = (
    ("empty", "Leeg", ("empty",)),
    (
        "first",
        "Eerste invoer",
        ("first_entry_in_progress", "first_entry_finalised", "first_entry_correction"),
    ),
    ("second", "Tweede invoer", ("second_entry_in_progress", "second_entry_correction")),
    ("different", "Verschillen", ("entries_different",)),
    ("errors", "Fouten", ("first_entry_has_errors",)),
    ("definitive", "Definitief", ("definitive",)),
)

RESOLUTION_LABELS: dict[str, str] = {
    "resume-first": "Teruggeven aan de eerste invoerder om te corrigeren",
    "discard-first": "Eerste invoer verwijderen (opnieuw invoeren)",
    "keep-first": "Eerste invoer bewaren, tweede verwijderen",
    "keep-second": "Tweede invoer bewaren, eerste verwijderen",
    "discard-both": "Beide invoeren verwijderen",
    "return-to-second": "Eerste bewaren; verschillende velden terug naar de tweede invoerder",
    "return-to-first": "Tweede bewaren; verschillende velden terug naar de eerste invoerder",
}


def now() -> datetime:
    """The web app's clock (the edge): Dutch local time, whole seconds, like the command line."""
    return clock.now()


def stamp() -> str:
    return now().isoformat()


def dom_id(path: str) -> str:
    """A field path as an HTML id: `lists[0].candidate_votes[2]` → `f-lists-0-candidate_votes-2`."""
    return "f-" + path.replace(".", "-").replace("[", "-").replace("]", "")


def sums_of(path: str) -> str:
    """Which running sums a box adds to (display only; the rules themselves run in shared.domain)."""
    if path in ("voters.poll_cards", "voters.proxy_certificates", "voters.voter_cards"):
        return "abc"
    if path.startswith("votes.list_votes["):
        return "lists"
    if path in ("votes.votes_on_candidates", "votes.blank", "votes.invalid"):
        return "efg"
    if path.startswith("lists[") and ".candidate_votes[" in path:
        return "cand" + path[len("lists[") : path.index("]")]
    return ""


@dataclass
class FieldView:
    """One box as the template shows it."""

    field: FormField
    id: str
    value: str
    checked: bool
    sums: str
    findings: list[ValidationResult]
    input_error: str = ""


@dataclass
class SectionView:
    key: str
    title: str
    fields: list[FieldView]
    findings: list[ValidationResult] = field(default_factory=list)
    total: tuple[str, str] | None = None  # (sum key, the path of the typed total it is compared with)

    @property
    def mark(self) -> str:
        if any(f.kind == "error" for f in self.findings):
            return "error"
        return "warning" if self.findings else ""


def _shown(value: Leaf) -> tuple[str, bool]:
    if isinstance(value, bool):
        return "", value
    return ("" if not value else str(value)), False


def form_view(
    form: Form,
    report: StationReport,
    results: ValidationResults,
    *,
    typed: dict[str, str] | None = None,
    input_errors: dict[str, str] | None = None,
) -> list[SectionView]:
    """The form's sections with values, the findings at their boxes, and the sums to show."""
    by_path: dict[str, list[ValidationResult]] = {}
    for finding in results.all:
        for path in finding.fields:
            by_path.setdefault(path, []).append(finding)
    by_section = group_by_section(form, results)
    out: list[SectionView] = []
    for section in form.sections:
        views = []
        for f in section.fields:
            value, checked = _shown(get_field(report, f.path))
            if typed is not None and f.path in typed:
                value = typed[f.path] if f.kind == "count" else value
                checked = bool(typed[f.path]) if f.kind == "tick" else checked
            views.append(
                FieldView(
                    field=f,
                    id=dom_id(f.path),
                    value=value,
                    checked=checked,
                    sums=sums_of(f.path),
                    findings=by_path.get(f.path, []),
                    input_error=(input_errors or {}).get(f.path, ""),
                )
            )
        total: tuple[str, str] | None = None
        if section.key == "voters":
            total = ("abc", "voters.admitted_voters")
        elif section.list_number is not None:
            i = [s.key for s in form.sections if s.list_number is not None].index(section.key)
            total = (f"cand{i}", f"lists[{i}].total")
        out.append(
            SectionView(
                key=section.key,
                title=section.title,
                fields=views,
                findings=by_section.get(section.key, []),
                total=total,
            )
        )
    return out


def progress_of(form: Form, report: StationReport) -> int:
    """0–99: how far into the paper the typist got (the last box with a value); 100 only on finalising."""
    paths = form.paths()
    last = -1
    for i, path in enumerate(paths):
        if get_field(report, path):
            last = i
    return min(99, (100 * (last + 1)) // len(paths)) if paths else 0


def own_entry(entry: de.DataEntry, user: WebUser) -> de.Entry:
    """The entry the user is typing: their unfinished one (a second typist never gets the first)."""
    for slot in (entry.second, entry.first):
        if slot is not None and slot.typist == user.name and not slot.finalised:
            return slot
    raise StateError(
        f"{user.name} is not typing this station's report; choose it from the list first",
        code="web.not_typing",
        params={"name": user.name},
    )


def _user(web_user: WebUser) -> User:
    return User(web_user.name, "typist" if web_user.role == TYPIST else "coordinator")


def category_of(state: de.State) -> str:
    for key, _, states in CATEGORIES:
        if state in states:
            return key
    return "empty"  # pragma: no cover - every state is in a category


class MunicipalityWeb:
    """The site of one municipality's state folder; each request opens its own connection."""

    def __init__(
        self, state_dir: Path, *, out_dir: Path | None = None, election_id: str | None = None
    ) -> None:
        self.state_dir = state_dir
        self.out_dir = out_dir or state_dir / "uitvoer"
        self.election_id = election_id
        svc = self.open()
        try:
            self.title = f"Gemeente {svc.municipality.name} — {svc.election.name}"
        finally:
            svc.close()

    def open(self) -> Service:
        return Service.open(self.state_dir, at=stamp(), election_id=self.election_id)

    # ------------------------------------------------------------------------------------- users
    def lookup(self, name: str, password: str) -> WebUser | None:
        svc = self.open()
        try:
            user = svc.login(name, password)
        except InputError:
            return None
        finally:
            svc.close()
        return WebUser(user.name, user.role)

    def on_login(self, user: WebUser) -> None:
        svc = self.open()
        try:
            svc.record_event(user.name, "web-login", {"role": user.role}, at=stamp())
        finally:
            svc.close()

    def on_login_failed(self, name: str, address: str, reason: str) -> None:
        svc = self.open()
        try:
            svc.record_event("web", "web-login-failed", login_failure(name, address, reason), at=stamp())
        finally:
            svc.close()

    # ------------------------------------------------------------------------------------- typist
    def stations(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            rows = svc.status()
            done = ctx.request.query_params.get("klaar", "")
            message = ""
            if done:
                match = [r for r in rows if str(r.station.number) == done]
                if match:
                    label = de.STATE_LABELS_NL[match[0].state]
                    message = text("web.station_state", {"number": done, "label": label})
            return ctx.render(
                "typist_list.html",
                title="Invoer",
                rows=rows,
                labels=de.STATE_LABELS_NL,
                message=message,
                session=svc.current_session(),
            )
        finally:
            svc.close()

    def claim(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            ref = ctx.request.path_params.get("nr") or ctx.field("station").strip()
            if not ref:
                raise InputError("type the station's number", where="stembureau", code="web.station_number")
            station = svc.station(ref)
            svc.claim(_user(ctx.user), station.id, at=stamp())
            return ctx.redirect(f"/invoer/{station.number}")
        finally:
            svc.close()

    def _entry_page(
        self,
        ctx: Ctx,
        svc: Service,
        ref: str,
        *,
        status: int = 200,
        report: StationReport | None = None,
        typed: dict[str, str] | None = None,
        input_errors: dict[str, str] | None = None,
        message: str = "",
    ) -> Response:
        station = svc.station(ref)
        entry = svc.entry(station.id)
        user = _user(ctx.user)
        mine = own_entry(entry, ctx.user)
        # a form nobody saved yet has no findings: the blank form's F.111, F.304 and W.204 are no news
        results = svc.findings(user, station.id) if mine.saved else ValidationResults()
        if report is None:
            report = mine.report
        form = build_form(report.model, svc.district.lists, voter_cards=svc.voter_cards)
        sections = form_view(form, report, results, typed=typed, input_errors=input_errors)
        number = 2 if entry.second is not None and entry.second.typist == ctx.user.name else 1
        return ctx.render(
            "entry.html",
            status=status,
            title=f"Stembureau {station.number} — {station.name}",
            station=station,
            sections=sections,
            results=results,
            describe=describe,
            messages=RULES,
            totals=running_totals(report),
            entry_number=number,
            correction=entry.state in ("first_entry_correction", "second_entry_correction"),
            saved=ctx.request.query_params.get("opgeslagen") == "1",
            message=message,
            dom_id=dom_id,
        )

    def entry_page(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            return self._entry_page(ctx, svc, ctx.request.path_params["nr"])
        finally:
            svc.close()

    def entry_post(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            ref = ctx.request.path_params["nr"]
            station = svc.station(ref)
            user = _user(ctx.user)
            action = ctx.field("action")
            if action == "discard":
                svc.discard_entry(user, station.id, at=stamp())
                return ctx.redirect("/invoer")
            if action not in ("save", "finalise"):
                raise InputError(
                    f"unknown action '{action}'",
                    where="action",
                    code="web.unknown_action",
                    params={"action": action},
                )
            base = own_entry(svc.entry(station.id), ctx.user).report
            form = build_form(base.model, svc.district.lists, voter_cards=svc.voter_cards)
            typed: dict[str, str] = {}
            values: dict[str, Any] = {}
            errors: dict[str, str] = {}
            for _, f in form.fields():
                raw = ctx.field(f"f:{f.path}")
                typed[f.path] = raw
                try:
                    values[f.path] = parse_typed(f, "x" if (f.kind == "tick" and raw) else raw)
                except InputError as exc:
                    errors[f.path] = dutch(exc)
            if errors:
                return self._entry_page(
                    ctx,
                    svc,
                    ref,
                    status=400,
                    report=base,
                    typed=typed,
                    input_errors=errors,
                    message=text("web.typed_errors", {"count": len(errors)}),
                )
            report = apply_values(base, values)
            finalising = action == "finalise"
            svc.save(user, station.id, report, progress=progress_of(form, report), at=stamp())
            if not finalising:
                return ctx.redirect(f"/invoer/{station.number}?opgeslagen=1")
            try:
                after = svc.finalise_entry(
                    user,
                    station.id,
                    accept_warnings=ctx.field("accept_warnings") == "1",
                    accept_errors=ctx.field("accept_errors") == "1",
                    at=stamp(),
                )
            except StateError as exc:
                return self._entry_page(
                    ctx,
                    svc,
                    ref,
                    status=409,
                    message=text("web.saved_not_finalised", {"reason": dutch(exc)}),
                )
            del after
            return ctx.redirect(f"/invoer?klaar={station.number}")
        finally:
            svc.close()

    # ------------------------------------------------------------------------------------- coordinator
    def dashboard(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            rows: list[StationStatus] = svc.status()
            counts = {key: 0 for key, _, _ in CATEGORIES}
            for r in rows:
                counts[category_of(r.state)] += 1
            session = svc.current_session()
            return ctx.render(
                "dashboard.html",
                title="Voortgang",
                rows=rows,
                counts=counts,
                categories=CATEGORIES,
                labels=de.STATE_LABELS_NL,
                category_of=category_of,
                session=session,
                counting=COUNTING_NL[svc.counting],
                finalised=svc.session_finalised(session),
                all_definitive=bool(rows) and all(r.state == "definitive" for r in rows),
                advice=station_advice(svc),
                advised_on=sum(r.state == "definitive" for r in rows),
            )
        finally:
            svc.close()

    def station_page(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            station = svc.station(ctx.request.path_params["nr"])
            entry = svc.entry(station.id)
            ctx_v = svc.validation_context()
            some = entry.first or entry.second
            model = some.report.model if some is not None else svc.model()
            form = build_form(model, svc.district.lists, voter_cards=svc.voter_cards)
            diff_rows = []
            for path in de.differences(entry):
                assert entry.first is not None and entry.second is not None
                f = form.field(path)
                diff_rows.append(
                    (
                        f,
                        form.section_of(path),
                        get_field(entry.first.report, path),
                        get_field(entry.second.report, path),
                    )
                )
            first_findings: list[tuple[str, list[tuple[FormField, Leaf]]]] = []
            if entry.first is not None and entry.state == "first_entry_has_errors":
                for finding in validate(entry.first.report, ctx_v).all:
                    boxes = [
                        (form.field(p), get_field(entry.first.report, p))
                        for p in finding.fields
                        if p in form.paths()
                    ]
                    first_findings.append((describe(finding), boxes))
            if entry.state == "entries_different":
                options = list(DIFFERENCE_RESOLUTIONS)
            elif entry.state == "first_entry_has_errors":
                options = list(ERROR_RESOLUTIONS)
            else:
                options = []
            return ctx.render(
                "station.html",
                title=f"Stembureau {station.number} — {station.name}",
                station=station,
                entry=entry,
                label=de.STATE_LABELS_NL[entry.state],
                diff_rows=diff_rows,
                first_findings=first_findings,
                options=[(o, RESOLUTION_LABELS[o]) for o in options],
                decentral=svc.counting == "decentral",
            )
        finally:
            svc.close()

    def resolve(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            station = svc.station(ctx.request.path_params["nr"])
            svc.resolve(_user(ctx.user), station.id, ctx.field("action"), at=stamp())
            return ctx.redirect(f"/coordinator/stembureau/{station.number}")
        finally:
            svc.close()

    def reset(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            station = svc.station(ctx.request.path_params["nr"])
            if ctx.field("confirm") != "1":
                raise InputError(
                    "tick that both entries will be lost", where="bevestiging", code="web.confirm_reset"
                )
            svc.reset(_user(ctx.user), station.id, at=stamp())
            return ctx.redirect(f"/coordinator/stembureau/{station.number}")
        finally:
            svc.close()

    def _outputs(self, svc: Service) -> list[tuple[int, int, str, list[str]]]:
        """(session, phase, created at, file names) of every finalised output, newest first."""
        rows = svc.conn.execute(
            "SELECT session, phase, created_at, folder FROM outputs ORDER BY session DESC"
        ).fetchall()
        out = []
        for session, phase, created, folder in rows:
            try:
                names = sorted(
                    p.name for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".")
                )
            except OSError:
                names = []
            out.append((int(session), int(phase), str(created), names))
        return out

    def finalise_page(self, ctx: Ctx, *, status: int = 200, message: str = "") -> Response:
        svc = self.open()
        try:
            rows = svc.status()
            session = svc.current_session()
            return ctx.render(
                "finalise.html",
                status=status,
                title="Vaststellen",
                session=session,
                finalised=svc.session_finalised(session),
                waiting=[r for r in rows if r.state != "definitive"],
                labels=de.STATE_LABELS_NL,
                outputs=self._outputs(svc),
                message=message,
                advice=station_advice(svc),
                advised_on=sum(r.state == "definitive" for r in rows),
            )
        finally:
            svc.close()

    def finalise_get(self, ctx: Ctx) -> Response:
        return self.finalise_page(ctx)

    def finalise_post(self, ctx: Ctx) -> Response:
        passphrase = ctx.field("passphrase")
        if not passphrase:
            return self.finalise_page(ctx, status=400, message=text("finalise.passphrase_missing"))
        svc = self.open()
        try:
            key = load_signing_key(setup.key_path(svc), passphrase.encode("utf-8"))
            session = svc.current_session()
            setup.finalise(
                svc, _user(ctx.user), self.out_dir / f"zitting-{session}", key.private_key, at=now()
            )
        finally:
            svc.close()
        return ctx.redirect("/coordinator/vaststellen")

    def download(self, ctx: Ctx) -> Response:
        svc = self.open()
        try:
            session = int(ctx.request.path_params["session"])
            name = ctx.request.path_params["name"]
            for s, _, _, names in self._outputs(svc):
                if s == session and name in names:
                    row = svc.conn.execute("SELECT folder FROM outputs WHERE session = ?", (s,)).fetchone()
                    return FileResponse(Path(row[0]) / name, filename=name)
            raise InputError(
                f"no output file '{name}' in session {session}",
                where="download",
                code="web.no_download",
                params={"name": name, "session": session},
            )
        finally:
            svc.close()

    def blank_forms(self, ctx: Ctx) -> Response:
        """Blank forms print from the browser too: the station's N 10-2 and Na 31-2 Bijlage 1 (decentral:
        N 10-1 and its insert, or with `?corrigendum=1` its Na 14-1), or (`inlegvel`) the Na 31-2 (Na 31-1)
        insert, as a PDF."""
        svc = self.open()
        try:
            nr = ctx.request.path_params["nr"]
            counting = svc.counting
            dso = counting == "decentral"
            if nr == "inlegvel":
                pdf = render_insert(svc.election, svc.municipality, counting)
                name = f"Model_Na31-{1 if dso else 2}_inlegvel.pdf"
            elif ctx.request.query_params.get("corrigendum"):
                if not dso:
                    raise InputError(
                        "the blank Na 14-1 is for decentral counting",
                        where="corrigendum",
                        code="forms.na14_1_decentral",
                    )
                station = svc.station(nr)
                pdf = render_corrigenda(svc.election, svc.municipality, [station])
                name = f"Model_Na14-1_Stembureau_{station.number}.pdf"
            else:
                station = svc.station(nr)
                pdf = render_forms(svc.election, svc.municipality, [station], counting)
                name = f"Model_N10-{1 if dso else 2}_Stembureau_{station.number}.pdf"
        finally:
            svc.close()
        disposition = f'attachment; filename="{name}"'
        return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})

    # ------------------------------------------------------------------------------------- the app
    def routes(self) -> list[WebRoute]:
        t, c = (TYPIST,), (COORDINATOR,)
        return [
            WebRoute("/invoer", self.stations, t),
            WebRoute("/invoer", self.claim, t, methods=("POST",)),
            WebRoute("/invoer/{nr}", self.entry_page, t),
            WebRoute("/invoer/{nr}", self.entry_post, t, methods=("POST",)),
            WebRoute("/invoer/{nr}/claim", self.claim, t, methods=("POST",)),
            WebRoute("/coordinator", self.dashboard, c),
            WebRoute("/coordinator/stembureau/{nr}", self.station_page, c),
            WebRoute("/coordinator/stembureau/{nr}/besluit", self.resolve, c, methods=("POST",)),
            WebRoute("/coordinator/stembureau/{nr}/reset", self.reset, c, methods=("POST",)),
            WebRoute("/coordinator/formulieren/{nr}", self.blank_forms, c),
            WebRoute("/coordinator/vaststellen", self.finalise_get, c),
            WebRoute("/coordinator/vaststellen", self.finalise_post, c, methods=("POST",)),
            WebRoute("/coordinator/download/{session:int}/{name}", self.download, c),
            *web_admin.routes(self.open, stamp),
            *investigation_routes(self.open, stamp, c),
        ]

    def site(self) -> Site:
        return Site(
            title=self.title,
            users=self.lookup,
            secret=load_secret(self.state_dir),
            routes=self.routes(),
            home={TYPIST: "/invoer", COORDINATOR: "/coordinator"},
            nav=(
                NavItem("/invoer", "Invoer", (TYPIST,)),
                NavItem("/coordinator", "Voortgang", (COORDINATOR,)),
                NavItem(INVESTIGATIONS, "Onderzoeken", (COORDINATOR,)),
                NavItem("/coordinator/vaststellen", "Vaststellen", (COORDINATOR,)),
                *web_admin.nav(),
            ),
            templates=TEMPLATES,
            on_login=self.on_login,
            on_login_failed=self.on_login_failed,
            sessions_file=self.state_dir / SESSIONS_FILE,
        )


def create_municipality_app(
    state_dir: Path, *, out_dir: Path | None = None, election_id: str | None = None
) -> Starlette:
    """The municipality's web app on a state folder (tests and `serve` call this)."""
    return create_app(MunicipalityWeb(state_dir, out_dir=out_dir, election_id=election_id).site())


# ------------------------------------------------------------------------------------------ command


def cmd_serve(args: argparse.Namespace) -> int:
    state_dir = Path(args.state)
    web = MunicipalityWeb(state_dir, out_dir=Path(args.out) if args.out else None, election_id=args.election)

    def record(found: dict[str, Any]) -> None:
        svc = web.open()
        try:
            svc.record_event("serve", "airgap-override", found, at=stamp())
        finally:
            svc.close()

    require_air_gap(args.allow_network, record)
    app = AirGapGuard(create_app(web.site()), lambda: check_air_gap(allow_network=args.allow_network))
    print(f"Telketen {web.title}: http://{args.host}:{args.port}/ (Ctrl+C stops)", file=sys.stderr)
    serve(app, args.host, args.port)
    return 0


def register_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` to `telketen municipality` (call from municipality.cli.register with its sub-parsers)."""
    s = subparsers.add_parser(
        "serve",
        help="the browser interface for typists and the coordinator",
        description=(
            "Serve the municipal app in a browser on this machine's office network: typists' entry screens "
            "and the coordinator's dashboard."
        ),
    )
    s.add_argument(
        "--state", default="telketen-state", metavar="DIR", help="state folder (default %(default)s)"
    )
    s.add_argument("--election", metavar="ID", help="election id, when the state folder holds several")
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default %(default)s; a private "
        "address of the offline network for several desks)",
    )
    s.add_argument("--port", type=int, default=8470, help="port (default %(default)s)")
    s.add_argument("--out", metavar="DIR", help="where finalised outputs go (default STATE/uitvoer)")
    s.add_argument("--allow-network", action="store_true", help="skip the air-gap refusal (tests/training)")
    s.set_defaults(func=cmd_serve)
