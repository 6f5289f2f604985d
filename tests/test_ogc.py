"""OGC API – Features through the app (pygeoapi's core behind app/blueprints/ogc.py): Part 1 Core,
GeoJSON, HTML and OpenAPI 3.0, Part 2 CRS (CRS84 and British National Grid), Part 3 queryables and
CQL2 text filters, checked the way the abstract test suites do, with every GeoJSON response
validated against the GeoJSON JSON Schemas in ../shared/reference/schemas/geojson and the
features compared with the build's own downloads. Real clients (GDAL, OWSLib) are in
tests/test_ogc_clients.py."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import shapely
from jsonschema import Draft7Validator
from referencing import Registry, Resource

GEOJSON = Path(__file__).resolve().parents[2] / "shared" / "reference" / "schemas" / "geojson"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
ASSETS = "/ogc/collections/chesterfield-assets"
LSOAS = "/ogc/collections/chesterfield-neighbourhoods"
CONFORMANCE = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
}


@pytest.fixture(scope="module")
def geojson_schemas():
    if not GEOJSON.exists():
        pytest.fail(f"{GEOJSON} is missing: put ../shared beside the checkout")
    docs = {p.stem: json.loads(p.read_text()) for p in GEOJSON.glob("*.json")}
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs.values())
    return {name: Draft7Validator(d, registry=registry) for name, d in docs.items()}


@pytest.fixture(scope="module")
def downloads(chesterfield_root):
    dl = chesterfield_root / "chesterfield" / "downloads"
    return {name: json.loads((dl / f"{name}.geojson").read_text()) for name in ("assets", "neighbourhoods")}


def get(client, url: str, status: int = 200, **kw):
    path = urlsplit(url)._replace(scheme="", netloc="").geturl()
    resp = client.get(path, **kw)
    assert resp.status_code == status, (url, resp.data[:300])
    return resp


def test_landing_page_links_definition_conformance_and_data(client):
    body = get(client, "/ogc/").get_json()
    rels = {link["rel"]: link for link in body["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    desc = get(client, rels["service-desc"]["href"])
    served_type = desc.headers["Content-Type"]
    assert served_type == rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    spec = desc.get_json()
    assert spec["openapi"].startswith("3.0")
    assert {"/collections/chesterfield-assets/items", "/collections/chesterfield-assets/queryables",
            "/collections/chesterfield-neighbourhoods/items/{featureId}"} <= set(spec["paths"])
    assert not [p for p in spec["paths"] if p.startswith(("/jobs", "/processes"))]  # only what is served
    assert get(client, "/ogc/api").get_json() == spec
    for link in body["links"]:  # every link works
        get(client, link["href"])
    assert set(get(client, rels["conformance"]["href"]).get_json()["conformsTo"]) == CONFORMANCE
    assert get(client, rels["data"]["href"]).get_json()["collections"]


def test_collections_describe_extent_crs_licences_and_items(client):
    cols = get(client, "/ogc/collections").get_json()["collections"]
    assert [c["id"] for c in cols] == ["chesterfield-assets", "chesterfield-neighbourhoods"]
    for c in cols:
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        assert -1.6 < minx < maxx < -1.2 and 53.1 < miny < maxy < 53.4  # Chesterfield, lon/lat
        assert c["itemType"] == "feature" and c["crs"] == [CRS84, BNG] and c["storageCrs"] == CRS84
        rels = {link["rel"] for link in c["links"]}
        assert {"items", "license", "describedby", "http://www.opengis.net/def/rel/ogc/1.0/queryables"} <= rels
        items = next(link for link in c["links"] if link["rel"] == "items" and link["type"] == "application/geo+json")
        assert get(client, items["href"]).mimetype == "application/geo+json"
        assert get(client, f"/ogc/collections/{c['id']}").get_json()["id"] == c["id"]
        for link in c["links"]:
            assert "jsonld" not in link["href"]
    licences = {c["id"]: [link["href"] for link in c["links"] if link["rel"] == "license"] for c in cols}
    assert licences["chesterfield-assets"] == ["https://opendatacommons.org/licenses/odbl/1-0/"]
    assert licences["chesterfield-neighbourhoods"] == [
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "https://www.parliament.uk/site-information/copyright/open-parliament-licence"]  # the MSOA names
    get(client, "/ogc/collections/atlantis", 404)
    get(client, "/ogc/collections/atlantis/items", 404)
    get(client, f"/ogc/collections/0/items?bbox=1&bbox-crs={quote(BNG)}", 404)  # found by the fuzzer: was a 500
    for tail in ("queryables", "schema", "items/x"):
        assert get(client, f"/ogc/collections/atlantis/{tail}", 404).get_json()["code"] == "NotFound"


def _normalise(feature: dict) -> dict:
    """A download's feature as the API serves it: OSM ids as text (see assetmap.ogcapi.collections)."""
    props = dict(feature["properties"])
    if props.get("osm_id") is not None:
        props["osm_id"] = str(props["osm_id"])
    return {"type": "Feature", "id": str(feature["id"]), "geometry": feature["geometry"], "properties": props}


@pytest.mark.parametrize("name", ["assets", "neighbourhoods"])
def test_features_served_equal_the_downloads(client, downloads, geojson_schemas, name):
    fc = get(client, f"/ogc/collections/chesterfield-{name}/items?limit=10000").get_json()
    assert not list(geojson_schemas["FeatureCollection"].iter_errors(fc))
    served = {f["id"]: f for f in fc["features"]}
    expected = {str(f["id"]): _normalise(f) for f in downloads[name]["features"]}
    assert fc["numberMatched"] == fc["numberReturned"] == len(served) == len(expected) > 50
    assert served == expected


def test_items_default_limit_and_counts(client, chesterfield_ar, geojson_schemas):
    n = chesterfield_ar.report["assets"]["total"]  # the real build's asset count
    resp = get(client, f"{ASSETS}/items")
    fc = resp.get_json()
    assert resp.mimetype == "application/geo+json" and resp.headers["Content-Crs"] == f"<{CRS84}>"
    assert fc["numberReturned"] == len(fc["features"]) == 10 and fc["numberMatched"] == n  # default limit 10
    assert all(isinstance(f["id"], str) for f in fc["features"])


def test_paging_with_next_links_visits_every_feature_once(client, chesterfield_ar):
    n = chesterfield_ar.report["assets"]["total"]
    url, seen = f"{ASSETS}/items?limit=50", []
    while url:
        fc = get(client, url).get_json()
        seen += [f["id"] for f in fc["features"]]
        url = next((link["href"] for link in fc["links"] if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == n


def test_bbox_is_geometry_true(client, chesterfield_ar):
    bbox = (-1.44, 53.225, -1.42, 53.24)
    fc = get(client, f"{ASSETS}/items?limit=1000&bbox=" + ",".join(map(str, bbox))).get_json()
    box = shapely.box(*bbox)
    assert fc["numberMatched"] == int(chesterfield_ar.assets.geometry.intersects(box).sum()) > 10
    # a small box inside a neighbourhood's envelope but touching no neighbourhood's polygon
    polys = chesterfield_ar.neighbourhoods.to_crs("EPSG:4326").geometry
    empty = None
    for geom in polys:
        x0, y0, x1, y1 = geom.bounds
        for fx in (0.02, 0.98):
            for fy in (0.02, 0.98):
                x, y = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
                cand = shapely.box(x - 1e-4, y - 1e-4, x + 1e-4, y + 1e-4)
                if not polys.intersects(cand).any():
                    empty = cand
                    break
            if empty is not None:
                break
        if empty is not None:
            break
    assert empty is not None, "no gap between the neighbourhoods' envelopes and shapes was found"
    envelopes = polys.envelope.intersects(empty).sum()
    nb = get(client, f"{LSOAS}/items?bbox=" + ",".join(f"{v:.6f}" for v in empty.bounds)).get_json()
    assert envelopes >= 1 and nb["numberMatched"] == 0 and nb["features"] == []


def test_crs_british_national_grid(client, downloads):
    resp = get(client, f"{ASSETS}/items?limit=10000&crs={quote(BNG)}")
    assert resp.headers["Content-Crs"] == f"<{BNG}>"
    fc = resp.get_json()
    xs = [f["geometry"]["coordinates"][0] for f in fc["features"]]
    ys = [f["geometry"]["coordinates"][1] for f in fc["features"]]
    assert 420_000 < min(xs) < max(xs) < 450_000 and 360_000 < min(ys) < max(ys) < 385_000  # metres
    # the same point as the download, projected (Chesterfield Library to the centimetre)
    lib = next(f for f in fc["features"] if f["properties"]["name"] == "Chesterfield Library")
    lon, lat = next(f for f in downloads["assets"]["features"] if f["id"] == lib["id"])["geometry"]["coordinates"]
    expect = shapely.geometry.Point(lon, lat)
    import geopandas as gpd
    p = gpd.GeoSeries([expect], crs="EPSG:4326").to_crs("EPSG:27700").iloc[0]
    assert abs(p.x - lib["geometry"]["coordinates"][0]) < 0.02 and abs(p.y - lib["geometry"]["coordinates"][1]) < 0.02
    one = get(client, f"{ASSETS}/items/{lib['id']}?crs={quote(BNG)}")
    assert one.headers["Content-Crs"] == f"<{BNG}>" and one.get_json()["geometry"] == lib["geometry"]
    # a BNG bbox around the library finds it
    x, y = lib["geometry"]["coordinates"]
    near = get(client, f"{ASSETS}/items?bbox={x - 50},{y - 50},{x + 50},{y + 50}&bbox-crs={quote(BNG)}").get_json()
    assert lib["id"] in [f["id"] for f in near["features"]]
    get(client, f"{ASSETS}/items?crs={quote('http://www.opengis.net/def/crs/EPSG/0/3857')}", 400)


@pytest.mark.parametrize("box", [(436000, 369000, 440000, 373000), (437500, 370500, 438500, 371500)])
def test_bbox_in_british_national_grid_is_exact(client, downloads, box):
    """The grid is rotated against the meridians: the box is tested in BNG, not as two reprojected corners."""
    import geopandas as gpd
    pts = gpd.GeoDataFrame.from_features(downloads["assets"]["features"], crs="EPSG:4326").to_crs("EPSG:27700")
    ids = [str(f["id"]) for f in downloads["assets"]["features"]]
    expected = {i for i, g in zip(ids, pts.geometry, strict=False) if g.intersects(shapely.box(*box))}
    fc = get(client, f"{ASSETS}/items?limit=10000&bbox={','.join(map(str, box))}&bbox-crs={quote(BNG)}").get_json()
    assert {f["id"] for f in fc["features"]} == expected and len(expected) > 5


def test_cql2_text_filters_and_property_equality(client, chesterfield_ar):
    a = chesterfield_ar.assets
    cases = {
        "category = 'gp'": int((a["category"] == "gp").sum()),
        "category = 'gp' OR category = 'pharmacy'": int(a["category"].isin(["gp", "pharmacy"]).sum()),
        "name LIKE 'Chesterfield%'": int(a["name"].fillna("").str.startswith("Chesterfield").sum()),
        "postcode IS NULL": int(a["postcode"].isna().sum()),
        "family = 'health' AND NOT category = 'gp'": int(((a["family"] == "health") & (a["category"] != "gp")).sum()),
        "NOT (category = 'gp')": int((a["category"] != "gp").sum()),  # CQL2, not ECQL: GDAL writes this
        "category IN ('gp', 'pharmacy')": int(a["category"].isin(["gp", "pharmacy"]).sum()),
        "S_INTERSECTS(geometry, BBOX(-1.44, 53.225, -1.42, 53.24))":
            int(a.geometry.intersects(shapely.box(-1.44, 53.225, -1.42, 53.24)).sum()),
    }
    for text, expected in cases.items():
        fc = get(client, f"{ASSETS}/items?limit=1000&filter-lang=cql2-text&filter={quote(text)}").get_json()
        assert fc["numberMatched"] == expected > 0, text
    nb = chesterfield_ar.neighbourhoods
    fc = get(client, f"{LSOAS}/items?filter={quote('imd_decile <= 2 AND residents > 1000')}").get_json()
    assert fc["numberMatched"] == int(((nb["imd_decile"] <= 2) & (nb["residents"] > 1000)).sum()) > 0
    gp = get(client, f"{ASSETS}/items?limit=1000&categories=gp").get_json()
    assert gp["numberMatched"] == sum("gp" in cs for cs in a["categories"])
    dec = get(client, f"{LSOAS}/items?imd_decile=1").get_json()
    assert dec["numberMatched"] == int((nb["imd_decile"] == 1).sum())
    ranked = get(client, f"{LSOAS}/items?limit=100&sortby=-imd_score").get_json()["features"]
    scores = [f["properties"]["imd_score"] for f in ranked]
    assert scores == sorted(scores, reverse=True)


def test_queryables_are_a_json_schema_of_the_main_properties(client):
    resp = get(client, f"{ASSETS}/queryables")
    assert resp.mimetype == "application/schema+json"
    q = resp.get_json()
    assert {"category", "family", "name", "postcode", "lsoa21_code"} <= set(q["properties"])
    assert q["properties"]["osm_id"]["type"] == "string" and q["properties"]["asset_id"]["x-ogc-role"] == "id"
    nq = get(client, f"{LSOAS}/queryables").get_json()["properties"]
    assert nq["imd_decile"]["type"] == "integer" and nq["gap_score"]["type"] == "number"
    schema = get(client, f"{ASSETS}/schema").get_json()
    assert schema["properties"]["provenance"]["type"] == "object" and schema["properties"]["osm_id"]["type"] == "string"


def test_single_feature_by_string_id(client, geojson_schemas, downloads):
    big = max((f for f in downloads["assets"]["features"] if f["properties"]["osm_id"]),
              key=lambda f: f["properties"]["osm_id"])
    assert big["properties"]["osm_id"] > 2**31  # an id a 32-bit integer would clamp
    resp = get(client, f"{ASSETS}/items/{big['id']}")
    feature = resp.get_json()
    assert resp.mimetype == "application/geo+json" and feature["id"] == big["id"]
    assert feature["properties"]["osm_id"] == str(big["properties"]["osm_id"])
    assert not list(geojson_schemas["Feature"].iter_errors(feature))
    assert {link["rel"] for link in feature["links"]} >= {"self", "collection"}
    body = get(client, f"{ASSETS}/items/osm-node-0", 404).get_json()
    assert body["code"] == "NotFound" and "osm-node-0" in body["description"]


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "limit=ten", "limit=²", "limit=٣", "offset=-1",
                                   "offset=１", "bbox=1,2,3", "bbox=-1.4,53.3,-1.3,53.2", "bbox=a,b,c,d",
                                   "bbox=nan,53,-1.3,53.2", "bbox=-1.4,53.1,١,53.2", "colour=blue", "f=xml",
                                   "crs=EPSG:4326", "bbox-crs=" + quote(BNG), "filter=((", "filter=colour%3D1",
                                   "filter-lang=cql2-json", "sortby=-nosuch"])
def test_invalid_or_unknown_parameters_are_400_with_a_reason(client, query):
    body = get(client, f"{ASSETS}/items?{query}", 400).get_json()
    assert body["code"] in ("InvalidParameterValue", "InvalidQuery") and len(body["description"]) > 10


def test_html_views_work_offline_under_the_csp(client):
    pages = ["/ogc/", "/ogc/conformance", "/ogc/collections", f"{ASSETS}", f"{ASSETS}/queryables",
             f"{ASSETS}/items?limit=5", f"{LSOAS}/items/E01019526"]
    for url in pages:
        resp = get(client, url + ("&" if "?" in url else "?") + "f=html")
        html = resp.get_data(as_text=True)
        assert resp.mimetype == "text/html" and "<main" in html, url
        srcs = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html) + re.findall(r'<link[^>]*href="([^"]+\.css)"', html)
        assert all(s.startswith("/static/") for s in srcs), (url, srcs)  # nothing from a CDN
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", html), url  # no inline script
        assert " style=" not in html, url
    items = get(client, f"{ASSETS}/items?limit=5&f=html").get_data(as_text=True)
    assert "vendor/leaflet/leaflet.js" in items and "js/ogc.js" in items and 'id="ogc-data"' in items
    coll = get(client, f"{LSOAS}?f=html").get_data(as_text=True)
    assert coll.count('rel="license"') >= 2
    # a browser asking for HTML gets it without f=html; a GIS asking for JSON gets JSON
    assert get(client, "/ogc/collections", headers={"Accept": "text/html,*/*;q=0.8"}).mimetype == "text/html"
    assert get(client, "/ogc/collections", headers={"Accept": "application/json"}).mimetype == "application/json"


def test_hostile_names_are_escaped_in_html(client, chesterfield_ar):
    resp = get(client, f"{ASSETS}/items?limit=10000&f=html")
    assert "<script>alert" not in resp.get_data(as_text=True)


def test_api_page_lists_every_operation(client):
    spec = get(client, "/api/openapi.json").get_json()
    page = get(client, "/api").get_data(as_text=True)
    for path in spec["paths"]:
        assert f"{path}</code>" in page
    assert "/ogc/collections/{cid}/queryables" in spec["paths"]


def test_reloaded_builds_are_served_by_the_next_request(chesterfield_root):
    from app import create_app
    from app.publishing import reload_builds

    fresh = create_app({"TESTING": True, "ASSETMAP_BUILD_ROOT": str(chesterfield_root)})
    before = fresh.extensions["assetmap"].ogc
    assert reload_builds(fresh) == "in place"
    c = fresh.test_client()
    assert get(c, "/ogc/collections").get_json()["collections"]
    after = fresh.extensions["assetmap"].ogc
    assert after is not before and after.source is fresh.extensions["assetmap"]
    n = len(after.collections["chesterfield-assets"].features)
    assert get(c, f"{ASSETS}/items?limit=1").get_json()["numberMatched"] == n
