"""Data users: the data dictionary covers every column of every download (from one library
definition), each download states its licence inside the file (GeoJSON members, GeoPackage
metadata) or beside it (LICENCE.txt for the CSV files) and on the downloads page, and /api is
linked from every page's footer and from the downloads page."""
from __future__ import annotations

import csv
import io
import json

import pytest

from app_fixtures import CHESTERFIELD
from assetmap.outputs.dictionary import (
    DOWNLOAD_KINDS,
    UndescribedColumn,
    describe,
    download_columns,
    gpkg_columns,
)


def _dictionary(client) -> list[dict]:
    r = client.get(f"/download/{CHESTERFIELD}/dictionary.csv")
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def test_dictionary_covers_every_column_of_every_download(client, chesterfield_ar):
    rows = _dictionary(client)
    described = {(r["download"], r["column"]) for r in rows}
    assert all(r["meaning"] and r["type"] and r["source"] for r in rows)
    dl = chesterfield_ar.dir / "downloads"
    checked = 0
    for name in DOWNLOAD_KINDS:
        if (dl / name).exists():
            cols = download_columns(dl / name)
            missing = [c for c in cols if (name, c) not in described]
            assert not missing, f"{name}: {missing[:5]} not in the data dictionary"
            checked += len(cols)
    gpkg = dl / f"assetmap-{CHESTERFIELD}.gpkg"
    for layer, cols in gpkg_columns(gpkg).items():
        assert all((f"{gpkg.name} ({layer})", c) in described for c in cols)
        checked += len(cols)
    assert checked >= 900  # ~415 neighbourhood columns in each of three files, and the rest
    assert len([c for d, c in described if d == "neighbourhoods.csv"]) >= 400
    units = {r["column"]: r["unit"] for r in rows if r["download"] == "neighbourhoods.csv"}
    assert units["walk_warm_space_min"] == "minutes" and units["walk_warm_space_m"] == "metres"
    assert not list(dl.glob("*.aux.xml"))


def test_an_undescribed_column_is_an_error_naming_the_fix():
    with pytest.raises(UndescribedColumn, match="NEIGHBOURHOODS_RULES"):
        describe("mystery_column", "neighbourhoods")
    assert describe("walk_warm_space_min", "neighbourhoods", {"warm_space": "Warm space"})["meaning"].endswith(
        "nearest Warm space at the walking speed.")


def test_dictionary_json_states_each_downloads_licence(client):
    data = client.get(f"/download/{CHESTERFIELD}/dictionary.json").get_json()
    assert len(data["columns"]) == len(_dictionary(client))
    for name in ("assets.csv", "neighbourhoods.geojson", f"assetmap-{CHESTERFIELD}.gpkg"):
        lic = data["licences"][name]
        assert lic["licence"].startswith("Open Database Licence") and lic["share_alike"]
    assert "warm_spaces_2026: No licence stated" in data["licences"]["assets.csv"]["also"]


def test_licence_inside_geojson_and_geopackage_and_beside_csv(client, chesterfield_ar):
    for name in ("assets.geojson", "neighbourhoods.geojson"):
        fc = json.loads(client.get(f"/download/{CHESTERFIELD}/{name}").data)
        assert fc["licence"].startswith("Open Database Licence") and "© OpenStreetMap contributors" in fc["attribution"][0]
    one = json.loads(client.get(f"/download/{CHESTERFIELD}/assets.geojson?category=library").data)
    assert one["licence"].startswith("Open Database Licence")
    import pyogrio

    meta = pyogrio.read_info(chesterfield_ar.dir / "downloads" / f"assetmap-{CHESTERFIELD}.gpkg",
                             layer="assets")["dataset_metadata"]
    assert meta["LICENCE"].startswith("Open Database Licence") and "Give Food" in meta["ATTRIBUTION"]
    (chesterfield_ar.dir / "downloads" / f"assetmap-{CHESTERFIELD}.gpkg.aux.xml").unlink(missing_ok=True)
    text = client.get(f"/download/{CHESTERFIELD}/LICENCE.txt").get_data(as_text=True)
    assert "assets.csv" in text and "share it under the ODbL" in text and "its own terms" in text


def test_downloads_page_states_licences_and_links_the_api(client):
    html = client.get("/downloads").get_data(as_text=True)
    assert "free to reuse" not in html
    assert html.count('class="small licence-line"') >= 5 and 'href="/api"' in html
    assert "dictionary.csv" in html and "LICENCE.txt" in html
    for page in ("/", "/lookup", "/about"):
        assert 'href="/api"' in client.get(page).get_data(as_text=True)
    api = client.get("/api").get_data(as_text=True)
    assert "Open Database Licence" in api and "no licence stated" not in api.split("api-licences")[0]


def test_lookup_json_states_the_licence(client):
    body = client.get("/api/lookup?postcode=S40+1LP&limit=1").get_json()
    assert body["licence"].startswith("Open Database Licence") and "warm_spaces" in body["licence_note"]
