"""Acceptance figures of the real Chesterfield build (../shared/data/raw)."""
import json

import geopandas as gpd
import pandas as pd
import pytest

DOMAINS = ["imd", "income", "employment", "education", "health", "crime", "housing", "environment"]


def test_neighbourhoods(chesterfield):
    out, r = chesterfield
    n = r["neighbourhoods"]
    assert n["lsoas"] == 58 and n["by_lad"] == {"E07000034": 54, "E07000038": 4}
    assert n["with_deprivation"] >= 54 and n["with_population"] >= 54
    assert n["named_lads"]["E07000034"] == {"lsoas": 69, "covered": 54, "name": "Chesterfield"}
    assert len(n["not_covered"]) == 15  # reported, not silently dropped
    assert n["imd_deciles"] == {"1": 4, "2": 6, "3": 16, "4": 5, "5": 2, "6": 5, "7": 4, "8": 2, "9": 5, "10": 9}
    nb = gpd.read_parquet(out / "neighbourhoods.parquet")
    for d in DOMAINS:
        for m in ("score", "rank", "decile"):
            assert nb[f"{d}_{m}"].notna().all(), f"{d}_{m}"
    assert nb["residents"].gt(0).all() and nb["households"].gt(0).all()
    assert nb["imd_rank"].between(1, 33755).all()


def test_osm_categories(chesterfield):
    _, r = chesterfield
    cats = r["osm"]["categories"]
    assert len(cats) >= 8
    for c in ("community_centre", "place_of_worship", "pharmacy", "gp", "park"):
        assert cats.get(c, 0) > 0, c
    # SOURCES.md counts: 46 places of worship, 13 pharmacies, 12 doctors in the extract
    assert cats["place_of_worship"] == 46 and cats["pharmacy"] == 13 and cats["gp"] == 12


def test_curated_lists_geocoded_and_matched(chesterfield):
    _, r = chesterfield
    cur = r["curated"]
    # SOURCES.md: 5 open libraries and 9 active GP practices in Chesterfield LAD; plus neighbours in the extract
    assert cur["libraries"]["in_area"] >= 5 and cur["libraries"]["in_area_geocoded_by_postcode"] == cur["libraries"]["in_area"]
    assert cur["gp_practices"]["in_area"] >= 9
    assert "warm_spaces" not in cur and cur["warm_spaces_2026"]["in_area"] >= 60  # the August 2026 tiles (65)
    assert cur["foodbanks"]["in_area"] >= 1
    for name, s in cur.items():
        assert s["matched_osm"] + s["matched_curated"] + s["new"] == s["in_area"], name
    m = r["merge"]
    assert m["matched"] + m["osm_only"] + m["curated_only"] == m["assets"] == r["assets"]["total"]
    assert m["matched"] >= 10


def test_chesterfield_library_is_one_asset_with_two_sources(chesterfield):
    out, _ = chesterfield
    a = gpd.read_parquet(out / "assets.parquet")
    lib = a[a["name"] == "Chesterfield Library"]
    assert len(lib) == 1
    sources = lib.iloc[0]["sources"].split(";")
    assert any(s.startswith("osm:") for s in sources) and any(s.startswith("libraries:") for s in sources)
    assert json.loads(lib.iloc[0]["provenance"])["postcode"].startswith("libraries:")


def test_measures_are_aligned_and_plausible(chesterfield):
    out, r = chesterfield
    nb = gpd.read_parquet(out / "neighbourhoods.parquet")
    assert r["neighbourhoods"]["with_postcodes"] == 58
    # every LSOA is within a few km of a GP, in a 10 x 9 km extract
    assert nb["dist_gp_m"].between(0, 4000).all()
    a = gpd.read_parquet(out / "assets.parquet")
    inside = a[a["lsoa21_code"].isin(nb["lsoa21_code"])]
    pow_inside = inside["categories"].str.split(";").map(lambda c: "place_of_worship" in c).sum()
    assert nb["count_place_of_worship"].sum() == pow_inside >= 25
    s = (nb["count_gp"] / nb["residents"].astype(float) * 1000).round(3)
    pd.testing.assert_series_equal(s, nb["per1k_gp"], check_names=False)


def test_outputs_and_timings(chesterfield):
    out, r = chesterfield
    for f in ("assets.parquet", "neighbourhoods.parquet", "downloads/assets.geojson",
              "downloads/neighbourhoods.geojson", "downloads/assetmap-chesterfield.gpkg"):
        assert (out / f).stat().st_size > 1000, f
    import pyogrio
    assert {name for name, _ in pyogrio.list_layers(out / "downloads/assetmap-chesterfield.gpkg")} == {"assets", "neighbourhoods"}
    t = r["timings"]
    assert set(t) >= {"osm", "neighbourhoods", "postcodes", "curated", "merge", "measures", "outputs", "total"}
    assert t["total"] < 60
    gj = json.loads((out / "downloads/assets.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and "crs" not in gj
    lon, lat = gj["features"][0]["geometry"]["coordinates"]
    assert -1.6 < lon < -1.3 and 53.1 < lat < 53.35


@pytest.mark.slow
def test_rutland_from_config_alone(tmp_path, data_root):
    from assetmap.build import build_area
    from assetmap.config import load_area

    r = build_area(load_area("rutland", data_root), tmp_path / "rutland", echo=lambda m: None)
    assert r["neighbourhoods"]["lsoas"] == 26 and r["neighbourhoods"]["with_deprivation"] == 26
    assert r["curated"]["libraries"]["inside_coverage"] == 4 and r["curated"]["foodbanks"]["inside_coverage"] == 1
    assert r["osm"]["categories"]["place_of_worship"] >= 60


@pytest.mark.slow
def test_leeds_centre_from_gdal_layers(tmp_path, data_root):
    """An extract published as GDAL/osmextract layers in a GPKG, cut to a circle."""
    from assetmap.build import build_area
    from assetmap.config import load_area

    r = build_area(load_area("leeds-centre", data_root), tmp_path / "leeds", echo=lambda m: None)
    assert 40 <= r["neighbourhoods"]["lsoas"] <= 57  # the 57 bbox LSOAs, less the circle's corners
    assert r["osm"]["categories"]["pharmacy"] >= 20 and r["osm"]["categories"]["library"] >= 4
