"""The offline base map: vector tiles cut right (tiny synthetic layers), OSM sorted into layers, the
real Chesterfield archive holding its named streets, and the app serving it by range requests."""
from __future__ import annotations

import gzip
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from assetmap.errors import BuildError
from assetmap.tiles.basemap import area_minzoom, classify
from assetmap.tiles.vectortiles import (
    EXTENT,
    TileLayer,
    pmtiles_header,
    read_tile,
    tile_bounds,
    tile_range,
    write_pmtiles,
)

MERC = "EPSG:3857"


def slippy(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a point (the OSM wiki's formula, independent of the module)."""
    n = 2 ** z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return x, y


def layer(layer_name, geoms, minzoom=0, **props):
    frame = gpd.GeoDataFrame({"minzoom": [minzoom] * len(geoms), **props},
                             geometry=gpd.GeoSeries(geoms, crs=4326).to_crs(MERC))
    return TileLayer(layer_name, frame, tuple(props))


def test_tile_bounds_and_range_agree_with_the_slippy_map_formula():
    lon, lat, z = -1.4237, 53.2356, 15  # Chesterfield's crooked spire
    fx, fy = slippy(lon, lat, z)
    pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(MERC).iloc[0]
    xs, ys = tile_range((pt.x, pt.y, pt.x, pt.y), z)
    assert (xs.start, ys.start) == (int(fx), int(fy)) and len(xs) == len(ys) == 1
    minx, miny, maxx, maxy = tile_bounds(z, int(fx), int(fy))
    assert minx <= pt.x < maxx and miny < pt.y <= maxy
    assert tile_bounds(0, 0, 0) == pytest.approx((-20037508.34, -20037508.34, 20037508.34, 20037508.34))


def test_features_land_where_they_are_in_tile_units(tmp_path):
    lon, lat = -1.4237, 53.2356
    road = shapely.LineString([(lon - 0.01, lat), (lon + 0.01, lat)])  # about 1.3 km, across several z15 tiles
    path = tmp_path / "t.pmtiles"
    summary = write_pmtiles(path, [layer("roads", [road], kind=["minor"], name=["Saltergate"]),
                                   layer("places", [shapely.Point(lon, lat)], name=["Spire"], kind=["town"])],
                            (lon - 0.02, lat - 0.02, lon + 0.02, lat + 0.02), 12, 15)
    fx, fy = slippy(lon, lat, 15)
    tile = read_tile(path, 15, int(fx), int(fy))
    place = tile["places"]["features"][0]
    assert place["properties"] == {"name": "Spire", "kind": "town"}
    px, py = place["geometry"]["coordinates"]
    assert abs(px - (fx % 1) * EXTENT) <= 1 and abs(py - (fy % 1) * EXTENT) <= 1
    # the road crosses the tile from edge to edge (plus the buffer), at the same height as the place
    coords = np.array(tile["roads"]["features"][0]["geometry"]["coordinates"])
    assert coords[:, 0].min() < 0 and coords[:, 0].max() > EXTENT
    assert np.allclose(coords[:, 1], py, atol=2)
    # a point is written to one tile only, a line to every tile it crosses
    neighbour = read_tile(path, 15, int(fx) + 1, int(fy))
    assert "places" not in neighbour and neighbour["roads"]["features"][0]["properties"]["name"] == "Saltergate"
    assert summary["per_zoom"]["15"] >= 3 and summary["tiles"] == sum(summary["per_zoom"].values())
    assert read_tile(path, 15, int(fx), int(fy) + 5) is None  # nothing there: no tile stored


def test_minzoom_simplification_and_metadata(tmp_path):
    lon, lat = -1.42, 53.23
    park = shapely.Point(lon, lat).buffer(0.002, quad_segs=64)  # ~ 250 m across, 257 vertices
    house = shapely.box(lon + 0.004, lat, lon + 0.0041, lat + 0.00006)  # ~ 7 x 7 m
    path = tmp_path / "t.pmtiles"
    write_pmtiles(path, [layer("landcover", [park], minzoom=12, kind=["park"]),
                         layer("buildings", [house], minzoom=14)], (lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01), 10, 15,
                  {"attribution": "© OpenStreetMap contributors"})
    fx, fy = slippy(lon, lat, 11)
    assert read_tile(path, 11, int(fx), int(fy)) is None  # nothing is drawn before its minzoom
    z13 = read_tile(path, 13, *map(int, slippy(lon, lat, 13)))
    assert "landcover" in z13 and "buildings" not in z13
    hx, hy = slippy(lon + 0.00405, lat + 0.00003, 15)
    assert "buildings" in read_tile(path, 15, int(hx), int(hy))
    z15 = read_tile(path, 15, *map(int, slippy(lon, lat, 15)))
    ring13 = z13["landcover"]["features"][0]["geometry"]["coordinates"][0]
    ring15 = max((f["geometry"]["coordinates"][0] for f in z15["landcover"]["features"]), key=len)
    assert len(ring13) < 100 and len(ring13) < len(ring15)  # simplified to each zoom's detail
    header, meta = pmtiles_header(path)
    assert (header["min_zoom"], header["max_zoom"]) == (12, 15)  # the zooms that hold tiles
    assert meta["attribution"] == "© OpenStreetMap contributors"
    assert {v["id"]: v["minzoom"] for v in meta["vector_layers"]} == {"landcover": 12, "buildings": 14}


def test_tiles_are_gzipped_mvt(tmp_path):
    from pmtiles.reader import MmapSource, Reader

    path = tmp_path / "t.pmtiles"
    write_pmtiles(path, [layer("places", [shapely.Point(0.1, 51.5)], name=["A"])], (0, 51.4, 0.2, 51.6), 14, 14)
    with open(path, "rb") as f:
        raw = Reader(MmapSource(f)).get(14, *map(int, slippy(0.1, 51.5, 14)))
    assert raw[:2] == b"\x1f\x8b" and gzip.decompress(raw)


def test_bad_layers_say_how_to_fix_them():
    frame = gpd.GeoDataFrame({"minzoom": [0]}, geometry=[shapely.Point(0, 0)], crs=4326)
    with pytest.raises(BuildError, match="to_crs"):
        TileLayer("x", frame)
    mixed = gpd.GeoDataFrame({"minzoom": [0, 0]}, geometry=[shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])],
                             crs=MERC)
    with pytest.raises(BuildError, match="split it"):
        TileLayer("x", mixed)
    with pytest.raises(BuildError, match="no column"):
        TileLayer("x", frame.to_crs(MERC), ("name",))


@pytest.mark.parametrize("tags, geometry, expected", [
    ({"highway": "residential", "name": "Ashgate Road"}, "line", ("roads", "minor", 12)),
    ({"highway": "footway"}, "line", ("roads", "path", 14)),
    ({"highway": "pedestrian", "area": "yes"}, "line", None),
    ({"railway": "rail"}, "line", ("rail", "rail", 10)),
    ({"railway": "rail", "service": "siding"}, "line", None),
    ({"waterway": "river", "name": "River Rother"}, "line", ("waterway", "river", 10)),
    ({"natural": "water"}, "area", ("water", "water", -1)),
    ({"leisure": "park"}, "area", ("landcover", "park", -1)),
    ({"landuse": "forest"}, "area", ("landcover", "wood", -1)),
    ({"building": "yes"}, "area", ("buildings", "building", 14)),
    ({"building": "no", "landuse": "grass"}, "area", ("landcover", "grass", -1)),
    ({"place": "suburb", "name": "Brampton"}, "point", ("places", "suburb", 11)),
    ({"place": "suburb"}, "point", None),
    ({"amenity": "library"}, "area", None),
])
def test_osm_objects_sorted_into_layers(tags, geometry, expected):
    assert classify(tags, geometry) == expected


def test_big_green_spaces_show_earlier_than_small_ones():
    assert area_minzoom(np.array([2e6, 1e5, 1e4, 500])).tolist() == [10, 12, 13, 14]


@pytest.mark.slow
def test_chesterfield_base_map_has_named_streets_water_green_and_buildings(chesterfield):
    out, report = chesterfield
    path = out / "basemap.pmtiles"
    assert report["files"]["basemap.pmtiles"] == path.stat().st_size
    assert report["basemap"]["features"]["roads"] > 5000 and report["basemap"]["features"]["buildings"] > 1000
    for name in ("landcover", "water", "waterway", "places"):
        assert report["basemap"]["features"][name] > 0, name
    # the z15 tile holding Chesterfield's town centre (S40 1LP) has its streets by name
    tile = read_tile(path, 15, *map(int, slippy(-1.4307, 53.2369, 15)))
    names = {f["properties"].get("name") for f in tile["roads"]["features"]}
    assert {"Saltergate", "Rose Hill"} <= names
    assert "buildings" in tile
    header, meta = pmtiles_header(path)
    assert "OpenStreetMap" in meta["attribution"] and header["max_zoom"] == 15
    assert report["basemap"]["largest_tile_bytes"] < 100_000


def test_base_map_served_by_range_requests(client, chesterfield_ar):
    url = "/tiles/chesterfield/basemap.pmtiles"
    whole = chesterfield_ar.basemap.read_bytes()
    first = client.get(url, headers={"Range": "bytes=0-126", "Accept-Encoding": "gzip"})
    assert first.status_code == 206 and first.data == whole[:127] and first.data.startswith(b"PMTiles\x03")
    assert first.headers["Content-Range"] == f"bytes 0-126/{len(whole)}" and "Content-Encoding" not in first.headers
    assert first.headers["Accept-Ranges"] == "bytes" and first.headers.get("ETag")
    mid = client.get(url, headers={"Range": "bytes=1000-1999"})
    assert mid.status_code == 206 and mid.data == whole[1000:2000]
    assert client.get(url, headers={"Range": f"bytes={len(whole) + 10}-"}).status_code == 416
    assert client.get("/tiles/atlantis/basemap.pmtiles").status_code == 404


def test_vectorised_encoder_agrees_with_mapbox_vector_tile():
    """assetmap.tiles.mvt against the reference encoder of mapbox-vector-tile, decoded by its decoder:
    random lines (some leaving the tile, repeated points, multi-part), polygons with holes, points."""
    import mapbox_vector_tile

    from assetmap.tiles.mvt import LINESTRING, POINT, POLYGON, encode_tile

    rng = np.random.default_rng(1)
    lines = [shapely.LineString(rng.integers(-50, 4150, (k, 2))) for k in rng.integers(2, 9, 30)]
    lines += [shapely.MultiLineString([rng.integers(0, 4096, (3, 2)), rng.integers(0, 4096, (4, 2))]),
              shapely.LineString([(5, 5), (5, 5), (9, 9), (9, 9)])]
    polys = [shapely.Point(x, y).buffer(r, 4) for x, y, r in rng.integers(100, 3900, (20, 3))]
    polys += [shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.Polygon(
        [(20, 20), (60, 20), (60, 60), (20, 60)], [[(30, 30), (30, 40), (40, 40), (40, 30)]])])]
    polys = [shapely.orient_polygons(shapely.set_precision(p, 1), exterior_cw=False) for p in polys]
    pts = [shapely.Point(x, y) for x, y in rng.integers(0, 4096, (10, 2))]

    def props(n):
        return [{"name": f"n{i % 4}", "kind": "minor", "rank": i % 3, "missing": None} for i in range(n)]

    layers = [("roads", LINESTRING, np.array(lines, dtype=object), props(len(lines))),
              ("land", POLYGON, np.array(polys, dtype=object), props(len(polys))),
              ("places", POINT, np.array(pts, dtype=object), props(len(pts)))]
    reference = mapbox_vector_tile.encode(
        [{"name": name, "features": [{"geometry": g, "properties": {k: v for k, v in p.items() if v is not None}}
                                     for g, p in zip(geoms, ps, strict=False)]} for name, _, geoms, ps in layers],
        default_options={"y_coord_down": True, "extents": EXTENT})

    def decoded(data):
        tile = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
        return {k: [(f["geometry"], f["properties"]) for f in v["features"]] for k, v in tile.items()}

    ours, theirs = decoded(encode_tile(layers)), decoded(reference)
    assert {k: len(v) for k, v in ours.items()} == {"roads": 32, "land": 21, "places": 10}
    assert ours == theirs
