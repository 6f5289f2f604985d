"""Production serving: gunicorn from `assetmap serve`, /healthz, the JSON lookup, a graceful
reload after a rebuild, and a worker killed under load — all on 127.0.0.1, bounded in time."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from servers import _get


def test_healthz_lists_areas_and_build_dates(client, chesterfield_root):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.cache_control.no_store
    body = resp.get_json()
    assert body["status"] == "ok" and body["default_area"] == "chesterfield"
    (area,) = body["areas"]
    report = json.loads((chesterfield_root / "chesterfield" / "report.json").read_text())
    assert area["built_at"] == report["built_at"] and area["walking"] is True and area["lsoas"] == 58


def test_json_lookup_matches_the_page_and_documents_its_fields(client):
    from app.blueprints.api import LOOKUP_FIELDS

    data = client.get("/api/lookup?postcode=s401lp&limit=5").get_json()
    assert data["postcode"] == "S40 1LP" and len(data["results"]) == 5
    assert all(set(r) == set(LOOKUP_FIELDS) for r in data["results"])
    walks = [r["walk_m"] for r in data["results"]]
    assert walks == sorted(walks)
    lib = client.get("/api/lookup?postcode=S40+1LP&category=library&limit=1").get_json()["results"][0]
    assert lib["name"] == "Chesterfield Library" and lib["walk_minutes"] >= 1
    for query, status in (("postcode=ZZ9", 400), ("postcode=S40+1LP&limit=0", 400), ("postcode=ZZ99+9ZZ", 404),
                          ("postcode=S40+1LP&category=spaceport", 400), ("", 400)):
        resp = client.get(f"/api/lookup?{query}")
        assert resp.status_code == status and "error" in resp.get_json(), query


def _hammer(base: str, seconds: float, paths: list[str], clients: int = 4) -> list[int]:
    """Bounded load: ``clients`` threads requesting ``paths`` in turn for ``seconds``."""
    stop = time.time() + seconds

    def run(i):
        codes = []
        while time.time() < stop:
            try:
                codes.append(_get(base + paths[len(codes) % len(paths)], 10)[0])
            except (OSError, http.client.HTTPException) as exc:  # cut off mid-request by a killed worker
                codes.append(repr(exc))
        return codes

    with ThreadPoolExecutor(clients) as ex:
        return [c for codes in ex.map(run, range(clients)) for c in codes]


PATHS = ["/lookup?postcode=S40+1LP", "/api/lookup?postcode=S40+9ZZ", "/healthz", "/area/chesterfield/neighbourhoods"]


def test_gunicorn_serves_and_a_killed_worker_is_replaced(gunicorn_server):
    base, proc, pid, _ = gunicorn_server
    status, body = _get(base + "/lookup?postcode=S40+1LP&category=gp")
    assert status == 200 and b"Inspire Health - Avenue House Surgery" in body
    workers = subprocess.run(["pgrep", "-P", pid.read_text().strip()], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
    with ThreadPoolExecutor(1) as ex:
        load = ex.submit(_hammer, base, 6.0, PATHS)
        time.sleep(2)
        os.kill(int(workers[0]), signal.SIGKILL)
        codes = load.result()
    failed = [c for c in codes if c != 200]
    # only a request in flight on the killed worker may fail (one per client at most); nothing else may
    assert len(codes) > 100 and len(failed) <= 4 and all(not isinstance(c, int) for c in failed), failed
    deadline = time.time() + 20
    while time.time() < deadline:  # the master forks a replacement
        after = subprocess.run(["pgrep", "-P", pid.read_text().strip()], capture_output=True, text=True).stdout.split()
        if len(after) == 2 and workers[0] not in after:
            break
        time.sleep(0.5)
    assert len(after) == 2 and workers[0] not in after
    assert _get(base + "/healthz")[0] == 200


def test_a_rebuild_swapped_in_while_serving_appears_after_reload(gunicorn_server, tmp_path):
    base, proc, pid, root = gunicorn_server
    before = json.loads(_get(base + "/healthz")[1])["areas"][0]["built_at"]
    # a "rebuild": a new build directory swapped in place of the old one, as `assetmap build` does
    src = (root / "chesterfield").resolve()
    new = tmp_path / "rebuilt"
    new.mkdir()
    for f in src.iterdir():
        (new / f.name).symlink_to(f)
    (new / "report.json").unlink()
    report = json.loads((src / "report.json").read_text())
    report["built_at"] = "2030-01-01T00:00:00+00:00"
    (new / "report.json").write_text(json.dumps(report))
    with ThreadPoolExecutor(1) as ex:
        load = ex.submit(_hammer, base, 12.0, PATHS)
        time.sleep(1)
        (root / "chesterfield").unlink()
        (root / "chesterfield").symlink_to(new, target_is_directory=True)
        os.kill(int(pid.read_text()), signal.SIGHUP)  # graceful reload: new workers read the new build
        codes = load.result()
    assert len(codes) > 100 and all(c == 200 for c in codes), [c for c in codes if c != 200][:5]
    deadline = time.time() + 30
    while time.time() < deadline:
        if json.loads(_get(base + "/healthz")[1])["areas"][0]["built_at"] != before:
            break
        time.sleep(0.5)
    assert json.loads(_get(base + "/healthz")[1])["areas"][0]["built_at"] == "2030-01-01T00:00:00+00:00"


def test_forwarded_headers_are_trusted_only_from_configured_proxies(chesterfield_root):
    import pytest
    from flask import request

    from app import create_app

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "assets.example"}
    seen = {}
    for hops in ("0", "1"):
        flask_app = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "PROXY_HOPS": hops,
                                "TRUSTED_HOSTS": ["localhost", "assets.example"]})
        flask_app.add_url_rule("/_who", "who", lambda: f"{request.remote_addr} {request.scheme} {request.host}")
        seen[hops] = flask_app.test_client().get("/_who", headers=headers).get_data(as_text=True)
    assert seen["0"] == "127.0.0.1 http localhost"  # by default a client cannot pick its own address
    assert seen["1"] == "203.0.113.7 https assets.example"
    with pytest.raises(ValueError, match="whole number of proxies.*Set 1 behind a single nginx"):
        create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "PROXY_HOPS": "yes"})
