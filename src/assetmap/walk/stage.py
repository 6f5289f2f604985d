"""The walking-access stage of the build: snap, search, aggregate (AHAH-style, on foot).

Origins are the area's Code-Point Open postcodes (plus a representative point for any LSOA that
has none); an LSOA's access to a group is the mean over its postcodes of the walk to the nearest
asset of that group. Groups are every taxonomy category and every family. Results:

* per origin: ``walk_<group>_m`` and ``nearest_<group>`` (asset id), for the lookup and scenarios;
* per LSOA: ``walk_<group>_m``, ``walk_<group>_min`` at the walking speed and
  ``walk_<group>_min_rm`` at the reduced-mobility speed, aligned on the neighbourhoods;
* the lookup table: for every postcode, the assets within ``lookup_radius_m`` on foot (the
  ``lookup_k`` nearest overall and the ``lookup_k_category`` nearest of each category), plus the
  nearest of each category wherever it is; all precomputed, so the app never searches a graph.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from ..config import ComputeSettings, WalkSettings
from ..taxonomy import Taxonomy
from .access import AccessEngine, group_members, metres_per_minute
from .cells import within_cells
from .network import WalkNetwork
from .snapping import Snapper

FAMILY_PREFIX = "family_"


def lsoa_origins(postcodes: pd.DataFrame, lsoas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Postcodes (x, y, lsoa21_code) plus a representative point for each LSOA without one;
    column ``postcode`` is None for those stand-ins."""
    pc = postcodes[["postcode", "x", "y", "lsoa21_code"]]
    missing = lsoas.loc[~lsoas["lsoa21_code"].isin(set(pc["lsoa21_code"].dropna()))]
    if not len(missing):
        return pc.reset_index(drop=True)
    rp = missing.geometry.representative_point()
    extra = pd.DataFrame({"postcode": None, "x": rp.x.values, "y": rp.y.values,
                          "lsoa21_code": missing["lsoa21_code"].values})
    return pd.concat([pc, extra], ignore_index=True)


def access_groups(tx: Taxonomy) -> dict[str, set]:
    """Every category (itself) and every family (``family_<key>``: all its categories)."""
    groups = {c: {c} for c in tx.categories}
    for fam in tx.families:
        groups[FAMILY_PREFIX + fam] = {c for c, cat in tx.categories.items() if cat.family == fam}
    return groups


@dataclass
class WalkResult:
    origins: pd.DataFrame  # one row per origin: postcode, x, y, lsoa21_code, snap_m, walk_<g>_m, nearest_<g>
    lsoa: pd.DataFrame  # aligned on the neighbourhoods: walk_<g>_m, walk_<g>_min, walk_<g>_min_rm
    lookup: pd.DataFrame  # postcode, asset_id, walk_m (sorted by postcode origin, then walk_m)
    report: dict = field(default_factory=dict)
    pairs: pd.DataFrame | None = None  # origin, asset (row indices), walk_m: every pair within the radius


def walking_access(net: WalkNetwork, assets: gpd.GeoDataFrame, postcodes: pd.DataFrame,
                   lsoas: gpd.GeoDataFrame, tx: Taxonomy, settings: WalkSettings,
                   pairs_radius_m: float = 0.0, compute: ComputeSettings | None = None, log=None) -> WalkResult:
    """Walking access for every origin; ``pairs_radius_m`` widens the kept origin–asset pairs
    (``WalkResult.pairs``) beyond the lookup's radius, e.g. for floating catchments. The bounded
    searches for those pairs run per grid cell where ``compute`` says (:mod:`assetmap.walk.cells`)."""
    t = {}
    t0 = time.perf_counter()
    origins = lsoa_origins(postcodes, lsoas)
    snapper = Snapper(net)
    o_snap = snapper.snap(origins["x"].to_numpy(), origins["y"].to_numpy())
    a_snap = snapper.snap(assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy())
    engine = AccessEngine.contracted(net, o_snap, a_snap)
    t["snap"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ids = assets["asset_id"].to_numpy(dtype=object)
    cats = [list(c) for c in assets["categories"]]
    groups = access_groups(tx)
    masks = group_members(cats, groups)
    per_origin = {"snap_m": np.round(o_snap.leg, 1).astype(np.float32)}
    nearest_cat = {}
    for g, mask in masks.items():
        res = engine.nearest(mask)
        per_origin[f"walk_{g}_m"] = np.round(res.dist, 1).astype(np.float32)
        per_origin[f"nearest_{g}"] = np.where(res.asset >= 0, ids[np.maximum(res.asset, 0)], None)
        if g in tx.categories:
            nearest_cat[g] = res
    t["nearest"] = time.perf_counter() - t0
    origins = pd.concat([origins, pd.DataFrame(per_origin)], axis=1)

    t0 = time.perf_counter()
    lsoa = lsoa_means(origins, lsoas, groups, settings)
    t["aggregate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    is_pc = origins["postcode"].notna().to_numpy()
    compute = compute or ComputeSettings()
    cells: dict = {}
    a_xy = np.column_stack([assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()])
    within = within_cells(engine, max(settings.lookup_radius_m, pairs_radius_m), a_xy, compute, log=log, stats=cells)
    pairs = lookup_table(within[within["walk_m"] <= settings.lookup_radius_m], cats, nearest_cat, is_pc, settings)
    lookup = pd.DataFrame({"postcode": origins["postcode"].to_numpy(dtype=object)[pairs["origin"].to_numpy()],
                           "asset_id": ids[pairs["asset"].to_numpy()], "walk_m": pairs["walk_m"].to_numpy()})
    t["lookup"] = time.perf_counter() - t0

    far = o_snap.leg > settings.snap_warn_m
    a_far = a_snap.leg > settings.snap_warn_m
    report = {
        "speed_kmh": settings.speed_kmh, "reduced_mobility_kmh": settings.reduced_kmh,
        "origins": int(len(origins)), "postcode_origins": int(is_pc.sum()),
        "lsoa_stand_in_origins": int((~is_pc).sum()),
        "snap": {
            "to": "nearest segment of the main component (edge snapping; the snap leg is walked)",
            "warn_m": settings.snap_warn_m,
            "origins_median_m": round(float(np.median(o_snap.leg)), 1) if len(o_snap) else None,
            "origins_p95_m": round(float(np.percentile(o_snap.leg, 95)), 1) if len(o_snap) else None,
            "origins_beyond_warn": int(far.sum()),
            "origins_beyond_warn_in_lsoas": int((far & origins["lsoa21_code"].notna().to_numpy()).sum()),
            "origins_beyond_warn_examples": origins.loc[far, "postcode"].dropna().head(10).tolist(),
            "assets_median_m": round(float(np.median(a_snap.leg)), 1) if len(a_snap) else None,
            "assets_beyond_warn": int(a_far.sum()),
            "assets_beyond_warn_examples": [str(i) for i in ids[a_far][:10]],
        },
        "lookup": {"radius_m": settings.lookup_radius_m, "k": settings.lookup_k,
                   "k_category": settings.lookup_k_category, "pairs": int(len(lookup)),
                   "cell_km": compute.cell_km, "cells": cells.get("cells", 0)},
        "timings": {k: round(v, 3) for k, v in t.items()},
    }
    return WalkResult(origins, lsoa, lookup, report, within)


def lsoa_means(origins: pd.DataFrame, lsoas: gpd.GeoDataFrame, groups, settings: WalkSettings) -> pd.DataFrame:
    """Mean over each LSOA's origins of each group's walk, in metres and minutes (both speeds)."""
    inside = origins[origins["lsoa21_code"].isin(set(lsoas["lsoa21_code"]))]
    cols = [f"walk_{g}_m" for g in groups]
    means = inside[cols].astype(np.float64).replace([np.inf], np.nan).groupby(inside["lsoa21_code"]).mean()
    means = means.reindex(lsoas["lsoa21_code"].to_numpy())
    fast, slow = metres_per_minute(settings.speed_kmh), metres_per_minute(settings.reduced_kmh)
    out = {}
    for g in groups:
        m = means[f"walk_{g}_m"].to_numpy()
        out[f"walk_{g}_m"] = np.round(m, 0)
        out[f"walk_{g}_min"] = np.round(m / fast, 1)
        out[f"walk_{g}_min_rm"] = np.round(m / slow, 1)
    return pd.DataFrame(out, index=lsoas.index)


def lookup_table(pairs: pd.DataFrame, cats: list, nearest_cat: dict, is_postcode: np.ndarray,
                 settings: WalkSettings) -> pd.DataFrame:
    """Per postcode origin, from the pairs within the radius (sorted by origin, walk): the ``k``
    nearest assets on foot, the ``k_category`` nearest of each category, and the nearest of each
    category however far."""
    pairs = pairs[is_postcode[pairs["origin"].to_numpy()]]
    rank_all = pairs.groupby("origin").cumcount()
    keep = rank_all < settings.lookup_k
    ex = pd.DataFrame({"row": np.repeat(np.arange(len(pairs)), [len(cats[a]) for a in pairs["asset"]]),
                       "cat": [c for a in pairs["asset"] for c in cats[a]]})
    if len(ex):
        ex["origin"] = pairs["origin"].to_numpy()[ex["row"].to_numpy()]
        ex["rank"] = ex.groupby(["origin", "cat"]).cumcount()
        keep_rows = np.unique(ex.loc[ex["rank"] < settings.lookup_k_category, "row"].to_numpy())
        keep = keep.to_numpy() | np.isin(np.arange(len(pairs)), keep_rows)
    table = [pairs[np.asarray(keep)]]
    origin_idx = np.flatnonzero(is_postcode)
    for res in nearest_cat.values():
        ok = (res.asset[origin_idx] >= 0) & np.isfinite(res.dist[origin_idx])
        o = origin_idx[ok]
        table.append(pd.DataFrame({"origin": o.astype(np.int32), "asset": res.asset[o].astype(np.int32),
                                   "walk_m": res.dist[o].astype(np.float32)}))
    out = pd.concat(table, ignore_index=True).drop_duplicates(["origin", "asset"])
    out["walk_m"] = out["walk_m"].round(1)
    return out.sort_values(["origin", "walk_m", "asset"], kind="stable").reset_index(drop=True)
