"""Duplicates within a source and across curated sources (assetmap.trust.duplicates), on the real
cases: the 2024 warm spaces list in the Chesterfield build and the August 2026 tiles."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd

from assetmap.outputs.write import unflatten
from assetmap.trust.duplicates import find_duplicates

TILES = ("warm-spaces-openinnovations/tiles-2026-08-17/10/507/332.geojson",
         "warm-spaces-openinnovations/tiles-2026-08-17/10/508/332.geojson")
_PC = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})\b")


def _assets(chesterfield) -> gpd.GeoDataFrame:
    out, _ = chesterfield
    a = gpd.read_parquet(out / "assets.parquet")
    return gpd.GeoDataFrame(unflatten(a), geometry="geometry", crs=a.crs)


def test_the_same_warm_space_twice_is_merged_once(chesterfield_2024):
    assets = _assets(chesterfield_2024)
    _, report = chesterfield_2024
    for name in ("The Hub @ Low Pavement", "Holme Hall Edge Centre", "The Haven", "The Hollies"):
        rows = assets[assets["name"] == name]
        assert len(rows) == 1, name
        r = rows.iloc[0]
        assert len([s for s in r["sources"] if s.startswith("warm_spaces:")]) == 2, name
        assert r["merged_from"].startswith("cur-warm_spaces-"), name
    hub = assets[assets["name"] == "The Hub @ Low Pavement"].iloc[0]
    assert hub["postcode"] == "S40 1PA" and hub["opening_hours"]  # the fields of both records kept
    dups = report["trust"]["duplicates"]
    assert dups["merged"] == 4 and report["assets"]["total"] == report["merge"]["assets"]  # recounted


def test_likely_duplicates_are_flagged_not_merged(chesterfield_2024):
    assets = _assets(chesterfield_2024)
    hub = assets[assets["name"] == "Holistic Health Hub Derbyshire"]
    assert len(hub) == 2  # the same name 269 m apart: a curator decides
    assert all("the same name, 269 m apart" in d for d in hub["duplicate_of"])
    tina = assets[assets["name"] == "Tina Harris-Horner"].iloc[0]
    assert "possibly the same place as “The Hollies” (the same postcode and point" in tina["duplicate_of"]
    # two different places that host warm spaces are not taken for one
    assert pd.isna(assets[assets["name"] == "Loundsley Green Community Centre"].iloc[0]["duplicate_of"])


def test_duplicates_within_the_2026_tiles(data_root):
    rows = []
    for tile in TILES:
        for i, f in enumerate(json.loads((data_root / tile).read_text(encoding="utf-8"))["features"]):
            p = f["properties"]
            pc = _PC.search((p.get("address") or "").upper())
            rows.append({"asset_id": f"{tile[-14:-8]}-{i}", "name": p.get("title"), "category": "warm_space",
                         "categories": ["warm_space"], "sources": [f"warm_spaces_2026:{tile[-14:-8]}-{i}"],
                         "osm_type": None, "postcode": pc.group(1) if pc else None,
                         "opening_hours": (p.get("hours") or {}).get("opening"), "address": p.get("address"),
                         "provenance": {}, "last_verified": "2026-08-17",
                         "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]})
    df = pd.DataFrame(rows)
    tiles = gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df.lon, df.lat),
                             crs="EPSG:4326").to_crs(27700)
    out, report = find_duplicates(tiles, 150.0)
    merged = {(p["a_name"], p["b_name"], p["distance_m"]) for p in report["merged"]}
    # Holme Hall Edge Centre: twice in one tile, 4 m apart
    assert any(a == b == "Holme Hall Edge Centre" and d < 10 for a, b, d in merged), merged
    assert (out["name"] == "Holme Hall Edge Centre").sum() == 1
    flagged = {frozenset((p["a_name"], p["b_name"])) for p in report["flagged"]}
    assert frozenset(("The Hollies", "Tina Harris-Horner")) in flagged
