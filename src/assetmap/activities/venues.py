"""Where an activity is held: its venue joined to a place before the merge.

An activity record (``record_kind = "service"``) names its ``venue`` ("St Mary's Hall") and
usually a postcode. Before OSM and the curated lists are merged, each activity is joined to:

1. the place (an OSM feature in the coverage, or a place record of a curated list) within
   ``VENUE_RADIUS_M`` of its point whose name is most like the venue's (similarity at least
   ``MIN_SIMILARITY``, :class:`assetmap.merging.matching.NameModel`);
2. else the place nearest its point that has the same postcode;
3. an activity with no postcode (nor coordinates): the one place in the area whose name is most like
   its venue's (similarity at least ``NAME_ONLY_SIMILARITY``, and no tie); when there is none its
   sessions are kept with no place (counted as ``venue_not_found``);

and then leaves the merge: its sessions are held at whichever asset that place became. An activity
with no venue found stays in its list as a place of its own, named after its venue (or itself),
so nothing is lost; the build report counts both. An ``area_wide`` activity (a phone befriending
service) is held at no place: it leaves the lists, and its sessions have no asset.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..merging.matching import NameModel

VENUE_RADIUS_M = 600.0
MIN_SIMILARITY = 0.75
NAME_ONLY_SIMILARITY = 0.9  # an activity with no postcode: its venue's name alone, anywhere in the area


def is_service(records: gpd.GeoDataFrame) -> pd.Series:
    if "record_kind" not in records:
        return pd.Series(False, index=records.index)
    return records["record_kind"].astype("string").str.lower().eq("service").fillna(False)


def _candidates(osm: gpd.GeoDataFrame, places: list[tuple[str, gpd.GeoDataFrame]]) -> pd.DataFrame:
    """Every place an activity may be held at: ref, name, postcode, x, y (EPSG:27700)."""
    parts = []
    if len(osm):
        tags = osm["tags"] if "tags" in osm else pd.Series([{}] * len(osm), index=osm.index)
        parts.append(pd.DataFrame({"ref": "osm:" + osm["osm_type"].astype(str) + "/" + osm["osm_id"].astype(str),
                                   "name": osm["name"], "postcode": tags.map(lambda t: (t or {}).get("addr:postcode")),
                                   "x": osm.geometry.x, "y": osm.geometry.y}))
    for source, recs in places:
        if len(recs):
            parts.append(pd.DataFrame({"ref": source + ":" + recs["source_id"].astype(str), "name": recs["name"],
                                       "postcode": recs["postcode"], "x": recs.geometry.x, "y": recs.geometry.y}))
    if not parts:
        return pd.DataFrame(columns=["ref", "name", "postcode", "x", "y"])
    return pd.concat(parts, ignore_index=True)


def find_venue(r, cands: pd.DataFrame, model: NameModel) -> str | None:
    """The ref of the place activity ``r`` is held at, or None."""
    if not len(cands):
        return None
    venue = getattr(r, "venue", None)
    if r.geometry is None or r.geometry.is_empty:  # no postcode: the one place in the area of that name
        if not venue:
            return None
        sims = cands["name"].map(lambda n: model.similarity(venue, n) if isinstance(n, str) else 0.0)
        best = sims[sims >= NAME_ONLY_SIMILARITY]
        return str(cands.at[best.idxmax(), "ref"]) if len(best) and (best == best.max()).sum() == 1 else None
    d = np.hypot(cands["x"].to_numpy() - r.geometry.x, cands["y"].to_numpy() - r.geometry.y)
    near = cands[d <= VENUE_RADIUS_M].assign(d=d[d <= VENUE_RADIUS_M])
    if venue and len(near):
        sims = near["name"].map(lambda n: model.similarity(venue, n) if isinstance(n, str) else 0.0)
        best = sims.idxmax()
        if sims[best] >= MIN_SIMILARITY:
            return str(near.at[best, "ref"])
    same = near[near["postcode"].astype("string").str.upper().str.replace(" ", "")
                == str(getattr(r, "postcode", "") or "").upper().replace(" ", "")] if len(near) else near
    if getattr(r, "postcode", None) and len(same):
        return str(same.sort_values("d").iloc[0]["ref"])
    return None


def join_venues(osm: gpd.GeoDataFrame, curated: dict[str, tuple[gpd.GeoDataFrame, bool]]
                ) -> tuple[dict[str, tuple[gpd.GeoDataFrame, bool]], list[tuple[str, dict, str | None]], dict]:
    """(the curated lists without the activities whose venue was found; every activity as
    (source, record, venue ref or its own ref when it stays a place); figures for the report)."""
    places = [(name, recs[~is_service(recs)]) for name, (recs, _) in curated.items()]
    cands = _candidates(osm, places)
    model = NameModel()
    kept: dict[str, tuple[gpd.GeoDataFrame, bool]] = {}
    activities: list[tuple[str, dict, str | None]] = []
    joined = own = unplaced = 0
    for name, (recs, authoritative) in curated.items():
        svc = is_service(recs)
        drop = pd.Series(False, index=recs.index)
        for i, r in zip(recs.index[svc], recs[svc].itertuples(), strict=True):
            record = recs.loc[i].drop(labels="geometry").to_dict()
            if str(record.get("area_wide") or "").lower() in ("true", "1", "yes"):
                drop[i] = True  # held nowhere in particular: not a place on the map
                activities.append((name, record, None))
                continue
            ref = find_venue(r, cands, model)
            if ref is not None:
                drop[i] = True
                joined += 1
                activities.append((name, record, ref))
            elif r.geometry is None or r.geometry.is_empty:  # no postcode and no venue of that name: no place
                drop[i] = True
                unplaced += 1
                activities.append((name, record, None))
            else:
                own += 1
                activities.append((name, record, f"{name}:{r.source_id}"))
        out = recs[~drop].copy()
        if svc.any() and "venue" in out:  # an activity left as a place is named after its venue
            stay = is_service(out) & out["venue"].notna()
            out.loc[stay, "name"] = out.loc[stay, "venue"]
        kept[name] = (out.reset_index(drop=True), authoritative)
    return kept, activities, {"activities": len(activities), "joined_to_venue": joined, "own_place": own,
                              "venue_not_found": unplaced}
