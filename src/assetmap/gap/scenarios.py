"""What if a place opens or closes? Walking-time changes for every postcode, neighbourhood and
IMD decile, and the change in the priority score — from the build's stored distance fields.

:class:`ScenarioModel` loads a build once (network, snapped postcodes and assets, the per-postcode
walking fields). A change then costs one search from the changed place only:

* **open** a place of category C at a point, or in an existing building (an asset id): one
  Dijkstra from the new place gives its walk to every postcode; the new field is the minimum of
  the old one and that.
* **close** asset X: only postcodes whose nearest place of a category was X can change; they get
  the nearest of the remaining places (one multi-source search without X); every other postcode
  keeps its stored value exactly, so closing then reopening X returns the original fields exactly.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import AssetmapError
from ..outputs.write import unflatten
from ..walk.access import AccessEngine, metres_per_minute
from ..walk.contraction import contract
from ..walk.network import WalkNetwork
from ..walk.snapping import Snap, Snapper
from .formulas import shortfall
from .stage import origin_population


class ScenarioError(AssetmapError, ValueError):
    """A scenario that cannot be run as asked; ``status`` is the HTTP status for the web API."""

    status = 400


class UnknownAssetError(ScenarioError):
    status = 404


def stored(metres: np.ndarray) -> np.ndarray:
    """A distance field as the build stores it (rounded to 0.1 m, float32), back in float64."""
    return np.round(metres, 1).astype(np.float32).astype(np.float64)


@dataclass
class Change:
    """``kind`` "open" (``category`` at ``x``/``y`` in EPSG:27700 or in building ``asset_id``) or "close"
    (``asset_id``)."""

    kind: str
    category: str | None = None
    x: float | None = None
    y: float | None = None
    asset_id: str | None = None


class ScenarioModel:
    def __init__(self, build_dir: str | Path):
        d = Path(build_dir)
        self.report = json.loads((d / "report.json").read_text())
        self.net = WalkNetwork.load(d / "network.npz")
        self.routing = contract(self.net)
        self.snapper = Snapper(self.net)
        self.origins = pd.read_parquet(d / "access.parquet")
        assets = gpd.read_parquet(d / "assets.parquet")
        self.assets = unflatten(assets.drop(columns="geometry"))
        self.asset_x, self.asset_y = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()
        self.asset_index = {a: i for i, a in enumerate(self.assets["asset_id"])}
        self.asset_cats = [set(cs) for cs in self.assets["categories"]]
        nb = gpd.read_parquet(d / "neighbourhoods.parquet")
        self.nb = pd.DataFrame(nb.drop(columns="geometry"))
        self.area_shape = nb.geometry.union_all()
        self.speed = self.report["walking"]["speed_kmh"]
        self.threshold = self.report.get("gaps", {}).get("settings", {}).get("threshold_min", 15.0)
        self.categories = [c for c in self.report.get("gaps", {}).get("categories", [])] or \
            [c[5:-2] for c in self.origins.columns if c.startswith("walk_") and c.endswith("_m")
             and not c.startswith("walk_family_")]
        self._o = self.routing.remap(self.snapper.snap(self.origins["x"].to_numpy(), self.origins["y"].to_numpy()))
        self._a = self.routing.remap(self.snapper.snap(self.asset_x, self.asset_y))
        self.pop = origin_population(self.origins, self.nb)
        decile_of = self.nb.set_index("lsoa21_code")["imd_decile"]
        self.decile = self.origins["lsoa21_code"].map(decile_of).astype("float64").to_numpy()
        self.base = {c: self.origins[f"walk_{c}_m"].to_numpy(dtype=np.float64) for c in self.categories}
        self.base_nearest = {
            c: self.origins[f"nearest_{c}"].map(self.asset_index).fillna(-1).astype(np.int64).to_numpy()
            for c in self.categories}

    # --- the searches ------------------------------------------------------------------
    def _engine(self, sites: Snap) -> AccessEngine:
        return AccessEngine(self.routing.graph_net, self._o, sites)

    def walk_from(self, x: float, y: float) -> np.ndarray:
        """Walking distance (m) from a point to every postcode."""
        snap = self.routing.remap(self.snapper.snap(np.array([x]), np.array([y])))
        return self._engine(snap).nearest(np.array([0])).dist

    def check_point(self, x: float, y: float) -> None:
        import shapely

        inside = self.area_shape.contains(shapely.Point(x, y))
        snap = self.snapper.snap(np.array([x]), np.array([y]))
        warn = self.report["walking"]["snap"]["warn_m"]
        if not inside or snap.leg[0] > warn:
            where = "outside the area’s neighbourhoods" if not inside else \
                f"{snap.leg[0]:.0f} m from the nearest walkable way"
            raise ScenarioError(
                f"the point is {where}; "
                f"choose a point inside {self.report['area']['name']} on or near a street or path")

    def asset(self, asset_id: str) -> int:
        i = self.asset_index.get(asset_id)
        if i is None:
            raise UnknownAssetError(f"there is no asset {asset_id[:80]!r} in {self.report['area']['name']}; "
                                    f"take an asset_id from the assets download or the map")
        return i

    def category(self, c: str) -> str:
        if c not in self.categories:
            raise ScenarioError(f"unknown category {str(c)[:40]!r}; use one of: {', '.join(self.categories)}")
        return c

    # --- changes ------------------------------------------------------------------------
    def apply(self, changes: list[Change]) -> tuple[dict, dict]:
        """New walking fields (category -> metres per postcode) and nearest-asset fields after
        the changes, in order, starting from the build's. New distances are stored as the build
        stores them (0.1 m, float32), so a field computed again equals the stored one exactly."""
        dist = {c: v.copy() for c, v in self.base.items()}
        nearest = {c: v.copy() for c, v in self.base_nearest.items()}
        closed: set[int] = set()
        for ch in changes:
            if ch.kind == "open":
                cat = self.category(ch.category)
                if ch.asset_id is not None:
                    i = self.asset(ch.asset_id)
                    new = stored(self._engine(self._a.take(np.array([i]))).nearest(np.array([0])).dist)
                    closed.discard(i)
                    who = i
                else:
                    self.check_point(ch.x, ch.y)
                    new = stored(self.walk_from(ch.x, ch.y))
                    who = -2  # a new place
                better = new < dist[cat]
                dist[cat] = np.where(better, new, dist[cat])
                nearest[cat] = np.where(better, who, nearest[cat])
            elif ch.kind == "close":
                i = self.asset(ch.asset_id)
                closed.add(i)
                for cat in self.categories:
                    served = nearest[cat] == i
                    if not served.any():
                        continue
                    members = np.array([j for j, cs in enumerate(self.asset_cats) if cat in cs and j not in closed])
                    res = self._engine(self._a).nearest(members)
                    dist[cat] = np.where(served, stored(res.dist), dist[cat])
                    nearest[cat] = np.where(served, res.asset, nearest[cat])
            else:
                raise ScenarioError(f"unknown change {ch.kind!r}; use open or close")
        return dist, nearest

    def run(self, changes: list[Change]) -> dict:
        """The changes' effect: per category, on postcodes, neighbourhoods, IMD deciles and priority."""
        after, _ = self.apply(changes)
        mpm = metres_per_minute(self.speed)
        in_nb = self.origins["lsoa21_code"].isin(set(self.nb["lsoa21_code"])).to_numpy()
        out = {"area": self.report["area"]["slug"], "changes": [c.__dict__ for c in changes], "categories": {}}
        for cat in self.categories:
            b, a = self.base[cat] / mpm, after[cat] / mpm
            moved = np.flatnonzero(np.abs(a - b) > 1e-9)
            if not len(moved):
                continue
            code = self.origins["lsoa21_code"]
            frame = pd.DataFrame({"lsoa21_code": code, "before": b, "after": a, "pop": self.pop,
                                  "s_before": shortfall(b, self.threshold), "s_after": shortfall(a,
                                                                                                 self.threshold)})[in_nb]
            g = frame.groupby("lsoa21_code").mean(numeric_only=True)
            nb = self.nb.set_index("lsoa21_code")
            g = g.join(nb[["lsoa21_name", "residents", "need_weight", "imd_decile"]])
            g["display_name"] = nb["display_name"] if "display_name" in nb else g["lsoa21_name"]
            g["priority_before"] = g["residents"] * g["need_weight"] * g["s_before"]
            g["priority_after"] = g["residents"] * g["need_weight"] * g["s_after"]
            changed = g[(g["after"] - g["before"]).abs() > 1e-9].sort_values("after")
            dec = []
            for d in range(1, 11):
                m = in_nb & (self.decile == d)
                if m.any() and self.pop[m].sum() > 0:
                    dec.append({"imd_decile": d, "population": round(float(self.pop[m].sum())),
                                "mean_min_before": round(float(np.average(b[m], weights=self.pop[m])), 2),
                                "mean_min_after": round(float(np.average(a[m], weights=self.pop[m])), 2)})
            out["categories"][cat] = {
                "postcodes_changed": int(len(moved)),
                "people_gaining": round(float(self.pop[in_nb & (a < b - 1e-9)].sum())),
                "people_losing": round(float(self.pop[in_nb & (a > b + 1e-9)].sum())),
                "people_within_threshold_before": round(float(self.pop[in_nb & (b <= self.threshold)].sum())),
                "people_within_threshold_after": round(float(self.pop[in_nb & (a <= self.threshold)].sum())),
                "priority_before": round(float(g["priority_before"].sum()), 1),
                "priority_after": round(float(g["priority_after"].sum()), 1),
                "lsoas": [{"lsoa21_code": k, "lsoa21_name": r["lsoa21_name"], "display_name": r["display_name"],
                           "before_min": round(r["before"], 2),
                           "after_min": round(r["after"], 2), "change_min": round(r["after"] - r["before"], 2),
                           "priority_before": round(r["priority_before"],
                                                    1), "priority_after": round(r["priority_after"], 1)}
                          for k, r in changed.iterrows()],
                "deciles": dec,
            }
        return out
