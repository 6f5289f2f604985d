"""Load: 60 s of mixed traffic against the production server, as fast as it will go, with no failures.

wrk (Debian package, installed by scripts/system-packages.sh) keeps 8 connections busy on
127.0.0.1 — a closed loop, so the rate is the highest this machine sustains — cycling through a
mix of what the site serves: lookup pages and JSON for 200 real postcodes, Open Referral UK and
OGC API queries, the planner and neighbourhood pages, a static file and the health
check. Every response must succeed: no connection, read, write or timeout errors and no status
outside 2xx-3xx. The rate and latencies are printed for the record (the benchmark, bench/serve_bench.py,
measures the endpoints one by one).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from servers import _get

SECONDS = int(os.environ.get("ASSETMAP_LOAD_SECONDS", "60"))
pytestmark = pytest.mark.load
LUA = Path(__file__).resolve().parents[1] / "bench" / "wrk-paths.lua"  # shared with bench/serve_bench.py


def _mix(base: str, root) -> list[str]:
    pcs = pd.read_parquet(root / "chesterfield" / "postcodes.parquet")
    pcs = pcs[pcs["lsoa21_code"].notna()].sample(200, random_state=7)["postcode"].str.replace(" ", "+").tolist()
    css = re.search(r'href="(/static/v/[0-9a-f]{12}/css/app\.css)"', _get(base + "/lookup")[1].decode()).group(1)
    mix = []
    for i, p in enumerate(pcs):
        mix += [f"/lookup?postcode={p}", f"/api/lookup?postcode={p}", css]
        if i % 4 == 0:
            mix += [f"/api/oruk/services?postcode={p}&proximity=1000&per_page=10", "/healthz"]
        if i % 10 == 0:
            mix += [f"/ogc/collections/chesterfield-assets/items?limit=20&offset={i}", "/area/chesterfield",
                    "/area/chesterfield/neighbourhoods", "/api/oruk/taxonomy_terms"]
    return mix


@pytest.mark.slow
def test_sixty_seconds_of_mixed_traffic_without_a_failed_request(gunicorn_server, tmp_path):
    if not shutil.which("wrk"):
        pytest.fail("wrk is missing: run scripts/system-packages.sh (or apt-get install wrk)")
    base, proc, pid, root = gunicorn_server
    paths = _mix(base, root)
    for p in set(paths):  # every path answers 200 before the run, so a failure below is the load's
        assert _get(base + p)[0] == 200, p
    (tmp_path / "paths.txt").write_text("\n".join(paths) + "\n")
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{SECONDS}s", "--timeout", "5s", "-s", str(LUA),
                          "-H", "Accept-Encoding: gzip", base + paths[0]],
                         capture_output=True, text=True, timeout=SECONDS + 60,
                         env={"ASSETMAP_WRK_PATHS": str(tmp_path / "paths.txt"), "PATH": os.environ["PATH"]})
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+) (\d+) (\d+) (\d+)", out.stdout)
    assert m, out.stdout + out.stderr
    n, dur, p50, p99, mx, *errors = m.groups()
    rate = int(n) / (int(dur) / 1e6)
    print(f"\nmixed traffic: {int(n)} requests in {int(dur) / 1e6:.0f} s = {rate:.0f} req/s; "
          f"p50 {float(p50) / 1000:.1f} ms, p99 {float(p99) / 1000:.1f} ms, max {float(mx) / 1000:.1f} ms")
    names = ("connect", "read", "write", "timeout", "status not 2xx or 3xx")
    assert all(int(e) == 0 for e in errors), dict(zip(names, map(int, errors), strict=False))
    assert int(n) > 10 * SECONDS and proc.poll() is None
