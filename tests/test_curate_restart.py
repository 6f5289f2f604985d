"""PostgreSQL restarted while the public sends suggestions: every submission either got a friendly
"try again" page (503) or is in the moderation queue afterwards; none is lost silently, and the app
recovers by itself. Needs the throwaway server of scripts/pg-test.sh (it exports how to restart it)."""
from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.registry.models import Suggestion
from curate_support import csrf_token, suggestion_form


@pytest.fixture
def client(curate_client):
    """The curator app's test client (``client`` elsewhere is the read-only app's)."""
    return curate_client



def restart_postgres() -> None:
    ctl, data = os.environ.get("ASSETMAP_TEST_PG_CTL"), os.environ.get("ASSETMAP_TEST_PG_DATA")
    if not (ctl and data):
        pytest.skip("restarting PostgreSQL needs scripts/pg-test.sh (ASSETMAP_TEST_PG_CTL, ASSETMAP_TEST_PG_DATA)")
    user = os.environ.get("ASSETMAP_TEST_PG_USER")
    cmd = [ctl, "-D", data, "-m", "fast", "-w", "-t", "60", "restart"]
    if os.environ.get("ASSETMAP_TEST_PG_LOG"):
        cmd[1:1] = ["-l", os.environ["ASSETMAP_TEST_PG_LOG"]]
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=90)


def test_submissions_survive_a_database_restart(client, capp, engine, registry_url, monkeypatch):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server restart needs PostgreSQL")
    monkeypatch.setitem(capp.config, "SUGGEST_RATE_LIMIT", "100000/minute")
    token = csrf_token(client, "/suggest")
    sent: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def submit():
        i = 0
        while not stop.is_set() or i < 60:
            name = f"Restart test place {i}"
            resp = client.post("/suggest", data={"csrf_token": token, **suggestion_form(name=name)})
            sent.append((name, resp.status_code, resp.get_data(as_text=True)))
            i += 1
            time.sleep(0.01)

    worker = threading.Thread(target=submit)
    worker.start()
    while len(sent) < 15:
        time.sleep(0.05)
    restart_postgres()
    before = len(sent)
    time.sleep(1.0)
    stop.set()
    worker.join(120)
    assert not worker.is_alive()

    engine.dispose()  # the test's own pooled connections died with the server
    with Session(engine) as s:
        stored = set(s.scalars(select(Suggestion.fields_json)))
    stored_names = {n for n, _, _ in sent if any(f'"name": "{n}"' in f for f in stored)}
    codes = {code for _, code, _ in sent}
    assert codes <= {303, 503}, codes
    for name, code, body in sent:
        if code == 303:
            assert name in stored_names, f"{name} was thanked for but is not in the queue"
        else:
            assert "try again" in body and "Traceback" not in body and "OperationalError" not in body
    assert all(code == 303 for _, code, _ in sent[-10:]), "the app did not recover after the restart"
    assert len(sent) > before  # submissions continued after the restart
