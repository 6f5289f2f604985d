"""Curator login, roles on every curator route, CSRF on every POST route, rate limits and cookie flags.

Routes are enumerated from ``app.url_map``, so a page added later is covered without editing this file."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from app.auth import auth_defaults
from assetmap.registry.users import set_active, set_password
from curate_support import PASSWORD, csrf_token, login, page, post


@pytest.fixture
def client(curate_client):
    """The curator app's test client (``client`` elsewhere is the read-only app's)."""
    return curate_client


SAMPLE = {"int": "1", "default": "x", "string": "x", "path": "x"}


def sample_path(rule) -> str:
    """A concrete path for ``rule`` (1 for numbers, 'x' for text, the first choice of an ``any``)."""
    def repl(m):
        conv = m.group(1) or "default"
        if conv.startswith("any("):
            return re.findall(r"\w+", conv[4:])[0]
        return SAMPLE.get(conv.split("(")[0], "x")
    return re.sub(r"<(?:([^:>]+):)?[^>]+>", repl, rule.rule)


def routes(app, prefix: str = "", method: str = "GET") -> list[str]:
    return sorted({sample_path(r) for r in app.url_map.iter_rules()
                   if r.rule.startswith(prefix) and method in r.methods and "static" not in r.endpoint})


def test_routes_are_enumerated(curate_app):
    gets, posts = routes(curate_app, "/curate"), routes(curate_app, "/curate", "POST")
    assert {"/curate/", "/curate/suggestions", "/curate/users/", "/curate/audit", "/curate/import"} <= set(gets)
    assert {"/curate/login", "/curate/suggestions/1", "/curate/users/x/role", "/curate/import"} <= set(posts)
    assert {"/suggest", "/report"} <= set(routes(curate_app, "/", "POST"))


def test_login_and_logout(client):
    assert client.get("/curate/").headers["Location"].startswith("/curate/login")
    resp = login(client, "ada")
    assert resp.status_code == 303 and resp.headers["Location"] == "/curate/"
    assert "ada (admin)" in page(client.get("/curate/"))
    resp = client.post("/curate/logout", data={"csrf_token": csrf_token(client, "/curate/")})
    assert resp.status_code == 303
    assert client.get("/curate/").status_code == 302


def test_failed_logins_look_the_same(client, engine):
    wrong = login(client, "ada", "not the password at all")
    unknown = login(client, "nobody", "not the password at all")
    with Session(engine) as s, s.begin():
        set_active(s, "mo", False, "test")
    inactive = login(client, "mo")
    bodies = [re.sub(r'value="[^"]*"', "", page(r)) for r in (wrong, unknown, inactive)]
    assert {r.status_code for r in (wrong, unknown, inactive)} == {400}
    assert "The username or password is not right" in bodies[0]
    assert bodies[0] == bodies[1] == bodies[2]  # the typed username (a value="…") aside, identical pages
    assert client.get("/curate/").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/curate/problems", "/curate/problems"), ("https://evil.example/x", "/curate/"), ("//evil.example/x", "/curate/"),
    ("/\\evil.example", "/curate/"), ("javascript:alert(1)", "/curate/"),
])
def test_next_only_to_local_paths(client, target, expected):
    token = csrf_token(client)
    resp = client.post("/curate/login", data={"csrf_token": token, "username": "ada", "password": PASSWORD,
                                              "next": target})
    assert resp.status_code == 303 and resp.headers["Location"] == expected


def test_anonymous_gets_login_or_403_on_every_curator_route(client):
    for path in routes(client.application, "/curate"):
        resp = client.get(path)
        if path == "/curate/login":
            assert resp.status_code == 200
        else:
            assert resp.status_code == 302 and resp.headers["Location"].startswith("/curate/login?next="), path
    token = csrf_token(client)
    for path in routes(client.application, "/curate", "POST"):
        if path != "/curate/login":
            assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_moderator_gets_403_on_user_management_only(client):
    login(client, "mo")
    token = csrf_token(client, "/curate/")
    for path in routes(client.application, "/curate"):
        code = client.get(path).status_code
        assert code == 403 if path.startswith("/curate/users") else code in (200, 302, 404), (path, code)
    for path in routes(client.application, "/curate/users", "POST"):
        assert client.post(path, data={"csrf_token": token, "role": "admin"}).status_code == 403, path


def test_admin_reaches_every_page(client):
    login(client, "ada")
    for path in routes(client.application, "/curate"):
        assert client.get(path).status_code in (200, 302, 404), path
    assert client.get("/curate/users/").status_code == 200


@pytest.mark.parametrize("who", [None, "ada"])
def test_every_post_route_refuses_a_missing_or_bad_token(client, who):
    if who:
        login(client, who)
    for path in routes(client.application, "/", "POST"):
        if path == "/lookup/here":  # "use my location": changes nothing, answers a postcode (tests/test_locate.py)
            continue
        for data in ({}, {"csrf_token": "forged"}):
            resp = client.post(path, data={**data, "name": "x", "username": "ada", "password": PASSWORD})
            assert resp.status_code == 400, (path, data)
            assert "form has expired" in page(resp)
    # and the rejected login did not log anyone in
    if who is None:
        assert client.get("/curate/").status_code == 302


def test_password_reset_and_deactivation_end_sessions(client, engine):
    login(client, "mo")
    assert client.get("/curate/").status_code == 200
    with Session(engine) as s, s.begin():
        set_password(s, "mo", "another long password", "test")
    assert client.get("/curate/").status_code == 302
    login(client, "mo", "another long password")
    assert client.get("/curate/").status_code == 200
    with Session(engine) as s, s.begin():
        set_active(s, "mo", False, "test")
    assert client.get("/curate/").status_code == 302


def test_login_is_rate_limited(client, capp, monkeypatch):
    monkeypatch.setitem(capp.config, "LOGIN_RATE_LIMIT", "3/minute")
    codes = [login(client, "ada", "wrong password!").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    resp = login(client, "ada")
    assert resp.status_code == 429 and "too many times" in page(resp)
    assert "Retry-After" in resp.headers


def test_suggestions_are_rate_limited_per_client(client, capp, monkeypatch):
    monkeypatch.setitem(capp.config, "SUGGEST_RATE_LIMIT", "2/minute;30/day")
    codes = [post(client, "/suggest", {"name": f"Place {i}"}).status_code for i in range(3)]
    assert codes[:2] == [400, 400] and codes[2] == 429
    other = capp.test_client()
    resp = other.post("/suggest", data={"csrf_token": csrf_token(other, "/suggest"), "name": "x"},
                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert resp.status_code == 400  # another address has its own allowance
    assert client.get("/suggest").status_code == 200  # reading the form is not limited


def test_session_cookie_flags(client, capp, monkeypatch):
    monkeypatch.delenv("ASSETMAP_SESSION_COOKIE_SECURE", raising=False)
    assert auth_defaults()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("ASSETMAP_SESSION_COOKIE_SECURE", "0")
    assert auth_defaults()["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setitem(capp.config, "SESSION_COOKIE_SECURE", True)
    resp = client.get("/curate/login", base_url="https://localhost")
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
