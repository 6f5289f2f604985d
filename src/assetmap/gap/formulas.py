"""The deprivation-weighted gap measure: an AHAH-style gap index, a need axis from IoD2025,
their classes, and a priority score — every intermediate kept, so an analyst can check it.

All functions take and return frames aligned on the neighbourhoods (one row per LSOA). See
``docs/methodology.md`` for the formulas, defaults and references.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

EXP_K = 1.0 - np.exp(-100.0 / 23.0)


def inverse_normal(values) -> np.ndarray:
    """Rank-based inverse normal transform, z = Φ⁻¹((r − 0.5) / n), ranking ascending (ties
    averaged); NaN stays NaN and does not count in n."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    n = ok.sum()
    if n:
        out[ok] = norm.ppf((rankdata(v[ok]) - 0.5) / n)
    return out


def exponential_transform(R) -> np.ndarray:
    """X = −23·ln(1 − R·(1 − e^(−100/23))) for R in (0, 1]: 0 → 0, 1 → 100, stretching the worst end."""
    return -23.0 * np.log(1.0 - np.asarray(R, dtype=np.float64) * EXP_K)


def scaled_rank(values) -> np.ndarray:
    """R = rank / n in (0, 1], ascending (1 = the highest value), NaN kept."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    if ok.any():
        out[ok] = rankdata(v[ok], method="average") / ok.sum()
    return out


def gap_index(walk_min: pd.DataFrame, families: dict[str, list[str]],
              weights: dict[str, float] | None = None) -> pd.DataFrame:
    """AHAH-style gap index from walking minutes (columns = categories; higher = worse).

    Per category: rank → inverse normal (``gapz_<cat>``); per family: mean of its categories'
    z (``gapz_family_<fam>``), then rank → exponential transform (``gapx_family_<fam>``, 0–100);
    overall: weighted mean of the families' X (``gap_score``, equal weights by default), its rank
    within the area (``gap_rank``, 1 = the biggest gap) and quintile (``gap_quintile``, 1 = worst
    fifth). Categories with no walking time anywhere (none mapped) are left out, and so are
    families left with no category; the remaining weights are renormalised.
    """
    out = pd.DataFrame(index=walk_min.index)
    fam_x = {}
    for fam, cats in families.items():
        zs = []
        for c in cats:
            if c in walk_min and walk_min[c].notna().any():
                out[f"gapz_{c}"] = inverse_normal(walk_min[c])
                zs.append(out[f"gapz_{c}"])
        if not zs:
            continue
        out[f"gapz_family_{fam}"] = pd.concat(zs, axis=1).mean(axis=1)
        out[f"gapx_family_{fam}"] = exponential_transform(scaled_rank(out[f"gapz_family_{fam}"]))
        fam_x[fam] = out[f"gapx_family_{fam}"]
    if not fam_x:
        out["gap_score"] = np.nan
    else:
        w = pd.Series({f: float((weights or {}).get(f, 1.0)) for f in fam_x})
        X = pd.concat(fam_x, axis=1)
        out["gap_score"] = (X * w).sum(axis=1, min_count=1) / X.notna().mul(w).sum(axis=1).replace(0, np.nan)
    out["gap_rank"] = out["gap_score"].rank(ascending=False, method="min").astype("Int64")
    out["gap_quintile"] = quantile_class(out["gap_score"], 5, worst_high=True)
    return out


def quantile_class(values: pd.Series, k: int, worst_high: bool = True) -> pd.Series:
    """Equal-count classes 1..k by rank (1 = the worst end: highest values when ``worst_high``)."""
    v = values if worst_high else -values
    r = v.rank(ascending=False, method="first")
    n = v.notna().sum()
    if not n:
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    return (np.floor((r - 1) / n * k) + 1).clip(1, k).astype("Int64")


def need_index(dep: pd.DataFrame, weights: dict[str, float], n_england: int | None = None) -> pd.DataFrame:
    """The need axis from IoD2025 domain ranks (England-wide, rank 1 = most deprived).

    Each domain's rank becomes R = (N + 1 − rank) / N (most deprived → 1), then X = the
    exponential transform (0–100); the need score is the weighted mean of the domains' X, with
    the IMD's weights by default and without the barriers domain. Returns ``need_score`` and,
    across all the rows given (pass all of England for the national figures), ``need_rank``
    (1 = most in need) and ``need_decile`` (1 = most in need 10%).
    """
    N = n_england or len(dep)
    X = {}
    for d, w in weights.items():
        if w:
            X[d] = exponential_transform((N + 1 - dep[f"{d}_rank"].astype("float64")) / N)
    Xf = pd.DataFrame(X, index=dep.index)
    w = pd.Series({d: float(weights[d]) for d in Xf.columns})
    score = (Xf * w).sum(axis=1, min_count=len(w)) / w.sum()
    out = pd.DataFrame({"need_score": score}, index=dep.index)
    out["need_rank"] = score.rank(ascending=False, method="min").astype("Int64")
    out["need_decile"] = quantile_class(score, 10, worst_high=True)
    return out


def bivariate(need: pd.Series, gap: pd.Series) -> pd.DataFrame:
    """Need tercile × gap tercile within the area (3 = highest), and the class "need-gap" (e.g. "3-3")."""
    nt = 4 - quantile_class(need, 3, worst_high=True)
    gt = 4 - quantile_class(gap, 3, worst_high=True)
    cls = nt.astype("string") + "-" + gt.astype("string")
    return pd.DataFrame({"need_tercile": nt, "gap_tercile": gt, "bivariate_class": cls}, index=need.index)


def double_disadvantage(need: pd.Series, gap: pd.Series, share: float) -> pd.Series:
    """In the worst ``share`` of the area on both need and gap (ties at the cut included)."""
    k = max(1, int(np.ceil(share * need.notna().sum())))
    worst_need = need.rank(ascending=False, method="min") <= k
    k_gap = max(1, int(np.ceil(share * gap.notna().sum())))
    worst_gap = gap.rank(ascending=False, method="min") <= k_gap
    return (worst_need & worst_gap).fillna(False).astype(bool)


def shortfall(minutes, threshold: float, alpha: float = 1.0) -> np.ndarray:
    """FGT-style shortfall of a walk of ``minutes`` against the threshold z: ((t − z)/z)^α above
    it, 0 within it (α = 0: 1 above, the headcount)."""
    t = np.asarray(minutes, dtype=np.float64)
    gap = np.clip((t - threshold) / threshold, 0.0, None)
    if alpha == 0:
        return np.where(np.isnan(t), np.nan, (t > threshold).astype(np.float64))
    return gap ** alpha


def priority(residents: pd.Series, need_score: pd.Series, shortfalls: pd.DataFrame,
             composite: list[str] | None = None) -> pd.DataFrame:
    """``priority_<cat>`` = residents × need weight × shortfall, per category, and ``priority_score``
    over the ``composite`` categories (all when None or empty: the mean shortfall), with ``need_weight``
    = need score / 100 (0–1) and ``priority_rank`` (1 = first). The score of any set of categories is
    the mean of their ``priority_<cat>`` (the planner's per-category layer computes it so)."""
    need_w = (need_score / 100.0).clip(0, 1)
    res = pd.to_numeric(residents, errors="coerce").astype("float64")
    out = pd.DataFrame({"need_weight": need_w.round(4)}, index=shortfalls.index)
    for c in shortfalls.columns:
        out[f"priority_{c}"] = (res * need_w * shortfalls[c]).round(1)
    out["shortfall_mean"] = shortfalls[list(composite or shortfalls.columns)].mean(axis=1).round(4)
    out["priority_score"] = (res * need_w * out["shortfall_mean"]).round(1)
    out["priority_rank"] = out["priority_score"].rank(ascending=False, method="min").astype("Int64")
    return out
