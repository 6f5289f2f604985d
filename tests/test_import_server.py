"""A large import through the real server (`assetmap serve`: gunicorn, 2 sync workers, 30 s worker
timeout) on 127.0.0.1: a 200,000-row upload runs past the worker timeout as a job and finishes, its
progress readable from either worker; and a job whose worker is killed reads failed, not running."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from assetmap.registry.jobs import DIED
from servers import assetmap_serve

pytestmark = pytest.mark.slow
PASSWORD = "a long and unusual passphrase 7"


class Browser:
    """Cookies, CSRF tokens and multipart forms over urllib (redirects are not followed)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def get(self, path: str):
        try:
            return self.opener.open(self.base + path, timeout=30)
        except urllib.error.HTTPError as exc:
            return exc

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).read().decode()).group(1)

    def post(self, path: str, fields: dict, files: dict | None = None):
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        for name, (filename, data) in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f'Content-Type: text/csv\r\n\r\n'.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            return self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:
            return exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


def _csv(n: int) -> bytes:
    return ("id,name,category,lat,lon\n" + "".join(f"r{i},Place {i},library,53.236,-1.429\n" for i in range(n))).encode()


@pytest.fixture
def served(tmp_path, chesterfield_root):
    db = tmp_path / "registry.sqlite"
    env = {**os.environ, "ASSETMAP_DATABASE_URL": f"sqlite:///{db}", "ASSETMAP_SESSION_COOKIE_SECURE": "0",
           "ASSETMAP_INSTANCE_DIR": str(tmp_path), "ASSETMAP_SECRET_KEY": "k" * 40}
    cli = [sys.executable, "-m", "assetmap.cli"]
    subprocess.run(cli + ["db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(cli + ["db", "create-admin", "ada", "--password-stdin"], env=env, check=True, capture_output=True,
                   input=PASSWORD + "\n", text=True)
    with open(tmp_path / "server.log", "w") as log, \
            assetmap_serve(chesterfield_root, "--no-access-log", env=env, stdout=log, stderr=log, wait_s=120) as (base, _):
        b = Browser(base)
        resp = b.post("/curate/login", {"csrf_token": b.token("/curate/login"), "username": "ada",
                                         "password": PASSWORD})
        assert resp.status in (302, 303), resp.read()[:500]
        yield b, db


def _start(b: Browser, n: int, source: str) -> str:
    resp = b.post("/curate/import", {"csrf_token": b.token("/curate/import"), "source": source, "format": "",
                                     "encoding": "utf-8"}, {"file": (f"{source}.csv", _csv(n))})
    assert resp.status == 303, resp.read()[:1000]
    return resp.headers["Location"]


def _state(b: Browser, url: str) -> dict:
    import json

    return json.loads(b.get(url + ".json").read())


def test_a_200000_row_upload_outlives_the_worker_timeout_as_a_job(served):
    b, _ = served
    n = 200_000
    t0 = time.monotonic()
    url = _start(b, n, "big")
    assert time.monotonic() - t0 < 20  # the upload returns at once, whatever the file's size
    states = []
    while time.monotonic() - t0 < 240:
        states.append(_state(b, url))
        if not states[-1]["active"]:
            break
        time.sleep(0.5)
    final = states[-1]
    assert final["status"] == "done", (final, states[-3:])
    assert (final["rows_read"], final["accepted"], final["rows_saved"]) == (n, n, n)
    assert time.monotonic() - t0 > 30 or len(states) > 3  # it ran past the 30 s worker timeout, or showed steps
    assert b.get(url).status == 200


def test_a_job_whose_worker_is_killed_reads_failed(served):
    b, db = served
    url = _start(b, 150_000, "doomed")
    job_id = int(url.rsplit("/", 1)[1])
    deadline = time.monotonic() + 60
    while _state(b, url)["status"] != "checking" and time.monotonic() < deadline:
        time.sleep(0.1)
    with sqlite3.connect(db) as conn:
        worker = conn.execute("SELECT worker FROM import_job WHERE id = ?", (job_id,)).fetchone()[0]
    os.kill(int(worker.split(":")[1]), signal.SIGKILL)  # the gunicorn worker running the job
    time.sleep(1)
    for _ in range(40):  # the arbiter starts a new worker; either worker answers
        state = _state(b, url)
        if state["status"] == "failed":
            break
        time.sleep(0.5)
    assert state["status"] == "failed" and state["error"] == DIED and not state["active"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM curated_asset").fetchone()[0] == 0
