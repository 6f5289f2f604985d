"""The build's trust stage: freshness, plausibility, duplicates, accessibility and food help as
columns of the merged assets (written to every download), with a summary for report.json.

Columns added (reasons are plain text, several joined with "; "):

- ``checked_age_days``, ``fresh_until``, ``not_recently_checked``, ``freshness_reason``, ``season_over``
  (:mod:`.freshness`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from ..settings import TrustSettings
from ..taxonomy import Taxonomy
from .freshness import freshness, policies

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


def trust_stage(assets: gpd.GeoDataFrame, tx: Taxonomy, settings: TrustSettings,
                sources: dict[str, tuple[str | None, str | None]] | None = None,
                today: dt.date | None = None) -> TrustResult:
    """The merged assets with the trust columns, and the report's ``trust`` section. ``sources``: curated
    source name -> (its list's date, its category)."""
    out = assets.copy()
    ref = reference_date(settings, today)
    report = {"freshness": add_freshness(out, tx, ref, sources)}
    return TrustResult(out, report)
