"""OGC API – Features, Part 1: the Core and GeoJSON conformance classes, checked the way the
standard's abstract test suite does (landing page, API definition, conformance, collections,
items with limit/bbox/paging, single features, invalid parameters), with every GeoJSON response
validated against the GeoJSON JSON Schemas in ../shared/reference/schemas/geojson."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import shapely
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from app_fixtures import app, chesterfield_ar, chesterfield_root, client  # noqa: F401

GEOJSON = Path(__file__).resolve().parents[2] / "shared" / "reference" / "schemas" / "geojson"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEO = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"


@pytest.fixture(scope="module")
def geojson_schemas():
    if not GEOJSON.exists():
        pytest.fail(f"{GEOJSON} is missing: put ../shared beside the checkout")
    docs = {p.stem: json.loads(p.read_text()) for p in GEOJSON.glob("*.json")}
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs.values())
    return {name: Draft7Validator(d, registry=registry) for name, d in docs.items()}


def get(client, url: str, status: int = 200):
    path = urlsplit(url)._replace(scheme="", netloc="").geturl()
    resp = client.get(path)
    assert resp.status_code == status, (url, resp.data[:300])
    return resp


def test_landing_page_links_definition_conformance_and_data(client):
    body = get(client, "/ogc/").get_json()
    rels = {link["rel"]: link for link in body["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    spec = get(client, rels["service-desc"]["href"]).get_json()
    assert spec["openapi"].startswith("3.0") and "/ogc/collections/{cid}/items" in spec["paths"]
    assert CORE in get(client, rels["conformance"]["href"]).get_json()["conformsTo"]
    assert GEO in get(client, "/ogc/conformance").get_json()["conformsTo"]
    assert get(client, rels["data"]["href"]).get_json()["collections"]


def test_collections_describe_extent_and_items(client):
    cols = get(client, "/ogc/collections").get_json()["collections"]
    assert {c["id"] for c in cols} == {"chesterfield-assets", "chesterfield-neighbourhoods"}
    for c in cols:
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        assert -1.6 < minx < maxx < -1.2 and 53.1 < miny < maxy < 53.4  # Chesterfield, lon/lat
        assert c["itemType"] == "feature"
        items = next(link for link in c["links"] if link["rel"] == "items")
        assert items["type"] == "application/geo+json"
        assert get(client, f"/ogc/collections/{c['id']}").get_json()["id"] == c["id"]
    get(client, "/ogc/collections/atlantis", 404)


def test_items_are_geojson_with_limits_and_counts(client, chesterfield_ar, geojson_schemas):
    n = chesterfield_ar.report["assets"]["total"]  # the real build's asset count
    resp = get(client, "/ogc/collections/chesterfield-assets/items")
    assert resp.mimetype == "application/geo+json"
    fc = resp.get_json()
    assert not list(geojson_schemas["FeatureCollection"].iter_errors(fc))
    assert fc["numberReturned"] == len(fc["features"]) == 10 and fc["numberMatched"] == n  # default limit 10
    assert get(client, "/ogc/collections/chesterfield-assets/items?limit=10000").get_json()["numberReturned"] == n
    nb = get(client, "/ogc/collections/chesterfield-neighbourhoods/items?limit=100").get_json()
    assert not list(geojson_schemas["FeatureCollection"].iter_errors(nb)) and nb["numberReturned"] == 58


def test_paging_with_next_links_visits_every_feature_once(client, chesterfield_ar):
    n = chesterfield_ar.report["assets"]["total"]  # the real build's asset count
    url, seen = "/ogc/collections/chesterfield-assets/items?limit=50", []
    while url:
        fc = get(client, url).get_json()
        seen += [f["id"] for f in fc["features"]]
        url = next((link["href"] for link in fc["links"] if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == n


def test_bbox_and_property_filters_match_a_brute_force_count(client, chesterfield_ar):
    bbox = (-1.44, 53.225, -1.42, 53.24)
    fc = get(client, "/ogc/collections/chesterfield-assets/items?limit=1000&bbox=" + ",".join(map(str, bbox))).get_json()
    box = shapely.box(*bbox)
    expected = int(chesterfield_ar.assets.geometry.intersects(box).sum())
    assert fc["numberMatched"] == expected > 10
    assert all(box.intersects(shapely.geometry.shape(f["geometry"])) for f in fc["features"])
    gp = get(client, "/ogc/collections/chesterfield-assets/items?limit=1000&categories=gp").get_json()
    assert gp["numberMatched"] == sum("gp" in cs for cs in chesterfield_ar.assets["categories"])
    dec = get(client, "/ogc/collections/chesterfield-neighbourhoods/items?imd_decile=1").get_json()
    assert dec["numberMatched"] == int((chesterfield_ar.neighbourhoods["imd_decile"] == 1).sum())


def test_single_feature_and_its_links(client, geojson_schemas):
    lib = get(client, "/ogc/collections/chesterfield-assets/items?limit=1000").get_json()["features"]
    fid = next(f["id"] for f in lib if f["properties"]["name"] == "Chesterfield Library")
    resp = get(client, f"/ogc/collections/chesterfield-assets/items/{fid}")
    feature = resp.get_json()
    assert resp.mimetype == "application/geo+json" and feature["id"] == fid
    assert not list(geojson_schemas["Feature"].iter_errors(feature))
    assert {link["rel"] for link in feature["links"]} >= {"self", "collection"}
    get(client, "/ogc/collections/chesterfield-assets/items/osm-node-0", 404)


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "limit=ten", "offset=-1", "bbox=1,2,3",
                                   "bbox=-1.4,53.3,-1.3,53.2", "bbox=a,b,c,d", "colour=blue", "f=xml"])
def test_invalid_or_unknown_parameters_are_400(client, query):
    body = get(client, f"/ogc/collections/chesterfield-assets/items?{query}", 400).get_json()
    assert body["code"] == "InvalidParameterValue" and body["description"]


def test_api_page_lists_every_operation(client):
    spec = get(client, "/api/openapi.json").get_json()
    page = get(client, "/api").get_data(as_text=True)
    for path in spec["paths"]:
        assert f"{path}</code>" in page
