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
- **Errors**: a `TelketenError` from the service layer becomes a Dutch page with its catalogue text
  (`shared.i18n.catalogue`, by the error's code) and a status (400 input, 409 state, 422 integrity,
  503 environment) — never a traceback, never the English of the command line.
- **Headers**: a strict Content-Security-Policy (only our own scripts and styles: the JavaScript and CSS are
  shipped in the package, no CDN), no framing, no referrer, no caching of pages.
- **Bind address**: loopback by default; an explicit private (RFC 1918 / link-local) address for the tier's
  own offline network; never every interface or a public address.

The upper tiers' scanning desk is built on this: `desk_model` (what it shows), `desk_upload` (reading
scans), `desk_routes` (its pages) and `desk_site` (its site and commands).

Endpoints are plain synchronous functions `(Ctx) -> Response`; Starlette runs them in a worker thread, so each
opens its own SQLite connection (the service layer's transactions make concurrent typists safe).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.adapters.files import atomic_write
from shared.adapters.messages import LOG, dutch
from shared.adapters.passwords import check_password, hash_password
from shared.adapters.web_auth import LoginGuard, SessionStore
from shared.errors import EnvironmentProblem, InputError, IntegrityError, StateError, TelketenError
from shared.i18n.catalogue import term, text
from shared.i18n.dates import local_time

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

    @property
    def store(self) -> SessionStore:
        """The recorded sessions (the coordinator's list of who is logged in)."""
        return self._store

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
            session.sid,
            session.user.name,
            session.user.role,
            not_before=session.issued,
            now=int(self._clock()),
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

    def _write(self, users: dict[str, dict[str, str]]) -> None:
        atomic_write(self.path, msgspec.json.format(msgspec.json.encode(users), indent=2), mode=0o600)

    def add(self, name: str, role: str, password: str, *, at: str = "") -> WebUser:
        if not name or len(name) > 64 or not name.isprintable() or name.strip() != name:
            raise InputError(
                "a user name is 1–64 printable characters without surrounding spaces",
                where="NAME",
                code="admin.bad_name",
            )
        if role not in self.roles:
            raise InputError(
                f"role must be one of {', '.join(self.roles)}",
                where="--role",
                code="admin.bad_role",
                params={"roles": ", ".join(self.roles)},
            )
        users = self._read()
        if name in users:
            raise StateError(
                f"user '{name}' already exists",
                where=str(self.path),
                code="admin.user_exists",
                params={"name": name},
            )
        users[name] = {"role": role, "password": hash_password(password), **({"created": at} if at else {})}
        self._write(users)
        return WebUser(name, role)

    def _existing(self, users: dict[str, dict[str, str]], name: str) -> dict[str, str]:
        if name not in users:
            raise InputError(f"no user '{name}'", where="NAME", code="admin.no_user", params={"name": name})
        return users[name]

    def disable(self, name: str, *, at: str) -> None:
        """Take a user's access away for good (the name stays, so the audit log's names keep meaning)."""
        users = self._read()
        entry = self._existing(users, name)
        if entry.get("disabled"):
            raise StateError(
                f"user '{name}' is already disabled",
                where="NAME",
                code="admin.already_disabled",
                params={"name": name},
            )
        entry["disabled"] = at
        self._write(users)

    def reset_password(self, name: str, password: str) -> None:
        users = self._read()
        entry = self._existing(users, name)
        if entry.get("disabled"):
            raise StateError(
                f"user '{name}' is disabled", where="NAME", code="admin.user_disabled", params={"name": name}
            )
        entry["password"] = hash_password(password)
        self._write(users)

    def names(self) -> list[WebUser]:
        return [WebUser(n, u.get("role", "")) for n, u in sorted(self._read().items())]

    def details(self) -> list[tuple[WebUser, str, str]]:
        """(user, created at, disabled at) of every user, by name; '' where not known or not disabled."""
        return [
            (WebUser(n, u.get("role", "")), u.get("created", ""), u.get("disabled", ""))
            for n, u in sorted(self._read().items())
        ]

    def lookup(self, name: str, password: str) -> WebUser | None:
        entry = self._read().get(name)
        matches = check_password(password, None if entry is None else entry.get("password", ""))
        if entry is None or not matches or entry.get("disabled"):
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
    env.filters["tijd"] = local_time
    env.filters["rol"] = lambda role: term("role", role)
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
    sid: str = ""  # the recorded session's id (the coordinator's list marks the visitor's own)

    def render(self, template: str, status: int = 200, **data: Any) -> HTMLResponse:
        return self.site.render(self.request, template, status=status, user=self.user, csrf=self.csrf, **data)

    def field(self, name: str, default: str = "") -> str:
        """A text field of the posted form ('' when absent; an upload in a text field is refused)."""
        if self.form is None:
            return default
        value = self.form.get(name, default)
        if not isinstance(value, str):
            raise InputError(
                "expected text, got a file", where=name, code="web.text_expected", params={"field": name}
            )
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
        path = request.url.path
        # the menu item of this page: the longest that starts it (/coordinator/inrichting is not /coordinator)
        current = max((n.href for n in nav if path.startswith(n.href)), key=len, default="")
        html = self.env.get_template(template).render(
            site_title=self.title, nav=nav, path=path, current=current, **data
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
    """The refusal as a page says it: the catalogue's Dutch (the English message is for the command line)."""
    return dutch(exc)


async def _read_form(request: Request) -> FormData:
    try:
        return await request.form(
            max_files=MAX_UPLOAD_FILES, max_fields=20000, max_part_size=MAX_UPLOAD_BYTES
        )
    except HTTPException:
        raise
    except Exception as exc:  # malformed multipart bodies raise parser-specific errors
        LOG.warning("form cannot be read: %s", exc)
        raise HTTPException(400, text("web.form_unreadable")) from None


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
            return site.render(request, "error.html", status=401, message=text("web.logged_out"))
        user = session.user
        if user.role not in route.roles:
            return site.render(
                request,
                "error.html",
                status=403,
                user=user,
                csrf=session.csrf,
                message=text("web.wrong_role", {"role": user.role}),
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
                    message=text("web.csrf"),
                )
        ctx = Ctx(request=request, user=user, csrf=session.csrf, form=form, site=site, sid=session.sid)
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
                error=text("web.login_expired"),
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
                error=text("web.login_failed"),
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
            return site.render(request, "error.html", status=403, message=text("web.logout_failed"))
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
        shown = exc.detail if isinstance(exc, HTTPException) and status != 404 else text("web.not_found")
        return site.render(request, "error.html", status=status, message=shown)

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


def login_failure(name: str, address: str, reason: str) -> dict[str, str]:
    """The audit payload of a refused login: the name tried, from where, and why (wrong, locked, empty)."""
    return {"name": name, "address": address, "reason": reason}
