"""Neighbourhood names (assetmap.ingest.names): House of Commons Library MSOA names, wards and OSM
places beside every LSOA code, on tiny frames and on the real Chesterfield build and its pages."""
from __future__ import annotations

import csv
import io

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from app_fixtures import CHESTERFIELD
from assetmap.config import load_area
from assetmap.constants import BNG
from assetmap.ingest.names import NAME_COLUMNS, add_names, msoa_of, read_msoa_names, read_wards
from page_support import visible_text

X, Y = 438000.0, 370000.0  # near Chesterfield, EPSG:27700


def _lsoas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"lsoa21_code": ["E1", "E2"], "lsoa21_name": ["Town 012A", "Town 003B"],
                             "lad_code": ["L", "L"]},
                            geometry=[shapely.box(X, Y, X + 100, Y + 100), shapely.box(X + 100, Y, X + 200, Y + 100)], crs=BNG)


def test_msoa_of_drops_the_lsoa_letter():
    assert msoa_of("Chesterfield 012A") == "Chesterfield 012"
    assert msoa_of("Bristol 001") == "Bristol 001"


def test_add_names_local_ward_places_and_display():
    names = pd.DataFrame({"msoa21_name": ["Town 012"], "msoa21_code": ["M12"], "local_name": ["Spital & Hasland"]})
    wards = pd.DataFrame({"lsoa21_code": ["E1", "E2"], "ward_code": ["W1", "W2"], "ward_name": ["Hasland", "Old"]})
    places = gpd.GeoDataFrame({"name": ["Hasland", "<b>Birdholme</b>", "Far"], "place": ["suburb", "village", "town"]},
                              geometry=[shapely.Point(X + 10, Y + 10), shapely.Point(X + 20, Y + 20),
                                        shapely.Point(X + 900, Y + 900)],
                              crs=BNG).to_crs(4326)
    out = add_names(_lsoas(), names, wards, places)
    assert list(out.columns[:2 + len(NAME_COLUMNS)]) == ["lsoa21_code", "lsoa21_name", *NAME_COLUMNS]
    first, second = out.iloc[0], out.iloc[1]
    assert first["display_name"] == "Spital & Hasland (Town 012A)"
    assert first["local_name"] == "Spital & Hasland" and first["msoa21_code"] == "M12"
    assert first["ward_name"] == "Hasland"
    assert first["osm_places"] == "Hasland; <b>Birdholme</b>"  # suburb before village; the far town is outside
    # no local name: the ONS name alone, nothing made up
    assert second["display_name"] == "Town 003B" and second["local_name"] is None and second["osm_places"] is None


def test_add_names_without_sources_keeps_ons_names():
    out = add_names(_lsoas(), None, None, None)
    assert out["display_name"].tolist() == ["Town 012A", "Town 003B"]
    assert out["ward_name"].isna().all()


def test_real_names_file_with_bom_and_ward_lookup(data_root):
    cfg = load_area(CHESTERFIELD, data_root)
    names = read_msoa_names(cfg.source("neighbourhood_names"), data_root).set_index("msoa21_name")
    assert names.loc["Chesterfield 012", "local_name"] == "Spital & Hasland"
    assert names.loc["Chesterfield 012", "msoa21_code"] == "E02004066"
    wards = read_wards(cfg.source("wards"), data_root, ["E01019561"])
    assert len(wards) == 1 and wards.iloc[0]["ward_name"]


def test_source_credited_in_config():
    cfg = load_area(CHESTERFIELD)
    src = cfg.source("neighbourhood_names")
    assert src.licence == "Open Parliament Licence v3.0"
    assert "House of Commons Library MSOA Names" in src.attribution
    assert src.option("licence_url") == "https://www.parliament.uk/site-information/copyright/open-parliament-licence"


# --- the real build and its pages -------------------------------------------------------------------

@pytest.fixture(scope="module")
def spital(chesterfield_ar) -> dict:
    nb = chesterfield_ar.neighbourhoods
    rows = nb[nb["lsoa21_name"].str.startswith("Chesterfield 012")]
    assert len(rows), "no Chesterfield 012x neighbourhood in the build"
    return rows.iloc[0].drop(labels="geometry").to_dict()


def test_every_built_neighbourhood_has_a_local_name_and_ward(chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    assert nb["local_name"].notna().all() and nb["ward_name"].notna().all()
    assert nb["osm_places"].notna().sum() >= 10


def test_profile_page_titled_by_name(client, spital):
    html = client.get(f"/area/{CHESTERFIELD}/neighbourhood/{spital['lsoa21_code']}").get_data(as_text=True)
    assert f"<h1>Spital &amp; Hasland ({spital['lsoa21_name']})</h1>" in html
    assert f"<title>Spital &amp; Hasland ({spital['lsoa21_name']})" in html
    text = visible_text(html)
    assert f"{spital['ward_name']} ward" in text
    assert "House of Commons Library MSOA Names" in text and "Open Parliament Licence" in text


def test_neighbourhoods_table_and_csv_show_names(client, spital):
    text = visible_text(client.get(f"/area/{CHESTERFIELD}/neighbourhoods").get_data(as_text=True))
    assert f"Spital & Hasland ({spital['lsoa21_name']})" in text
    assert "House of Commons Library MSOA Names" in text
    body = client.get(f"/download/{CHESTERFIELD}/neighbourhoods.csv").get_data(as_text=True)
    rows = {r["lsoa21_code"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows[spital["lsoa21_code"]]["local_name"] == "Spital & Hasland"
    assert rows[spital["lsoa21_code"]]["ward_name"] == spital["ward_name"]
    profile = client.get(f"/area/{CHESTERFIELD}/neighbourhood/{spital['lsoa21_code']}.csv").get_data(as_text=True)
    assert "local name,Spital & Hasland" in profile


def test_map_data_and_ogc_carry_names(client, spital):
    gj = client.get(f"/data/{CHESTERFIELD}/neighbourhoods.geojson").get_json()
    props = {f["properties"]["lsoa21_code"]: f["properties"] for f in gj["features"]}
    assert props[spital["lsoa21_code"]]["display_name"].startswith("Spital & Hasland")
    item = client.get(f"/ogc/collections/{CHESTERFIELD}-neighbourhoods/items/{spital['lsoa21_code']}?f=json")
    assert item.status_code == 200
    body = item.get_json()
    assert body["properties"]["local_name"] == "Spital & Hasland"


def test_about_and_downloads_credit_the_names(client):
    for url in ("/about", "/downloads"):
        html = client.get(url).get_data(as_text=True)
        assert "https://www.parliament.uk/site-information/copyright/open-parliament-licence" in html, url
        assert "House of Commons Library MSOA Names" in html, url
    fields = visible_text(client.get("/downloads").get_data(as_text=True))
    assert "display_name" in fields and "ward_code" in fields and "ward_name" in fields


# --- coverage honesty: district postcodes outside the extract ---------------------------------------

def test_build_knows_the_district_coverage(chesterfield_ar):
    assert chesterfield_ar.district_coverage == [{"code": "E07000034", "name": "Chesterfield", "lsoas": 69,
                                                  "covered": 54}]
    assert len(chesterfield_ar.unmapped) == 15
    assert chesterfield_ar.unmapped_postcodes["S43 3PX"] in chesterfield_ar.unmapped
    # a postcode of a mapped neighbourhood is never listed as outside
    assert "S40 1LP" not in chesterfield_ar.unmapped_postcodes


def test_s43_3px_is_told_it_is_outside_the_mapped_part(client):
    api = client.get("/api/lookup?postcode=S43+3PX")
    assert api.status_code == 404
    body = api.get_json()
    assert body["outside"]["lad_name"] == "Chesterfield" and body["outside"]["covered"] == 54
    assert body["outside"]["display_name"].startswith("Staveley & Norbriggs")
    assert "letter or bill" not in body["error"] and "not mapped" in body["error"]
    page = client.get("/lookup?postcode=S43+3PX")
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "S43 3PX is a real postcode in Chesterfield, in the neighbourhood Staveley & Norbriggs" in text
    assert "it covers 54 of Chesterfield’s 69 neighbourhoods" in text and "letter or bill" not in text
    assert "The areas mapped here are: Chesterfield" in text
    # a postcode that does not exist keeps the old advice
    missing = visible_text(client.get("/lookup?postcode=ZZ99+9ZZ").get_data(as_text=True))
    assert "letter or bill" in missing and "not mapped" not in missing


def test_search_endpoint(client):
    def find(q):
        resp = client.get(f"/area/{CHESTERFIELD}/search.json", query_string={"q": q})
        assert resp.status_code == 200
        return resp.get_json()["results"]

    spital = find("Spital & Hasland")
    assert spital and all(h["label"].startswith("Spital & Hasland (Chesterfield 012") for h in spital)
    assert {h["kind"] for h in spital} == {"neighbourhood"}
    (pc,) = find("s40 1lp")
    assert pc["kind"] == "postcode" and pc["label"] == "S40 1LP" and pc["code"].startswith("E01")
    (out,) = find("S43 3PX")
    assert out["unmapped"] and out["detail"].startswith("not mapped")
    assert find("Brimington")[0]["label"].startswith(("Brimington", "New Whittington"))
    assert find("") == [] and find("qqqqzz") == []
    assert find("<script>") == []


def test_lookup_names_the_postcodes_neighbourhood(client, chesterfield_ar):
    html = client.get("/lookup?postcode=S40+1LP").get_data(as_text=True)
    nb = chesterfield_ar.neighbourhoods.set_index("lsoa21_code")
    pcs = pd.read_parquet(chesterfield_ar.dir / "postcodes.parquet").set_index("postcode")
    home = pcs.loc["S40 1LP", "lsoa21_code"]
    text = visible_text(html)
    assert f"In {nb.loc[home, 'display_name']}, {nb.loc[home, 'ward_name']} ward, Chesterfield." in text
    assert f'href="/area/{CHESTERFIELD}/neighbourhood/{home}"' in html
