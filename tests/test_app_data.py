"""Downloads and map data, walking columns, the what-if API and the gap pages (Flask test client)."""
from __future__ import annotations

import csv
import gzip
import html
import io
import json
import re

import pyogrio
import pytest

from app import fields as field_docs
from page_support import CHESTERFIELD_BOX, script_json, text, visible_text

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
    # five data files, three equity tables, the sessions, the data dictionary (CSV, JSON) and LICENCE.txt
    assert len(links) == 12
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
        assert not undocumented, f"{name}: describe {undocumented} in assetmap.outputs.dictionary"


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


# --- walking ---------------------------------------------------------------------------------

def test_neighbourhood_table_has_walking_columns_for_a_chosen_place(client, chesterfield_ar):
    page = text(client.get("/area/chesterfield/neighbourhoods?walk=pharmacy&sort=imd_rank"))
    assert "Walk to nearest pharmacy (m)" in page and "Walk to any health (min)" in page
    nb = chesterfield_ar.neighbourhoods
    row = nb.loc[nb["imd_rank"].idxmin()]  # the first row: the most deprived
    first = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", page, re.S).group(1)
    cells = [c.strip() for c in re.findall(r'<td [^>]*class="num"[^>]*>([^<]*)</td>', first)]
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
