"""Benchmark: the full `assetmap build` at national volume on real OSM structure: a real extract
(Rutland by default) replicated N times with shifted ids and coordinates, with matching postcodes,
neighbourhoods and IoD/Census/name rows (bench/replica.py, bench/replica_data.py), built exactly as
`assetmap build` does, in a fresh process per N.

    python bench/national_build.py [--copies 1 4 16] [--scratch DIR] [--keep] [--reuse]
                                   [--template rutland] [--links 4] [--save FILE] [--baseline FILE]

Prints, per N: replica generation time, counts, per-stage build times, peak RSS (self + children),
output sizes; then the stage table across N with the growth exponent between successive N
(time ∝ N^b). ``--save`` writes the figures as JSON, ``--baseline`` prints them side by side with
a saved run (e.g. before and after a change to a stage). It never fails on a figure, it reports.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

CHILD = r"""
import json, resource, sys, time
from contextlib import contextmanager
import assetmap.build as b
from assetmap.config import load_area
cpu, stage = {}, b.Stages.stage
@contextmanager
def timed(self, name, what):  # each stage's CPU seconds beside its wall time: steadier on a shared machine
    c = time.process_time()
    with stage(self, name, what):
        yield
    cpu[name] = round(time.process_time() - c, 3)
b.Stages.stage = timed
t = time.perf_counter()
r = b.build_area(load_area(sys.argv[1]), sys.argv[2], echo=lambda m: print(m, file=sys.stderr, flush=True))
peak = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
cpu["total"] = round(time.process_time(), 3)
print(json.dumps({"timings": r["timings"], "cpu": cpu, "wall_s": round(time.perf_counter() - t, 2),
                  "peak_rss_gib": round(peak / 1024 ** 2, 3)}))
"""

def make_replica(n: int, root: Path, template: str = "rutland", k_links: int = 4, gap_m: float = 200.0) -> dict:
    """Write the replica of ``template`` ×``n`` under ``root`` (extract, tables, data root, config ``replica.toml``)."""
    import numpy as np
    import replica
    import replica_data as rd

    from assetmap.config import load_area

    t0 = time.perf_counter()
    cfg = load_area(template)
    data = root / "data"
    rep = data / "replica"
    rep.mkdir(parents=True, exist_ok=True)
    replica.link_data(cfg.data_root, data)
    lsoas = rd.template_lsoas(cfg)
    lx0, ly0, lx1, ly1 = lsoas.total_bounds
    m = cfg.edge_buffer_m / 2  # the extract cut to the district's box plus a margin: cells never overlap
    tmpl = replica.read_template(cfg.osm.path(cfg.data_root), (lx0 - m, ly0 - m, lx1 + m, ly1 + m))
    x0, y0, x1, y1 = tmpl.bounds()
    cells, offsets = replica.grid(n, (x1 - x0 + gap_m, y1 - y0 + gap_m))
    joins = replica.links(tmpl, cells, k_links)
    parts = {"template": time.perf_counter() - t0}
    counts = replica.write_pbf(tmpl, offsets, joins, rep / "replica.osm.pbf")
    parts["pbf"] = time.perf_counter() - t0 - parts["template"]
    lads = rd.boundaries(cfg, lsoas, offsets, rep)
    buf = cfg.edge_buffer_m + gap_m
    footprint = (x0 + offsets[:, 0].min() - buf, y0 + offsets[:, 1].min() - buf,
                 x1 + offsets[:, 0].max() + buf, y1 + offsets[:, 1].max() + buf)
    counts.update(rd.postcodes(cfg, lsoas, offsets, footprint, rep / "codepoint.csv"))
    rd.copy_rows(cfg.source("deprivation").path(cfg.data_root), cfg.source("deprivation").option("code", "lsoa21_code"),
                 lsoas, n, rep / "imd2025.csv")
    pop = cfg.source("population")
    rd.copy_rows(pop.path(cfg.data_root), pop.option("columns", {}).get("code", "lsoa21_code"), lsoas, n,
                 rep / "census2021.csv")
    rd.msoa_names(cfg, lsoas, n, rep / "msoa_names.csv")
    rd.wards(cfg, lsoas, n, rep / "wards.csv")
    raw = tomllib.loads(Path(cfg.config_path).read_text()) if cfg.config_path else {}
    enabled = {k: v["enabled"] for k, v in raw.get("sources", {}).items() if "enabled" in v}
    files = {"osm": "replica/replica.osm.pbf", cfg.source("boundaries").name: "replica/lsoa21.gpkg",
             cfg.source("deprivation").name: "replica/imd2025.csv", pop.name: "replica/census2021.csv",
             cfg.source("postcodes").name: "replica/codepoint.csv",
             cfg.source("neighbourhood_names").name: "replica/msoa_names.csv", cfg.source("wards").name: "replica/wards.csv"}
    rd.write_config(root / "replica.toml", f"replica-n{n}", f"{cfg.name} ×{n} (replica)", lads, cfg.osm.date, files, enabled)
    lon, lat = replica.TO_LONLAT.transform(footprint[::2], footprint[1::2])
    meta = {"copies": n, "template": template, "lsoas_per_copy": len(lsoas), "links": len(joins),
            "grid": [max(c for c, _ in cells) + 1, max(r for _, r in cells) + 1], "cell_m": [x1 - x0 + gap_m, y1 - y0 + gap_m],
            "lonlat_bounds": [round(v, 4) for v in (lon[0], lat[0], lon[1], lat[1])],
            "counts": counts, "generate_s": round(time.perf_counter() - t0, 2),
            "generate_parts_s": {k: round(v, 1) for k, v in parts.items()}}
    meta["inside_england_bounds"] = bool(-6.5 <= lon[0] and lon[1] <= 2.1 and 49.8 <= lat[0] and lat[1] <= 55.9)
    (root / "replica.json").write_text(json.dumps(meta, indent=1, default=lambda o: np.asarray(o).tolist()))
    return meta


def run_build(root: Path) -> dict:
    """The full build of ``root``'s replica in a fresh process: its figures, counts and output sizes."""
    out = root / "build"
    t = time.perf_counter()
    with open(root / "build.log", "w") as log:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(root / "replica.toml"), str(out)],
                              stdout=subprocess.PIPE, stderr=log, text=True)
    if proc.returncode:
        raise SystemExit(f"the build failed (exit {proc.returncode}); see {root / 'build.log'}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["process_s"] = round(time.perf_counter() - t, 2)
    rep = json.loads((out / "report.json").read_text())
    walk = rep.get("walking", {})
    # the access stage's own parts (snap, nearest, aggregate, lookup pairs), as rows of the table
    parts = {f"  access.{k}": v for k, v in walk.get("timings", {}).items()}
    res["timings"] = {k2: v2 for k, v in res["timings"].items()
                      for k2, v2 in [(k, v), *(parts.items() if k == "access" else [])]}
    res["counts"] = {"walk_nodes": rep["network"].get("nodes"), "main_component": rep["network"].get("main_component_share"),
                     "postcodes": rep["postcodes"]["in_area"], "lsoas": rep["neighbourhoods"]["lsoas"],
                     "assets": rep["assets"]["total"], "lookup_pairs": walk.get("lookup", {}).get("pairs")}
    res["files_mb"] = {str(p.relative_to(out)): round(p.stat().st_size / 1e6, 2)
                       for p in sorted(out.rglob("*")) if p.is_file() and p.stat().st_size > 100_000}
    res["output_mb"] = round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6, 1)
    return res


def exponent(a: float, b: float, na: int, nb: int) -> str:
    return f"{math.log(b / a) / math.log(nb / na):.2f}" if a > 0.05 and b > 0 and nb != na else "-"


def projected(vals: list[float], ns: list[int], to: int) -> str:
    """``vals`` carried from the largest N to ``to`` along the growth law of the last two N (an extrapolation)."""
    if len(ns) < 2 or vals[-1] <= 0:
        return "-"
    b = math.log(vals[-1] / vals[-2]) / math.log(ns[-1] / ns[-2]) if vals[-2] > 0.05 else 1.0
    return f"{vals[-1] * (to / ns[-1]) ** max(b, 0.0):.0f}"


def print_table(results: dict[int, dict], base: dict[int, dict] | None = None, key: str = "timings",
                extrapolate: int | None = None) -> None:
    """Stage times (``key``: "timings", wall; "cpu", CPU) across N, the growth exponent between successive N,
    the figure at ``extrapolate`` copies along the last exponent (total: the stages' sum), and ratios to ``base``."""
    ns = sorted(results)
    stages = list(results[ns[-1]]["build"].get(key, {}))
    head = "".join(f"{'N=' + str(n):>10}" for n in ns)
    grow = "".join(f"{f'b {a}->{b}':>11}" for a, b in zip(ns, ns[1:], strict=False))
    title = "stage wall s" if key == "timings" else "stage CPU s"
    ext = f"{f'N={extrapolate}?':>11}" if extrapolate else ""
    print(f"\n{title:16}{head}{grow}{ext}" + ("   ratio to baseline (largest N)" if base else ""))
    rows = [(s, [results[n]["build"].get(key, {}).get(s, 0.0) for n in ns]) for s in stages]
    rows.append(("peak RSS GiB", [results[n]["build"]["peak_rss_gib"] for n in ns]))
    if key == "timings":
        rows.append(("generate", [results[n]["replica"]["generate_s"] for n in ns]))
    stage_sum = sum(float(projected(v, ns, extrapolate)) for n_, v in rows
                    if extrapolate and n_ in stages and n_ != "total" and not n_.startswith(" ")
                    and projected(v, ns, extrapolate) != "-")
    for name, vals in rows:
        exps = "".join(f"{exponent(a, b, na, nb):>11}" for a, b, na, nb in zip(vals, vals[1:], ns, ns[1:], strict=False))
        ratio = ""
        if base and ns[-1] in base:
            bb = base[ns[-1]]["build"]
            b = bb["peak_rss_gib"] if name == "peak RSS GiB" else bb.get(key, {}).get(name)
            ratio = f"   {vals[-1] / b:.2f}x (was {b:.2f})" if b else ""
        ext = "" if not extrapolate else f"{stage_sum:>11.0f}" if name == "total" else \
            f"{projected(vals, ns, extrapolate):>11}"
        print(f"{name:16}" + "".join(f"{v:10.2f}" for v in vals) + exps + ext + ratio)
    if key != "timings":
        return
    for label, key in (("osm nodes", "nodes"), ("osm ways", "ways")):
        print(f"{label:16}" + "".join(f"{results[n]['replica']['counts'][key]:10,}" for n in ns))
    for key in ("walk_nodes", "postcodes", "lsoas", "assets", "lookup_pairs"):
        print(f"{key:16}" + "".join(f"{results[n]['build']['counts'].get(key) or 0:10,}" for n in ns))
    print(f"{'output MB':16}" + "".join(f"{results[n]['build']['output_mb']:10.1f}" for n in ns))


def one(n: int, args) -> dict:
    root = Path(args.scratch) / f"N{n}"
    if args.reuse and (root / "replica.json").exists():
        meta = json.loads((root / "replica.json").read_text())
        print(f"N={n}: reusing the replica in {root}", flush=True)
    else:
        if root.exists():
            shutil.rmtree(root)
        meta = make_replica(n, root, args.template, args.links)
        print(f"N={n}: replica written to {root} in {meta['generate_s']} s: {meta['counts']}", flush=True)
    build = run_build(root)
    print(f"N={n}: build {build['timings']['total']:.1f} s, peak {build['peak_rss_gib']:.2f} GiB, "
          f"counts {build['counts']}; largest files (MB) {dict(list(build['files_mb'].items())[:12])}", flush=True)
    if not (args.keep or args.reuse):
        shutil.rmtree(root)
    else:
        shutil.rmtree(root / "build", ignore_errors=True)
    return {"replica": meta, "build": build}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--scratch", default="/tmp/assetmap-replica", help="where replicas are written (never ../shared)")
    ap.add_argument("--keep", action="store_true", help="keep each replica (not its build) under --scratch/N<copies>")
    ap.add_argument("--reuse", action="store_true", help="build a replica kept under --scratch instead of writing it")
    ap.add_argument("--template", default="rutland", help="the area whose extract is copied")
    ap.add_argument("--links", type=int, default=4, help="footways joining each pair of neighbouring copies")
    ap.add_argument("--save", help="write the figures (JSON) to this file")
    ap.add_argument("--baseline", help="a file written by --save, printed side by side")
    ap.add_argument("--results", nargs="+", help="print the tables of files written by --save (no build)")
    ap.add_argument("--extrapolate", type=int, help="also carry each figure to this many copies (growth law of "
                    "the last two N): an extrapolation, not a measurement")
    args = ap.parse_args(argv)
    if args.results:
        results = {int(k): v for f in args.results for k, v in json.loads(Path(f).read_text()).items()}
    else:
        results = {n: one(n, args) for n in sorted(args.copies)}
    base = None
    if args.baseline:
        base = {int(k): v for k, v in json.loads(Path(args.baseline).read_text()).items()}
    print_table(results, base, "timings", args.extrapolate)
    print_table(results, base, "cpu", args.extrapolate)
    if args.save and not args.results:
        Path(args.save).write_text(json.dumps({str(k): v for k, v in results.items()}, indent=1) + "\n")
    return results


if __name__ == "__main__":
    main()
