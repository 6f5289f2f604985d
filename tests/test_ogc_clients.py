"""Real OGC API – Features clients against the production server (`assetmap serve`, gunicorn):
GDAL's OAPIF driver through pyogrio (the engine under QGIS) and OWSLib. Their counts must equal
the build's downloads, ids must come back as text (no 32-bit clamp of OSM ids), and bbox, where
and CRS requests must be answered by the server: the access log shows what GDAL sent."""
from __future__ import annotations

import json
import re
import subprocess
import time
from urllib.parse import parse_qsl, unquote, urlsplit

import pyogrio
import pytest
import shapely
from owslib.ogcapi.features import Features

from servers import assetmap_serve, linked_build_root

BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
LAYERS = ("chesterfield-assets", "chesterfield-neighbourhoods")


@pytest.fixture(scope="module")
def server(tmp_path_factory, chesterfield_root):
    """`assetmap serve` (2 gunicorn workers) with its access log in a file: (base URL, log path)."""
    tmp = tmp_path_factory.mktemp("ogc-server")
    log = tmp / "server.log"
    with open(log, "wb") as out, assetmap_serve(linked_build_root(tmp, chesterfield_root), stdout=out,
                                                 stderr=subprocess.STDOUT) as (base, _):
        yield base, log


@pytest.fixture(scope="module")
def downloads(chesterfield_root):
    dl = chesterfield_root / "chesterfield" / "downloads"
    return {layer: json.loads((dl / f"{layer.split('-')[1]}.geojson").read_text())["features"] for layer in LAYERS}


def requests_since(log, mark: int) -> list[dict]:
    """The item requests in the access log after byte ``mark``, as query dicts."""
    time.sleep(0.3)  # gunicorn writes the access line after the response
    text = log.read_bytes()[mark:].decode("utf-8", "replace")
    out = []
    for path in re.findall(r'"GET (/ogc/collections/[^ ]+/items\?[^ ]*) HTTP', text):
        out.append(dict(parse_qsl(urlsplit(path).query)))
    return out


def read(base: str, layer: str, **kw):
    return pyogrio.read_dataframe(f"OAPIF:{base}/ogc/", layer=layer, **kw)


def test_gdal_reads_every_layer_whole_with_text_ids(server, downloads):
    base, _ = server
    assert [name for name, _ in pyogrio.list_layers(f"OAPIF:{base}/ogc/")] == list(LAYERS)
    for layer in LAYERS:
        df = read(base, layer)
        ids = [str(f["id"]) for f in downloads[layer]]
        assert len(df) == len(ids) > 50
        assert sorted(df["id"]) == sorted(ids)  # feature ids round-trip as text
    assets = read(base, "chesterfield-assets")
    served = dict(zip(assets["id"], assets["osm_id"], strict=False))
    expected = {f["id"]: f["properties"]["osm_id"] for f in downloads["chesterfield-assets"]}
    biggest = max(v for v in expected.values() if v is not None)
    assert biggest > 2**31  # Chesterfield has OSM ids a 32-bit integer would clamp ...
    for fid, osm_id in expected.items():  # ... and none is clamped or lost
        assert (served[fid] is None or served[fid] != served[fid]) if osm_id is None else served[fid] == str(osm_id)


def test_gdal_bbox_is_sent_to_the_server_and_geometry_true(server, downloads):
    base, log = server
    bbox = (-1.44, 53.225, -1.42, 53.24)
    mark = log.stat().st_size
    df = read(base, "chesterfield-assets", bbox=bbox)
    box = shapely.box(*bbox)
    expected = {f["id"] for f in downloads["chesterfield-assets"]
                if box.intersects(shapely.geometry.shape(f["geometry"]))}
    assert set(df["id"]) == expected and len(expected) > 10
    assert any("bbox" in q for q in requests_since(log, mark))
    # a box inside a neighbourhood's envelope that touches no neighbourhood: nothing comes back
    polys = [shapely.geometry.shape(f["geometry"]) for f in downloads["chesterfield-neighbourhoods"]]
    tree = shapely.STRtree(polys)
    gap = next(b for p in polys for b in _corner_boxes(p) if not len(tree.query(b, predicate="intersects")))
    mark = log.stat().st_size
    assert len(read(base, "chesterfield-neighbourhoods", bbox=gap.bounds)) == 0
    sent = [q for q in requests_since(log, mark) if "bbox" in q]
    assert sent and all(q["bbox"] for q in sent)


def _corner_boxes(poly, half: float = 1e-4):
    x0, y0, x1, y1 = poly.bounds
    for fx in (0.02, 0.98):
        for fy in (0.02, 0.98):
            x, y = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
            yield shapely.box(x - half, y - half, x + half, y + half)


@pytest.mark.parametrize("layer, where, test", [
    ("chesterfield-assets", "category = 'gp'", lambda p: p["category"] == "gp"),
    ("chesterfield-assets", "name LIKE 'Chesterfield%'", lambda p: (p["name"] or "").startswith("Chesterfield")),
    ("chesterfield-assets", "NOT (category = 'gp') AND family = 'health'",
     lambda p: p["category"] != "gp" and p["family"] == "health"),
    ("chesterfield-neighbourhoods", "imd_decile <= 2 AND residents > 1000",
     lambda p: p["imd_decile"] <= 2 and p["residents"] > 1000),
])
def test_gdal_where_is_answered_by_the_server(server, downloads, layer, where, test):
    base, log = server
    mark = log.stat().st_size
    df = read(base, layer, where=where)
    expected = {str(f["id"]) for f in downloads[layer] if test(f["properties"])}
    assert set(df["id"]) == expected and expected
    sent = requests_since(log, mark)
    # GDAL put the condition in the request (CQL2 text, or property=value), not only client-side
    assert any("filter" in q or set(q) - {"f", "limit", "crs", "offset"} for q in sent), sent
    full = [q for q in sent if q.get("limit") != "20"]  # not GDAL's first sample page
    assert full and all("filter" in q or "category" in q for q in full), full
    assert not any(q.get("filter-lang") not in (None, "cql-text", "cql2-text") for q in sent)


def test_gdal_reads_british_national_grid(server, downloads):
    base, log = server
    mark = log.stat().st_size
    df = read(base, "chesterfield-assets", CRS="EPSG:27700")
    assert df.crs.to_epsg() == 27700 and len(df) == len(downloads["chesterfield-assets"])
    xs, ys = df.geometry.x, df.geometry.y
    assert 420_000 < xs.min() < xs.max() < 450_000 and 360_000 < ys.min() < ys.max() < 385_000  # metres
    sent = requests_since(log, mark)
    assert any(unquote(q.get("crs", "")) == BNG for q in sent), sent
    lsoa = read(base, "chesterfield-neighbourhoods", CRS="EPSG:27700")
    assert lsoa.crs.to_epsg() == 27700 and 420_000 < lsoa.total_bounds[0] < 450_000


def test_owslib_conformance_collections_paging_bbox_and_item(server, downloads):
    base, _ = server
    api = Features(f"{base}/ogc/")
    conf = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    assert [c["id"] for c in api.collections()["collections"]] == list(LAYERS)
    assert api.feature_collections() == list(LAYERS)
    assert "category" in api.collection_queryables("chesterfield-assets")["properties"]
    for layer in LAYERS:
        assert any(link["rel"] == "license" for link in api.collection(layer)["links"])
        seen, params = [], {"limit": 40}
        while True:  # follow the next links
            page = api.collection_items(layer, **params)
            seen += [f["id"] for f in page["features"]]
            nxt = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
            if not nxt:
                break
            params = dict(parse_qsl(urlsplit(nxt).query))
        assert len(seen) == len(set(seen)) == len(downloads[layer])
        assert set(seen) == {str(f["id"]) for f in downloads[layer]}
    bbox = [-1.44, 53.225, -1.42, 53.24]
    got = api.collection_items("chesterfield-assets", bbox=bbox, limit=1000)
    box = shapely.box(*bbox)
    assert got["numberMatched"] == sum(box.intersects(shapely.geometry.shape(f["geometry"]))
                                       for f in downloads["chesterfield-assets"])
    big = max((f for f in downloads["chesterfield-assets"] if f["properties"]["osm_id"]),
              key=lambda f: f["properties"]["osm_id"])
    item = api.collection_item("chesterfield-assets", big["id"])
    assert item["id"] == big["id"] and item["properties"]["osm_id"] == str(big["properties"]["osm_id"])
    assert item["geometry"] == big["geometry"]
