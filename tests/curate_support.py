"""Fixtures for the curator pages and public forms (tests/test_curate_*.py), on SQLite and PostgreSQL.

``curate_app`` is one app per test session (loading the built areas takes seconds); ``capp``
points it at the test's fresh registry database (``registry_url``: SQLite, and PostgreSQL under
scripts/pg-test.sh) with :func:`app.registry_setup.init_registry`, with rate-limit counters reset.
Users: ``ada`` (admin) and ``mo`` (moderator), password :data:`PASSWORD`.

The fixtures are registered for every test by ``pytest_plugins`` in conftest.py; import the helpers
and constants you use. A test module that wants ``client`` to be the curator app's defines
``client(curate_client)``.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from assetmap.registry.users import create_user

PASSWORD = "correct horse battery staple"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
POSTCODE = "S40 1LP"  # in the Chesterfield build


@pytest.fixture(scope="session")
def curate_app(chesterfield_root, tmp_path_factory):
    from app import create_app

    tmp = tmp_path_factory.mktemp("curate")
    return create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "TESTING": True,
                       "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
                       "DATABASE_URL": f"sqlite:///{tmp / 'registry.sqlite'}", "INSTANCE_DIR": str(tmp)})


@pytest.fixture
def capp(curate_app, engine, registry_url):
    from app.registry_setup import init_registry

    init_registry(curate_app, registry_url)
    curate_app.extensions["assetmap_limiter"].reset()
    with Session(engine) as s, s.begin():
        create_user(s, "ada", PASSWORD, "admin")
        create_user(s, "mo", PASSWORD, "moderator")
    yield curate_app
    curate_app.extensions["registry"].dispose()


@pytest.fixture
def curate_client(capp):
    return capp.test_client()


def csrf_token(client, path: str = "/curate/login") -> str:
    page = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/curate/login", data={"csrf_token": csrf_token(client), "username": username,
                                              "password": password})


def post(client, path: str, data: dict | None = None, **kw):
    """POST a form the way a browser does: with the token from the user's own session."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/suggest"), **(data or {})}, **kw)


def page(resp) -> str:
    return resp.get_data(as_text=True)


def assert_escaped(html: str, *, present: bool = True) -> None:
    """No live markup from user data: never ``<script>alert`` nor ``<img src=x``; and the text was shown."""
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    if present:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x onerror=alert(1)&gt;" in html


def suggestion_form(**over) -> dict:
    return {"name": "Hollow Lane Community Hall", "category": "community_centre", "postcode": POSTCODE,
            "address": "1 Hollow Lane, Chesterfield", "url": "https://hollow.example.org", "phone": "01246 345345",
            "email": "hall@example.org", "description": "Lunch club on Tuesdays", "opening_hours": "Mon-Fri 9-5",
            "contact": "me@example.org", **over}
