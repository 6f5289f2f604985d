"""First neighbourhood measures: assets per category, per 1,000 residents, and straight-line
distance to the nearest asset of each category.

Distances follow AHAH: measured from every postcode in the LSOA (Code-Point Open points, which
sit where people live) and averaged, so an LSOA's value reflects its residents rather than its
geometric centre. An LSOA without a postcode point falls back to its representative point.
Assets anywhere in the extract count, including just outside the neighbourhoods, so the edge
of the area does not inflate distances. Walking distance on the street network comes later.
All functions return frames aligned on the neighbourhoods' index.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree


def assign_lsoa(points: gpd.GeoSeries, lsoas: gpd.GeoDataFrame) -> pd.Series:
    """LSOA21 code of the polygon containing each point (None outside), aligned on ``points``."""
    j = gpd.sjoin(gpd.GeoDataFrame(geometry=points, crs=points.crs), lsoas[["lsoa21_code", "geometry"]],
                  how="left", predicate="within")
    j = j[~j.index.duplicated(keep="first")]
    return j["lsoa21_code"].reindex(points.index).astype(object).where(lambda s: s.notna(), None)


def category_counts(assets: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, categories) -> pd.DataFrame:
    """``count_<category>``: assets in each LSOA that belong to the category (primary or not)."""
    ex = assets[["lsoa21_code", "categories"]].explode("categories")
    ex = ex[ex["lsoa21_code"].notna()]
    table = pd.crosstab(ex["lsoa21_code"], ex["categories"]) if len(ex) else pd.DataFrame()
    out = pd.DataFrame(index=lsoas.index)
    for c in categories:
        col = table[c] if c in table.columns else pd.Series(dtype="int64")
        out[f"count_{c}"] = lsoas["lsoa21_code"].map(col).fillna(0).astype("int64").values
    return out


def per_thousand(counts: pd.DataFrame, residents: pd.Series) -> pd.DataFrame:
    res = pd.to_numeric(residents, errors="coerce").astype("float64").replace(0, np.nan)
    out = counts.div(res, axis=0) * 1000.0
    out.columns = [c.replace("count_", "per1k_", 1) for c in counts.columns]
    return out.round(3)


def nearest_distances(assets: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame, origins: pd.DataFrame,
                      categories) -> pd.DataFrame:
    """``dist_<category>_m``: mean over each LSOA's origins of the straight-line distance (m) to
    the nearest asset of the category. ``origins`` has x, y (EPSG:27700) and lsoa21_code.
    One KD-tree per category: O((A + P) log A)."""
    orig = origins[origins["lsoa21_code"].isin(set(lsoas["lsoa21_code"]))]
    missing = lsoas.loc[~lsoas["lsoa21_code"].isin(set(orig["lsoa21_code"]))]
    if len(missing):
        rp = missing.geometry.representative_point()
        orig = pd.concat([orig[["x", "y", "lsoa21_code"]],
                          pd.DataFrame({"x": rp.x.values, "y": rp.y.values,
                                        "lsoa21_code": missing["lsoa21_code"].values})],
                         ignore_index=True)
    xy = orig[["x", "y"]].to_numpy()
    ax = assets.geometry.x.to_numpy()
    ay = assets.geometry.y.to_numpy()
    member = assets["categories"]
    out = pd.DataFrame(index=lsoas.index)
    for c in categories:
        mask = np.fromiter((c in cs for cs in member), dtype=bool, count=len(member))
        if not mask.any():
            out[f"dist_{c}_m"] = np.nan
            continue
        d, _ = cKDTree(np.column_stack([ax[mask], ay[mask]])).query(xy)
        mean = pd.Series(d, index=orig.index).groupby(orig["lsoa21_code"].values).mean()
        out[f"dist_{c}_m"] = lsoas["lsoa21_code"].map(mean).round(0).values
    return out


def origin_counts(origins: pd.DataFrame, lsoas: gpd.GeoDataFrame) -> pd.Series:
    n = origins["lsoa21_code"].value_counts()
    return lsoas["lsoa21_code"].map(n).fillna(0).astype("int64").rename("n_postcodes")
