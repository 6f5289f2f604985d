"""Benchmark: the production server under load, endpoints side by side in one run.

    python bench/serve_bench.py [--build-root build] [--seconds 10] [--connections 8] [--workers 2] [--warmup 3]

Starts `assetmap serve` (gunicorn, 2 workers, no access log) on 127.0.0.1 and a free port, then
runs wrk (Debian package `wrk`; a bounded run of --seconds per endpoint, loopback only) against
the lookup page, the JSON lookup, an Open Referral UK services query, an OGC API items page, a
scenario, a static file and the health check, and prints
requests/s and latency percentiles, with the lookup's ratio to the static file.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from production_server import production_server  # noqa: E402

LUA = ROOT / "bench" / "wrk-paths.lua"  # shared with tests/test_load.py


def static_url(base: str) -> str:
    page = urllib.request.urlopen(base + "/lookup").read().decode()
    return re.search(r'href="(/static/v/[0-9a-f]{12}/css/app\.css)"', page).group(1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-root", default=str(ROOT / "build"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each endpoint")
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 1
    with production_server(args.build_root, args.workers) as base:
        import pandas as pd

        pcs = pd.read_parquet(Path(args.build_root) / "chesterfield" / "postcodes.parquet")
        pcs = pcs[pcs["lsoa21_code"].notna()].sample(500, random_state=1)["postcode"].str.replace(" ", "+")
        endpoints = [
            ("lookup page, 500 postcodes", [f"/lookup?postcode={p}" for p in pcs]),
            ("lookup JSON, 500 postcodes", [f"/api/lookup?postcode={p}" for p in pcs]),
            ("lookup JSON, + a category", [f"/api/lookup?postcode={p}&category=library" for p in pcs]),
            ("ORUK services near a postcode", [f"/api/oruk/services?postcode={p}&proximity=1000&per_page=20" for p in pcs]),
            ("OGC items page (50 assets)", [f"/ogc/collections/chesterfield-assets/items?limit=50&offset={o}"
                                            for o in range(0, 350, 50)]),
            ("scenario (open a food bank)", ["/api/area/chesterfield/scenario?open=food_bank&lon=-1.4216&lat=53.2356"]),
            ("static file (app.css, gzip)", [static_url(base)]),
            ("health check", ["/healthz"]),
        ]
        results = {}
        print(f"gunicorn, {args.workers} workers, wrk: {args.connections} connections, 2 threads, {args.seconds} s each, gzip accepted")
        print(f"{'endpoint':32}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}")
        listing = Path("/tmp/assetmap-wrk-paths.txt")
        for name, paths in endpoints:
            listing.write_text("\n".join(paths) + "\n")
            wrk = ["wrk", "-t2", f"-c{args.connections}", "-s", str(LUA), "-H", "Accept-Encoding: gzip", base + paths[0]]
            env = {"ASSETMAP_WRK_PATHS": str(listing), "PATH": "/usr/bin:/bin"}
            # warm-up, not measured: each worker meets every path once (first-use caches, as in production)
            subprocess.run(wrk[:1] + [f"-d{args.warmup}s"] + wrk[1:], capture_output=True, env=env)
            out = subprocess.run(wrk[:1] + [f"-d{args.seconds}s"] + wrk[1:], capture_output=True, text=True,
                                 env=env).stdout
            m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
            n, dur, p50, p99, mx, *errs = m.groups()
            err, status_err = sum(map(int, errs[:4])), errs[4]
            rps = int(n) / (int(dur) / 1e6)
            results[name] = rps
            print(f"{name:32}{rps:10.0f}{float(p50) / 1000:10.1f}{float(p99) / 1000:10.1f}{float(mx) / 1000:10.1f}"
                  f"{int(err) + int(status_err):8d}")
        static = results["static file (app.css, gzip)"]
        print(f"lookup page / static file: {results['lookup page, 500 postcodes'] / static:.2f} (target >= 0.5); "
              f"lookup JSON / static file: {results['lookup JSON, 500 postcodes'] / static:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
