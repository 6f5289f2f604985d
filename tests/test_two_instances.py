"""Several app servers, one PostgreSQL registry: two production servers (`assetmap serve`, each its own
gunicorn with 2 workers, on two 127.0.0.1 ports) over the same build root and the same database, as
behind a load balancer. What a curator or a visitor changes through one is what the other serves:
a suggestion sent to A waits in B's moderation queue; a login made on A is valid on B (the shared
secret key signs the cookie); logging out on A ends that session on B too (sessions are revoked in
the database, not in a server's memory); and a lookup answers the same on both."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import make_url

from assetmap.registry.db import make_engine
from servers import assetmap_serve, linked_build_root
from test_import_server import Browser

PG_ENV = "ASSETMAP_TEST_PG_URL"
PASSWORD = "a long and unusual passphrase 7"
NAME = "Twin Servers Community Pantry"


@pytest.fixture(scope="module")
def pg_url():
    """A fresh schema in the test PostgreSQL (scripts/pg-test.sh), dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: run pytest through scripts/pg-test.sh (as `make test` does)")
        pytest.skip(f"PostgreSQL: set {PG_ENV}, or run through scripts/pg-test.sh")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(make_engine(base).url).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(scope="module")
def twins(tmp_path_factory, chesterfield_root, pg_url):
    """(A, B): the base URLs of two servers sharing the build root, the registry and the secret key
    (one worker each, to start quickly: the workers of one server share nothing either)."""
    tmp_path = tmp_path_factory.mktemp("twins")
    env = {**os.environ, "ASSETMAP_DATABASE_URL": pg_url, "ASSETMAP_SESSION_COOKIE_SECURE": "0",
           "ASSETMAP_SECRET_KEY": "s" * 40}
    cli = [sys.executable, "-m", "assetmap.cli"]
    subprocess.run(cli + ["db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(cli + ["db", "create-admin", "ada", "--password-stdin"], env=env, check=True, capture_output=True,
                   input=PASSWORD + "\n", text=True)
    root = linked_build_root(tmp_path, chesterfield_root)
    args = ("--no-access-log", "--workers", "1")
    with assetmap_serve(root, *args, env={**env, "ASSETMAP_INSTANCE_DIR": str(tmp_path / "a")}, wait_s=120) as (a, pa), \
            assetmap_serve(root, *args, env={**env, "ASSETMAP_INSTANCE_DIR": str(tmp_path / "b")}, wait_s=120) as (b, pb):
        assert pa.pid != pb.pid and a != b
        yield a, b


def _login(base: str) -> Browser:
    br = Browser(base)
    resp = br.post("/curate/login", {"csrf_token": br.token("/curate/login"), "username": "ada", "password": PASSWORD})
    assert resp.status == 303, resp.read()[:500]
    return br


def _carry(cookies_from: Browser, base: str) -> Browser:
    """A browser on ``base`` holding ``cookies_from``'s cookies (the load balancer sent it elsewhere)."""
    br = Browser(base)
    jar = next(h.cookiejar for h in cookies_from.opener.handlers if hasattr(h, "cookiejar"))
    mine = next(h.cookiejar for h in br.opener.handlers if hasattr(h, "cookiejar"))
    for c in jar:
        mine.set_cookie(c)
    return br


def test_a_suggestion_sent_to_one_server_waits_in_the_others_queue(twins):
    a, b = twins
    visitor = Browser(a)
    form = {"csrf_token": visitor.token("/suggest"), "name": NAME, "category": "food_bank", "postcode": "S40 1LP",
            "address": "2 Twin Street, Chesterfield", "description": "Tuesdays", "contact": "me@example.org"}
    resp = visitor.post("/suggest", form)
    assert resp.status == 303, resp.read()[:2000]
    curator_b = _login(b)
    assert NAME in curator_b.get("/curate/suggestions").read().decode()
    assert NAME not in Browser(b).get("/curate/suggestions").read().decode()  # not without logging in


def test_a_session_is_shared_and_a_logout_on_one_server_ends_it_on_the_other(twins):
    a, b = twins
    on_a = _login(a)
    assert on_a.get("/curate/").status == 200
    on_b = _carry(on_a, b)  # the next request of the same browser reaches B
    assert on_b.get("/curate/").status == 200
    resp = on_a.post("/curate/logout", {"csrf_token": on_a.token("/curate/logout")})
    assert resp.status == 303
    after = on_b.get("/curate/")  # the cookie B accepted a moment ago
    assert after.status == 302 and "/curate/login" in after.headers["Location"]


def test_both_servers_answer_the_same_lookup(twins):
    answers = [json.loads(Browser(base).get("/api/lookup?postcode=S40+1LP&limit=20").read()) for base in twins]
    assert answers[0] == answers[1] and len(answers[0]["results"]) == 20
