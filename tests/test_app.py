"""The web app (Flask test client) on a real Chesterfield build, plus escaping of hostile data."""
from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re
from pathlib import Path

import pyogrio
import pytest

from app import create_app
from app import fields as field_docs
from app.security import tile_source
from app_fixtures import (  # noqa: F401  (pytest fixtures are used by name)
    CHESTERFIELD, HOSTILE_AREA_NAME, HOSTILE_SLUG, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT, XSS_SVG, XSS_WEBSITE,
    app, chesterfield_ar, chesterfield_root, client, hostile_app, hostile_ar, hostile_client, hostile_root,
)
from assetmap.errors import ConfigError, ResultsError

OSM_LINE = "© OpenStreetMap contributors (ODbL)"
OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0"
OS_LINE = "Contains OS data © Crown copyright and database right"
# Chesterfield and its surroundings, generously: every coordinate served must fall inside.
CHESTERFIELD_BOX = (-1.60, 53.15, -1.30, 53.32)


def text(resp) -> str:
    return resp.get_data(as_text=True)


def script_json(page: str, element_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S)
    assert m, f"no <script id={element_id}> in the page"
    return json.loads(m.group(1))


def visible_text(page: str) -> str:
    """The page's text with tags stripped and entities decoded (roughly what a reader sees)."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    return html.unescape(re.sub(r" ([,.;:])", r"\1", flat)).replace("\xad", "")


# --- planner -----------------------------------------------------------------------------

def test_index_shows_area_summary_legend_and_attribution(client, chesterfield_ar):
    resp = client.get("/")
    assert resp.status_code == 200
    page = text(resp)
    seen = visible_text(page)
    assert '<html lang="en">' in page
    assert "Skip to main content" in page
    assert "<h1 id=\"area-title\">Chesterfield</h1>" in page
    for line in (OSM_LINE, OGL_LINE, OS_LINE):
        assert line in seen
    assert "1 = most deprived 10%" in seen
    assert f"Neighbourhoods {len(chesterfield_ar.neighbourhoods)}" in seen
    assert f"Residents {int(chesterfield_ar.neighbourhoods['residents'].sum()):,}" in seen
    assert f"Community assets {len(chesterfield_ar.assets):,}" in seen
    # every family with assets is listed with its count
    for fam, n in chesterfield_ar.assets["family"].value_counts().items():
        label = chesterfield_ar.taxonomy["families"][fam]["label"]
        assert re.search(rf"{re.escape(label)}\s+{n:,}\b", seen), (label, n)
    assert 'href="/area/chesterfield/neighbourhoods"' in page


def test_index_map_config_is_json_with_local_urls(client, chesterfield_ar):
    page = text(client.get("/"))
    cfg = script_json(page, "map-config")
    assert cfg["slug"] == CHESTERFIELD
    (s, w), (n, e) = cfg["bounds"]
    min_lon, min_lat, max_lon, max_lat = chesterfield_ar.bounds
    assert (s, w, n, e) == (min_lat, min_lon, max_lat, max_lon)
    assert cfg["urls"]["assets"] == "/data/chesterfield/assets.geojson"
    assert cfg["tiles"] is None
    assert OSM_LINE in cfg["attribution"]["short"]
    assert cfg["attribution"]["lines"] == chesterfield_ar.attribution
    assert len(cfg["deciles"]) == 10 and cfg["deciles"][0]["label"] == "most deprived 10%"
    # per-neighbourhood counts add up to the assets inside neighbourhoods
    assert sum(v["total"] for v in cfg["lsoa_assets"].values()) == int(chesterfield_ar.assets["lsoa21_code"].notna().sum())
    # the page loads scripts only from this site
    for src in re.findall(r'<script[^>]* src="([^"]+)"', page):
        assert src.startswith("/static/"), src
    for href in re.findall(r'<link[^>]* href="([^"]+)"', page):
        assert href.startswith("/static/"), href


def test_area_route_and_unknown_area(client):
    assert client.get("/area/chesterfield/").status_code == 200
    resp = client.get("/area/atlantis/")
    assert resp.status_code == 404
    assert "There is no area called “atlantis”" in visible_text(text(resp))
    assert client.get("/area/atlantis/neighbourhoods").status_code == 404


def test_neighbourhoods_table_lists_every_lsoa_most_deprived_first(client, chesterfield_ar):
    resp = client.get("/area/chesterfield/neighbourhoods")
    assert resp.status_code == 200
    page = text(resp)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)
    nb = chesterfield_ar.neighbourhoods
    assert len(rows) == len(nb)
    first = nb.sort_values("imd_rank").iloc[0]
    assert first["lsoa21_code"] in rows[0] and html.escape(first["lsoa21_name"]) in rows[0]
    assert "<caption" in page and 'scope="col"' in page


def test_area_switcher_lists_every_loaded_area(hostile_root, chesterfield_root, tmp_path):
    root = tmp_path / "two"
    root.mkdir()
    (root / CHESTERFIELD).symlink_to((chesterfield_root / CHESTERFIELD).resolve(), target_is_directory=True)
    (root / HOSTILE_SLUG).symlink_to((hostile_root / HOSTILE_SLUG).resolve(), target_is_directory=True)
    two = create_app({"ASSETMAP_BUILD_ROOT": str(root), "DEFAULT_AREA": HOSTILE_SLUG, "TESTING": True}).test_client()
    page = text(two.get("/"))
    assert 'aria-label="Areas"' in page
    assert '<a href="/area/chesterfield/">Chesterfield</a>' in page
    assert f'href="/area/{HOSTILE_SLUG}/" aria-current="page"' in page


# --- lookup ------------------------------------------------------------------------------

def test_lookup_lists_the_librarys_nearest_assets_in_order(client, chesterfield_ar):
    resp = client.get("/lookup?postcode=S40 1LP")
    assert resp.status_code == 200
    page = text(resp)
    expected = chesterfield_ar.lookup("S40 1LP").results
    assert len(expected) == 10
    items = re.findall(r'<li class="result" id="result-(\d+)">(.*?)</li>', page, re.S)
    assert [int(i) for i, _ in items] == list(range(1, 11))
    for (_, item), r in zip(items, expected):
        assert html.escape(r["name"] or "Unnamed") in item
        assert r["category_label"] in item
    seen = visible_text(page)
    # a real GP surgery 158 m from S40 1LP in a straight line, 223 m on foot (OpenStreetMap + NHS ODS)
    assert "Inspire Health - Avenue House Surgery" in seen
    assert "GP surgery · 3 min walk (223 m on foot; 4 min at a slower pace)" in seen
    walks = [r["walk_m"] for r in expected]
    assert walks == sorted(walks) and all(r["walk_m"] >= r["straight_m"] for r in expected)
    data = script_json(page, "lookup-data")
    assert data["postcode"] == "S40 1LP"
    assert [r["rank"] for r in data["results"]] == list(range(1, 11))
    assert all(CHESTERFIELD_BOX[0] < r["lon"] < CHESTERFIELD_BOX[2] and CHESTERFIELD_BOX[1] < r["lat"] < CHESTERFIELD_BOX[3]
               for r in data["results"])


def test_lookup_by_category_finds_the_real_nearest_library(client, chesterfield_ar):
    resp = client.get("/lookup?postcode=S40+1LP&category=library")
    assert resp.status_code == 200
    seen = visible_text(text(resp))
    found = chesterfield_ar.lookup("S40 1LP", category="library").results
    assert found[0]["name"] == "Chesterfield Library"
    assert "Chesterfield Library" in seen
    assert "New Beetwell Street, Chesterfield, Derbyshire, S40 1QN" in seen
    assert seen.count("Library ·") == len(found)


def test_lookup_accepts_lowercase_without_space(client):
    resp = client.get("/lookup?postcode=s401lp")
    assert resp.status_code == 200
    assert "10 nearest places to S40 1LP" in visible_text(text(resp))


def test_lookup_of_a_category_with_no_assets_says_so(client, chesterfield_ar):
    absent = [k for k in chesterfield_ar.taxonomy["categories"]
              if not chesterfield_ar.assets["categories"].map(lambda cs: k in cs).any()]
    assert absent, "every category has assets in Chesterfield; pick another empty-category check"
    resp = client.get(f"/lookup?postcode=S40+1LP&category={absent[0]}")
    assert resp.status_code == 200
    seen = visible_text(text(resp))
    label = chesterfield_ar.taxonomy["categories"][absent[0]]["label"]
    assert f"Nothing found near S40 1LP: {label}" in seen
    assert f"No places of the type “{label}” have been mapped in Chesterfield yet" in seen


def test_lookup_without_postcode_is_just_the_form(client):
    resp = client.get("/lookup")
    assert resp.status_code == 200
    page = text(resp)
    assert '<label for="postcode">Postcode, place or street</label>' in page
    assert '<label for="category">Type of place</label>' in page
    assert 'class="result-list"' not in page and "There is a problem" not in page


def test_malformed_postcode_is_400_with_message_and_refilled_form(client):
    resp = client.get("/lookup?postcode=NOT+A+POSTCODE&category=library")
    assert resp.status_code == 400
    page = text(resp)
    assert "is not a UK postcode" in visible_text(page)
    assert 'value="NOT A POSTCODE"' in page
    assert 'aria-invalid="true"' in page
    assert '<option value="library" selected>' in page


def test_unknown_postcode_is_404_with_message(client):
    resp = client.get("/lookup?postcode=ZZ99 9ZZ")
    assert resp.status_code == 404
    page = text(resp)
    assert "could not find the postcode ZZ99 9ZZ" in visible_text(page)
    assert 'value="ZZ99 9ZZ"' in page


@pytest.mark.parametrize("query", [
    "postcode=S40+1LP&category=spaceport",
    "postcode=" + "A" * 500,
    "postcode=%00%01",
    "postcode=S40+1LP&category=%3Cscript%3E",
])
def test_odd_lookups_are_client_errors_never_500(client, query):
    resp = client.get("/lookup?" + query)
    assert resp.status_code == 400
    assert "There is a problem" in text(resp)
    assert "<script>" not in text(resp).split("<footer", 1)[0].split("</header>", 1)[1]


# --- downloads and map data ---------------------------------------------------------------

def _in_box(features) -> bool:
    lo_x, lo_y, hi_x, hi_y = CHESTERFIELD_BOX
    return all(lo_x < f["geometry"]["coordinates"][0] < hi_x and lo_y < f["geometry"]["coordinates"][1] < hi_y
               for f in features)


def test_assets_geojson_download(client, chesterfield_ar):
    resp = client.get("/download/chesterfield/assets.geojson")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    assert "attachment" in resp.headers["Content-Disposition"]
    fc = json.loads(resp.data)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == len(chesterfield_ar.assets)
    assert all(f["type"] == "Feature" and f["geometry"]["type"] == "Point" for f in fc["features"])
    assert _in_box(fc["features"])


def test_assets_geojson_category_and_family_filters(client, chesterfield_ar):
    resp = client.get("/download/chesterfield/assets.geojson?category=library")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    feats = json.loads(resp.data)["features"]
    expected = int(chesterfield_ar.assets["categories"].map(lambda cs: "library" in cs).sum())
    assert len(feats) == expected > 0
    assert all("library" in f["properties"]["categories"] for f in feats)
    assert "Chesterfield Library" in {f["properties"]["name"] for f in feats}

    feats = json.loads(client.get("/download/chesterfield/assets.geojson?family=health").data)["features"]
    assert len(feats) == int((chesterfield_ar.assets["family"] == "health").sum()) > 0
    assert {f["properties"]["family"] for f in feats} == {"health"}


def test_unknown_category_or_family_is_400_with_a_clear_message(client):
    resp = client.get("/download/chesterfield/assets.geojson?category=spaceport")
    assert resp.status_code == 400
    assert "unknown category 'spaceport'" in visible_text(text(resp))
    resp = client.get("/download/chesterfield/assets.geojson?family=spaceport",
                      headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    assert "unknown family 'spaceport'" in resp.get_json()["error"]
    assert "health" in resp.get_json()["error"]


def test_neighbourhoods_geojson_download(client, chesterfield_ar):
    resp = client.get("/download/chesterfield/neighbourhoods.geojson")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    fc = json.loads(resp.data)
    assert len(fc["features"]) == len(chesterfield_ar.neighbourhoods)
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    lon, lat = ring[0] if fc["features"][0]["geometry"]["type"] == "Polygon" else ring[0][0]
    assert -1.6 < lon < -1.3 and 53.15 < lat < 53.32
    assert {"imd_decile", "residents", "lsoa21_code"} <= set(fc["features"][0]["properties"])


def test_csv_downloads(client, chesterfield_ar):
    resp = client.get("/download/chesterfield/assets.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(text(resp))))
    assert len(rows) == len(chesterfield_ar.assets)
    assert {"asset_id", "name", "category", "lon", "lat"} <= set(rows[0])
    resp = client.get("/download/chesterfield/neighbourhoods.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(text(resp))))
    assert len(rows) == len(chesterfield_ar.neighbourhoods)


def test_geopackage_download(client, tmp_path):
    resp = client.get("/download/chesterfield/assetmap-chesterfield.gpkg")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geopackage+sqlite3"
    assert resp.data[:16] == b"SQLite format 3\x00"
    path = tmp_path / "a.gpkg"
    path.write_bytes(resp.data)
    assert {"assets", "neighbourhoods"} <= {name for name, _ in pyogrio.list_layers(path)}


@pytest.mark.parametrize("url", [
    "/download/chesterfield/report.json",
    "/download/chesterfield/..%2freport.json",
    "/download/chesterfield/assetmap-rutland.gpkg",
    "/download/atlantis/assets.csv",
    "/data/chesterfield/postcodes.parquet",
    "/data/atlantis/streets.geojson",
])
def test_unknown_files_are_404(client, url):
    assert client.get(url).status_code == 404


def test_downloads_page_lists_files_fields_and_licences(client, chesterfield_ar):
    resp = client.get("/downloads")
    assert resp.status_code == 200
    page = text(resp)
    links = re.findall(r'href="(/download/chesterfield/[^"]+)"', page)
    assert len(links) == 8  # five data files and three equity tables
    for link in links:
        assert client.get(link).status_code == 200, link
    seen = visible_text(page)
    for name, _, _ in field_docs.ASSET_FIELDS:
        assert name in seen
    for line in chesterfield_ar.attribution:
        assert line in seen
    assert "Open Database Licence" in seen


def test_every_downloaded_column_is_documented(client):
    for name, kind in (("assets.csv", "assets"), ("neighbourhoods.csv", "neighbourhoods")):
        header = next(csv.reader(io.StringIO(text(client.get(f"/download/chesterfield/{name}")))))
        undocumented = [c for c in header if not field_docs.documented(c, kind)]
        assert not undocumented, f"{name}: document {undocumented} in app/fields.py"


def test_map_data_is_cached_compressed_and_conditional(client, chesterfield_ar):
    resp = client.get("/data/chesterfield/streets.geojson")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    assert resp.cache_control.public and resp.cache_control.max_age == 3600
    fc = json.loads(resp.data)
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert fc["features"][0]["geometry"]["type"] in ("LineString", "MultiLineString")

    gz = client.get("/data/chesterfield/streets.geojson", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data) == resp.data
    assert len(gz.data) < len(resp.data) / 2

    again = client.get("/data/chesterfield/streets.geojson", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304

    nb = json.loads(client.get("/data/chesterfield/neighbourhoods.geojson").data)
    assert len(nb["features"]) == len(chesterfield_ar.neighbourhoods)
    assets = json.loads(client.get("/data/chesterfield/assets.geojson").data)
    assert len(assets["features"]) == len(chesterfield_ar.assets) and _in_box(assets["features"])


# --- about, headers, configuration ----------------------------------------------------------

def test_about_lists_sources_licences_and_taxonomy(client, chesterfield_ar):
    resp = client.get("/about")
    assert resp.status_code == 200
    seen = visible_text(text(resp))
    for src in chesterfield_ar.report["sources"]:
        if src.get("licence"):
            assert src["licence"] in seen, src["name"]
    for line in chesterfield_ar.attribution:
        assert line in seen
    for key, cat in chesterfield_ar.taxonomy["categories"].items():
        assert cat["label"] in seen and key in seen
        for rule in cat["osm"]:
            assert rule in seen
    for fam in chesterfield_ar.taxonomy["families"].values():
        assert fam["label"] in seen


def test_security_headers(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "connect-src 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_tile_url_setting(chesterfield_root):
    tiled = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "TESTING": True,
                        "TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
                        "TILE_ATTRIBUTION": "Tiles © Example"}).test_client()
    resp = tiled.get("/")
    cfg = script_json(text(resp), "map-config")
    assert cfg["tiles"] == {"url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png", "attribution": "Tiles © Example"}
    assert "img-src 'self' data: https://*.tiles.example.org" in resp.headers["Content-Security-Policy"]
    assert tile_source("") is None and tile_source("javascript:alert(1)") is None


def test_startup_errors_are_explained(tmp_path, chesterfield_root):
    with pytest.raises(ResultsError, match="assetmap build"):
        create_app({"ASSETMAP_BUILD_ROOT": str(tmp_path)})
    with pytest.raises(ConfigError, match="DEFAULT_AREA 'atlantis' is not built"):
        create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "DEFAULT_AREA": "atlantis"})


def test_pages_render_without_vendored_front_end(chesterfield_root, tmp_path):
    bare = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "TESTING": True})
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    bare.static_folder = str(static)
    c = bare.test_client()
    page = text(c.get("/"))
    assert "The interactive map is not available" in page
    assert "leaflet.js" not in page and "1 = most deprived 10%" in page
    resp = c.get("/lookup?postcode=S40+1LP")
    assert resp.status_code == 200 and 'class="result-list"' in text(resp) and "leaflet.js" not in text(resp)


def test_vendored_front_end_is_served_when_present(app, client):
    if not (Path(app.static_folder) / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.skip("app/static/vendor is empty: run `python scripts/vendor.py` (the Makefile does)")
    page = text(client.get("/"))
    js = re.search(r'src="(/static/v/[0-9a-f]{12}/vendor/leaflet/leaflet\.js)"', page).group(1)
    assert re.search(r'src="/static/v/[0-9a-f]{12}/vendor/leaflet\.markercluster/leaflet\.markercluster\.js"', page)
    assert client.get(js).status_code == 200
    assert client.get("/static/vendor/leaflet/images/layers.png").status_code == 200
    css = re.search(r'href="(/static/v/[0-9a-f]{12}/vendor/leaflet/leaflet\.css)"', page).group(1)
    # Leaflet's stylesheet refers to its images relatively: they resolve under the same prefix
    assert client.get(css.rsplit("/", 1)[0] + "/images/layers.png").status_code == 200


def test_static_files_are_hashed_compressed_and_cached_for_a_year(client):
    import gzip as gz
    import hashlib

    page = text(client.get("/"))
    url = re.search(r'src="(/static/v/([0-9a-f]{12})/js/planner\.js)"', page)
    body = (Path(client.application.static_folder) / "js" / "planner.js").read_bytes()
    assert url.group(2) == hashlib.sha256(body).hexdigest()[:12]  # the digest is the file's own
    plain = client.get(url.group(1))
    assert plain.data == body and "Content-Encoding" not in plain.headers
    zipped = client.get(url.group(1), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gz.decompress(zipped.data) == body
    assert len(zipped.data) < len(body) / 2
    cc = zipped.cache_control
    assert cc.public and cc.max_age == 365 * 24 * 3600 and cc.immutable
    again = client.get(url.group(1), headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    stale = client.get("/static/v/000000000000/js/planner.js")
    assert stale.status_code == 200 and stale.cache_control.max_age == 300 and not stale.cache_control.immutable
    assert client.get("/static/v/0/../../app/__init__.py").status_code == 404
    # pages themselves are gzipped too
    html = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert html.headers["Content-Encoding"] == "gzip" and b"<html" in gz.decompress(html.data)


# --- hostile data --------------------------------------------------------------------------

RAW = (XSS_IMG, XSS_SCRIPT, XSS_SVG, "<b>Test</b>", "<b>bold</b>")


def assert_no_raw_markup(page: str, where: str) -> None:
    for raw in RAW:
        assert raw not in page, f"{where}: unescaped {raw!r}"
    assert 'href="javascript:' not in page.lower(), where


def test_hostile_build_holds_the_injection_attempts(hostile_ar):
    names = set(hostile_ar.assets["name"].dropna())
    assert {XSS_IMG, XSS_SCRIPT} <= names
    assert XSS_ADDRESS in set(hostile_ar.assets["address"].dropna())
    assert hostile_ar.name == HOSTILE_AREA_NAME


def test_hostile_names_are_escaped_in_the_lookup_page(hostile_client):
    resp = hostile_client.get("/lookup?postcode=S40+1LP")
    assert resp.status_code == 200
    page = text(resp)
    assert_no_raw_markup(page, "lookup")
    # visible_text drops real tags, so the literal markup only survives it if it was escaped
    seen = visible_text(page)
    for literal in (XSS_IMG, XSS_SCRIPT, XSS_ADDRESS):
        assert literal in seen
    # the JSON for the map carries the names as plain strings
    names = [r["name"] for r in script_json(page, "lookup-data")["results"]]
    assert XSS_IMG in names and XSS_SCRIPT in names
    # a javascript: website never becomes a link
    # the library drops non-http(s) websites at ingest (merge.clean_contact): neither link nor text
    assert "javascript:alert(4)" not in visible_text(page)
    assert html.escape("https://example.org/?q=<b>bold</b>") in page


@pytest.mark.parametrize("url", [
    "/", f"/area/{HOSTILE_SLUG}/", f"/area/{HOSTILE_SLUG}/neighbourhoods", "/about", "/downloads",
    "/lookup", "/lookup?postcode=S40+1LP&category=timebank", "/area/%3Cscript%3Ealert(2)%3C%2Fscript%3E/",
    "/lookup?postcode=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
])
def test_hostile_data_never_appears_unescaped(hostile_client, url):
    resp = hostile_client.get(url)
    assert resp.status_code in (200, 400, 404)
    assert resp.mimetype == "text/html"
    assert_no_raw_markup(text(resp), url)


def test_hostile_area_name_is_escaped_everywhere(hostile_client):
    page = text(hostile_client.get("/"))
    assert "Chesterfield &lt;b&gt;Test&lt;/b&gt;" in page
    cfg = script_json(page, "map-config")
    assert cfg["name"] == HOSTILE_AREA_NAME


def test_hostile_data_endpoints_are_never_html(hostile_client):
    for url in (f"/data/{HOSTILE_SLUG}/assets.geojson", f"/download/{HOSTILE_SLUG}/assets.geojson?category=timebank"):
        resp = hostile_client.get(url)
        assert resp.status_code == 200
        assert resp.mimetype == "application/geo+json"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        names = {f["properties"]["name"] for f in json.loads(resp.data)["features"]}
        assert XSS_IMG in names


# --- walking ---------------------------------------------------------------------------------

def test_neighbourhood_table_has_walking_columns_for_a_chosen_place(client, chesterfield_ar):
    page = text(client.get("/area/chesterfield/neighbourhoods?walk=pharmacy"))
    assert "Walk to nearest pharmacy (m)" in page and "Walk to any health (min)" in page
    nb = chesterfield_ar.neighbourhoods
    row = nb.loc[nb["imd_rank"].idxmin()]  # the first row: the most deprived
    first = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', first)
    assert f"{int(row['walk_pharmacy_m']):,}" in cells
    assert f"{row['walk_pharmacy_min']:.1f}" in cells and f"{row['walk_pharmacy_min_rm']:.1f}" in cells
    # an unknown choice falls back to the default (GP surgery), never an error
    resp = client.get("/area/chesterfield/neighbourhoods?walk=<script>")
    assert resp.status_code == 200 and "Walk to nearest gp surgery (m)" in text(resp)
    assert "<script>" not in text(resp)


def test_planner_offers_every_category_with_walking_times(client, chesterfield_ar):
    page = text(client.get("/"))
    cfg = script_json(page, "map-config")
    keys = [c["key"] for c in cfg["walk"]["choices"]]
    present = {c for cs in chesterfield_ar.assets["categories"] for c in cs}
    assert set(keys) >= present and "family_health" in keys
    assert cfg["walk"]["default"] == "gp" and cfg["walk"]["speed_kmh"] == 4.8
    assert [c["max"] for c in cfg["walk"]["classes"]] == [5, 10, 15, 20, 30, None]
    assert '<select id="walk-category" name="walk">' in page


# --- what-if API -----------------------------------------------------------------------------

@pytest.mark.parametrize("query, status, message", [
    ("scenario?close=osm-node-1", 404, "no asset"),
    ("scenario?open=spaceport&lon=-1.42&lat=53.23", 400, "unknown category"),
    ("scenario?open=gp&lon=-1.0&lat=52.0", 400, "outside the area"),
    ("scenario?open=gp&lon=nan&lat=53.2", 400, "out of range"),
    ("scenario?open=gp&lon=abc&lat=53.2", 400, "not a number"),
    ("scenario?open=gp", 400, "not a number"),
    ("scenario", 400, "say what changes"),
    ("siting?category=library&k=99", 400, "between 1 and 50"),
    ("siting?category=library&k=-1", 400, "whole number"),
    ("siting?category=library&candidates=moon", 400, "buildings"),
    ("siting?category=", 400, "unknown category"),
])
def test_what_if_api_rejects_bad_input_with_reasons(client, query, status, message):
    resp = client.get(f"/api/area/chesterfield/{query}")
    assert resp.status_code == status and resp.is_json
    assert message in resp.get_json()["error"]


def test_what_if_api_answers(client):
    resp = client.get("/api/area/chesterfield/scenario?open=food_bank&lon=-1.4216&lat=53.2356")
    assert resp.status_code == 200
    fb = resp.get_json()["categories"]["food_bank"]
    assert fb["people_gaining"] > 0 and fb["lsoas"] and fb["deciles"]
    resp = client.get("/api/area/chesterfield/siting?category=food_bank&k=2")
    picks = resp.get_json()["picks"]
    assert resp.status_code == 200 and len(picks) == 2 and picks[0]["gain"] >= picks[1]["gain"]
    assert client.get("/api/area/atlantis/siting?category=gp").status_code == 404


# --- gap measure pages -----------------------------------------------------------------------

def test_planner_shows_gaps_with_a_three_by_three_table(client, chesterfield_ar):
    page = text(client.get("/"))
    assert 'id="gap-legend"' in page and re.search(r"/static/v/[0-9a-f]{12}/js/gaps\.js", page)
    table = page.split('class="bivariate-table"', 1)[1].split("</table>", 1)[0]
    counts = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", table)]
    assert len(counts) == 9 and sum(counts) == len(chesterfield_ar.neighbourhoods)
    top = chesterfield_ar.report["gaps"]["top_priority"][0]
    assert html.escape(top["lsoa21_name"]) in page.split('class="priority-list"', 1)[1]
    cfg = script_json(page, "map-config")
    assert cfg["gaps"]["bivariate"]["3-3"] and len(cfg["gaps"]["priority_cuts"]) == 4


def test_equity_page_chart_and_tables(client, chesterfield_ar):
    resp = client.get("/area/chesterfield/equity")
    assert resp.status_code == 200
    page = text(resp)
    gp = next(e for e in chesterfield_ar.report["gaps"]["equity"] if e["category"] == "gp")
    row = re.search(r"<th scope=\"row\">GP surgery</th>(.*?)</tr>", page, re.S).group(1)
    assert f">{gp['mean_min']:.1f}<" in row and f">{gp['palma']:.1f}<" in row
    svg = client.get("/area/chesterfield/equity.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/area/atlantis/equity").status_code == 404


def test_methodology_page_renders_the_document(client):
    page = text(client.get("/methodology"))
    assert "<h1>assetmap methodology" in page and "Palma" in page and "<table" not in page.split("<main", 1)[0]


FRAMED_QUERIES = [
    {}, {"postcode": "S40 1LP"}, {"postcode": "s401lp", "category": "library"},
    {"postcode": "NOT A POSTCODE"}, {"postcode": "ZZ99 9ZZ"}, {"postcode": "S40 1LP", "category": "nope"},
]


def test_framed_lookup_page_is_exactly_the_full_render(chesterfield_root, chesterfield_ar):
    """The lookup renders its frame once per variant; every spliced page must equal render_template's,
    byte for byte, whatever order the variants are first met in."""
    from flask import render_template

    from app.blueprints.public import run_lookup

    absent = next(k for k in chesterfield_ar.taxonomy["categories"]
                  if not chesterfield_ar.assets["categories"].map(lambda cs: k in cs).any())
    queries = FRAMED_QUERIES + [{"postcode": "S40 1LP", "category": absent}]
    for order in (queries, queries[::-1]):
        app = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root)})
        client = app.test_client()
        for query in order + order:  # the first meeting renders a frame, the second reuses it
            resp = client.get("/lookup", query_string=query)
            postcode = query.get("postcode", "")
            category = query.get("category") or None
            with app.test_request_context("/lookup", query_string=query):
                context, status = run_lookup(postcode, category) if postcode else ({}, 200)
                full = render_template("lookup.html", postcode=postcode, category=category, **context)
            assert resp.status_code == status, query
            assert resp.get_data(as_text=True) == full, query
            assert "\x00" not in full


def test_lookup_from_a_place_or_street_name(client):
    """Place and street names from the OSM extract start a lookup from their nearest postcode."""
    resp = client.get("/lookup?postcode=brimington")
    page = visible_text(text(resp))
    assert resp.status_code == 200 and "nearest places to Brimington" in page
    assert "Walks are from postcode S43" in page and "(village)" in page
    street = client.get("/lookup?postcode=Saltergate&category=library")
    assert street.status_code == 200 and "nearest place to Saltergate" in visible_text(text(street)) or \
        "nearest places to Saltergate" in visible_text(text(street))
    # a name shared by several streets: a choice, each choice a working lookup
    choose = client.get("/lookup?postcode=Church+Street")
    assert choose.status_code == 200 and "Which “Church Street” do you mean?" in visible_text(text(choose))
    links = re.findall(r'href="(/lookup\?postcode=[^"]+near=[^"]+)"', text(choose))
    assert len(links) >= 2
    picked = client.get(html.unescape(links[0]))
    assert picked.status_code == 200 and "nearest places to Church Street, " in visible_text(text(picked))
    # a forged choice (label and postcode that do not belong together) is refused
    assert client.get("/lookup?postcode=S40+1LP&near=Church+Street%2C+Nowhere").status_code == 400
    # neither a postcode nor a known name
    nothing = client.get("/lookup?postcode=Xyzzyville")
    assert nothing.status_code == 400
    assert "not the name of a place or street we know" in visible_text(text(nothing))


def test_what_matters_to_you_search_with_filters(client, chesterfield_ar):
    """Interests in plain words map to categories and keywords; filters narrow the results and,
    when they leave nothing, the page says why and offers the search without them."""
    cats = chesterfield_ar.taxonomy["categories"]
    resp = client.get("/lookup?postcode=S40+1LP&q=I+like+gardening")
    page = text(resp)
    assert resp.status_code == 200 and "gardening and growing" in visible_text(page)
    shown = re.findall(r'class="result-category">([^<]+)<', page)
    allowed = {cats[c]["label"] for c in ("allotment", "nature_reserve", "park")}
    assert shown and all(html.unescape(s) in allowed or "arden" in page for s in shown)
    lonely = visible_text(text(client.get("/lookup?postcode=S40+1LP&q=lonely")))
    assert "company and friendship" in lonely
    # a word the vocabulary does not know: the form back, the problem named, examples given
    odd = client.get("/lookup?postcode=S40+1LP&q=xylophone")
    assert odd.status_code == 400 and "Try words like company, gardening" in visible_text(text(odd))
    assert 'value="xylophone"' in text(odd)
    # wheelchair: every result is known to be accessible
    wc = client.get("/lookup?postcode=S40+1LP&access=wheelchair")
    ids = re.findall(r'/asset/([^"#?]+)"', text(wc))
    pages = {a["asset_id"]: a for a in chesterfield_ar.assets.to_dict("records")}
    assert ids and all(pages[html.unescape(i)].get("wheelchair") in ("yes", "limited") for i in ids)
    # a filter nothing passes: said, with the way out
    none = visible_text(text(client.get("/lookup?postcode=S40+1LP&q=faith&access=wheelchair&open=sunday")))
    assert ("Show the nearest places without these filters" in none) or ("nearer places were left out" in none)
    assert client.get("/lookup?postcode=S40+1LP&open=someday").status_code == 400


def test_map_neighbourhoods_are_slim_and_keep_shared_borders(client, chesterfield_ar):
    """The map's neighbourhood data: simplified as a coverage (no gaps or overlaps between
    neighbours), with the measures the planner draws and without the ones it never does."""
    import shapely
    from shapely.geometry import shape

    nb = json.loads(client.get("/data/chesterfield/neighbourhoods.geojson").data)
    props = nb["features"][0]["properties"]
    for needed in ("lsoa21_code", "lsoa21_name", "imd_decile", "imd_rank", "income_decile", "gap_score", "gap_quintile",
                   "bivariate_class", "priority_score", "double_disadvantage", "walk_gp_min", "walk_gp_m",
                   "walk_gp_min_rm", "walk_family_health_min", "residents"):
        assert needed in props, needed
    assert not any(k.startswith(("gapz_", "e2sfca_", "count_", "per1k_")) for k in props)
    shapes = [shape(f["geometry"]) for f in nb["features"]]
    assert all(s.is_valid for s in shapes)
    union = shapely.union_all(shapes)
    assert abs(sum(s.area for s in shapes) - union.area) < 1e-9 * union.area + 1e-12  # no overlaps
    full = chesterfield_ar.neighbourhoods.geometry.union_all()
    assert abs(union.area - full.area) / full.area < 0.01  # the same ground, give or take the simplification
    assert len(client.get("/data/chesterfield/neighbourhoods.geojson").data) < \
        len(client.get("/download/chesterfield/neighbourhoods.geojson").data) / 2
