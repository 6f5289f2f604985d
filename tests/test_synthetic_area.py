"""A new area from configuration alone, end to end, on a tiny made-up area."""
import json

import geopandas as gpd
import pytest

from assetmap.build import build_area
from assetmap.config import load_area
from assetmap.errors import DataSourceError
from assetmap.outputs.read import AreaResults
from synthetic import EVIL_NAME, EVIL_SCRIPT, LSOAS, write_area


def test_builds_from_config_alone(synthtown):
    out, report, _ = synthtown
    n = report["neighbourhoods"]
    assert n["lsoas"] == 2 and n["with_deprivation"] == 2 and n["with_population"] == 2
    assert n["residents"] == 3500
    assert report["postcodes"]["in_neighbourhoods"] == 4  # the quality-90 row is dropped
    for f in ("assets.parquet", "neighbourhoods.parquet", "downloads/assets.geojson", "downloads/assets.csv",
              "downloads/assetmap-synthtown.gpkg", "report.json"):
        assert (out / f).exists(), f
    assert set(report["timings"]) >= {"osm", "neighbourhoods", "postcodes", "curated", "merge", "measures", "outputs", "total"}


def test_osm_nodes_ways_and_multipolygons_become_points_inside(synthtown):
    out, report, _ = synthtown
    a = gpd.read_parquet(out / "assets.parquet")
    osm = a[a.osm_type.notna()].set_index("asset_id")
    assert set(osm.index) == {"osm-node-1", "osm-way-100", "osm-relation-1000"}
    park_poly = LSOAS[1][2]  # the park fills most of the second LSOA
    assert park_poly.contains(osm.loc["osm-relation-1000"].geometry)
    assert osm.loc["osm-way-100"].category == "community_centre"
    assert report["osm"]["categories"] == {"library": 1, "community_centre": 1, "park": 1}


def test_merge_library_keeps_provenance_from_both(synthtown):
    out, report, _ = synthtown
    a = gpd.read_parquet(out / "assets.parquet").set_index("asset_id")
    lib = a.loc["osm-node-1"]
    assert lib.sources.split(";") == ["osm:node/1", "libraries:Synthshire Council / Synthtown"]
    prov = json.loads(lib.provenance)
    # the official list is authoritative for name and address ("Synthtown" + the list's name_suffix)
    assert prov["address"].startswith("libraries:") and lib.address == "1 High Street, Synthtown"
    assert lib["name"] == "Synthtown Library" and prov["name"].startswith("libraries:")
    assert prov["website"].startswith("libraries:")
    m = report["merge"]
    assert {k: m[k] for k in ("assets", "matched", "osm_only", "curated_only", "flagged_for_review")} == \
        {"assets": 5, "matched": 1, "osm_only": 2, "curated_only": 2, "flagged_for_review": 0}
    assert m["settings"]["radius_m"] == 250 and (out / m["review_file"]).exists()
    # per-field provenance, flat: the library list gave the name and address, OSM the location
    assert (lib.src_name, lib.src_address, lib.src_location) == ("libraries", "libraries", "osm")
    assert report["curated"]["libraries"]["kept_by_filters"] == 1  # the closed library is dropped


def test_curated_records_are_geocoded_or_reported(synthtown):
    _, report, _ = synthtown
    s = report["curated"]["suggestions"]
    assert s["rows"] == 4
    assert s["geocoded_by_postcode"] == 1 and s["located_by_coordinates"] == 1
    reasons = {x["reason"] for x in s["skipped_examples"]}
    assert any("unknown category 'unknown thing'" in r for r in reasons)
    assert "postcode ZZ9 9ZZ not found" in reasons


def test_measures(synthtown):
    out, _, _ = synthtown
    nb = gpd.read_parquet(out / "neighbourhoods.parquet").set_index("lsoa21_code")
    assert nb.loc["E01999901", "count_library"] == 1 and nb.loc["E01999902", "count_library"] == 0
    assert nb.loc["E01999901", "per1k_library"] == pytest.approx(1000 / 1500, abs=1e-3)
    assert nb.loc["E01999902", "count_park"] == 1
    # library at (300, 300); postcodes of LSOA A at (250, 250) and (750, 750)
    import math
    expect = (math.hypot(50, 50) + math.hypot(450, 450)) / 2
    assert nb.loc["E01999901", "dist_library_m"] == pytest.approx(expect, abs=1)
    assert nb.loc["E01999901", "imd_decile"] == 1 and nb.loc["E01999902", "imd_decile"] == 10
    assert nb.loc["E01999901", "n_postcodes"] == 2


def test_hostile_text_is_stored_verbatim(synthtown):
    out, _, _ = synthtown
    names = set(gpd.read_parquet(out / "assets.parquet")["name"])
    assert EVIL_NAME in names and EVIL_SCRIPT in names  # stored as data; pages escape it


def test_results_lookup_and_downloads(synthtown):
    out, _, _ = synthtown
    ar = AreaResults(out)
    found = ar.lookup("zz1 1aa", limit=3)
    assert found.postcode == "ZZ1 1AA"
    first = found.results[0]
    assert first["name"] == "Synthtown Library" and first["straight_m"] == 71
    # on foot: 250 m up to High Street (y = 500), 50 m along it, 200 m down to the library
    assert first["walk_m"] == 500 and first["walk_minutes"] == 6 and first["walk_minutes_reduced"] == 10
    only = json.loads(ar.assets_geojson(category="park"))
    assert [f["properties"]["name"] for f in only["features"]] == ["Synth Park"]
    lon, lat = only["features"][0]["geometry"]["coordinates"]
    assert -2 < lon < 0 and 52 < lat < 53  # RFC 7946: lon, lat order
    with pytest.raises(ValueError, match="unknown category"):
        ar.assets_geojson(category="nope")


def test_failed_build_keeps_previous(tmp_path):
    cfg_path = write_area(tmp_path, evil=False)
    out = tmp_path / "build" / "synthtown"
    build_area(load_area(cfg_path), out, echo=lambda m: None)
    before = (out / "report.json").read_text()
    (tmp_path / "raw" / "census.csv").write_text("code,people\nE01999901,1\n")
    with pytest.raises(DataSourceError, match="total_residents"):
        build_area(load_area(cfg_path), out, echo=lambda m: None)
    assert (out / "report.json").read_text() == before
