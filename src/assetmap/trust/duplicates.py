"""Duplicates within a source and across curated sources, after the merge.

The merge (:mod:`assetmap.merging.merge`) matches each curated record against OSM and the lists
before it, but a list naming one place twice (the 2024 warm spaces list has "The Hub @ Low
Pavement" from two directories, 63 m apart) or two curated lists naming one place can still leave
two assets. Here every pair of assets that share a category, both from curated lists and within
``[trust] duplicate_m`` (150 m), is looked at:

- **merged** when their names are the same (similarity >= ``SAME_NAME``) and at most one is an OSM
  feature: the second folds into the first (sources, categories and the fields the first lacks),
  which keeps its id and lists the other's in ``merged_from``;
- **flagged** (``duplicate_of``: why, and how far apart) when the names are the same but the two
  stand up to twice ``duplicate_m`` apart ("Holistic Health Hub Derbyshire", 269 m), when the names
  are alike (>= ``ALIKE``) and so is the primary category, or when the two share a postcode and
  stand within ``SAME_POINT_M`` of each other under different names ("The Hollies" and "Tina
  Harris-Horner" at one point): a curator decides.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..merging.matching import NameModel

SAME_NAME = 0.95
ALIKE = 0.75
SAME_POINT_M = 15.0
FIELDS = ("name", "address", "postcode", "website", "phone", "email", "opening_hours", "description", "wheelchair")
SRC_COLUMN = {"name": "src_name", "address": "src_address", "postcode": "src_address", "opening_hours": "src_hours",
              "website": "src_contact", "phone": "src_contact", "email": "src_contact"}


def _curated(sources) -> bool:
    return any(not str(s).startswith("osm:") for s in (sources or []))


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _pairs(assets: gpd.GeoDataFrame, radius_m: float) -> list[tuple[int, int, float]]:
    """(i, j, distance) for assets i < j within ``radius_m`` sharing a category, both from curated lists."""
    if len(assets) < 2:
        return []
    xy = np.column_stack([assets.geometry.x, assets.geometry.y])
    cats = [set(c or []) for c in assets["categories"]]
    cur = [_curated(s) for s in assets["sources"]]
    out = []
    for i, j in sorted(cKDTree(xy).query_pairs(radius_m)):
        if cur[i] and cur[j] and cats[i] & cats[j]:
            out.append((i, j, float(np.hypot(*(xy[i] - xy[j])))))
    return out


def _fold(rows: list[dict], keep: int, gone: int) -> None:
    a, b = rows[keep], rows[gone]
    a["sources"] = list(dict.fromkeys(list(a["sources"]) + list(b["sources"])))
    a["categories"] = list(dict.fromkeys(list(a["categories"]) + list(b["categories"])))
    prov = dict(a.get("provenance") or {})
    for f in FIELDS:
        if _blank(a.get(f)) and not _blank(b.get(f)):
            a[f] = b[f]
            prov[f] = (b.get("provenance") or {}).get(f)
            col = SRC_COLUMN.get(f)
            if col and _blank(a.get(col)):
                a[col] = b.get(col)
    a["provenance"] = prov
    dates = [d for d in (a.get("last_verified"), b.get("last_verified")) if isinstance(d, str) and d]
    a["last_verified"] = max(dates) if dates else None
    a["merged_from"] = ";".join(x for x in (a.get("merged_from"), b["asset_id"], b.get("merged_from")) if x)


def find_duplicates(assets: gpd.GeoDataFrame, radius_m: float = 150.0) -> tuple[gpd.GeoDataFrame, dict]:
    """The assets with same-named duplicates merged (``merged_from``) and likely ones flagged
    (``duplicate_of``); and the report: pairs merged and flagged, with names and distances."""
    model = NameModel()
    rows = assets.to_dict("records")
    for r in rows:
        r.setdefault("merged_from", None)
        r["duplicate_of"] = None
    alive = list(range(len(rows)))
    merged, flagged = [], []
    owner = list(range(len(rows)))  # where each row went

    def root(i: int) -> int:
        while owner[i] != i:
            i = owner[i]
        return i

    for i, j, d in _pairs(assets, 2 * radius_m):
        i, j = root(i), root(j)
        if i == j:
            continue
        a, b = rows[i], rows[j]
        sim = model.similarity(a.get("name"), b.get("name")) if a.get("name") and b.get("name") else 0.0
        pair = {"a": a["asset_id"], "a_name": a.get("name"), "b": b["asset_id"], "b_name": b.get("name"),
                "distance_m": round(d, 1), "name_similarity": round(sim, 3)}
        both_osm = not _blank(a.get("osm_type")) and not _blank(b.get("osm_type"))
        if sim >= SAME_NAME and d <= radius_m and not both_osm:
            keep, gone = (j, i) if (_blank(a.get("osm_type")) and not _blank(b.get("osm_type"))) else (i, j)
            _fold(rows, keep, gone)
            owner[gone] = keep
            pair["kept"] = rows[keep]["asset_id"]
            pair["folded_source"] = str((rows[gone]["sources"] or [""])[0]).split(":", 1)[0]
            merged.append(pair)
            continue
        same_pc = d <= SAME_POINT_M and not _blank(a.get("postcode")) and a.get("postcode") == b.get("postcode")
        alike = sim >= ALIKE and d <= radius_m and a.get("category") == b.get("category")
        if sim >= SAME_NAME or alike or same_pc:
            why = "the same name" if sim >= SAME_NAME else "a similar name" if alike else "the same postcode and point"
            for x, y in ((a, b), (b, a)):
                note = f"possibly the same place as “{y.get('name') or y['asset_id']}” ({why}, {d:.0f} m apart)"
                x["duplicate_of"] = "; ".join(v for v in (x["duplicate_of"], note) if v)
            flagged.append(pair)
    alive = [i for i in alive if owner[i] == i]
    out = gpd.GeoDataFrame(pd.DataFrame([rows[i] for i in alive], columns=[*assets.columns, "merged_from",
                                                                            "duplicate_of"]),
                           geometry="geometry", crs=assets.crs)
    if "osm_id" in out:
        out["osm_id"] = out["osm_id"].astype("Int64")
    return out.reset_index(drop=True), {"merged": merged, "flagged": flagged, "radius_m": radius_m}


def recount_merge(merge_report: dict, assets: pd.DataFrame, merged: list[dict]) -> None:
    """The merge report's figures after the duplicates were merged, in place: a folded record counts as
    matched to a curated asset of its list, not new, and the totals are the final assets'."""
    for pair in merged:
        stats = merge_report.get("by_source", {}).get(pair.get("folded_source"))
        if stats:
            stats["new"] -= 1
            stats["matched_curated"] += 1
    has_osm = assets["osm_type"].notna() if "osm_type" in assets else pd.Series(False, index=assets.index)
    has_cur = assets["sources"].map(_curated)
    merge_report.update({"assets": int(len(assets)), "matched": int((has_osm & has_cur).sum()),
                         "osm_only": int((has_osm & ~has_cur).sum()), "curated_only": int((~has_osm).sum())})
