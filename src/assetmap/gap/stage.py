"""The gap stage of the build: supply-aware access, the gap index, need, their classes, the
priority score and equity by IMD decile, from the walking stage's per-postcode results.

Population: each LSOA's Census 2021 residents are shared equally among its postcodes (the
walking origins); postcodes outside the neighbourhoods count as no one. Every intermediate is
returned in the neighbourhood frame (aligned on it) and echoed, with the settings, in the report.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..activities.supply import sessions_within
from ..config import GapSettings, WalkSettings
from ..errors import ConfigError
from ..taxonomy import Taxonomy
from ..walk.access import metres_per_minute
from .equity import equity_tables
from .fca import bfca, e2sfca, logistic_decay, spatial_availability, step_decay
from .formulas import bivariate, double_disadvantage, gap_index, need_index, priority, shortfall

REPORT_TOP = 10


@dataclass
class GapResult:
    lsoa: pd.DataFrame  # aligned on the neighbourhoods
    by_decile: pd.DataFrame  # equity: category x IMD decile
    equity: pd.DataFrame  # equity: one row per category
    report: dict = field(default_factory=dict)


def origin_population(origins: pd.DataFrame, lsoas: pd.DataFrame) -> np.ndarray:
    """Residents each origin stands for: its LSOA's residents over the LSOA's origins (0 outside)."""
    res = pd.to_numeric(lsoas.set_index("lsoa21_code")["residents"], errors="coerce").astype("float64")
    code = origins["lsoa21_code"]
    n = code.map(code.value_counts())
    return (code.map(res) / n).fillna(0.0).to_numpy(dtype=np.float64)


def decay(minutes, g: GapSettings) -> np.ndarray:
    if g.decay == "logistic":
        w = logistic_decay(minutes, g.logistic_median_min, g.logistic_sd_min)
        return np.where(np.asarray(minutes) <= g.catchment_min, w, 0.0)
    return step_decay(minutes, g.steps)


def supply_access(pairs: pd.DataFrame, members: dict[str, np.ndarray], pop: np.ndarray, supply: np.ndarray,
                  m_per_min: float, g: GapSettings) -> dict[str, dict[str, np.ndarray]]:
    """Per category: E2SFCA, BFCA and spatial availability for every origin."""
    within = pairs[pairs["walk_m"] <= g.catchment_min * m_per_min]
    o_all, a_all = within["origin"].to_numpy(), within["asset"].to_numpy()
    f_all = decay(within["walk_m"].to_numpy(dtype=np.float64) / m_per_min, g)
    out = {}
    for c, mask in members.items():
        keep = mask[a_all] & (f_all > 0)
        o, a, f = o_all[keep], a_all[keep], f_all[keep]
        out[c] = {"e2sfca": e2sfca(o, a, f, pop, supply), "bfca": bfca(o, a, f, pop, supply),
                  "sa": spatial_availability(o, a, f, pop, supply, g.sa_alpha)}
    return out


def session_access(pairs: pd.DataFrame, supply: dict[str, np.ndarray], pop: np.ndarray, n_origins: int,
                   m_per_min: float, g: GapSettings) -> dict[str, dict[str, np.ndarray]]:
    """Per session-weighted category (``g.session_weighted``): sessions a week within the walk (decayed)
    and E2SFCA with sessions a week as each place's supply, for every origin."""
    within = pairs[pairs["walk_m"] <= g.catchment_min * m_per_min]
    f_all = decay(within["walk_m"].to_numpy(dtype=np.float64) / m_per_min, g)
    out = {}
    for c, sup in supply.items():
        keep = (sup[within["asset"].to_numpy()] > 0) & (f_all > 0)
        o, a, f = within["origin"].to_numpy()[keep], within["asset"].to_numpy()[keep], f_all[keep]
        out[c] = {"within": sessions_within(within[keep], f, sup, n_origins),
                  "e2sfca": e2sfca(o, a, f, pop, sup)}
    return out


def gap_measures(origins: pd.DataFrame, pairs: pd.DataFrame, assets: pd.DataFrame, lsoas: pd.DataFrame,
                 dep_england: pd.DataFrame, tx: Taxonomy, w: WalkSettings, g: GapSettings,
                 session_supply: dict[str, np.ndarray] | None = None) -> GapResult:
    """The gap measures; ``session_supply``: sessions a week per asset, by category (activities.supply)."""
    m_per_min = metres_per_minute(w.speed_kmh)
    cats = [c for c in tx.categories if origins[f"walk_{c}_m"].notna().any()
            and np.isfinite(origins[f"walk_{c}_m"]).any()]
    pop = origin_population(origins, lsoas)
    codes = origins["lsoa21_code"]
    in_nb = codes.isin(set(lsoas["lsoa21_code"])).to_numpy()
    minutes = pd.DataFrame({c: origins[f"walk_{c}_m"].astype("float64").replace(np.inf, np.nan) / m_per_min
                            for c in cats})
    residents = pd.to_numeric(lsoas["residents"], errors="coerce").astype("float64")
    group = codes[in_nb].to_numpy()

    def lsoa_sum(values):
        return lsoas["lsoa21_code"].map(pd.Series(values[in_nb]).groupby(group).sum()).fillna(0.0).to_numpy()

    def lsoa_mean(values):
        return lsoas["lsoa21_code"].map(pd.Series(values[in_nb]).groupby(group).mean()).to_numpy()

    # 1. supply-aware access (capacity 1 per site unless the data gives one; sessions a week when weighted)
    supply_c = {c: v for c, v in (session_supply or {}).items() if c in g.session_weighted}
    cols = _access_columns(pairs, assets, cats, pop, m_per_min, g, lsoa_mean, lsoa_sum, residents)
    for c, res in session_access(pairs, supply_c, pop, len(origins), m_per_min, g).items():
        cols[f"sessions_wk_{c}"] = np.round(lsoa_mean(res["within"]), 3)  # sessions a week within the walk
        cols[f"sessions_e2sfca_{c}"] = np.round(lsoa_mean(res["e2sfca"]) * 1000, 4)  # … per 1,000 people
    out = pd.DataFrame(cols, index=lsoas.index)

    # 2. gap index from the LSOAs' mean walking minutes
    walk_min = pd.DataFrame({c: lsoas[f"walk_{c}_min"] for c in cats}, index=lsoas.index)
    families = {f: [c for c in cats if tx.categories[c].family == f] for f in tx.families}
    gi = gap_index(walk_min, families, g.family_weights)
    out = pd.concat([out, gi.round(4)], axis=1)

    # 3. need (England-wide), classes, shortfall and priority
    need_eng = need_index(dep_england, g.need_weights).set_index(dep_england["lsoa21_code"].to_numpy())
    need = need_eng.reindex(lsoas["lsoa21_code"].to_numpy()).set_axis(lsoas.index)
    out["need_score"] = need["need_score"].round(3)
    out["need_rank_england"] = need["need_rank"]
    out["need_decile_england"] = need["need_decile"]
    out = pd.concat([out, bivariate(out["need_score"], out["gap_score"])], axis=1)
    out["double_disadvantage"] = double_disadvantage(out["need_score"], out["gap_score"], g.double_disadvantage_share)
    out["left_behind_england"] = _left_behind(out, g.england_share)
    short = pd.DataFrame({c: np.round(lsoa_mean(shortfall(minutes[c].to_numpy(), g.threshold_min, 1.0)), 4)
                          for c in cats}, index=lsoas.index)
    pri = priority(residents, out["need_score"], short, composite := priority_set(g, cats, tx))
    out = pd.concat([out, short.add_prefix("shortfall_"), pri], axis=1)

    # 4. equity across IMD deciles (postcodes in the neighbourhoods, weighted by population)
    decile = codes.map(lsoas.set_index("lsoa21_code")["imd_decile"]).astype("float64").to_numpy()
    by_decile, summary = equity_tables(minutes[in_nb], pop[in_nb], decile[in_nb], g.threshold_min)

    top = out.sort_values("priority_rank").head(REPORT_TOP)
    report = {
        "settings": g.as_dict(),
        "categories": cats, "priority_categories": composite,
        "session_weighted": sorted(supply_c),
        "families": {f: cs for f, cs in families.items() if cs},
        "population_origins": int((pop > 0).sum()),
        "lsoas_double_disadvantage": int(out["double_disadvantage"].sum()),
        "lsoas_left_behind_england": int(out["left_behind_england"].sum()),
        "top_priority": [
            {"lsoa21_code": lsoas.at[i, "lsoa21_code"], "lsoa21_name": lsoas.at[i, "lsoa21_name"],
             "display_name": lsoas.at[i, "display_name" if "display_name" in lsoas else "lsoa21_name"],
             "residents": _num(residents.at[i]), "imd_decile": _num(lsoas.at[i, "imd_decile"]),
             "need_score": _num(r["need_score"]), "need_weight": _num(r["need_weight"]),
             "need_decile_england": _num(r["need_decile_england"]),
             "gap_score": _num(r["gap_score"]), "gap_rank": _num(r["gap_rank"]),
             "shortfall_mean": _num(r["shortfall_mean"]), "priority_score": _num(r["priority_score"]),
             "priority_rank": _num(r["priority_rank"]),
             "worst_shortfalls": {c: _num(v) for c, v in short.loc[i].sort_values(ascending=False).head(3).items()
                                  if v > 0}}
            for i, r in top.iterrows()],
        "equity": summary.to_dict("records"),
    }
    return GapResult(out, by_decile, summary, report)


def _access_columns(pairs, assets, cats, pop, m_per_min, g, lsoa_mean, lsoa_sum, residents) -> dict:
    """E2SFCA, BFCA and spatial availability per category, as LSOA columns."""
    asset_cats = [set(cs) for cs in assets["categories"]]
    members = {c: np.fromiter((c in cs for cs in asset_cats), bool, len(asset_cats)) for c in cats}
    supply = pd.to_numeric(assets["capacity"], errors="coerce").fillna(1.0).to_numpy() \
        if "capacity" in assets else np.ones(len(assets))
    fca = supply_access(pairs, members, pop, supply, m_per_min, g)
    cols = {}
    for c in cats:
        cols[f"e2sfca_{c}"] = np.round(lsoa_mean(fca[c]["e2sfca"]) * 1000, 4)  # sites per 1,000 people
        cols[f"bfca_{c}"] = np.round(lsoa_mean(fca[c]["bfca"]) * 1000, 4)
        sa = lsoa_sum(fca[c]["sa"])
        cols[f"sa_{c}"] = np.round(sa, 4)  # sites' worth of supply available to the LSOA's residents
        cols[f"sa_{c}_per1k"] = np.round(sa / residents.replace(0, np.nan).to_numpy() * 1000, 4)
    return cols


def priority_set(g: GapSettings, cats: list[str], tx: Taxonomy) -> list[str]:
    """The categories the overall priority score covers: [gaps] priority_categories of those mapped
    here, or every mapped category when it is empty (or names none mapped here)."""
    unknown = [c for c in g.priority_categories if c not in tx.categories]
    if unknown:
        raise ConfigError(f"[gaps] priority_categories names unknown categories {unknown}; use keys of "
                          "data/taxonomy.toml's [categories] (see docs/configuration.md)")
    chosen = [c for c in cats if c in g.priority_categories]
    return chosen or list(cats)


def _left_behind(out: pd.DataFrame, share: float) -> pd.Series:
    """England's worst ``share`` on need (by decile) and the area's worst ``share`` on gap."""
    n_worst = max(1, int(np.ceil(share * out["gap_score"].notna().sum())))
    worst_gap = out["gap_score"].rank(ascending=False, method="min") <= n_worst
    worst_need = out["need_decile_england"] <= round(share * 10)
    return (worst_need & worst_gap).fillna(False).astype(bool)


def _num(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    return int(v) if isinstance(v, (int, np.integer)) else round(float(v), 4)
