"""Benchmark: the base map's vector tiles for an area, two ways.

    python bench/tile_bench.py [AREA] [--copies 1,16,64] [--baseline-src OTHER/src] [--workdir DIR] [--workers 1]
    python bench/tile_bench.py [AREA] --encoders [--runs 3]

Volume (default): the area's base-map features (``assetmap.tiles.basemap``, Rutland by default) are
replicated N times side by side (copy k shifted east and north by whole widths and heights of the
area, in memory) and tiled by the in-memory tiler (``vectortiles.write_pmtiles``, every feature held)
and by the spilling tiler (``pyramid.write_pmtiles_spilled``, fed copy by copy, features spilled to
disk by parent tile, parents cut by ``--workers`` processes). Each run is its own process: the time,
the peak RSS (from wait4; with workers, the largest single process's), vertices, bytes of peak per
vertex and spill size are printed side by side with ratios, and whether the two archives are byte
for byte the same. ``--baseline-src`` runs the in-memory tiler from another
checkout's ``src`` (e.g. today's main). Replicated places share their names, so only the first
copy's places are drawn (both tilers draw a name once).

Encoders (``--encoders``): the whole archive written ``--runs`` times with ``assetmap.tiles.mvt`` and
with mapbox-vector-tile's reference encoder, side by side. Never fails on a figure.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def area_features(area: str):
    """(features by layer in EPSG:4326, the tiled region in lon/lat) as the build reads them."""
    import geopandas as gpd

    from assetmap.config import load_area
    from assetmap.ingest.neighbourhoods import select_neighbourhoods
    from assetmap.ingest.osm import coverage_bbox, read_extract
    from assetmap.taxonomy import load_taxonomy
    from assetmap.tiles.basemap import read_basemap_features

    cfg = load_area(area)
    extract = read_extract(cfg.osm, cfg.data_root, load_taxonomy())
    coverage = select_neighbourhoods(cfg, coverage_bbox(cfg.osm, extract)).coverage.iloc[0]
    region = gpd.GeoSeries([coverage.buffer(cfg.edge_buffer_m)], crs="EPSG:27700").to_crs("EPSG:4326").iloc[0]
    return read_basemap_features(cfg.osm, cfg.data_root), region


def copies(features, region, n: int):
    """The region holding ``n`` copies on a square-ish grid, and a generator of each copy's features."""
    import math

    import shapely

    cols = math.ceil(math.sqrt(n))
    x0, y0, x1, y1 = region.bounds
    dx, dy = x1 - x0, y1 - y0
    whole = shapely.box(x0, y0, x0 + cols * dx, y0 + math.ceil(n / cols) * dy)

    def each():
        for k in range(n):
            ox, oy = (k % cols) * dx, (k // cols) * dy
            yield {name: frame.set_geometry(shapely.transform(frame.geometry.values, lambda xy, o=(ox, oy): xy + o))
                   for name, frame in features.items()}
    return whole, each


def child(args) -> dict:
    """One run in this process: tile ``args.copies`` copies with ``args.child``; a dict of figures."""
    import pandas as pd
    import shapely

    from assetmap.tiles import basemap as bm
    from assetmap.tiles import vectortiles

    features, region = area_features(args.area)
    whole, each = copies(features, region, args.copies)
    vertices = args.copies * sum(int(shapely.get_num_coordinates(f.geometry.values).sum()) for f in features.values())
    out = Path(args.out)
    t = time.perf_counter()
    if args.child == "memory":
        parts = list(each())
        everything = {name: pd.concat([p[name] for p in parts], ignore_index=True) for name in features}
        del parts
        layers = bm.tile_layers(everything, whole)
        summary = vectortiles.write_pmtiles(out, layers, tuple(whole.bounds), bm.MINZOOM, bm.MAXZOOM)
    else:
        from assetmap.tiles.pyramid import write_pmtiles_spilled

        seen: set = set()
        summary = write_pmtiles_spilled(out, (bm.tile_layers(c, whole, seen) for c in each()), tuple(whole.bounds),
                                        bm.MINZOOM, bm.MAXZOOM, order=bm.LAYER_ORDER, workdir=out.parent,
                                        workers=args.workers)
    return {"seconds": time.perf_counter() - t, "vertices": vertices, "tiles": summary["tiles"],
            "bytes": summary["bytes"], "spill_bytes": summary.get("spill_bytes", 0),
            "largest_parent_features": summary.get("largest_parent_features", 0)}


def run(tiler: str, n: int, area: str, src: Path, out: Path, workers: int = 1) -> dict:
    """``child`` in a fresh process (nice 10) with ``src`` first on the path; adds its peak RSS."""
    cmd = ["nice", "-n", "10", sys.executable, __file__, area, "--child", tiler, "--copies", str(n), "--out", str(out),
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(src)}, stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{tiler} x{n} failed (status {status}):\n{stdout}")
    return {**json.loads(stdout.strip().splitlines()[-1]), "peak_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def volume(args) -> int:
    baseline = Path(args.baseline_src).resolve() if args.baseline_src else SRC
    print(f"{args.area} x N: in-memory tiler from {baseline}, spilling tiler from {SRC} ({args.workers} process(es): "
          "peak is the largest single process's, CPU the sum of all)")
    print("times: tiling wall seconds (reading the area once excluded) / the whole process's CPU seconds")
    print(f"{'N':>4} {'vertices':>11} | {'memory s':>12} {'peak MB':>8} {'B/vertex':>8} | {'spilled s':>12} "
          f"{'peak MB':>8} {'B/vertex':>8} {'spill MB':>8} | {'cpu x':>5} {'peak x':>6} same bytes")
    with tempfile.TemporaryDirectory(prefix="tile-bench-", dir=args.workdir) as tmp:
        for n in [int(v) for v in args.copies.split(",")]:
            a = run("memory", n, args.area, baseline, Path(tmp) / "memory.pmtiles")
            b = run("spilled", n, args.area, SRC, Path(tmp) / "spilled.pmtiles", args.workers)
            same = (Path(tmp) / "memory.pmtiles").read_bytes() == (Path(tmp) / "spilled.pmtiles").read_bytes()
            v = a["vertices"]
            print(f"{n:>4} {v:>11,} | {a['seconds']:>6.1f}/{a['cpu_s']:>5.1f} {a['peak_mb']:>8.0f} "
                  f"{a['peak_mb'] * 2**20 / v:>8.0f} | {b['seconds']:>6.1f}/{b['cpu_s']:>5.1f} {b['peak_mb']:>8.0f} "
                  f"{b['peak_mb'] * 2**20 / v:>8.0f} {b['spill_bytes'] / 1e6:>8.0f} | {b['cpu_s'] / a['cpu_s']:>5.2f} "
                  f"{b['peak_mb'] / a['peak_mb']:>6.2f} {same} ({a['tiles']} tiles, {a['bytes'] / 1e6:.1f} MB; largest parent "
                  f"{b['largest_parent_features']:,} features)", flush=True)
    return 0


def reference_encode(layers, extent):
    """The same tiles through mapbox_vector_tile.encode (winding already right, as assetmap.tiles.mvt needs)."""
    import mapbox_vector_tile

    return mapbox_vector_tile.encode(
        [{"name": name, "features": [{"geometry": g, "properties": {k: v for k, v in p.items() if v is not None}}
                                     for g, p in zip(geoms, props, strict=False)]} for name, _, geoms, props in layers],
        default_options={"y_coord_down": True, "extents": extent, "check_winding_order": False})


def encoders(args) -> int:
    import gzip

    import mapbox_vector_tile
    from pmtiles.reader import MmapSource, all_tiles

    from assetmap.tiles import vectortiles
    from assetmap.tiles.basemap import MAXZOOM, MINZOOM, tile_layers

    features, region = area_features(args.area)
    layers = tile_layers(features, region)
    print(f"{args.area}: " + ", ".join(f"{layer.name} {len(layer.frame):,}" for layer in layers))
    chosen = {"assetmap.tiles.mvt": vectortiles.encode_tile, "mapbox_vector_tile": reference_encode}
    best, paths = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, encoder in chosen.items():
            vectortiles.encode_tile = encoder
            times = []
            for _run in range(args.runs):
                path = Path(tmp) / f"{name}.pmtiles"
                t = time.perf_counter()
                summary = vectortiles.write_pmtiles(path, layers, tuple(region.bounds), MINZOOM, MAXZOOM)
                times.append(time.perf_counter() - t)
            best[name], paths[name] = min(times), path
            print(f"{name:20} best {best[name]:6.2f} s of {args.runs}  ({summary['tiles']} tiles, "
                  f"{summary['bytes'] / 1e6:.2f} MB)")
        vectortiles.encode_tile = chosen["assetmap.tiles.mvt"]
        decoded = {}
        for name, path in paths.items():
            with open(path, "rb") as f:
                decoded[name] = {zxy: mapbox_vector_tile.decode(gzip.decompress(data),
                                                                default_options={"y_coord_down": True})
                                 for zxy, data in all_tiles(MmapSource(f))}
        same = decoded["assetmap.tiles.mvt"] == decoded["mapbox_vector_tile"]
    print(f"whole archive, assetmap.tiles.mvt vs mapbox_vector_tile: {best['mapbox_vector_tile'] / best['assetmap.tiles.mvt']:.1f}x "
          f"faster; every tile decodes to the same features: {same}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("area", nargs="?", default="rutland")
    ap.add_argument("--copies", default="1,16,64", help="numbers of copies of the area, comma-separated")
    ap.add_argument("--baseline-src", help="another checkout's src for the in-memory tiler (e.g. today's main)")
    ap.add_argument("--workdir", help="folder for the archives and the spill (default: the system's temporary)")
    ap.add_argument("--workers", type=int, default=1, help="processes cutting the spilled parents")
    ap.add_argument("--encoders", action="store_true", help="compare the MVT encoders instead")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", choices=["memory", "spilled"], help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        args.copies = int(args.copies)
        print(json.dumps(child(args)))
        return 0
    sys.path.insert(0, str(SRC))
    return encoders(args) if args.encoders else volume(args)


if __name__ == "__main__":
    sys.exit(main())
