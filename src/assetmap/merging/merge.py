"""Merge OpenStreetMap features and curated records into one deduplicated asset table.

Each curated source is matched in turn against the assets so far (OSM features first, then the
records of earlier sources). Candidates are the assets within ``radius_m`` whose categories the
record may merge with (the taxonomy's ``match`` lists); each candidate pair is scored on names,
address and distance (:mod:`matching`). Then:

- **merge** when the best score reaches ``merge_score`` and no other candidate comes within
  ``margin`` of it (a second OSM object with the same name and category is the same place mapped
  twice and is folded into the asset);
- a record merges one-to-one with a place of its *own* category (one practice, one doctors
  feature): when several records of a source compete for it within the margin (practices sharing
  a health centre), none is merged blindly, all go to review; a service *hosted* by a place of
  another category (warm spaces in a church) may share it with other records;
- an unnamed OSM feature of the record's own category within ``unnamed_m`` is taken when it is
  the only such candidate for the only such record, else reviewed;
- **review** when the best score is between ``review_score`` and ``merge_score``, or the choice is
  ambiguous: the record stays a separate asset and the pair goes to ``review`` for curators;
- otherwise **no match**: the record becomes an asset of its own.

Field precedence: a curated source marked ``authoritative = true`` (a statutory register such as
the library list or NHS ODS) overrides OSM's name and address; other curated sources only fill
fields OSM leaves empty. Locations stay OSM's when there is one (mapped to the building), else
the curated coordinates, else the postcode's. Per-field provenance: :mod:`provenance`.
"""
from __future__ import annotations

import hashlib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..config import MergeSettings
from ..constants import BNG
from ..taxonomy import Taxonomy
from .matching import (
    NameModel,
    address_score,
    common_words,
    curated_names,
    distance_score,
    localities,
    name_score,
    osm_names,
)
from .provenance import element_date, provenance_columns

ACCESS_FIELDS = ("toilets_wheelchair", "hearing_loop", "wheelchair_description")
FIELDS = ("name", "address", "postcode", "website", "phone", "email", "opening_hours", "description", "wheelchair",
          *ACCESS_FIELDS)
# OSM wheelchair=* values and their plain forms (designated: built for wheelchair users)
WHEELCHAIR = {"yes": "yes", "designated": "yes", "limited": "limited", "no": "no"}
YES_NO = {"yes": "yes", "no": "no", "limited": "limited", "designated": "yes", "true": "yes", "false": "no"}
REVIEW_COLUMNS = ["curated_source", "curated_id", "curated_name", "category", "candidate_asset_id",
                  "candidate_ref", "candidate_name", "distance_m", "score", "reason"]


def name_similarity(a: str | None, b: str | None) -> float:
    """0..1: how alike two place names are, ignoring case, punctuation and generic words."""
    return NameModel().similarity(a, b)


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
    if field == "wheelchair":  # yes / limited / no; anything else (unknown, free text) is dropped
        return WHEELCHAIR.get(str(v).strip().lower())
    if field in ("toilets_wheelchair", "hearing_loop"):
        return YES_NO.get(str(v).strip().lower())
    return v


def _osm_address(tags: dict) -> str | None:
    parts = [" ".join(x for x in (tags.get("addr:housenumber"), tags.get("addr:street")) if x),
             tags.get("addr:suburb"), tags.get("addr:city")]
    text = ", ".join(p for p in parts if p)
    return text or None


def osm_assets(features: gpd.GeoDataFrame, osm_date: str | None = None) -> list[dict]:
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
            "wheelchair": t.get("wheelchair"),
            "toilets_wheelchair": t.get("toilets:wheelchair"),
            "hearing_loop": t.get("hearing_loop") or t.get("induction_loop"),
            "wheelchair_description": t.get("wheelchair:description") or t.get("wheelchair:description:en"),
        }
        vals = {k: clean_contact(k, v) for k, v in vals.items()}
        rows.append({
            "asset_id": f"osm-{f.osm_type}-{f.osm_id}",
            **vals,
            "category": f.category,
            "categories": f.categories.split(";"),
            "sources": [ref],
            "provenance": {**{k: ref for k, v in vals.items() if v}, "location": ref},
            "osm_type": f.osm_type, "osm_id": int(f.osm_id),
            "x": f.geometry.x, "y": f.geometry.y,
            "_names": osm_names(t, f.name), "_street": t.get("addr:street"),
            "_dates": {ref: element_date(t, osm_date)},
        })
    return rows


def _absorb(a: dict, b: dict) -> None:
    """Fold asset ``b`` (the same place mapped twice in OSM) into ``a``."""
    a["sources"] = a["sources"] + [s for s in b["sources"] if s not in a["sources"]]
    a["categories"] = a["categories"] + [c for c in b["categories"] if c not in a["categories"]]
    for f in FIELDS:
        if not a.get(f) and b.get(f):
            a[f] = b[f]
            a["provenance"] = {**a["provenance"], f: b["provenance"].get(f)}
    a["_names"] = list(dict.fromkeys(a["_names"] + b["_names"]))
    a["_dates"] = {**a["_dates"], **b["_dates"]}


def _apply(a: dict, r, ref: str, vals: dict, authoritative: bool, date) -> None:
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
    a["_names"] = list(dict.fromkeys(a["_names"] + ([vals["name"]] if vals.get("name") else [])))
    a["_dates"] = {**a["_dates"], ref: date}


def _new_asset(source: str, r, ref: str, vals: dict, date) -> dict:
    located = getattr(r, "located_by", None)
    return {
        "asset_id": "cur-" + source + "-" + hashlib.sha1(str(r.source_id).encode()).hexdigest()[:10],
        **vals, "category": r.category, "categories": [r.category], "sources": [ref],
        "provenance": {**{k: ref for k, v in vals.items() if v},
                       "location": ref + (" (postcode)" if located == "postcode" else "")},
        "osm_type": None, "osm_id": None, "x": r.geometry.x, "y": r.geometry.y,
        "_names": [vals["name"]] if vals.get("name") else [], "_street": None, "_dates": {ref: date},
    }


def _score_pairs(r, cands, assets, model, taxonomy, s: MergeSettings):
    """[(score, index, distance, kind)] for a record's compatible candidates; kind is 'named' or
    'unnamed' (an unnamed feature of the record's own category close by)."""
    model = NameModel(model.common | localities(getattr(r, "address", None)))
    names = curated_names(r.name, getattr(r, "address", None), model)
    out = []
    for i in cands:
        a = assets[i]
        if not taxonomy.can_merge(r.category, a["categories"]):
            continue
        d = float(np.hypot(a["x"] - r.geometry.x, a["y"] - r.geometry.y))
        if not a["_names"]:
            if a["category"] == r.category and d <= s.unnamed_m:
                out.append((s.merge_score, i, d, "unnamed"))
            continue
        sim = name_score(names, a["_names"], model)
        addr = address_score(getattr(r, "postcode", None), getattr(r, "address", None), a.get("postcode"),
                             a.get("_street"))
        score = sim + addr + distance_score(d, s.radius_m)
        if addr >= 0.15 and d <= s.radius_m / 5:  # same postcode and street, next door: the address says it
            score = max(score, s.merge_score)
        out.append((round(score, 3), i, d, "named"))
    return sorted(out, key=lambda x: (-x[0], x[2]))


def _review_row(source, r, a, score, d, reason) -> dict:
    return {"curated_source": source, "curated_id": r.source_id, "curated_name": r.name, "category": r.category,
            "candidate_asset_id": a["asset_id"], "candidate_ref": next((x for x in a["sources"]
                                                                        if x.startswith("osm:")),
                                                                        a["sources"][0]),
            "candidate_name": a.get("name"), "distance_m": round(d), "score": score, "reason": reason}


def _is_dup(a: dict, b: dict, model) -> bool:
    return (a["osm_type"] is not None and b["osm_type"] is not None and a["category"] == b["category"]
            and bool(a["_names"]) and name_score(a["_names"][:1], b["_names"][:1], model) >= 0.95)


def _record_date(r, list_date: str | None) -> str | None:
    """A record's own last-verified date (registry assets carry one), else its list's date."""
    own = getattr(r, "last_verified", None)
    return own if isinstance(own, str) and own else list_date


def merge_assets(osm: gpd.GeoDataFrame, curated: dict[str, tuple[gpd.GeoDataFrame, bool]],
                 taxonomy: Taxonomy, settings: MergeSettings | float = MergeSettings(),
                 dates: dict[str, str | None] | None = None, osm_date: str | None = None
                 ) -> tuple[gpd.GeoDataFrame, dict]:
    """``osm``: classified OSM points (EPSG:27700). ``curated``: source name -> (records in
    EPSG:27700, authoritative?). ``dates``: source name -> the date its list was last checked.
    Returns the asset table and the match figures; ``report["review"]`` lists the pairs left to
    curators (columns ``REVIEW_COLUMNS``)."""
    s = settings if isinstance(settings, MergeSettings) else MergeSettings(radius_m=float(settings))
    dates = dates or {}
    assets = osm_assets(osm, osm_date) if len(osm) else []
    model = NameModel(common_words([n for a in assets for n in a["_names"][:1]]))
    report: dict = {"by_source": {}}
    review: list = []
    gone: set[int] = set()
    for source, (recs, authoritative) in curated.items():
        rows = list(recs.itertuples())
        scored = _scored_pairs(rows, assets, gone, model, taxonomy, s)
        decided, flagged = _decide(rows, scored, assets, model, s)
        stats = {"records": int(len(recs)), "matched_osm": 0, "matched_curated": 0, "new": 0, "review": 0}
        for k, r in enumerate(rows):
            ref = f"{source}:{r.source_id}"
            vals = {f: clean_contact(f, getattr(r, f, None)) for f in FIELDS}
            when = _record_date(r, dates.get(source))
            if k in decided:
                i, dups = decided[k]
                a = assets[i]
                for j in dups:
                    if j not in gone and j != i:
                        _absorb(a, assets[j])
                        gone.add(j)
                stats["matched_osm" if a["osm_type"] else "matched_curated"] += 1
                _apply(a, r, ref, vals, authoritative, when)
                continue
            if k in flagged:
                stats["review"] += 1
                for (sc, i, d, _kind), why in flagged[k]:
                    review.append(_review_row(source, r, assets[i], sc, d, why))
            # a list naming one place twice: the second record joins the first
            twin = _twin(assets, gone, source, r, vals["name"], model, s)
            if twin is not None and k not in flagged:
                stats["matched_curated"] += 1
                _apply(twin, r, ref, vals, authoritative, when)
            else:
                assets.append(_new_asset(source, r, ref, vals, when))
                stats["new"] += 1
        report["by_source"][source] = stats
    assets = [a for i, a in enumerate(assets) if i not in gone]
    return _frame(assets, osm, taxonomy, report, review)


def _scored_pairs(rows: list, assets: list[dict], gone: set[int], model, taxonomy: Taxonomy,
                  s: MergeSettings) -> list[list[tuple]]:
    """For each record, its scored candidate assets within ``s.radius_m`` (best first)."""
    live = [i for i in range(len(assets)) if i not in gone]
    xy = np.array([[assets[i]["x"], assets[i]["y"]] for i in live]) if live else np.empty((0, 2))
    tree = cKDTree(xy) if len(xy) else None
    scored = []
    for r in rows:
        near = [live[j] for j in tree.query_ball_point([r.geometry.x, r.geometry.y], s.radius_m)] \
            if tree is not None else []
        scored.append(_score_pairs(r, near, assets, model, taxonomy, s))
    return scored


def _decide(rows: list, scored: list[list[tuple]], assets: list[dict], model, s: MergeSettings
            ) -> tuple[dict[int, tuple[int, list[int]]], dict[int, list[tuple]]]:
    """Which records join which asset (record -> (asset, duplicates to fold)) and which go to review
    (record -> [(pair, reason)]); the rest become new assets."""
    # records competing for one place of their own category (one-to-one)
    claims: dict[int, list[tuple[float, int]]] = {}
    for k, (r, pairs) in enumerate(zip(rows, scored, strict=False)):
        for sc, i, _d, _kind in pairs:
            if r.category in assets[i]["categories"] and sc >= s.review_score:
                claims.setdefault(i, []).append((sc, k))
    decided: dict[int, tuple[int, list[int]]] = {}
    flagged: dict[int, list[tuple]] = {}
    for k, (r, pairs) in enumerate(zip(rows, scored, strict=False)):
        if not pairs or pairs[0][0] < s.review_score:
            continue
        outcome = _decide_one(k, r, pairs, assets, claims, model, s)
        if isinstance(outcome, tuple):
            decided[k] = outcome
        elif outcome is not None:
            flagged[k] = outcome
    return decided, flagged


def _decide_one(k: int, r, pairs: list[tuple], assets: list[dict], claims: dict[int, list[tuple[float, int]]],
                model, s: MergeSettings) -> tuple[int, list[int]] | list[tuple] | None:
    """One record's outcome: (asset, duplicates) to join, [(pair, reason)] to review, or None (a new asset)."""
    best = pairs[0]
    sc, i, _d, kind = best
    dups = [p[1] for p in pairs[1:] if p[0] >= s.merge_score and _is_dup(assets[i], assets[p[1]], model)]
    rivals = [p for p in pairs[1:] if p[1] not in dups and p[0] >= s.merge_score and p[0] > sc - s.margin]
    own = r.category in assets[i]["categories"]
    contenders = [c for c in claims.get(i, []) if c[1] != k and c[0] > sc - s.margin] if own else []
    beaten = own and any(c[0] > sc + s.margin for c in claims.get(i, []) if c[1] != k)
    if kind == "unnamed":
        unnamed_mine = [p for p in pairs if p[3] == "unnamed"]
        named_ok = [p for p in pairs if p[3] == "named" and p[0] >= s.review_score]
        if len(unnamed_mine) > 1 or contenders or named_ok:
            return [(p, "unnamed feature, several candidates") for p in unnamed_mine]
    if beaten:
        return None  # another record of this source is clearly this place
    if sc < s.merge_score:
        return [(p, "low score") for p in pairs if p[0] >= s.review_score][:3]
    if rivals:
        return [(p, "several candidates") for p in [best] + rivals]
    if contenders:
        return [(best, "shared place: several records of this list match it")]
    return (i, dups)


def _twin(assets: list[dict], gone: set[int], source: str, r, name: str | None, model,
          s: MergeSettings) -> dict | None:
    """An asset this list already made for the same place (same category, near, same name), if any."""
    for i in range(len(assets)):
        a = assets[i]
        if i not in gone and a["sources"][0].startswith(source + ":") and a["category"] == r.category \
                and np.hypot(a["x"] - r.geometry.x, a["y"] - r.geometry.y) <= s.radius_m / 5 \
                and name_score([name or ""], a["_names"], model) >= 0.95:
            return a
    return None


def _frame(assets, osm, taxonomy, report, review):
    df = pd.DataFrame(assets)
    if df.empty:
        df = pd.DataFrame(columns=["asset_id", *FIELDS, "category", "categories", "sources", "provenance",
                                   "osm_type", "osm_id", "x", "y", "_names", "_street", "_dates"])
    prov = provenance_columns(df)
    df = pd.concat([df.drop(columns=["_names", "_street", "_dates"]), prov], axis=1)
    gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(df["x"], df["y"]),
                           crs=osm.crs or BNG)
    gdf["family"] = gdf["category"].map(taxonomy.family_of)
    gdf["osm_id"] = gdf["osm_id"].astype("Int64")
    has_osm = gdf["osm_type"].notna()
    has_cur = gdf["sources"].map(lambda s: any(not x.startswith("osm:") for x in s))
    report.update({
        "assets": int(len(gdf)),
        "matched": int((has_osm & has_cur).sum()),
        "osm_only": int((has_osm & ~has_cur).sum()),
        "curated_only": int((~has_osm).sum()),
        "flagged_for_review": int(sum(v.get("review", 0) for v in report["by_source"].values())),
    })
    report["review"] = pd.DataFrame(review, columns=REVIEW_COLUMNS)
    return gdf, report
