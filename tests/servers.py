"""A production server for tests: `assetmap serve` (gunicorn, 2 gevent workers) on 127.0.0.1 and a free port."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture()
def gunicorn_server(request, tmp_path, chesterfield_root):
    """`assetmap serve` with 2 gunicorn workers on a free port, over a copy-by-symlink build root.

    More `assetmap serve` arguments by indirect parametrisation, e.g.
    ``@pytest.mark.parametrize("gunicorn_server", [["--worker-class", "sync"]], indirect=True)``."""
    root = tmp_path / "build"
    root.mkdir()
    (root / "chesterfield").symlink_to((chesterfield_root / "chesterfield").resolve(), target_is_directory=True)
    port, pid = _free_port(), tmp_path / "gunicorn.pid"
    proc = subprocess.Popen([sys.executable, "-m", "assetmap.cli", "serve", "--build-root", str(root), "--port", str(port),
                             "--workers", "2", "--pid", str(pid), "--no-access-log", *getattr(request, "param", [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if _get(base + "/healthz", 1)[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])
    yield base, proc, pid, root
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
