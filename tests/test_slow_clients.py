"""Slow clients cannot block the site: the production server (`assetmap serve`, 2 gevent workers)
with 20 clients on 127.0.0.1 dripping a request a byte a second — 16 a POST body, 4 their headers
— still answers /healthz within 1 s throughout, and cuts the slow bodies off with a 408 at the
body deadline (ASSETMAP_REQUEST_BODY_SECONDS, 6 s here). Bounded: about 15 s of dripping."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from servers import _get

BODY_CLIENTS, HEADER_CLIENTS = 16, 4
DRIP_SECONDS = 12.0


@pytest.fixture()
def short_body_deadline(monkeypatch):
    monkeypatch.setenv("ASSETMAP_REQUEST_BODY_SECONDS", "6")


def _drip(port: int, head: bytes, body: bytes, stop: float, answers: list, i: int) -> None:
    """Send ``head`` then ``body`` a byte a second until ``stop``; keep what the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        data = head + body
        s.sendall(data[:len(head) if body else 20])
        sent = len(head) if body else 20
        got = b""
        s.settimeout(1.0)
        while time.time() < stop:
            try:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
                if got.startswith(b"HTTP/1.1 408"):
                    break
            except TimeoutError:
                pass
            except OSError:  # reset by the server: it dropped the slow client
                break
            try:
                if sent < len(data):
                    s.sendall(data[sent:sent + 1])
                    sent += 1
            except OSError:  # closed by the server
                break
        answers[i] = got


@pytest.mark.load
def test_slow_clients_do_not_delay_healthz(short_body_deadline, gunicorn_server):
    base, _, _, _ = gunicorn_server
    port = int(base.rsplit(":", 1)[1])
    body = b"name=" + b"x" * 200
    post = (f"POST /suggest HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded"
            f"\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    get = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'y' * 200}\r\n\r\n".encode()
    stop = time.time() + DRIP_SECONDS
    answers: list = [None] * (BODY_CLIENTS + HEADER_CLIENTS)
    clients = [threading.Thread(target=_drip, args=(port, post, body, stop, answers, i)) for i in range(BODY_CLIENTS)]
    clients += [threading.Thread(target=_drip, args=(port, get, b"", stop, answers, BODY_CLIENTS + i))
                for i in range(HEADER_CLIENTS)]
    for c in clients:
        c.start()
    time.sleep(1.0)  # every slow client is connected and sending
    times = []
    while time.time() < stop - 0.5:
        t0 = time.perf_counter()
        status, _ = _get(base + "/healthz", timeout=5)
        times.append(time.perf_counter() - t0)
        assert status == 200
        time.sleep(0.25)
    for c in clients:
        c.join(DRIP_SECONDS + 5)
    print(f"/healthz under {len(clients)} slow clients: {len(times)} requests, slowest {max(times) * 1000:.0f} ms")
    assert len(times) >= 20 and max(times) < 1.0, times
    # the body deadline cut every slow body off with a 408; slow headers were dropped at the header timeout
    assert all(a is not None and a.startswith(b"HTTP/1.1 408") for a in answers[:BODY_CLIENTS]), answers[:BODY_CLIENTS]
    assert all(a is not None and not a.startswith(b"HTTP/1.1 200") for a in answers[BODY_CLIENTS:])


@pytest.mark.load
@pytest.mark.parametrize("gunicorn_server", [["--worker-class", "sync"]], indirect=True)
def test_sync_workers_are_blocked_by_slow_clients(gunicorn_server):
    """The control: with 2 sync workers (the old default) two slow bodies are enough to stop /healthz."""
    base, _, _, _ = gunicorn_server
    port = int(base.rsplit(":", 1)[1])
    post = (f"POST /suggest HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded"
            f"\r\nContent-Length: 100\r\n\r\nname=").encode()
    socks = [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(3)]
    try:
        for s in socks:
            s.sendall(post)
        time.sleep(1.0)
        with pytest.raises(OSError):  # timed out: every worker is waiting for a body
            _get(base + "/healthz", timeout=2)
    finally:
        for s in socks:
            s.close()


BUSY_APP = '''
import threading, time
from flask import Flask
app = Flask(__name__)
def busy(seconds):
    end = time.time() + seconds
    while time.time() < end:
        sum(range(10000))
@app.get("/spin")
def spin():
    threading.Thread(target=busy, args=(9,), daemon=True).start()
    return "started"
@app.get("/h")
def h():
    return "ok"
'''


@pytest.mark.load
@pytest.mark.parametrize("worker, stalls", [("app.server.AssetmapGeventWorker", False), ("gevent", True)])
def test_a_busy_background_thread_does_not_stall_the_worker(tmp_path, worker, stalls):
    """Work a request starts in a thread (a background import job, say) runs beside the event loop:
    one worker keeps answering within 1 s and is not killed for silence (timeout 4 s). The control:
    gunicorn's own gevent worker turns the thread into a greenlet that stops the worker."""
    import subprocess
    import sys

    from servers import _free_port

    (tmp_path / "busyapp.py").write_text(BUSY_APP)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-k", worker, "-w", "1", "--timeout", "4",
                             "-b", f"127.0.0.1:{port}", "--chdir", str(tmp_path), "busyapp:app"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if _get(base + "/h", 1)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        try:
            _get(base + "/spin", 2)
        except OSError:
            pass  # the control's worker may already be stuck
        times = []
        for _ in range(12):
            t0 = time.perf_counter()
            try:
                _get(base + "/h", 1.0)
                times.append(time.perf_counter() - t0)
            except OSError:
                times.append(float("inf"))
            time.sleep(0.5)
    finally:
        proc.terminate()
        err = proc.communicate(timeout=20)[1]
    if stalls:
        assert max(times) == float("inf") or "WORKER TIMEOUT" in err
    else:
        assert max(times) < 1.0 and "WORKER TIMEOUT" not in err, (times, err[-2000:])
