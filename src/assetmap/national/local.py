"""A view's *local* columns: what a district's build ranks within itself, recomputed on its slice of a
bigger build (assetmap.national.views).

National (kept as the bigger build computed them): every walk (``walk_*``), straight-line
distance (``dist_*``), count, per-1,000 and supply-aware access column (``e2sfca_*``, ``bfca_*``,
``sa_*``: catchments that cross the district's edge), need (``need_score``, ``need_rank_england``,
``need_decile_england``), shortfalls and priority scores (``shortfall_*``, ``priority_*``,
``priority_score``: absolute figures), England's ranks (``*_england``), IoD and Census.

Local (recomputed here, as a build of the district alone would): the gap index (``gapz_*``,
``gapx_family_*``, ``gap_score``, ``gap_rank``, ``gap_quintile``: ranked among the district's LSOAs),
the terciles and ``bivariate_class``, ``double_disadvantage``, ``left_behind_england`` and
``priority_rank``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..gap.formulas import bivariate, double_disadvantage, gap_index
from ..gap.stage import _left_behind, origin_population
from ..settings import GapSettings
from ..taxonomy import Taxonomy

LOCAL_PREFIXES = ("gapz_", "gapx_family_")
LOCAL_COLUMNS = ("gap_score", "gap_rank", "gap_quintile", "need_tercile", "gap_tercile", "bivariate_class",
                 "double_disadvantage", "left_behind_england", "priority_rank")


def mapped_categories(nb: pd.DataFrame, tx: Taxonomy) -> list[str]:
    """The categories with a finite walking time in some LSOA of the slice."""
    out = []
    for c in tx.categories:
        col = f"walk_{c}_min"
        if col in nb and np.isfinite(pd.to_numeric(nb[col], errors="coerce").astype("float64")).any():
            out.append(c)
    return out


def local_columns(nb: pd.DataFrame, tx: Taxonomy, g: GapSettings) -> pd.DataFrame:
    """``nb`` (the slice's LSOAs) with its local columns recomputed among its own rows."""
    keep = [c for c in nb.columns if not (c.startswith(LOCAL_PREFIXES) or c in LOCAL_COLUMNS)]
    out = nb[keep].copy()
    cats = mapped_categories(nb, tx)
    walk_min = pd.DataFrame({c: pd.to_numeric(nb[f"walk_{c}_min"], errors="coerce").astype("float64")
                             for c in cats}, index=nb.index)
    families = {f: [c for c in cats if tx.categories[c].family == f] for f in tx.families}
    gi = gap_index(walk_min, families, g.family_weights).round(4)
    need = pd.to_numeric(out["need_score"], errors="coerce").astype("float64")
    local = pd.concat([gi, bivariate(need, gi["gap_score"])], axis=1)
    local["double_disadvantage"] = double_disadvantage(need, gi["gap_score"], g.double_disadvantage_share)
    both = pd.DataFrame({"gap_score": gi["gap_score"], "need_decile_england": out["need_decile_england"]})
    local["left_behind_england"] = _left_behind(both, g.england_share)
    local["priority_rank"] = pd.to_numeric(out["priority_score"], errors="coerce").rank(
        ascending=False, method="min").astype("Int64")
    return pd.concat([out, local], axis=1)


def equity_inputs(origins: pd.DataFrame, nb: pd.DataFrame, cats: list[str], m_per_min: float):
    """Minutes per category, population and IMD decile of the origins in the slice's LSOAs (for
    :func:`assetmap.gap.equity.equity_tables`)."""
    inside = origins[origins["lsoa21_code"].isin(set(nb["lsoa21_code"]))].reset_index(drop=True)
    minutes = pd.DataFrame({c: inside[f"walk_{c}_m"].astype("float64").replace(np.inf, np.nan) / m_per_min
                            for c in cats if f"walk_{c}_m" in inside})
    pop = origin_population(inside, nb)
    decile = inside["lsoa21_code"].map(nb.set_index("lsoa21_code")["imd_decile"]).astype("float64").to_numpy()
    return minutes, pop, decile


def top_priority(nb: pd.DataFrame, n: int = 10) -> list[dict]:
    """The report's first ``n`` neighbourhoods by the (local) priority rank."""
    cols = ["lsoa21_code", "lsoa21_name", "display_name", "residents", "imd_decile", "need_score", "need_weight",
            "need_decile_england", "gap_score", "gap_rank", "shortfall_mean", "priority_score", "priority_rank"]
    top = nb.sort_values("priority_rank").head(n)
    return [{c: _plain(r.get(c)) for c in cols} for r in top.to_dict("records")]


def _plain(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return round(float(v), 4)
    return v
