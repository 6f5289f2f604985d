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
from assetmap.errors import BuildError
from assetmap.ingest.curated import CURATED_COLUMNS
from assetmap.outputs.read import AreaResults


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
    tiles = (out / "basemap.pmtiles").read_bytes()
    again = refresh_area(cfg, out, {}, echo=lambda m: None)
    # the base map is the extract's, which a refresh does not read: the build's tiles are kept
    assert (out / "basemap.pmtiles").read_bytes() == tiles and again["basemap"] == report["basemap"]
    assert again["timings"]["basemap"] < 1
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


def test_publishing_registry_assets_without_a_rebuild(kept, registry_url, tmp_path):
    """Import into the registry (either backend), publish: the asset is in the lookup, the map data
    and the downloads, with its own last-verified date; hide it and publish: it is gone again."""
    from sqlalchemy import select

    from assetmap.registry.assets import set_status
    from assetmap.registry.db import make_engine, session_factory, upgrade
    from assetmap.registry.importer import import_file
    from assetmap.registry.models import CuratedAsset
    from assetmap.registry.publish import publish_area

    cfg, out, _ = kept
    engine = make_engine(registry_url)
    upgrade(engine)
    lat, lon = 53.2352, -1.4230  # beside S40 1LP
    (tmp_path / "club.csv").write_text(
        "id,name,category,postcode,lat,lon,last_verified\n"
        f'c1,"Spire Lunch Club <script>x</script>",lunch_club,S40 1LP,{lat},{lon},2026-10-02\n')
    rep = import_file(engine, tmp_path / "club.csv", "spire-council")
    assert rep.counts["accepted"] == 1, [r.reasons for r in rep.rejected]
    report = publish_area(cfg, out.parent, engine)
    assert report["refresh"] and report["curated"]["registry:spire-council"]["in_area"] == 1
    ar = AreaResults(out)
    mine = ar.assets[ar.assets["name"] == "Spire Lunch Club <script>x</script>"]
    assert len(mine) == 1 and mine.iloc[0]["last_verified"] == "2026-10-02"
    assert ar.lookup("S40 1LP", limit=1, category="lunch_club").results[0]["name"].startswith("Spire Lunch Club")
    assert "Spire Lunch Club" in ar.assets_geojson(category="lunch_club")
    with session_factory(engine)() as s:
        asset = s.scalars(select(CuratedAsset)).one()
        set_status(s, asset.id, "hidden", who="test")
        s.commit()
    publish_area(cfg, out.parent, engine)
    assert not AreaResults(out).assets["name"].eq("Spire Lunch Club <script>x</script>").any()
    engine.dispose()
