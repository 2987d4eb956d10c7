"""Logins and sessions of every tier's site: logout revokes the cookie on the server, the lockout holds under
40 parallel attempts (per name and per address), an unknown name costs the same scrypt as a known one, refused
logins reach the audit log, and the state files holding hashes and sessions are created 0600."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from municipality.service import Service
from municipality.web import create_municipality_app
from shared.adapters import audit, passwords
from shared.adapters.web import SECRET_FILE, USERS_FILE, Ctx, Site, UserFile, WebRoute, WebUser, create_app
from shared.adapters.web_auth import SESSIONS_FILE, LoginGuard
from tests.test_web_support import PW, csrf_of, municipality_state

SECRET = b"s" * 32


def site(tmp_path: Path, lookup: object = None, **kw: object) -> Site:
    users = UserFile(tmp_path / USERS_FILE, ("operator",))
    if lookup is None and not users.names():
        users.add("olga", "operator", PW)

    def hello(ctx: Ctx) -> PlainTextResponse:
        return PlainTextResponse(f"hallo {ctx.user.name} {ctx.csrf}")

    return Site(
        title="t",
        users=lookup or users.lookup,  # type: ignore[arg-type]
        secret=SECRET,
        routes=[WebRoute("/hallo", hello, ("operator",))],
        home={"operator": "/hallo"},
        sessions_file=tmp_path / SESSIONS_FILE,
        **kw,  # type: ignore[arg-type]
    )


def log_in(client: TestClient, name: str = "olga", password: str = PW) -> int:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "name": name, "password": password}).status_code


def test_logout_revokes_the_session_so_an_old_cookie_stops_working(tmp_path: Path) -> None:
    app = create_app(site(tmp_path))
    c = TestClient(app, follow_redirects=False)
    assert log_in(c) == 303
    kept = str(c.cookies.get("telketen_session"))
    copy = TestClient(app, follow_redirects=False, cookies={"telketen_session": kept})
    name, csrf = copy.get("/hallo").text.split()[1:]
    assert name == "olga"  # a copied cookie works while the session lives
    assert c.post("/logout", data={"csrf": csrf}).status_code == 303
    assert copy.get("/hallo").status_code == 303  # to the login page: the session is gone on the server
    restarted = TestClient(
        create_app(site(tmp_path)), follow_redirects=False, cookies={"telketen_session": kept}
    )
    assert restarted.get("/hallo").status_code == 303  # a restarted server on the same state agrees
    assert log_in(c) == 303 and c.get("/hallo").status_code == 200  # a new login works again


def test_a_live_session_survives_a_restart_and_its_id_is_not_stored_in_the_clear(tmp_path: Path) -> None:
    c = TestClient(create_app(site(tmp_path)), follow_redirects=False)
    assert log_in(c) == 303
    cookie = str(c.cookies.get("telketen_session"))
    again = TestClient(
        create_app(site(tmp_path)), follow_redirects=False, cookies={"telketen_session": cookie}
    )
    assert again.get("/hallo").status_code == 200
    stored = (tmp_path / SESSIONS_FILE).read_bytes()
    body = cookie.split(".")[0]
    sid = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["sid"]
    assert sid.encode() not in stored and hashlib.sha256(sid.encode()).hexdigest().encode() in stored


def parallel(n: int, attempt: Callable[[int], None]) -> None:
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            attempt(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


class SlowLookup:
    """A user lookup that takes as long as scrypt and counts how often a password was checked."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, name: str, password: str) -> WebUser | None:
        with self._lock:
            self.calls += 1
        threading.Event().wait(0.05)
        return None


@pytest.mark.parametrize(("names", "limit"), [(False, 5), (True, 20)])
def test_forty_parallel_attempts_check_at_most_the_limit_of_passwords(
    tmp_path: Path, names: bool, limit: int
) -> None:
    """40 simultaneous logins for one name (or for 40 names from one address): only 5 (20) passwords are
    checked; the rest are refused before the check, as locked, and every refusal is audited."""
    lookup = SlowLookup()
    failures: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def failed(name: str, address: str, reason: str) -> None:
        with lock:
            failures.append((name, address, reason))

    app = create_app(site(tmp_path, lookup=lookup, on_login_failed=failed))
    clients = [TestClient(app) for _ in range(40)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]

    def attempt(i: int) -> None:
        name = f"user{i}" if names else "olga"
        r = clients[i].post("/login", data={"csrf": tokens[i], "name": name, "password": "wrong password"})
        assert r.status_code == 401

    parallel(40, attempt)
    assert lookup.calls == limit
    assert sorted(r for _, _, r in failures) == ["locked"] * (40 - limit) + ["wrong"] * limit
    assert {a for _, a, _ in failures} == {"testclient"}


def test_the_guard_locks_per_name_and_per_address_and_forgets_after_the_window() -> None:
    now = [0.0]
    guard = LoginGuard(per_name=2, per_address=3, window_s=60, clock=lambda: now[0])
    assert guard.begin("a", "x") and guard.begin("a", "x") and not guard.begin("a", "y")
    assert guard.begin("b", "x") and not guard.begin("c", "x")  # the address has used its 3
    assert guard.begin("c", "y")
    guard.succeeded("c")
    now[0] = 61.0
    assert guard.begin("a", "x")


class ScryptCount:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = hashlib.scrypt

        def counting(*args: object, **kw: object) -> bytes:
            self.calls += 1
            return real(*args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(passwords.hashlib, "scrypt", counting)


def test_an_unknown_name_costs_the_same_scrypt_as_a_known_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code path, not the clock: one scrypt with the stored parameters for a known name with a wrong
    password, one against the dummy hash for an unknown name (municipality users and desk users alike)."""
    state = municipality_state(tmp_path)
    users = UserFile(tmp_path / USERS_FILE, ("operator",))
    users.add("olga", "operator", PW)
    assert passwords.DUMMY_HASH.startswith(f"scrypt${passwords.SCRYPT_N}${passwords.SCRYPT_R}$")
    count = ScryptCount(monkeypatch)
    svc = Service.open(state, at="t")
    for name in ("anna", "nobody"):
        before = count.calls
        with pytest.raises(Exception, match="unknown user or wrong password"):
            svc.login(name, "wrong password")
        assert count.calls - before == 1, name
    svc.close()
    for name in ("olga", "nobody"):
        before = count.calls
        assert users.lookup(name, "wrong password") is None
        assert count.calls - before == 1, name


def test_refused_logins_are_audited_at_the_municipality(tmp_path: Path) -> None:
    state = municipality_state(tmp_path)
    c = TestClient(create_municipality_app(state))
    assert log_in(c, "anna", "wrong password") == 401
    assert log_in(c, "nobody", "wrong password") == 401
    svc = Service.open(state, at="t")
    rows = [e for e in audit.events(svc.conn) if e.action == "web-login-failed"]
    svc.close()
    assert [(e.user, e.data()["name"], e.data()["reason"]) for e in rows] == [
        ("web", "anna", "wrong"),
        ("web", "nobody", "wrong"),
    ]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_created_readable_by_the_owner_only(tmp_path: Path) -> None:
    """The state database (password hashes, the count), its WAL, the key, the web secret, the users and the
    sessions: 0600, whatever the umask lets other files be."""
    state = municipality_state(tmp_path)
    c = TestClient(create_municipality_app(state), follow_redirects=False)
    assert log_in(c, "anna") == 303
    UserFile(tmp_path / "desk" / USERS_FILE, ("operator",)).add("olga", "operator", PW)
    files = [*state.glob("*.sqlite"), *state.glob("*.sqlite-wal"), *state.glob("*.key")]
    files += [state / SECRET_FILE, state / SESSIONS_FILE, tmp_path / "desk" / USERS_FILE]
    assert len(files) >= 6
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
