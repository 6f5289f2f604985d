"""Benchmark: how fast a what-if answers (scenario open/close, siting), on a built area.

    python bench/scenario_bench.py [AREA] [--build-root build] [--runs 20]

Loads the area's ScenarioModel once (as the app does at startup), then times scenarios that
open a place at random points inside the area or in random buildings, and close random assets,
and a siting run; prints median and worst times and one example of each. Target: a scenario
under 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from assetmap.gap.scenarios import Change, ScenarioModel  # noqa: E402
from assetmap.gap.siting import site  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("area", nargs="?", default="chesterfield")
    ap.add_argument("--build-root", default=str(Path(__file__).resolve().parents[1] / "build"))
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    m = ScenarioModel(Path(args.build_root) / args.area)
    load = time.perf_counter() - t
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = m.area_shape.bounds
    points = []
    while len(points) < args.runs:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if m.area_shape.contains(shapely.Point(x, y)) and m.snapper.snap([x], [y]).leg[0] < 100:
            points.append((x, y))
    cats = list(m.categories)
    kinds = {
        "open at a point": [[Change("open", category=cats[i % len(cats)], x=x, y=y)] for i, (x, y) in enumerate(points)],
        "open in a building": [[Change("open", category=cats[i % len(cats)], asset_id=a)]
                               for i, a in enumerate(rng.choice(m.assets["asset_id"], args.runs))],
        "close an asset": [[Change("close", asset_id=a)] for a in rng.choice(m.assets["asset_id"], args.runs)],
    }
    print(f"{m.report['area']['name']}: model loaded in {load:.2f} s ({m.net.n_nodes:,} nodes, "
          f"{len(m.origins):,} postcodes, {len(m.assets)} assets)")
    for name, runs in kinds.items():
        times = []
        for ch in runs:
            t = time.perf_counter()
            m.run(ch)
            times.append(time.perf_counter() - t)
        print(f"  scenario, {name:20} median {statistics.median(times) * 1000:6.1f} ms, worst {max(times) * 1000:6.1f} ms"
              f" over {len(times)} runs  (target < 1000 ms)")
    for cand in ("buildings", "network"):
        t = time.perf_counter()
        r = site(m, "food_bank" if "food_bank" in cats else cats[0], 5, cand)
        print(f"  siting, 5 picks among {r['candidates_considered']} {cand:9} {(time.perf_counter() - t) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
