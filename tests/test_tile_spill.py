"""The spilling tiler (features spilled to disk by parent tile, tiles cut parent by parent) makes the
same archive, byte for byte, as the in-memory tiler: on synthetic layers fed in batches across parent
edges, and on a real part of Rutland read from its extract."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from assetmap.tiles.pyramid import write_pmtiles_spilled
from assetmap.tiles.spill import Level, levels_for, parent_cells
from assetmap.tiles.vectortiles import HALF_WORLD, TileLayer, made_valid, tile_bounds, write_pmtiles

MERC = "EPSG:3857"
EDGE_LON = -180 + 509 * 360 / 1024  # the edge between two z10 (and z12) parents, west of Rutland


def test_levels_split_the_zooms_at_the_parent_zooms():
    assert levels_for(8, 15, (8, 10, 12)) == [Level(8, 9), Level(10, 11), Level(12, 15)]
    assert levels_for(12, 15, (8, 10, 12)) == [Level(12, 15)]
    assert levels_for(8, 9, (10, 12)) == [Level(8, 9)]


def test_a_feature_goes_to_every_parent_its_buffered_envelope_touches():
    minx, miny, maxx, maxy = tile_bounds(10, 300, 400)
    size = maxx - minx
    mid = miny + size / 2
    inside = (minx + 10, mid, minx + 20, mid + 10)
    just_west = (minx - size / 200, mid, minx - size / 300, mid + 10)  # within the 1/64 buffer
    far_west = (minx - size / 10, mid, minx - size / 20, mid + 10)
    rows, cells = parent_cells(np.array([inside, just_west, far_west]), 10)
    got = {int(r): sorted(int(c) for c in cells[rows == r]) for r in range(3)}
    cell = 400 * 1024 + 300
    assert cell in got[0] and cell in got[1] and cell not in got[2]
    assert got[1] == [cell - 1, cell] and got[2] == [cell - 1]
    # the whole world at z0 is one parent; at z2 a box over the origin touches four
    assert parent_cells(np.array([(-1.0, -1.0, 1.0, 1.0)]), 0)[1].tolist() == [0]
    assert len(parent_cells(np.array([(-1.0, -1.0, 1.0, 1.0)]), 2)[1]) == 4
    assert HALF_WORLD > 0


def _synthetic_layers(rng) -> list[TileLayer]:
    lon0, lat0 = EDGE_LON - 0.1, 52.62
    pts = rng.uniform([lon0, lat0], [lon0 + 0.2, lat0 + 0.1], (400, 2))
    lines = [shapely.LineString(p + rng.normal(0, 0.004, (int(k), 2)).cumsum(axis=0))
             for p, k in zip(pts[:150], rng.integers(2, 12, 150), strict=True)]
    lines.append(shapely.LineString([(EDGE_LON - 0.0008, lat0), (EDGE_LON - 0.0008, lat0 + 0.1)]))  # in the buffer
    polys = [shapely.Point(p).buffer(r, quad_segs=8) for p, r in zip(pts[150:350], rng.uniform(2e-4, 6e-3, 200),
                                                                    strict=True)]
    polys.append(shapely.Point(EDGE_LON, lat0 + 0.05).buffer(0.05, quad_segs=64))  # a big wood across parents
    places = [shapely.Point(p) for p in pts[350:]] + [shapely.Point(EDGE_LON - 1e-5, lat0 + 0.03)]

    def frame(geoms, minzooms, **props):
        return gpd.GeoDataFrame({"minzoom": minzooms, **props}, geometry=gpd.GeoSeries(geoms, crs=4326).to_crs(MERC))

    kinds = np.array(["primary", "minor", "path", None], dtype=object)
    roads = frame(lines, rng.choice([8, 9, 10, 12, 14], len(lines)), kind=kinds[rng.integers(0, 4, len(lines))],
                  name=[f"Road {i % 7}" if i % 3 else None for i in range(len(lines))])
    land = frame(polys, rng.choice([10, 12, 13, 14], len(polys)), kind=["wood"] * len(polys))
    towns = frame(places, rng.choice([8, 9, 11, 14], len(places)), kind=["town"] * len(places),
                  name=[f"Place {i}" for i in range(len(places))])
    return [TileLayer("landcover", land, ("kind",)), TileLayer("roads", roads, ("kind", "name")),
            TileLayer("places", towns, ("kind", "name"))]


def test_spilled_tiles_equal_the_in_memory_tiles_byte_for_byte(tmp_path):
    layers = _synthetic_layers(np.random.default_rng(7))
    bounds = (EDGE_LON - 0.1, 52.62, EDGE_LON + 0.1, 52.72)
    old = write_pmtiles(tmp_path / "old.pmtiles", layers, bounds, 8, 15, {"name": "t"})
    # each layer in three batches (its rows in order: a tile's features come in the order fed), layers met
    # out of drawing order, a flush every few rows
    cuts = [slice(0, 10), slice(10, 150), slice(150, None)]
    batches = [[TileLayer(layer.name, layer.frame.iloc[cut], layer.properties) for layer in reversed(layers)
                if len(layer.frame.iloc[cut])] for cut in cuts]
    new = write_pmtiles_spilled(tmp_path / "new.pmtiles", batches, bounds, 8, 15, {"name": "t"},
                                order=("landcover", "roads", "places"), workdir=tmp_path, flush_bytes=20_000)
    assert (tmp_path / "old.pmtiles").read_bytes() == (tmp_path / "new.pmtiles").read_bytes()
    assert new["per_zoom"] == old["per_zoom"] and old["tiles"] > 200
    assert new["features"] == {layer.name: len(layer.frame) for layer in layers}
    assert new["parents"]["z12"] >= 4 and new["parents"]["z10"] >= 2  # the edge splits the area
    total = sum(len(layer.frame) for layer in layers)
    assert new["largest_parent_features"] < total and new["spill_bytes"] > 0
    assert not list(tmp_path.glob("tiles-spill-*"))  # the spill is removed
    # two worker processes cut the parents; the archive is still the same
    write_pmtiles_spilled(tmp_path / "two.pmtiles", batches, bounds, 8, 15, {"name": "t"},
                          order=("landcover", "roads", "places"), workdir=tmp_path, workers=2)
    assert (tmp_path / "old.pmtiles").read_bytes() == (tmp_path / "two.pmtiles").read_bytes()


def test_rutland_spilled_equals_in_memory(tmp_path, data_root):
    """Oakham and its surroundings (several z12 parents) from the real extract, both tilers."""
    from assetmap.config import load_area
    from assetmap.tiles import basemap as bm

    cfg = load_area("rutland", data_root)
    region = shapely.box(-0.78, 52.64, -0.67, 52.70)
    layers = bm.tile_layers(bm.read_basemap_features(cfg.osm, cfg.data_root), region)
    old = write_pmtiles(tmp_path / "old.pmtiles", layers, region.bounds, bm.MINZOOM, bm.MAXZOOM,
                        bm.basemap_metadata("x"))
    read: dict = {}
    new = write_pmtiles_spilled(tmp_path / "new.pmtiles", bm.iter_tile_layers(cfg.osm, cfg.data_root, region, read),
                                region.bounds, bm.MINZOOM, bm.MAXZOOM, bm.basemap_metadata("x"), order=bm.LAYER_ORDER)
    assert (tmp_path / "old.pmtiles").read_bytes() == (tmp_path / "new.pmtiles").read_bytes()
    assert new["features"] == {layer.name: len(layer.frame) for layer in layers}
    assert new["features"]["buildings"] > 300 and new["parents"]["z12"] >= 4 and old["tiles"] > 100
    assert read["features"] > sum(new["features"].values())  # the rest of Rutland was read and left out


def test_a_ring_rounded_to_a_point_is_dropped_not_fatal():
    """Found tiling 64 copies of Rutland: GEOS's default make_valid refuses this (mixed dimension)."""
    pinched = shapely.from_wkt("MULTIPOLYGON (((-64 -64, -64 -64, -64 -64, -64 -64)), "
                               "((-64 -37, -64 -41, -63 -37, -64 -37)))")
    fine = shapely.box(0, 0, 10, 10)
    out = made_valid(np.array([fine, pinched], dtype=object))
    assert out[0].equals(fine) and out[1].geom_type == "Polygon" and out[1].area == 2.0
