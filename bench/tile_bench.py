"""Benchmark: the base map's vector tiles for an area, encoded by assetmap.tiles.mvt (vectorised) and by
mapbox-vector-tile's reference encoder, side by side in one process on the same tiles.

    python bench/tile_bench.py [AREA] [--runs 3]

Reads the area's OSM extract once (``assetmap.tiles.basemap``), then writes the whole PMTiles archive
``--runs`` times with each encoder into a temporary folder and prints the best times, the ratio,
the archive sizes and whether every tile decodes to the same features. Never fails on a figure.
"""
from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def reference_encode(layers, extent):
    """The same tiles through mapbox_vector_tile.encode (winding already right, as assetmap.tiles.mvt needs)."""
    import mapbox_vector_tile

    return mapbox_vector_tile.encode(
        [{"name": name, "features": [{"geometry": g, "properties": {k: v for k, v in p.items() if v is not None}}
                                     for g, p in zip(geoms, props, strict=False)]} for name, _, geoms, props in layers],
        default_options={"y_coord_down": True, "extents": extent, "check_winding_order": False})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("area", nargs="?", default="chesterfield")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)

    import geopandas as gpd
    import mapbox_vector_tile
    from pmtiles.reader import MmapSource, all_tiles

    from assetmap.config import load_area
    from assetmap.ingest.neighbourhoods import select_neighbourhoods
    from assetmap.ingest.osm import coverage_bbox, read_extract
    from assetmap.taxonomy import load_taxonomy
    from assetmap.tiles import vectortiles
    from assetmap.tiles.basemap import MAXZOOM, MINZOOM, read_basemap_features, tile_layers

    cfg = load_area(args.area)
    t0 = time.perf_counter()
    extract = read_extract(cfg.osm, cfg.data_root, load_taxonomy())
    coverage = select_neighbourhoods(cfg, coverage_bbox(cfg.osm, extract)).coverage.iloc[0]
    region = gpd.GeoSeries([coverage.buffer(cfg.edge_buffer_m)], crs="EPSG:27700").to_crs("EPSG:4326").iloc[0]
    features = read_basemap_features(cfg.osm, cfg.data_root)
    layers = tile_layers(features, region)
    print(f"{cfg.name}: read in {time.perf_counter() - t0:.1f} s; "
          + ", ".join(f"{layer.name} {len(layer.frame):,}" for layer in layers))

    encoders = {"assetmap.tiles.mvt": vectortiles.encode_tile, "mapbox_vector_tile": reference_encode}
    best, paths = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, encoder in encoders.items():
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
        vectortiles.encode_tile = encoders["assetmap.tiles.mvt"]
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


if __name__ == "__main__":
    sys.exit(main())
