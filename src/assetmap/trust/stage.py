"""The build's trust stage: freshness, plausibility, duplicates, accessibility and food help as
columns of the merged assets (written to every download), with a summary for report.json.

Columns added (reasons are plain text, several joined with "; "):

- ``checked_age_days``, ``fresh_until``, ``not_recently_checked``, ``freshness_reason``, ``season_over``
  (:mod:`.freshness`);
- ``checks``: the plausibility checks' reasons (:mod:`.plausible`); a record with any is shown with a caution;
- ``food_access``, ``food_way_in``, ``food_way_in_source``: how to get food from a food bank (:mod:`.food`);
- ``merged_from`` (the ids of same-named duplicates folded into the record) and ``duplicate_of`` (why it
  may be the same place as another, which is flagged, not merged) (:mod:`.duplicates`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from ..settings import TrustSettings
from ..taxonomy import Taxonomy
from .duplicates import find_duplicates, recount_merge
from .food import add_food_help
from .freshness import freshness, policies
from .plausible import (
    far_from_postcode,
    hours_problems,
    person_name,
    schedule_problems,
    taxonomy_words,
    unlike_category,
)

FRESHNESS_COLUMNS = ["checked_age_days", "fresh_until", "not_recently_checked", "freshness_reason", "season_over"]


def reference_date(settings: TrustSettings, today: dt.date | None = None) -> dt.date:
    """The day freshness is judged on: the area's ``[trust] reference_date``, else today."""
    if settings.reference_date:
        return dt.date.fromisoformat(settings.reference_date)
    return today or dt.date.today()


@dataclass
class TrustResult:
    assets: gpd.GeoDataFrame
    report: dict = field(default_factory=dict)


def _hours_season_over(src_hours, sources: dict[str, tuple[str | None, str | None]], pol: dict, ref: dt.date):
    """Why an asset's opening hours are out of season (they came from a seasonal list whose season
    ended: a warm space's hours on a church), or None."""
    name = str(src_hours or "").split(";")[0].removesuffix(" (postcode)")
    date, cat = sources.get(name, (None, None))
    p = pol.get(cat)
    if p is None or p.season_end is None:
        return None
    f = freshness(date, p, ref)
    return f"its opening hours come from the {name} list: {f.reason}" if f.season_over else None


def add_freshness(assets: pd.DataFrame, tx: Taxonomy, ref: dt.date,
                  sources: dict[str, tuple[str | None, str | None]] | None = None) -> dict:
    """The freshness columns, in place; returns the report's freshness part. ``sources``: curated
    source name -> (the date its list was checked, its category), for hours taken from a seasonal list."""
    pol = policies(tx.trust, tx.categories)
    rows = [freshness(v, pol[c], ref) for v, c in zip(assets["last_verified"], assets["category"], strict=True)]
    for i, h in enumerate(assets.get("src_hours", pd.Series([None] * len(assets)))):
        why = _hours_season_over(h, sources or {}, pol, ref)
        if why and not rows[i].season_over:
            f = rows[i]
            rows[i] = type(f)(f.checked, f.age_days, f.fresh_until, f.stale, True,
                              "; ".join(x for x in (f.reason, why) if x))
    assets["checked_age_days"] = pd.array([f.age_days for f in rows], dtype="Int64")
    assets["fresh_until"] = [f.fresh_until.isoformat() if f.fresh_until else None for f in rows]
    assets["not_recently_checked"] = [f.stale for f in rows]
    assets["freshness_reason"] = [f.reason for f in rows]
    assets["season_over"] = [f.season_over for f in rows]
    stale = assets["not_recently_checked"].astype(bool)
    return {
        "reference_date": ref.isoformat(),
        "policies": {c: p.describe() for c, p in pol.items()},
        "not_recently_checked": int(stale.sum()),
        "season_over": int(assets["season_over"].astype(bool).sum()),
        "not_recently_checked_by_category": {k: int(v) for k, v
                                             in assets.loc[stale, "category"].value_counts().items()},
    }


def _osm_tags(osm: pd.DataFrame | None) -> dict[tuple[str, int], dict]:
    if osm is None or not len(osm):
        return {}
    return {(t, int(i)): tags for t, i, tags in zip(osm["osm_type"], osm["osm_id"], osm["tags"], strict=True)}


def _postcode_distances(assets: gpd.GeoDataFrame, postcodes: pd.DataFrame | None) -> list[float | None]:
    """Each asset's distance (m) from its postcode's centre, None when the postcode is not known here."""
    if postcodes is None or not len(postcodes):
        return [None] * len(assets)
    where = dict(zip(postcodes["postcode"], zip(postcodes["x"], postcodes["y"], strict=True), strict=True))
    out: list[float | None] = []
    for pc, g in zip(assets["postcode"], assets.geometry, strict=True):
        xy = where.get(pc) if isinstance(pc, str) else None
        out.append(None if xy is None or g is None else float(((g.x - xy[0]) ** 2 + (g.y - xy[1]) ** 2) ** 0.5))
    return out


def add_checks(assets: gpd.GeoDataFrame, tx: Taxonomy, settings: TrustSettings, osm: pd.DataFrame | None = None,
               postcodes: pd.DataFrame | None = None) -> dict:
    """The ``checks`` column (reasons joined with "; "), in place; returns the report's checks part.
    ``osm``: the classified OSM features (for the tags of merged assets); ``postcodes``: postcode, x, y
    (EPSG:27700, as the assets)."""
    night_ok = set(tx.trust.get("night_ok", []))
    unlike = tx.trust.get("unlike", {})
    words = taxonomy_words(tx)
    tags = _osm_tags(osm)
    dist = _postcode_distances(assets, postcodes)
    kinds: dict[str, int] = {}
    checks = []
    cols: dict[str, list] = {c: assets[c].tolist() if c in assets else [None] * len(assets)
            for c in ("name", "category", "opening_hours", "schedules", "osm_type", "osm_id", "postcode")}
    for i in range(len(assets)):
        cat = str(cols["category"][i])
        label = tx.categories[cat].label if cat in tx.categories else str(cat)
        daytime = cat not in night_ok
        kind, osm_id = cols["osm_type"][i], cols["osm_id"][i]
        t = tags.get((kind, int(osm_id))) if isinstance(kind, str) and osm_id is not None else None
        found = {
            "hours": hours_problems(cols["opening_hours"][i], daytime, label)
            + schedule_problems(cols["schedules"][i], daytime, label),
            "person_name": [x for x in [person_name(cols["name"][i], words)] if x],
            "category": unlike_category(cat, label, cols["name"][i], t, unlike),
            "postcode": [x for x in [far_from_postcode(dist[i], cols["postcode"][i], settings.postcode_far_m)] if x],
        }
        for k, v in found.items():
            kinds[k] = kinds.get(k, 0) + bool(v)
        checks.append("; ".join(x for v in found.values() for x in v) or None)
    assets["checks"] = checks
    return {"records_with_cautions": int(sum(bool(c) for c in checks)), "by_check": kinds,
            "postcode_far_m": settings.postcode_far_m}


def trust_stage(assets: gpd.GeoDataFrame, tx: Taxonomy, settings: TrustSettings,
                sources: dict[str, tuple[str | None, str | None]] | None = None, osm: pd.DataFrame | None = None,
                postcodes: pd.DataFrame | None = None, today: dt.date | None = None,
                merge_report: dict | None = None, food: tuple[dict, dict] | None = None) -> TrustResult:
    """The merged assets with the trust columns, and the report's ``trust`` section. ``sources``: curated
    source name -> (its list's date, its category); ``osm``, ``postcodes``: see :func:`add_checks`;
    ``merge_report``: recounted after duplicates are merged (:func:`.duplicates.recount_merge`); ``food``:
    (source name -> its ``way_in``, source name -> its label) for :func:`.food.add_food_help`."""
    out, dups = find_duplicates(assets, settings.duplicate_m)
    if merge_report is not None:
        recount_merge(merge_report, out, dups["merged"])
    ref = reference_date(settings, today)
    report = {"duplicates": {"merged": len(dups["merged"]), "flagged": len(dups["flagged"]),
                             "radius_m": dups["radius_m"], "pairs": dups["merged"] + dups["flagged"]},
              "freshness": add_freshness(out, tx, ref, sources),
              "checks": add_checks(out, tx, settings, osm, postcodes),
              "food": add_food_help(out, *(food or ({}, {})))}
    return TrustResult(out, report)
