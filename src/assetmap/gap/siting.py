"""Where would a new place of a category help most? Greedy siting from the buildings already there.

Candidates are, by default, the community buildings an area already has that could host the
service (community centres and halls, libraries, social centres, places of worship), or any
network point on a regular grid. Each pick is the candidate that most reduces the
deprivation-weighted shortfall

    Σ_i P_i · w_i · (s_i(now) − s_i(with the candidate)),   s = max(0, (t − z) / z)

(P population, w need weight, t walking minutes, z the threshold), after which the field is
updated and the next pick made; each pick is reported with its gain. Greedy selection is the
standard approximation for this kind of coverage objective (it is submodular).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

from ..constants import BNG, WGS84
from ..walk.access import metres_per_minute
from .formulas import shortfall
from .scenarios import ScenarioError, ScenarioModel, stored

HOST_CATEGORIES = ("community_centre", "library", "social_centre", "place_of_worship")


def _text(v) -> str | None:
    """A name or category as text, or None (an unnamed building's name is NaN in the table: not JSON)."""
    return v if isinstance(v, str) and v.strip() else None


def greedy(weight: np.ndarray, now_min: np.ndarray, cand_min: np.ndarray, z: float, k: int) -> tuple[list, list]:
    """Greedy picks among candidate rows of ``cand_min`` (candidates x origins, minutes): each time
    the one that most reduces Σ weight · shortfall, given the picks so far. Stops early when no
    candidate helps. Returns the picked row indices and their gains."""
    now = np.asarray(now_min, dtype=np.float64).copy()
    order: list[int] = []
    gains: list[float] = []
    for _ in range(min(k, len(cand_min))):
        g = (weight * (shortfall(now, z) - shortfall(np.minimum(now, cand_min), z))).sum(axis=1)
        g[order] = -np.inf
        best = int(np.argmax(g))
        if not g[best] > 0:
            break
        order.append(best)
        gains.append(float(g[best]))
        now = np.minimum(now, cand_min[best])
    return order, gains


def candidate_grid(model: ScenarioModel, spacing_m: float = 250.0) -> pd.DataFrame:
    """Points every ``spacing_m`` over the area's neighbourhoods, as candidate sites."""
    import shapely

    minx, miny, maxx, maxy = model.area_shape.bounds
    xs, ys = np.meshgrid(np.arange(minx, maxx, spacing_m), np.arange(miny, maxy, spacing_m))
    pts = shapely.points(xs.ravel(), ys.ravel())
    keep = shapely.contains(model.area_shape, pts)
    return pd.DataFrame({"candidate": [f"grid-{i}" for i in range(int(keep.sum()))], "name": None, "category": None,
                         "x": xs.ravel()[keep], "y": ys.ravel()[keep]})


def candidate_buildings(model: ScenarioModel, category: str, hosts=HOST_CATEGORIES) -> pd.DataFrame:
    mask = np.array([bool(cs & set(hosts)) and category not in cs for cs in model.asset_cats])
    a = model.assets[mask]
    return pd.DataFrame({"candidate": a["asset_id"].to_numpy(), "name": a["name"].to_numpy(),
                         "category": a["category"].to_numpy(), "x": model.asset_x[mask], "y": model.asset_y[mask]})


def site(model: ScenarioModel, category: str, k: int = 5, candidates: str = "buildings") -> dict:
    """The ``k`` best candidate sites for ``category``, greedily, each with its gain."""
    cat = model.category(category)
    if not 1 <= int(k) <= 50:
        raise ScenarioError(f"k = {k}; ask for between 1 and 50 sites")
    cand = candidate_buildings(model, cat) if candidates == "buildings" else \
        candidate_grid(model) if candidates == "network" else None
    if cand is None:
        raise ScenarioError(f"candidates = {candidates!r}; use \"buildings\" or \"network\"")
    if not len(cand):
        raise ScenarioError(f"no candidate sites for {cat} in {model.report['area']['name']}; try candidates=network")
    mpm = metres_per_minute(model.speed)
    z = model.threshold
    in_nb = model.origins["lsoa21_code"].isin(set(model.nb["lsoa21_code"])).to_numpy()
    need_w = model.origins["lsoa21_code"].map(model.nb.set_index("lsoa21_code")["need_weight"]).fillna(0).to_numpy()
    weight = np.where(in_nb, model.pop * need_w, 0.0)
    now = model.base[cat].copy()
    # walking distance from every candidate to every postcode (searches bounded by the longest walk now)
    engine = model._engine(model.routing.remap(model.snapper.snap(cand["x"].to_numpy(), cand["y"].to_numpy())))
    limit = float(np.nanmax(np.where(np.isfinite(now), now, 0))) or np.inf
    walks = stored(np.vstack([d for _, d in engine.matrix(limit)]))
    total_before = float((weight * shortfall(now / mpm, z)).sum())
    order, gains = greedy(weight, now / mpm, walks / mpm, z, int(k))
    picks = []
    lonlat = Transformer.from_crs(BNG, WGS84, always_xy=True)
    for rank, (best, gain) in enumerate(zip(order, gains, strict=False), start=1):
        newly = in_nb & (now / mpm > z) & (walks[best] / mpm <= z)
        now = np.minimum(now, walks[best])
        r = cand.iloc[best]
        lon, lat = lonlat.transform(float(r["x"]), float(r["y"]))
        picks.append({"rank": rank, "candidate": r["candidate"], "name": _text(r["name"]),
                      "host_category": _text(r["category"]),
                      "lon": round(lon, 6), "lat": round(lat, 6), "gain": round(float(gain), 2),
                      "people_newly_within_threshold": round(float(model.pop[newly].sum()))})
    return {"area": model.report["area"]["slug"], "category": cat, "candidates": candidates,
            "candidates_considered": int(len(cand)), "threshold_min": z,
            "weighted_shortfall_before": round(total_before, 2),
            "weighted_shortfall_after": round(float((weight * shortfall(now / mpm, z)).sum()), 2),
            "picks": picks}
