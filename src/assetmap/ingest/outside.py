"""The part of an area's districts its OpenStreetMap extract does not cover, said honestly.

An area names its local authority districts (``lads``); its extract may cover only part of them
(the Chesterfield demo extract is a box around the town: 54 of the district's 69 LSOAs). The
neighbourhood stage keeps the districts' LSOAs it leaves out; here the build finds the Code-Point
Open postcodes inside them, so a lookup of such a postcode can say "this is in the district, but
outside the mapped part" rather than "we could not find it". The web app reads the results
(``unmapped.geojson``, ``unmapped_postcodes.parquet``) once at load.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ..constants import BNG

UNMAPPED_COLUMNS = ["lsoa21_code", "lsoa21_name", "display_name", "local_name", "ward_name", "lad_code",
                    "lad_name", "covered_share"]


def postcodes_inside(postcodes: pd.DataFrame, lsoas: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """The postcodes (postcode, x, y in EPSG:27700) inside ``lsoas``: postcode and lsoa21_code."""
    cols = ["postcode", "lsoa21_code"]
    if lsoas is None or len(lsoas) == 0 or len(postcodes) == 0:
        return pd.DataFrame(columns=cols)
    minx, miny, maxx, maxy = lsoas.to_crs(BNG).total_bounds
    near = postcodes[postcodes["x"].between(minx, maxx) & postcodes["y"].between(miny, maxy)]
    pts = gpd.GeoDataFrame({"postcode": near["postcode"].to_numpy()},
                           geometry=gpd.points_from_xy(near["x"], near["y"]), crs=BNG)
    hit = gpd.sjoin(pts, lsoas.to_crs(BNG)[["lsoa21_code", "geometry"]], predicate="within", how="inner")
    return pd.DataFrame(hit[cols]).drop_duplicates("postcode").sort_values("postcode").reset_index(drop=True)


def unmapped_summary(lsoas: gpd.GeoDataFrame | None, postcodes: pd.DataFrame | None) -> dict:
    """For report.json: how many of the districts' LSOAs and postcodes lie outside the mapped part."""
    n = 0 if lsoas is None else len(lsoas)
    return {"lsoas": int(n), "postcodes": int(0 if postcodes is None else len(postcodes)),
            "file": "unmapped.geojson", "postcodes_file": "unmapped_postcodes.parquet"}
