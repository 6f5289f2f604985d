"""Merge OpenStreetMap features and curated records into one deduplicated asset table.

An OSM feature and a curated record denote the same place when they are close (within the
area's ``match_radius_m``), their categories are compatible (the taxonomy's ``match`` list) and
their names agree (token containment or character similarity, ignoring generic words such as
"library" or "surgery"). A match becomes one asset carrying both sources; everything unmatched
is kept. Each field of each asset records the source it came from (``provenance``).

Field precedence: a curated source marked ``authoritative = true`` (a statutory register such as
the library list or NHS ODS) overrides OSM's name and address; other curated sources only fill
fields OSM leaves empty. Locations stay OSM's when there is one (mapped to the building), else
the curated coordinates, else the postcode's.
"""
from __future__ import annotations

import hashlib
import re
from difflib import SequenceMatcher

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .taxonomy import Taxonomy

FIELDS = ("name", "address", "postcode", "website", "phone", "email", "opening_hours", "description")
_STOP = {"the", "and", "of", "at", "ltd", "limited", "cic", "uk", "in", "for", "a", "st", "saint"}
_GENERIC = {"library", "libraries", "surgery", "medical", "centre", "center", "practice", "health",
            "church", "chapel", "community", "hall", "group", "foodbank", "food", "bank", "warm",
            "space", "hub", "club", "clinic", "doctors", "gp", "pharmacy", "the", "room", "rooms"}


def _tokens(name: str | None) -> list[str]:
    if not isinstance(name, str) or not name:
        return []
    s = name.lower().replace("&", " and ").replace("'", "")
    return [t for t in re.split(r"[^a-z0-9]+", s) if t and t not in _STOP]


def name_similarity(a: str | None, b: str | None) -> float:
    """0..1: how alike two place names are, ignoring case, punctuation and generic words."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    sa, sb = [t for t in ta if t not in _GENERIC], [t for t in tb if t not in _GENERIC]
    if sa and sb:  # compare what distinguishes the places, not the words every library shares
        seq = SequenceMatcher(None, " ".join(sa), " ".join(sb)).ratio()
        contain = len(set(sa) & set(sb)) / min(len(set(sa)), len(set(sb)))
    else:
        seq = SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio()
        contain = 0.8 * len(set(ta) & set(tb)) / min(len(set(ta)), len(set(tb)))
    return max(seq, contain)


def _value(v):
    """None for missing values (None, NaN, empty text)."""
    if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()):
        return None
    return v


_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", re.I)


def clean_contact(field: str, v):
    """Websites as absolute http(s) URLs (``example.org`` -> ``https://example.org``; anything
    else that is not http(s) is dropped), e-mail without ``mailto:``; other fields as given."""
    v = _value(v)
    if v is None:
        return None
    if field == "website":
        v = v.strip()
        if re.match(r"^https?://", v, re.I):
            return v
        return "https://" + v if _DOMAIN.match(v) else None
    if field == "email":
        return re.sub(r"^mailto:", "", v.strip(), flags=re.I) or None
    return v


def _osm_address(tags: dict) -> str | None:
    parts = [" ".join(x for x in (tags.get("addr:housenumber"), tags.get("addr:street")) if x),
             tags.get("addr:suburb"), tags.get("addr:city")]
    text = ", ".join(p for p in parts if p)
    return text or None


def osm_assets(features: gpd.GeoDataFrame) -> list[dict]:
    """OSM features as asset rows (dicts), coordinates in the frame's CRS."""
    rows = []
    for f in features.itertuples():
        t = f.tags
        ref = f"osm:{f.osm_type}/{f.osm_id}"
        vals = {
            "name": t.get("name"),
            "address": _osm_address(t),
            "postcode": t.get("addr:postcode"),
            "website": t.get("website") or t.get("contact:website") or t.get("url"),
            "phone": t.get("phone") or t.get("contact:phone"),
            "email": t.get("email") or t.get("contact:email"),
            "opening_hours": t.get("opening_hours"),
            "description": t.get("description"),
        }
        vals = {k: clean_contact(k, v) for k, v in vals.items()}
        rows.append({
            "asset_id": f"osm-{f.osm_type}-{f.osm_id}",
            **vals,
            "category": f.category,
            "categories": f.categories.split(";"),
            "sources": [ref],
            "provenance": {k: ref for k, v in vals.items() if v},
            "osm_type": f.osm_type, "osm_id": int(f.osm_id),
            "x": f.geometry.x, "y": f.geometry.y,
        })
    return rows


def merge_assets(osm: gpd.GeoDataFrame, curated: dict[str, tuple[gpd.GeoDataFrame, bool]],
                 taxonomy: Taxonomy, radius: float) -> tuple[gpd.GeoDataFrame, dict]:
    """``osm``: classified OSM points (EPSG:27700). ``curated``: source name -> (records in
    EPSG:27700, authoritative?). Returns the asset table and match figures."""
    assets = osm_assets(osm) if len(osm) else []
    report = {"by_source": {}}
    for source, (recs, authoritative) in curated.items():
        xy = np.array([[a["x"], a["y"]] for a in assets]) if assets else np.empty((0, 2))
        tree = cKDTree(xy) if len(xy) else None
        stats = {"records": int(len(recs)), "matched_osm": 0, "matched_curated": 0, "new": 0}
        matched_here: set[int] = set()
        n_before = len(assets)
        for r in recs.itertuples():
            ref = f"{source}:{r.source_id}"
            best, best_score = None, -1.0
            cands = tree.query_ball_point([r.geometry.x, r.geometry.y], radius) if tree is not None else []
            # records added by this same source are candidates too (a list that names a place twice)
            cands = list(cands) + [i for i in range(n_before, len(assets))
                                   if np.hypot(assets[i]["x"] - r.geometry.x, assets[i]["y"] - r.geometry.y) <= radius]
            for i in cands:
                a = assets[i]
                if i in matched_here and i < n_before:
                    continue  # each existing asset takes at most one record of a source
                if not taxonomy.can_merge(r.category, a["categories"]):
                    continue
                d = float(np.hypot(a["x"] - r.geometry.x, a["y"] - r.geometry.y))
                sim = name_similarity(r.name, a["name"])
                ok = sim >= 0.6 or (sim >= 0.45 and d <= radius / 3) or (
                    not a["name"] and r.category in a["categories"] and d <= 30)
                score = sim - d / (4 * radius)
                if ok and score > best_score:
                    best, best_score = i, score
            vals = {f: clean_contact(f, getattr(r, f, None)) for f in FIELDS}
            if best is None:
                assets.append({
                    "asset_id": "cur-" + source + "-" + hashlib.sha1(str(r.source_id).encode()).hexdigest()[:10],
                    **vals, "category": r.category, "categories": [r.category], "sources": [ref],
                    "provenance": {k: ref for k, v in vals.items() if v},
                    "osm_type": None, "osm_id": None, "x": r.geometry.x, "y": r.geometry.y,
                })
                stats["new"] += 1
                continue
            a = assets[best]
            matched_here.add(best)
            stats["matched_osm" if a["osm_type"] else "matched_curated"] += 1
            a["sources"] = a["sources"] + [ref]
            if r.category not in a["categories"]:
                a["categories"] = a["categories"] + [r.category]
            for f, v in vals.items():
                if not v:
                    continue
                from_osm = str(a["provenance"].get(f, "")).startswith("osm:")
                richer_osm_name = f == "name" and name_similarity(v, a.get(f)) >= 0.99 and len(str(a.get(f))) > len(v)
                if not a.get(f) or (authoritative and from_osm and f in ("name", "address", "postcode")
                                    and not richer_osm_name):
                    a[f] = v
                    a["provenance"] = {**a["provenance"], f: ref}
        report["by_source"][source] = stats
    df = pd.DataFrame(assets)
    if df.empty:
        df = pd.DataFrame(columns=["asset_id", *FIELDS, "category", "categories", "sources", "provenance",
                                   "osm_type", "osm_id", "x", "y"])
    gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(df["x"], df["y"]),
                           crs=osm.crs or "EPSG:27700")
    gdf["family"] = gdf["category"].map(taxonomy.family_of)
    gdf["osm_id"] = gdf["osm_id"].astype("Int64")
    has_osm = gdf["osm_type"].notna()
    has_cur = gdf["sources"].map(lambda s: any(not x.startswith("osm:") for x in s))
    report.update({
        "assets": int(len(gdf)),
        "matched": int((has_osm & has_cur).sum()),
        "osm_only": int((has_osm & ~has_cur).sum()),
        "curated_only": int((~has_osm).sum()),
    })
    return gdf, report
