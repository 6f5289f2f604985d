"""Curator sessions and passwords: server-side revocation (logout, deactivation, role and password
changes end every session of the user, for good), idle and absolute lifetimes, passwords checked
for guessability with the reason given, and a per-account login throttle kept in the database
(shared by two app instances on one database) — on SQLite and PostgreSQL."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.cli import main
from assetmap.errors import RegistryError
from assetmap.registry.models import User
from assetmap.registry.users import attempt_login, create_user, set_active, set_password, set_role
from curate_support import PASSWORD, login, page, post


@pytest.fixture
def client(curate_client):
    """The curator app's test client (``client`` elsewhere is the read-only app's)."""
    return curate_client


NEW_PASSWORD = "lantern orchard velvet"


def _cookie_jar(client) -> list:
    return [(c.key, c.value) for c in client._cookies.values()]


def _replay(app, jar):
    """A second browser holding exactly the cookies of the first, as a stolen or kept cookie would be."""
    other = app.test_client()
    for key, value in jar:
        other.set_cookie(key, value)
    return other


def _logged_in(c) -> bool:
    return c.get("/curate/").status_code == 200


def test_logout_ends_every_session_of_the_user(client, capp):
    login(client, "mo")
    second = capp.test_client()
    login(second, "mo")
    kept = _cookie_jar(client)
    assert _logged_in(client) and _logged_in(second)
    assert post(client, "/curate/logout").status_code == 303
    assert not _logged_in(_replay(capp, kept)), "the cookie still works after logout"
    assert not _logged_in(second), "another browser's session survived the logout"


@pytest.mark.parametrize("change", ["deactivate", "role", "password"])
def test_account_changes_end_sessions_for_good(client, capp, engine, change):
    login(client, "mo")
    kept = _cookie_jar(client)
    with Session(engine) as s, s.begin():
        if change == "deactivate":
            set_active(s, "mo", False, "test")
        elif change == "role":
            set_role(s, "mo", "admin", "test")
        else:
            set_password(s, "mo", NEW_PASSWORD, "test")
    assert not _logged_in(_replay(capp, kept))
    with Session(engine) as s, s.begin():  # undo: the old cookie must not come back to life
        if change == "deactivate":
            set_active(s, "mo", True, "test")
        elif change == "role":
            set_role(s, "mo", "moderator", "test")
        else:
            set_password(s, "mo", PASSWORD, "test")
    assert not _logged_in(_replay(capp, kept)), f"the cookie came back to life after undoing '{change}'"
    login(client, "mo")
    assert _logged_in(client)


def test_admin_changes_from_the_users_page_end_the_users_sessions(client, capp):
    mo = capp.test_client()
    login(mo, "mo")
    login(client, "ada")
    assert post(client, "/curate/users/mo/role", {"role": "admin"}).status_code == 303
    assert not _logged_in(mo)
    login(mo, "mo")
    assert post(client, "/curate/users/ada/password", {"password": NEW_PASSWORD}).status_code == 303
    assert _logged_in(client), "an admin resetting their own password stays logged in on this browser"


def test_idle_and_absolute_lifetimes(client, capp, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr("app.auth._now", lambda: clock[0])
    monkeypatch.setitem(capp.config, "SESSION_IDLE_SECONDS", 600)
    monkeypatch.setitem(capp.config, "SESSION_MAX_SECONDS", 3000)
    login(client, "mo")
    for _ in range(4):  # active every 9 minutes: still in after 36 minutes
        clock[0] += 540
        assert _logged_in(client)
    clock[0] += 601  # idle for over 10 minutes
    assert not _logged_in(client)
    login(client, "mo")
    start = clock[0]
    while clock[0] - start < 2940:
        clock[0] += 490
        assert _logged_in(client)
    clock[0] = start + 3001  # past 50 minutes since logging in, however active
    assert not _logged_in(client)


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaa", "repeats like"), ("password12", "very common password"), ("mo-the-curator", "contains the username"),
    ("qwertyuiop", "too easy to guess"), ("short", "at least 10 characters")])
def test_weak_passwords_are_refused_with_the_reason(engine, password, reason):
    with Session(engine) as s:
        with pytest.raises(RegistryError, match=reason):
            create_user(s, "mo-the-curator" if "curator" in password else "newbie", password)
        create_user(s, "okuser", NEW_PASSWORD)  # a strong one is accepted
        with pytest.raises(RegistryError, match="okuser|too easy to guess|contains the username"):
            set_password(s, "okuser", "okuser1234", "test")
        s.rollback()


def test_weak_passwords_refused_on_the_users_page_and_the_cli(client, registry_url, monkeypatch, capsys):
    login(client, "ada")
    resp = post(client, "/curate/users/", {"username": "newbie", "password": "password12", "role": "moderator"})
    assert resp.status_code == 400 and "very common password" in page(resp)
    resp = post(client, "/curate/users/", {"username": "newbie", "password": "newbie-newbie", "role": "moderator"})
    assert resp.status_code == 400 and "contains the username" in page(resp)
    resp = post(client, "/curate/users/mo/password", {"password": "aaaaaaaaaa"}, follow_redirects=True)
    assert "Repeats like" in page(resp) or "repeats like" in page(resp)
    monkeypatch.setattr("sys.stdin", io.StringIO("password12\n"))
    assert main(["db", "create-admin", "root2", "--password-stdin", "--url", registry_url]) == 2
    err = capsys.readouterr().err
    assert "too easy to guess" in err and "very common password" in err and "Traceback" not in err


def test_throttle_is_per_account_and_shared_by_two_apps(capp, registry_url, tmp_path, engine, monkeypatch):
    """Five wrong passwords through two app instances on one database lock the account for both;
    the right password is refused while it is locked, and works again when the lock has run out."""
    from app import create_app

    other = create_app({"ASSETMAP_BUILD_ROOT": capp.config["ASSETMAP_BUILD_ROOT"], "TESTING": True,
                        "SESSION_COOKIE_SECURE": False, "DATABASE_URL": registry_url, "INSTANCE_DIR": str(tmp_path)})
    a, b = capp.test_client(), other.test_client()
    for i in range(5):
        assert login(a if i % 2 else b, "mo", "not the password!").status_code == 400
    with Session(engine) as s:
        user = s.scalars(select(User).where(User.username == "mo")).one()
        assert user.locked_until is not None and user.failed_logins == 0
    assert login(a, "mo").status_code == 400 and login(b, "mo").status_code == 400
    assert not _logged_in(a) and not _logged_in(b)
    assert login(a, "ada").status_code == 303, "another account is not locked"
    other.extensions["registry"].dispose()
    with Session(engine) as s, s.begin():  # after the lock runs out, the right password works
        later = datetime.now(UTC) + timedelta(minutes=16)
        assert attempt_login(s, "mo", PASSWORD, now=later) is not None


def test_throttle_counts_failures_in_a_row(engine):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as s, s.begin():
        create_user(s, "mo", PASSWORD, "moderator")
    for _ in range(4):
        with Session(engine) as s, s.begin():
            assert attempt_login(s, "mo", "wrong wrong wrong", now=now) is None
    with Session(engine) as s, s.begin():
        assert attempt_login(s, "mo", PASSWORD, now=now) is not None  # a success resets the count
    for _ in range(4):
        with Session(engine) as s, s.begin():
            assert attempt_login(s, "mo", "wrong wrong wrong", now=now) is None
    with Session(engine) as s, s.begin():
        assert attempt_login(s, "mo", PASSWORD, now=now) is not None
    for _ in range(5):
        with Session(engine) as s, s.begin():
            attempt_login(s, "mo", "wrong wrong wrong", now=now)
    with Session(engine) as s, s.begin():
        assert attempt_login(s, "mo", PASSWORD, now=now + timedelta(minutes=14)) is None
    with Session(engine) as s, s.begin():
        assert attempt_login(s, "mo", PASSWORD, now=now + timedelta(minutes=16)) is not None
