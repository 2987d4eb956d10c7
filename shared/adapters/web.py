"""The browser interface's plumbing, common to every tier: app factory, login, sessions, CSRF, roles, headers.

Why one module: each tier app (municipality, hoofdstembureau, central) serves its own small site on its own
offline machine, but the security rules must be the same everywhere and written once:

- **Sessions** are a signed cookie (HMAC-SHA256 with a per-state secret kept beside the state file, mode
  0600): the user name, role, a CSRF token, the issue time and, once logged in, a session id that the server
  records (`web_auth.SessionStore`). Nothing in the cookie can be changed without the secret, and a logged-in
  cookie works only while its id is recorded: logging out revokes it. A login issues a fresh cookie (no
  session fixation). Cookies are HttpOnly and SameSite=Strict.
- **Logins** are limited per name and per client address, counted before the password is checked so parallel
  requests cannot slip past (`web_auth.LoginGuard`); an unknown name costs the same scrypt as a known one;
  every refused login is handed to the tier's audit log (`on_login_failed`).
- **CSRF**: every visitor (also before logging in) has a token in the signed cookie; every POST must send it
  back as the form field ``csrf`` or the header ``X-CSRF-Token``, compared in constant time.
- **Roles are checked on the server for every request**: a route declares the roles that may use it, and the
  guard refuses everything else (anonymous → login page, wrong role → 403) before the endpoint runs.
- **Errors**: a `TelketenError` from the service layer becomes a Dutch page with the message and a status
  (400 input, 409 state, 422 integrity, 503 environment) — never a traceback.
- **Headers**: a strict Content-Security-Policy (only our own scripts and styles: the JavaScript and CSS are
  shipped in the package, no CDN), no framing, no referrer, no caching of pages.
- **Bind address**: loopback by default; an explicit private (RFC 1918 / link-local) address for the tier's
  own offline network; never every interface or a public address.

Endpoints are plain synchronous functions `(Ctx) -> Response`; Starlette runs them in a worker thread, so each
opens its own SQLite connection (the service layer's transactions make concurrent typists safe).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2
import msgspec
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.adapters.airgap import check_air_gap, require_air_gap
from shared.adapters.files import atomic_write
from shared.adapters.passwords import check_password, hash_password
from shared.adapters.web_airgap import AirGapGuard
from shared.adapters.web_auth import SESSIONS_FILE, LoginGuard, SessionStore
from shared.domain.validation import has_voter_cards
from shared.errors import EnvironmentProblem, InputError, IntegrityError, StateError, TelketenError
from shared.formats.plausibility import Advice

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "web_templates"
STATIC = HERE / "web_static"

COOKIE = "telketen_session"
SECRET_FILE = "web-secret"
USERS_FILE = "web-users.json"
SESSION_MAX_AGE_S = 12 * 3600
_DOMAIN = b"telketen-web-session-v1\x00"
#: Anyone may open these paths; everything else needs a logged-in user with a listed role.
PUBLIC = ()

MAX_UPLOAD_FILES = 20
MAX_UPLOAD_BYTES = 64 * 1024 * 1024

_STATUS: tuple[tuple[type[TelketenError], int], ...] = (
    (StateError, 409),
    (IntegrityError, 422),
    (EnvironmentProblem, 503),
    (InputError, 400),
)


class WebUser(msgspec.Struct, frozen=True):
    """Who is logged in: a name and the role the tier's app gave them."""

    name: str
    role: str


UserLookup = Callable[[str, str], WebUser | None]


# --------------------------------------------------------------------------------------------- secret


def load_secret(state_dir: Path) -> bytes:
    """The per-state HMAC secret for session cookies, created (32 random bytes, mode 0600) on first use.

    Kept beside the state file so that every web server of this state signs alike, and so that deleting it
    logs everybody out.
    """
    path = state_dir / SECRET_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read the web secret: {exc.strerror}", where=str(path)) from None
    if len(data) >= 32:
        return data
    data = secrets.token_bytes(32)
    atomic_write(path, data, mode=0o600)
    return data


# --------------------------------------------------------------------------------------------- sessions


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """What the signed cookie holds: the user (None before login), the CSRF token, when it was issued, and
    the id the server recorded at login (empty before login)."""

    user: WebUser | None
    csrf: str
    issued: int
    sid: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Issue, read and revoke session cookies; the clock is passed in so expiry can be tested."""

    def __init__(
        self,
        secret: bytes,
        *,
        max_age_s: int = SESSION_MAX_AGE_S,
        clock: Callable[[], float] = time.time,
        store: SessionStore | None = None,
    ) -> None:
        if len(secret) < 32:
            raise EnvironmentProblem("the web session secret is shorter than 32 bytes")
        self._secret = secret
        self.max_age_s = max_age_s
        self._clock = clock
        self._store = store or SessionStore()

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._secret, _DOMAIN + body, hashlib.sha256).digest()

    def new(self, user: WebUser | None) -> Session:
        """A fresh session; a logged-in one is recorded on the server (and old expired ones forgotten)."""
        issued = int(self._clock())
        sid = ""
        if user is not None:
            self._store.expire(not_before=issued - self.max_age_s)
            sid = self._store.create(user.name, user.role, issued=issued)
        return Session(user=user, csrf=secrets.token_urlsafe(32), issued=issued, sid=sid)

    def revoke(self, session: Session) -> None:
        if session.sid:
            self._store.revoke(session.sid)

    def encode(self, session: Session) -> str:
        body = msgspec.json.encode(session)
        return f"{_b64(body)}.{_b64(self._mac(body))}"

    def decode(self, value: str | None) -> Session | None:
        """The session in `value`, or None when it is missing, forged, malformed or expired."""
        if not value or value.count(".") != 1 or len(value) > 4096:
            return None
        body_text, mac_text = value.split(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            session = msgspec.json.decode(body, type=Session)
        except msgspec.DecodeError:
            return None
        age = self._clock() - session.issued
        if age < -60 or age > self.max_age_s:
            return None
        if session.user is not None and not self._store.alive(
            session.sid, session.user.name, session.user.role, not_before=session.issued
        ):
            return None  # logged out, or a cookie the server never issued a session for
        return session


# ------------------------------------------------------------------------------------------ web users


class UserFile:
    """Users of a tier whose state has no user table (hoofdstembureau, central): a JSON file of scrypt hashes.

    The municipality keeps its users in its state file; the scanning desks of the upper tiers only need
    operators, kept here beside the state so the tiers' own state stays untouched.
    """

    def __init__(self, path: Path, roles: Sequence[str]) -> None:
        self.path = path
        self.roles = tuple(roles)

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise EnvironmentProblem(f"cannot read: {exc.strerror}", where=str(self.path)) from None
        try:
            return msgspec.json.decode(data, type=dict[str, dict[str, str]])
        except msgspec.DecodeError as exc:
            raise InputError(f"not a web users file: {exc}", where=str(self.path)) from None

    def add(self, name: str, role: str, password: str) -> WebUser:
        if not name or len(name) > 64 or not name.isprintable() or name.strip() != name:
            raise InputError(
                "a user name is 1–64 printable characters without surrounding spaces", where="NAME"
            )
        if role not in self.roles:
            raise InputError(f"role must be one of {', '.join(self.roles)}", where="--role")
        users = self._read()
        if name in users:
            raise StateError(f"user '{name}' already exists", where=str(self.path))
        users[name] = {"role": role, "password": hash_password(password)}
        atomic_write(self.path, msgspec.json.format(msgspec.json.encode(users), indent=2), mode=0o600)
        return WebUser(name, role)

    def names(self) -> list[WebUser]:
        return [WebUser(n, u.get("role", "")) for n, u in sorted(self._read().items())]

    def lookup(self, name: str, password: str) -> WebUser | None:
        entry = self._read().get(name)
        matches = check_password(password, None if entry is None else entry.get("password", ""))
        if entry is None or not matches:
            return None
        role = entry.get("role", "")
        return WebUser(name, role) if role in self.roles else None


# ------------------------------------------------------------------------------------------ templates


def dutch_number(value: object) -> str:
    """12345 → '12.345' (Dutch thousands separator), as on the paper."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return f"{value:,}".replace(",", ".")


def make_environment(tier_templates: Path | None = None) -> jinja2.Environment:
    """Jinja2 with autoescaping; a tier's own templates first, then the shared layout and desk."""
    loaders: list[jinja2.BaseLoader] = []
    if tier_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(tier_templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nl"] = dutch_number
    return env


# ------------------------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    roles: tuple[str, ...]


@dataclass
class Ctx:
    """What an endpoint gets: the request, the logged-in user, the parsed form (POST), and a renderer."""

    request: Request
    user: WebUser
    csrf: str
    form: FormData | None
    site: Site

    def render(self, template: str, status: int = 200, **data: Any) -> HTMLResponse:
        return self.site.render(self.request, template, status=status, user=self.user, csrf=self.csrf, **data)

    def field(self, name: str, default: str = "") -> str:
        """A text field of the posted form ('' when absent; an upload in a text field is refused)."""
        if self.form is None:
            return default
        value = self.form.get(name, default)
        if not isinstance(value, str):
            raise InputError("expected text, got a file", where=name)
        return value

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(path, status_code=303)


Endpoint = Callable[[Ctx], Response]


@dataclass(frozen=True)
class WebRoute:
    """A page: its path, methods, and the roles allowed to use it (checked before the endpoint runs)."""

    path: str
    endpoint: Endpoint
    roles: tuple[str, ...]
    methods: tuple[str, ...] = ("GET",)
    name: str | None = None


@dataclass
class Site:
    """Everything the app factory needs to know about one tier's site."""

    title: str
    users: UserLookup
    secret: bytes
    routes: Sequence[WebRoute]
    home: Mapping[str, str]
    nav: Sequence[NavItem] = ()
    templates: Path | None = None
    on_login: Callable[[WebUser], None] | None = None
    on_login_failed: Callable[[str, str, str], None] | None = None
    sessions_file: Path | None = None
    clock: Callable[[], float] = time.time
    env: jinja2.Environment = field(init=False)
    sessions: Sessions = field(init=False)
    guard: LoginGuard = field(init=False)

    def __post_init__(self) -> None:
        self.env = make_environment(self.templates)
        self.sessions = Sessions(self.secret, clock=self.clock, store=SessionStore(self.sessions_file))
        self.guard = LoginGuard(clock=self.clock)

    def render(self, request: Request, template: str, *, status: int = 200, **data: Any) -> HTMLResponse:
        user = data.get("user")
        nav = [n for n in self.nav if user is not None and user.role in n.roles]
        data.setdefault("user", None)
        data.setdefault("csrf", "")
        html = self.env.get_template(template).render(
            site_title=self.title, nav=nav, path=request.url.path, **data
        )
        return HTMLResponse(html, status_code=status)


def _session_of(site: Site, request: Request) -> Session | None:
    return site.sessions.decode(request.cookies.get(COOKIE))


def _set_cookie(site: Site, response: Response, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        site.sessions.encode(session),
        max_age=site.sessions.max_age_s,
        httponly=True,
        samesite="strict",
        path="/",
    )


def _error_status(exc: TelketenError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def error_text(exc: TelketenError) -> str:
    return f"{exc.where}: {exc.message}" if exc.where else exc.message


async def _read_form(request: Request) -> FormData:
    try:
        return await request.form(
            max_files=MAX_UPLOAD_FILES, max_fields=20000, max_part_size=MAX_UPLOAD_BYTES
        )
    except HTTPException:
        raise
    except Exception as exc:  # malformed multipart bodies raise parser-specific errors
        raise HTTPException(400, f"form cannot be read: {exc}") from None


def _check_csrf(session: Session, request: Request, form: FormData) -> bool:
    sent = form.get("csrf")
    if not isinstance(sent, str):
        sent = request.headers.get("x-csrf-token", "")
    return bool(sent) and hmac.compare_digest(sent.encode(), session.csrf.encode())


def _guard(site: Site, route: WebRoute) -> Callable[[Request], Any]:
    """Wrap an endpoint: session, role, CSRF on POST, errors as pages; nothing reaches it unchecked."""

    async def handler(request: Request) -> Response:
        session = _session_of(site, request)
        if session is None or session.user is None:
            if request.method == "GET":
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            return site.render(request, "error.html", status=401, message="U bent niet (meer) ingelogd.")
        user = session.user
        if user.role not in route.roles:
            return site.render(
                request,
                "error.html",
                status=403,
                user=user,
                csrf=session.csrf,
                message=f"Deze pagina is niet voor uw rol ({user.role}).",
            )
        form: FormData | None = None
        if request.method == "POST":
            form = await _read_form(request)
            if not _check_csrf(session, request, form):
                await form.close()
                return site.render(
                    request,
                    "error.html",
                    status=403,
                    user=user,
                    csrf=session.csrf,
                    message="Het formulier is verlopen of komt niet van deze site (CSRF). "
                    "Laad de pagina opnieuw.",
                )
        ctx = Ctx(request=request, user=user, csrf=session.csrf, form=form, site=site)
        try:
            return await run_in_threadpool(route.endpoint, ctx)
        except TelketenError as exc:
            return ctx.render("error.html", status=_error_status(exc), message=error_text(exc))
        finally:
            if form is not None:
                await form.close()

    return handler


def _safe_next(target: str) -> str:
    """Only local paths: a login never redirects to another site."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_routes(site: Site) -> list[BaseRoute]:
    async def login_page(request: Request) -> Response:
        session = _session_of(site, request)
        if session is not None and session.user is not None:
            return RedirectResponse(site.home.get(session.user.role, "/"), status_code=303)
        if session is None:
            session = site.sessions.new(None)
        response = site.render(
            request, "login.html", csrf=session.csrf, next=_safe_next(request.query_params.get("next", "/"))
        )
        _set_cookie(site, response, session)
        return response

    async def login_post(request: Request) -> Response:
        session = _session_of(site, request)
        form = await _read_form(request)
        if session is None or not _check_csrf(session, request, form):
            fresh = site.sessions.new(None)
            response = site.render(
                request,
                "login.html",
                status=403,
                csrf=fresh.csrf,
                next="/",
                error="Het formulier was verlopen. Probeer het opnieuw.",
            )
            _set_cookie(site, response, fresh)
            return response
        name = str(form.get("name", "")).strip()
        password = str(form.get("password", ""))
        target = _safe_next(str(form.get("next", "/")))
        address = request.client.host if request.client else ""
        user: WebUser | None = None
        reason = "empty"
        if name and password:
            reason = "locked"
            if site.guard.begin(name, address):
                reason = "wrong"
                user = await run_in_threadpool(site.users, name, password)
        if user is None:
            if site.on_login_failed is not None:
                await run_in_threadpool(site.on_login_failed, name[:64], address, reason)
            return site.render(
                request,
                "login.html",
                status=401,
                csrf=session.csrf,
                next=target,
                name=name,
                error="Onbekende gebruiker of verkeerd wachtwoord.",
            )
        site.guard.succeeded(name)
        if site.on_login is not None:
            await run_in_threadpool(site.on_login, user)
        home = site.home.get(user.role, "/")
        redirect = RedirectResponse(target if target != "/" else home, status_code=303)
        _set_cookie(site, redirect, site.sessions.new(user))
        return redirect

    async def logout(request: Request) -> Response:
        session = _session_of(site, request)
        form = await _read_form(request)
        if session is None or not _check_csrf(session, request, form):
            return site.render(request, "error.html", status=403, message="Uitloggen mislukt (CSRF).")
        site.sessions.revoke(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def root(request: Request) -> Response:
        session = _session_of(site, request)
        if session is None or session.user is None:
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse(site.home.get(session.user.role, "/login"), status_code=303)

    return [
        Route("/", root, methods=["GET"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


# ---------------------------------------------------------------------------------------- headers

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' blob: mediastream:; connect-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
)


class SecurityHeaders:
    """ASGI middleware adding the headers above to every response, and no-store to every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += list(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------------------------------ factory


def create_app(site: Site) -> Starlette:
    """The Starlette app of one tier: login/logout, the tier's guarded routes, the packaged static files."""
    routes: list[BaseRoute] = _login_routes(site)
    for r in site.routes:
        if not r.roles:
            raise ValueError(f"route {r.path} names no role: every page is for a role")
        routes.append(Route(r.path, _guard(site, r), methods=list(r.methods), name=r.name))
    routes.append(Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"))

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        text = exc.detail if isinstance(exc, HTTPException) and status != 404 else "Deze pagina bestaat niet."
        return site.render(request, "error.html", status=status, message=text)

    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: not_found},
    )


# --------------------------------------------------------------------------------------- bind & serve


def check_bind(host: str) -> str:
    """The address to listen on, refused unless loopback or a private address of an offline network.

    Why: the apps hold the count; they must never be reachable from the internet. Loopback is the default;
    a tier that runs several desks on its own cable network gives that network's private address.
    """
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise InputError(
            f"'{host}' is not an IP address: give 127.0.0.1 or this machine's address on the offline network",
            where="--host",
        ) from None
    if ip.is_loopback:
        return host
    if ip.is_unspecified:
        raise InputError(
            f"{host} listens on every network interface; give the one address of the offline network",
            where="--host",
        )
    if ip.is_private or ip.is_link_local:
        return host
    raise InputError(
        f"{host} is a public address: the app only listens on loopback or a private offline network",
        where="--host",
    )


def serve(app: ASGIApp, host: str, port: int) -> None:
    """Run the app with uvicorn until interrupted (no server header, no access log of form bodies)."""
    import uvicorn

    if not 0 < port < 65536:
        raise InputError(f"port {port} is not between 1 and 65535", where="--port")
    try:
        uvicorn.run(app, host=check_bind(host), port=port, log_level="warning", server_header=False)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot listen on {host}:{port}: {exc.strerror}", where="--host") from None


# ------------------------------------------------------------------------------------ scanning desk


class DeskItem(msgspec.Struct, frozen=True, kw_only=True):
    """One received summary as the desk shows it: outcome, message, and the numbers to compare with paper."""

    source: str
    outcome: str
    text: str
    authority: str = ""
    name: str = ""
    rows: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.outcome == "refuse"


class DeskRow(msgspec.Struct, frozen=True, kw_only=True):
    """One authority on the dashboard: in, missing, or in by corrigendum."""

    code: str
    name: str
    state: str
    phase: int | None = None
    digest: str = ""
    duplicates: int = 0
    superseded: int = 0
    source: str = ""  # where its numbers came from (Dutch): scanned under a key, or keyed from paper by whom


class DeskRefusal(msgspec.Struct, frozen=True, kw_only=True):
    at: str
    source: str
    authority: str
    reason: str


class DeskStatus(msgspec.Struct, frozen=True, kw_only=True):
    rows: tuple[DeskRow, ...]
    refused: tuple[DeskRefusal, ...]
    finalised_phase: int | None = None
    #: plausibility advice on the parts received so far (shared.office.plausible): shown, never blocking
    advice: tuple[Advice, ...] = ()


class DeskBackend(Protocol):
    """What a tier gives the shared scanning desk: receive checked messages, and the dashboard."""

    title: str

    def receive(self, user: WebUser, messages: Sequence[tuple[str, bytes]]) -> list[DeskItem]: ...

    def status(self) -> DeskStatus: ...


SCAN_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf", ".bmp", ".webp"})
MESSAGE_SUFFIXES = frozenset({".tks"})


def collect_uploads(files: Sequence[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(source, signed message) from uploaded scans and .tks files; plus notes on what could not be read.

    Scans are read with `shared.adapters.qr_find` (only pages that may hold symbols are decoded) and
    reassembled across all files (a sheet may be scanned in parts); a file that cannot be read is named in
    the notes and the others still count.
    """
    from shared.adapters.qr_find import read_document
    from shared.adapters.qr_scan import ScanReport

    found: list[tuple[str, bytes]] = []
    notes: list[str] = []
    report = ScanReport()
    scanned: list[str] = []
    for n, (name, data) in enumerate(files, start=1):
        suffix = Path(name).suffix.lower()
        shown = Path(name).name or f"bestand {n}"
        if suffix in MESSAGE_SUFFIXES:
            found.append((shown, data))
            continue
        if suffix not in SCAN_SUFFIXES:
            notes.append(f"{shown}: geen scan (PNG, JPEG, TIFF, PDF) en geen .tks-bestand")
            continue
        try:
            read_document(report, data, where=shown, page_word="pagina")
        except TelketenError as exc:
            notes.append(f"{shown}: {exc.message}")
            continue
        scanned.append(shown)
    for n, message in enumerate(report.messages.values(), start=1):
        found.append((f"scan van {', '.join(scanned)}, samenvatting {n}", bytes(message)))
    complete = set(report.messages)
    for msg_id, gaps in report.missing.items():
        if msg_id not in complete:
            total = report.reassembler.count(msg_id)
            notes.append(
                f"samenvatting {msg_id.hex()[:8]}: QR-code(s) {', '.join(str(i + 1) for i in gaps)} "
                f"van {total} "
                "niet gelezen; scan die opnieuw"
            )
    notes += [f"geweigerde QR-code: {r}" for r in report.rejected]
    notes += [f"ontbreekt op deze computer: {p}" for p in report.environment]
    if scanned and not report.reassembler.messages():
        notes.append(f"{', '.join(scanned)}: geen Telketen-QR-codes gevonden")
    return found, notes


@dataclass
class DeskMemory:
    """Per logged-in session: the webcam symbols collected so far and the last results shown."""

    reports: dict[str, Any] = field(default_factory=dict)
    last: dict[str, tuple[list[DeskItem], list[str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def tally_rows(
    t: Any, list_names: Mapping[int, str], *, voter_cards: bool = True
) -> tuple[tuple[str, int], ...]:
    """The numbers of a summary's tally in the order of the paper, labelled in Dutch; box C only where the
    election has kiezerspassen (not for a municipal council, Kieswet K 6)."""
    rows: list[tuple[str, int]] = [
        ("Z kiesgerechtigden", t.eligible_voters),
        ("A stempassen", t.poll_cards),
        ("B volmachtbewijzen", t.proxy_certificates),
        *((("C kiezerspassen", t.voter_cards),) if voter_cards else ()),
        ("D toegelaten kiezers", t.admitted_voters),
    ]
    rows += [(f"E.{lst.number} {list_names.get(lst.number, '')}".rstrip(), lst.votes) for lst in t.lists]
    rows += [
        ("E stemmen op kandidaten", t.votes_on_lists),
        ("F blanco", t.blank),
        ("G ongeldig", t.invalid),
        ("H uitgebrachte stemmen", t.ballots_cast),
        ("I meer geteld", t.more_ballots),
        ("J minder geteld", t.fewer_ballots),
    ]
    return tuple(rows)


def desk_routes(
    backend: Callable[[], DeskBackend], roles: tuple[str, ...], *, scan_roles: tuple[str, ...]
) -> list[WebRoute]:
    """The scanning desk: upload scans or .tks files, webcam frames, the results and the dashboard.

    `roles` may look; `scan_roles` may also scan. The shared template is `desk.html` (tiers may not import
    each other, so the desk lives here and each tier passes its backend).
    """
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
        uploads = [v for _, v in ctx.form.multi_items() if isinstance(v, UploadFile)]
        files: list[tuple[str, bytes]] = []
        for up in uploads:
            data = up.file.read(MAX_UPLOAD_BYTES + 1)
            if not data:
                continue
            if len(data) > MAX_UPLOAD_BYTES:
                raise InputError("bestand is groter dan 64 MB", where=up.filename or "upload")
            files.append((up.filename or "upload", data))
        if not files:
            raise InputError(
                "kies één of meer scans (PNG, JPEG, TIFF, PDF) of .tks-bestanden", where="upload"
            )
        messages, notes = collect_uploads(files)
        if not messages and not notes:
            notes = ["geen complete ondertekende samenvatting gevonden"]
        items = backend().receive(ctx.user, messages) if messages else []
        with memory.lock:
            memory.last[ctx.csrf] = (items, notes)
        return ctx.redirect("/balie")

    def webcam_frame(ctx: Ctx) -> Response:
        """One camera frame from the browser: decode its symbols, add them, receive complete messages."""
        from PIL import Image, UnidentifiedImageError

        from shared.adapters.qr_scan import ScanReport, add_payloads
        from shared.adapters.webcam import decode_frame, progress_line

        assert ctx.form is not None
        frame = ctx.form.get("frame")
        if not isinstance(frame, UploadFile):
            raise InputError("no camera frame in the request", where="frame")
        data = frame.file.read(16 * 1024 * 1024)
        try:
            import io

            import numpy as np

            image = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
        except (UnidentifiedImageError, OSError, ValueError):
            raise InputError("the camera frame is not an image", where="frame") from None
        with memory.lock:
            report = memory.reports.setdefault(ctx.csrf, ScanReport())
        new = add_payloads(report, decode_frame(image), "camera")
        complete = report.messages
        done = bool(complete) and report.reassembler.complete
        items: list[DeskItem] = []
        if done:
            items = backend().receive(
                ctx.user, [(f"camera {n}", m) for n, m in enumerate(complete.values(), 1)]
            )
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


def env_password(var: str | None, default_var: str) -> str | None:
    """A password from the environment (scripts, tests), or None to prompt."""
    name = var or default_var
    value = os.environ.get(name)
    if value is None and var:
        raise InputError(f"environment variable {var} is not set", where="--password-env")
    return value


# ------------------------------------------------------------------------- the upper tiers' desk site

OPERATOR, OBSERVER = "operator", "observer"
DESK_ROLES = (OPERATOR, OBSERVER)


class OfficeDesk:
    """A `DeskBackend` over a tier's own office functions (hoofdstembureau or central, which may not import
    each other): open the office per request, receive with the tier's `receive_message`, show its `status`."""

    def __init__(
        self,
        title: str,
        *,
        open_office: Callable[[str], Any],
        receive: Callable[[Any, str, bytes], Any],
        status: Callable[[Any], Any],
        list_names: Callable[[Any, str], Mapping[int, str]],
        name_of: Callable[[Any, str], str],
    ) -> None:
        self.title = title
        self._open = open_office
        self._receive = receive
        self._status = status
        self._list_names = list_names
        self._name_of = name_of

    def receive(self, user: WebUser, messages: Sequence[tuple[str, bytes]]) -> list[DeskItem]:
        office = self._open(user.name)
        try:
            out = []
            for source, message in messages:
                item = self._receive(office, source, message)
                who = item.authority or ""
                rows = (
                    tally_rows(
                        item.tally,
                        self._list_names(office, who),
                        voter_cards=has_voter_cards(office.election.category),
                    )
                    if item.tally is not None
                    else ()
                )
                out.append(
                    DeskItem(
                        source=item.source,
                        outcome=item.outcome,
                        text=item.text_nl or item.text,
                        authority=who,
                        name=self._name_of(office, who) if who else "",
                        rows=rows,
                        warnings=tuple(item.warnings_nl or item.warnings),
                    )
                )
            return out
        finally:
            office.conn.close()

    def status(self) -> DeskStatus:
        office = self._open("web")
        try:
            st = self._status(office)
            return DeskStatus(
                rows=tuple(
                    DeskRow(
                        code=r.code,
                        name=r.name,
                        state=r.state,
                        phase=r.phase,
                        digest=r.digest,
                        duplicates=r.duplicates,
                        superseded=r.superseded,
                        source=r.source,
                    )
                    for r in st.rows
                ),
                refused=tuple(
                    DeskRefusal(at=x.at, source=x.source, authority=x.authority, reason=x.reason)
                    for x in st.refused
                ),
                finalised_phase=st.finalised_phase,
                advice=st.advice,
            )
        finally:
            office.conn.close()


def login_failure(name: str, address: str, reason: str) -> dict[str, str]:
    """The audit payload of a refused login: the name tried, from where, and why (wrong, locked, empty)."""
    return {"name": name, "address": address, "reason": reason}


def desk_site(
    title: str,
    state_dir: Path,
    backend: Callable[[], DeskBackend],
    audit: Callable[[str, str, dict[str, Any]], None],
) -> Site:
    """The site of a scanning desk: operators scan, observers look; users from `web-users.json`; logins and
    refused logins go to the office's audit log through `audit(user, action, payload)`."""
    users = UserFile(state_dir / USERS_FILE, DESK_ROLES)
    return Site(
        on_login=lambda user: audit(user.name, "web-login", {"role": user.role}),
        on_login_failed=lambda name, address, reason: audit(
            "web", "web-login-failed", login_failure(name, address, reason)
        ),
        sessions_file=state_dir / SESSIONS_FILE,
        title=title,
        users=users.lookup,
        secret=load_secret(state_dir),
        routes=desk_routes(backend, DESK_ROLES, scan_roles=(OPERATOR,)),
        home={OPERATOR: "/balie", OBSERVER: "/status"},
        nav=(NavItem("/balie", "Scanbalie", DESK_ROLES), NavItem("/status", "Overzicht", DESK_ROLES)),
    )


def register_desk_commands(
    subparsers: Any,
    *,
    default_state: Path,
    make_app: Callable[[Path], Starlette],
    what: str,
    audit: Callable[[Path, str, str, dict[str, Any]], None],
) -> None:
    """`serve` and `web-user add|list` for a tier with a scanning desk (hoofdstembureau, central).

    `serve` receives results, so it runs the air-gap check first; `audit(state, user, action, payload)`
    writes an overridden check to the office's audit log."""
    import argparse

    def cmd_serve(args: argparse.Namespace) -> int:
        state_dir = Path(args.state)
        if not UserFile(state_dir / USERS_FILE, DESK_ROLES).names():
            raise StateError(
                f"no web users yet: add one with `telketen {what} web-user add NAME --role operator`",
                where=str(state_dir / USERS_FILE),
            )
        require_air_gap(args.allow_network, lambda found: audit(state_dir, "serve", "airgap-override", found))
        app = AirGapGuard(make_app(state_dir), lambda: check_air_gap(allow_network=args.allow_network))
        print(
            f"Telketen {what}: http://{args.host}:{args.port}/ (Ctrl+C stops)", file=__import__("sys").stderr
        )
        serve(app, args.host, args.port)
        return 0

    def cmd_user_add(args: argparse.Namespace) -> int:
        password = env_password(args.password_env, "TELKETEN_PASSWORD")
        if password is None:
            import getpass

            password = getpass.getpass("Password for the new web user: ")
            if getpass.getpass("Repeat the password: ") != password:
                raise InputError("the two passwords differ", where="password")
        user = UserFile(Path(args.state) / USERS_FILE, DESK_ROLES).add(args.name, args.role, password)
        print(f"web user {user.name} ({user.role}) added")
        return 0

    def cmd_user_list(args: argparse.Namespace) -> int:
        for u in UserFile(Path(args.state) / USERS_FILE, DESK_ROLES).names():
            print(f"{u.name}\t{u.role}")
        return 0

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state", default=str(default_state), help="state folder (default: %(default)s)")
    s = subparsers.add_parser(
        "serve",
        parents=[common],
        help="the scanning desk in a browser",
        description=(
            "Serve the scanning desk in a browser on this machine: scan summaries with a webcam or upload, "
            "see what is in and missing."
        ),
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    s.add_argument("--port", type=int, default=8471, help="port (default %(default)s)")
    s.add_argument("--allow-network", action="store_true", help="skip the air-gap refusal (tests/training)")
    s.set_defaults(func=cmd_serve)
    w = subparsers.add_parser(
        "web-user",
        help="users of the scanning desk",
        description="Add and list the users who may log in to the scanning desk.",
    ).add_subparsers(dest="web_user_command")
    w.required = True
    s = w.add_parser(
        "add",
        parents=[common],
        help="add a web user",
        description="Add a user of the scanning desk (password from --password-env or asked).",
    )
    s.add_argument("name", metavar="NAME")
    s.add_argument("--role", choices=DESK_ROLES, default=OPERATOR)
    s.add_argument(
        "--password-env", metavar="VAR", help="read the password from VAR (default TELKETEN_PASSWORD)"
    )
    s.set_defaults(func=cmd_user_add)
    s = w.add_parser(
        "list", parents=[common], help="list web users", description="List the users of the scanning desk."
    )
    s.set_defaults(func=cmd_user_list)
