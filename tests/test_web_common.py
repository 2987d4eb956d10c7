"""The shared web plumbing: signed sessions, the secret, web users, the bind check, login redirects."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from shared.adapters.desk_site import register_desk_commands
from shared.adapters.web import (
    SECRET_FILE,
    USERS_FILE,
    Sessions,
    Site,
    UserFile,
    WebRoute,
    WebUser,
    check_bind,
    create_app,
    dutch_number,
    load_secret,
)
from shared.errors import InputError, StateError
from tests.test_web_support import PW, csrf_of

SECRET = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def test_session_round_trip_and_expiry() -> None:
    clock = Clock()
    s = Sessions(SECRET, max_age_s=3600, clock=clock)
    session = s.new(WebUser("anna", "typist"))
    cookie = s.encode(session)
    assert s.decode(cookie) == session
    clock.t += 3599
    assert s.decode(cookie) == session
    clock.t += 2
    assert s.decode(cookie) is None
    assert Sessions(b"x" * 32, clock=clock).decode(s.encode(s.new(None))) is None  # another state's secret


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_change_to_a_session_cookie_is_rejected(data: st.DataObject) -> None:
    s = Sessions(SECRET)
    cookie = s.encode(s.new(WebUser("coord", "coordinator")))
    i = data.draw(st.integers(0, len(cookie) - 1))
    ch = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."))
    changed = cookie[:i] + ch + cookie[i + 1 :]
    if changed != cookie:
        decoded = s.decode(changed)
        # base64 without padding can decode two spellings of the last character to the same bytes
        assert decoded is None or s.encode(decoded).split(".")[0] == cookie.split(".")[0]


@given(st.text(max_size=200))
def test_garbage_cookies_never_raise(text: str) -> None:
    assert Sessions(SECRET).decode(text) is None


def test_a_role_cannot_be_raised_by_editing_the_cookie() -> None:
    import base64

    s = Sessions(SECRET)
    cookie = s.encode(s.new(WebUser("anna", "typist")))
    body, mac = cookie.split(".")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b"typist", b"coordinator")
    forged = base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + mac
    assert s.decode(forged) is None


def test_secret_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_secret(tmp_path)
    assert len(first) == 32 and load_secret(tmp_path) == first
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    with pytest.raises(Exception, match="shorter than 32"):
        Sessions(b"short")


def test_user_file(tmp_path: Path) -> None:
    users = UserFile(tmp_path / USERS_FILE, ("operator", "observer"))
    users.add("olga", "operator", PW)
    assert users.lookup("olga", PW) == WebUser("olga", "operator")
    assert users.lookup("olga", "wrong password") is None and users.lookup("nobody", PW) is None
    assert PW not in (tmp_path / USERS_FILE).read_text()
    assert stat.S_IMODE((tmp_path / USERS_FILE).stat().st_mode) == 0o600
    with pytest.raises(StateError, match="already exists"):
        users.add("olga", "observer", PW)
    with pytest.raises(InputError, match="role"):
        users.add("otto", "admin", PW)
    with pytest.raises(InputError, match="at least 8"):
        users.add("otto", "observer", "short")
    with pytest.raises(InputError, match="user name"):
        users.add(" olga", "observer", PW)
    (tmp_path / USERS_FILE).write_text("not json")
    with pytest.raises(InputError, match="not a web users file"):
        users.lookup("olga", PW)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "10.0.0.5", "192.168.1.20", "fe80::1"])
def test_bind_allows_loopback_and_private_networks(host: str) -> None:
    assert check_bind(host)


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("0.0.0.0", "every network"),
        ("::", "every network"),
        ("8.8.8.8", "public"),
        ("example.org", "not an IP"),
    ],
)
def test_bind_refuses_everything_else(host: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        check_bind(host)


def test_dutch_number() -> None:
    assert dutch_number(1234567) == "1.234.567" and dutch_number(0) == "0" and dutch_number(None) == ""


def _tiny_site(tmp_path: Path) -> Site:
    users = UserFile(tmp_path / USERS_FILE, ("operator",))
    users.add("olga", "operator", PW)

    def hello(ctx: object) -> object:
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("hallo")

    return Site(
        title="t",
        users=users.lookup,
        secret=SECRET,
        routes=[WebRoute("/hallo", hello, ("operator",))],  # type: ignore[arg-type]
        home={"operator": "/hallo"},
    )


def test_login_redirects_only_to_local_paths(tmp_path: Path) -> None:
    c = TestClient(create_app(_tiny_site(tmp_path)), follow_redirects=False)
    token = csrf_of(c.get("/login?next=//evil.example/x").text)
    r = c.post("/login", data={"csrf": token, "name": "olga", "password": PW, "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/hallo"
    c2 = TestClient(create_app(_tiny_site(tmp_path / "b")), follow_redirects=False)
    token = csrf_of(c2.get("/login").text)
    r = c2.post("/login", data={"csrf": token, "name": "olga", "password": PW, "next": "/hallo"})
    assert r.headers["location"] == "/hallo"


def test_login_is_throttled_after_five_wrong_passwords(tmp_path: Path) -> None:
    c = TestClient(create_app(_tiny_site(tmp_path)))
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        assert (
            c.post("/login", data={"csrf": token, "name": "olga", "password": "wrong one"}).status_code == 401
        )
    r = c.post("/login", data={"csrf": token, "name": "olga", "password": PW})
    assert r.status_code == 401  # even the right password waits out the minute


def test_unknown_pages_are_a_dutch_404(tmp_path: Path) -> None:
    r = TestClient(create_app(_tiny_site(tmp_path))).get("/bestaat-niet")
    assert r.status_code == 404 and "bestaat niet" in r.text


def test_a_route_without_roles_is_a_programming_error(tmp_path: Path) -> None:
    site = _tiny_site(tmp_path)
    site.routes = [WebRoute("/open", lambda ctx: None, ())]  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="names no role"):
        create_app(site)


def test_desk_commands_parse_and_refuse_to_serve_without_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    register_desk_commands(
        sub,
        default_state=tmp_path,
        make_app=lambda p: None,  # type: ignore[arg-type,return-value]
        what="hoofdstembureau",
        audit=lambda *row: None,
    )
    args = parser.parse_args(["serve", "--state", str(tmp_path), "--port", "9000"])
    with pytest.raises(StateError, match="no web users yet"):
        args.func(args)
    import os

    os.environ["TELKETEN_TEST_PW"] = PW
    try:
        args = parser.parse_args(
            ["web-user", "add", "olga", "--state", str(tmp_path), "--password-env", "TELKETEN_TEST_PW"]
        )
        assert args.func(args) == 0
    finally:
        del os.environ["TELKETEN_TEST_PW"]
    args = parser.parse_args(["web-user", "list", "--state", str(tmp_path)])
    args.func(args)
    assert "olga\toperator" in capsys.readouterr().out


def test_municipality_serve_parser() -> None:
    from municipality.web import register_serve

    parser = argparse.ArgumentParser()
    register_serve(parser.add_subparsers())
    args = parser.parse_args(
        ["serve", "--state", "s", "--host", "10.1.2.3", "--port", "8080", "--allow-network"]
    )
    assert (args.host, args.port, args.allow_network) == ("10.1.2.3", 8080, True)
