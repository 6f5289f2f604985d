"""Refresh: an area rebuilt from the inputs its last full build kept, plus assets from elsewhere
(the registry), in seconds — with results identical to the full build when nothing changed."""
from __future__ import annotations

import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from assetmap.build import refresh_area
from assetmap.config import load_area
from assetmap.curated import CURATED_COLUMNS
from assetmap.errors import BuildError
from assetmap.results import AreaResults


def _records(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame([{c: r.get(c) for c in CURATED_COLUMNS if c != "geometry"} for r in rows])
    return gpd.GeoDataFrame(frame, geometry=[Point(r["x"], r["y"]) for r in rows], crs="EPSG:27700")


@pytest.fixture()
def kept(chesterfield, tmp_path, data_root):
    out, report = chesterfield
    copy = tmp_path / "chesterfield"
    shutil.copytree(out, copy)
    return load_area("chesterfield", data_root), copy, report


def test_a_refresh_without_changes_reproduces_the_full_build(kept):
    cfg, out, report = kept
    before = {n: pd.read_parquet(out / n) for n in ("assets.parquet", "neighbourhoods.parquet", "access.parquet")}
    again = refresh_area(cfg, out, {}, echo=lambda m: None)
    assert again["refresh"] is True and "osm" not in again["timings"] and "postcodes" not in again["timings"]
    for name, frame in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), frame, obj=name)
    for key in ("merge", "assets", "neighbourhoods", "postcodes"):
        assert again[key] == report[key], key
    assert {**again["walking"], "timings": None} == {**report["walking"], "timings": None}


def test_a_registry_asset_appears_after_a_refresh(kept):
    cfg, out, _ = kept
    x, y = AreaResults(out).postcode_xy("S40 1LP")
    row = {"source": "registry", "source_id": "r-1", "category": "timebank", "name": "Spire Timebank <b>",
           "postcode": "S40 1LP", "located_by": "coordinates", "x": x + 40, "y": y}
    report = refresh_area(cfg, out, {"registry": (_records([row]), True)}, echo=lambda m: None)
    assert report["curated"]["registry"]["in_area"] == 1
    ar = AreaResults(out)
    mine = ar.assets[ar.assets["name"] == "Spire Timebank <b>"]
    assert len(mine) == 1 and mine.iloc[0]["category"] == "timebank"
    found = ar.lookup("S40 1LP", limit=1, category="timebank")
    assert found.results[0]["name"] == "Spire Timebank <b>" and found.results[0]["walk_m"] < 200


def test_refresh_without_kept_inputs_names_the_fix(tmp_path, data_root):
    with pytest.raises(BuildError, match="run a full 'assetmap build'"):
        refresh_area(load_area("chesterfield", data_root), tmp_path / "chesterfield", {}, echo=lambda m: None)
