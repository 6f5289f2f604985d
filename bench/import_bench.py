"""Benchmark: a large CSV imported through the CLI (`assetmap import`) in a subprocess.

    python bench/import_bench.py [--rows 1000000] [--baseline-src /path/to/other/checkout/src] [--baseline-rows 100000]

Generates a synthetic CSV (every 1,000th row invalid, so the quarantine is exercised) in a temporary
folder, creates a fresh SQLite registry there (`assetmap db upgrade`) and runs
`assetmap import FILE --source bench --no-postcode-lookup` in a subprocess, printing rows/s, wall time
and the child's peak RSS (from wait4). With ``--baseline-src`` the same is done, with
``--baseline-rows`` rows, against another checkout's ``src`` (e.g. today's main), side by side.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["id", "name", "category", "description", "address", "lat", "lon", "url", "opening_hours", "last_verified"]
CATEGORIES = ["library", "community_centre", "food_bank", "park", "gp", "warm_space", "allotments"]


def write_csv(path: Path, rows: int, seed: int = 1) -> int:
    """A synthetic CSV of ``rows`` rows; returns how many are invalid (bad latitude)."""
    rng = random.Random(seed)
    bad = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(1, rows + 1):
            lat = f"{rng.uniform(50.5, 55.0):.6f}"
            if i % 1000 == 0:
                lat, bad = "999", bad + 1
            w.writerow([f"b{i}", f"Place {i}", CATEGORIES[i % len(CATEGORIES)], f"Meets every week, number {i}",
                        f"{i} High Street", lat, f"{rng.uniform(-3.0, 0.5):.6f}",
                        "https://example.org/place" if i % 3 == 0 else "", "Mo-Fr 09:00-17:00", "2024-03-01"])
    return bad


def measure(src: Path, tmp: Path, rows: int, label: str) -> dict:
    csv_path = tmp / f"{label}.csv"
    bad = write_csv(csv_path, rows)
    env = {**os.environ, "PYTHONPATH": str(src), "ASSETMAP_DATABASE_URL": f"sqlite:///{tmp / (label + '.sqlite')}"}
    cli = [sys.executable, "-c", "import sys; from assetmap.cli import main; sys.exit(main())"]
    subprocess.run(cli + ["db", "upgrade"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    with open(tmp / f"{label}.out", "w+") as out:
        proc = subprocess.Popen(cli + ["import", str(csv_path), "--source", "bench", "--no-postcode-lookup",
                                       "--show", "0"], env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        out.seek(0)
        text = out.read().strip()
    return {"label": label, "rows": rows, "invalid": bad, "rc": os.waitstatus_to_exitcode(status),
            "seconds": seconds, "rows_per_s": rows / seconds, "peak_rss_mb": usage.ru_maxrss / 1024,
            "csv_mb": csv_path.stat().st_size / 1e6, "output": text[-600:]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--baseline-src", help="another checkout's src folder (e.g. main's) to run side by side")
    ap.add_argument("--baseline-rows", type=int, default=100_000)
    ap.add_argument("--skip-this", action="store_true", help="run only the baseline")
    args = ap.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="assetmap-import-bench-") as tmp:
        if args.baseline_src:
            results.append(measure(Path(args.baseline_src).resolve(), Path(tmp), args.baseline_rows, "baseline"))
        if not args.skip_this:
            results.append(measure(ROOT / "src", Path(tmp), args.rows, "this"))
    print(f"{'run':10} {'rows':>9} {'CSV MB':>7} {'exit':>4} {'seconds':>8} {'rows/s':>8} {'peak RSS MB':>11}")
    for r in results:
        print(f"{r['label']:10} {r['rows']:9d} {r['csv_mb']:7.1f} {r['rc']:4d} {r['seconds']:8.1f} "
              f"{r['rows_per_s']:8.0f} {r['peak_rss_mb']:11.1f}")
    for r in results:
        print(f"--- {r['label']} output:\n{r['output']}")
    return 0 if all(r["rc"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
