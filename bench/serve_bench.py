"""Benchmark: the production server under load, endpoints side by side in one run, and each worker's memory.

    python bench/serve_bench.py [--build-root build] [--area chesterfield] [--seconds 10] [--connections 8]
                                [--workers 2] [--warmup 3] [--postcodes 500] [--replicate N] [--parquet]
                                [--scratch DIR] [--src CHECKOUT]

Starts `assetmap serve` (gunicorn, 2 workers, no access log) on 127.0.0.1 and a free port, then
runs wrk (Debian package `wrk`; a bounded run of --seconds per endpoint, loopback only) against
the lookup page, the JSON lookup, an Open Referral UK services query, an OGC API items page, a
scenario, a static file and the health check, and prints
requests/s and latency percentiles, with the lookup's ratio to the static file, then the resident
memory of the master and of each worker (RSS, and PSS/USS from /proc/PID/smaps_rollup: pages
shared between processes, such as the memory-mapped lookup arrays, count once in PSS and not in USS).

``--replicate N`` serves a national-size lookup instead: the area's postcodes and lookup pairs
repeated N times with new postcodes (bench/lookup_replica.py; N = 362 on Chesterfield makes
1.35 M postcodes and 102 M pairs, England's size), written under --scratch, and measures the
lookups for --postcodes random postcodes of it against the static file. ``--parquet`` also writes
the replica's ``lookup.parquet`` (what the index made per worker reads); ``--src CHECKOUT`` runs the
server from another checkout (its ``src`` and ``app`` first on PYTHONPATH), e.g. the code before a change.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from production_server import production_server_process  # noqa: E402

LUA = ROOT / "bench" / "wrk-paths.lua"  # shared with tests/test_load.py
STATIC = "static file (app.css, gzip)"


def static_url(base: str) -> str:
    page = urllib.request.urlopen(base + "/lookup").read().decode()
    return re.search(r'href="(/static/v/[0-9a-f]{12}/css/app\.css)"', page).group(1)


def memory(pid: int) -> dict[str, float]:
    """A process's resident memory in MB: RSS, PSS (shared pages divided among their users), USS (private)."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        kb[name] = int(value.split()[0])
    return {"rss": kb["Rss"] / 1024, "pss": kb["Pss"] / 1024,
            "uss": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024}


def workers_of(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def settle(pid: int, workers: int, quiet_s: float = 3.0, limit_s: float = 900.0) -> None:
    """Wait until every worker has started and its memory has stopped growing (it has loaded the builds)."""
    last, since, stop = None, time.time(), time.time() + limit_s
    while time.time() < stop:
        kids = workers_of(pid)
        now = [round(memory(k)["rss"]) for k in kids]
        if len(kids) == workers and now == last:
            if time.time() - since >= quiet_s:
                return
        else:
            last, since = now, time.time()
        time.sleep(0.5)


def print_memory(pid: int, when: str) -> None:
    print(f"memory {when} (MB){'':8}{'RSS':>8}{'PSS':>8}{'USS':>8}")
    rows = [("master", pid)] + [(f"worker {i}", w) for i, w in enumerate(workers_of(pid), start=1)]
    for name, p in rows:
        m = memory(p)
        print(f"  {name:26}{m['rss']:8.0f}{m['pss']:8.0f}{m['uss']:8.0f}")


def sample_postcodes(area_dir: Path, n: int) -> list[str]:
    import pandas as pd

    pcs = pd.read_parquet(area_dir / "postcodes.parquet", columns=["postcode", "lsoa21_code"])
    pcs = pcs[pcs["lsoa21_code"].notna()]
    return pcs.sample(min(n, len(pcs)), random_state=1)["postcode"].str.replace(" ", "+").tolist()


def endpoints(base: str, slug: str, pcs: list[str], replica: bool) -> list[tuple[str, list[str]]]:
    n = len(pcs)
    out = [(f"lookup page, {n} postcodes", [f"/lookup?postcode={p}" for p in pcs]),
           (f"lookup JSON, {n} postcodes", [f"/api/lookup?postcode={p}" for p in pcs]),
           ("lookup JSON, + a category", [f"/api/lookup?postcode={p}&category=library" for p in pcs])]
    if not replica:
        out += [("ORUK services near a postcode", [f"/api/oruk/services?postcode={p}&proximity=1000&per_page=20"
                                                   for p in pcs]),
                ("OGC items page (50 assets)", [f"/ogc/collections/{slug}-assets/items?limit=50&offset={o}"
                                                for o in range(0, 350, 50)]),
                ("scenario (open a food bank)", [f"/api/area/{slug}/scenario?open=food_bank&lon=-1.4216&lat=53.2356"])]
    return out + [(STATIC, [static_url(base)]), ("health check", ["/healthz"])]


def run_wrk(base: str, paths: list[str], args) -> tuple[float, float, float, float, int]:
    """(requests/s, p50, p99, max ms, errors) of one endpoint, after an unmeasured warm-up."""
    listing = Path("/tmp/assetmap-wrk-paths.txt")
    listing.write_text("\n".join(paths) + "\n")
    wrk = ["wrk", "-t2", f"-c{args.connections}", "-s", str(LUA), "-H", "Accept-Encoding: gzip", base + paths[0]]
    env = {"ASSETMAP_WRK_PATHS": str(listing), "PATH": "/usr/bin:/bin"}
    # warm-up, not measured: each worker meets the paths (first-use caches, as in production)
    subprocess.run(wrk[:1] + [f"-d{args.warmup}s"] + wrk[1:], capture_output=True, env=env)
    out = subprocess.run(wrk[:1] + [f"-d{args.seconds}s"] + wrk[1:], capture_output=True, text=True, env=env).stdout
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    n, dur, p50, p99, mx, *errs = m.groups()
    return int(n) / (int(dur) / 1e6), float(p50) / 1000, float(p99) / 1000, float(mx) / 1000, sum(map(int, errs))


def server_env(src: str | None) -> dict | None:
    if not src:
        return None
    checkout = Path(src).resolve()
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout / "src"), str(checkout)])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-root", default=str(ROOT / "build"))
    ap.add_argument("--area", default="chesterfield")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each endpoint")
    ap.add_argument("--postcodes", type=int, default=500, help="random postcodes the lookups cycle through")
    ap.add_argument("--replicate", type=int, default=0, help="serve the area's lookup repeated N times instead")
    ap.add_argument("--parquet", action="store_true", help="with --replicate: write lookup.parquet too")
    ap.add_argument("--scratch", default="/tmp/assetmap-serve-replica", help="where --replicate writes")
    ap.add_argument("--src", help="serve with this checkout's code (e.g. the code before a change)")
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 1
    root, area_dir = Path(args.build_root), Path(args.build_root) / args.area
    if args.replicate:
        from lookup_replica import replicate

        t0 = time.time()
        area_dir = replicate(area_dir, Path(args.scratch), args.replicate, args.parquet)
        root = area_dir.parent
        print(f"replica: {args.replicate} copies of {args.area} in {time.time() - t0:.0f} s under {root}")
    pcs = sample_postcodes(area_dir, args.postcodes)
    with production_server_process(root, args.workers, server_env(args.src), wait_s=900) as (base, server):
        settle(server.pid, args.workers)
        print_memory(server.pid, "after start")
        results = {}
        print(f"gunicorn, {args.workers} workers, wrk: {args.connections} connections, 2 threads, {args.seconds} s "
              "each, gzip accepted")
        print(f"{'endpoint':32}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}")
        for name, paths in endpoints(base, args.area, pcs, bool(args.replicate)):
            rps, p50, p99, mx, errors = run_wrk(base, paths, args)
            results[name] = rps
            print(f"{name:32}{rps:10.0f}{p50:10.1f}{p99:10.1f}{mx:10.1f}{errors:8d}")
        page, api = (results[f"lookup {k}, {len(pcs)} postcodes"] for k in ("page", "JSON"))
        print(f"lookup page / static file: {page / results[STATIC]:.2f} (target >= 0.5); "
              f"lookup JSON / static file: {api / results[STATIC]:.2f}")
        print_memory(server.pid, "after the runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
