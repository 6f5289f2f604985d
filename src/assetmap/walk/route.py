"""A walking route between two points on the build's own walk network, at request time.

The lookup ranks places by walking distance; a route shows that walk on a map. Both ends are
snapped to the nearest segment exactly as the build snaps postcodes and assets
(:mod:`.snapping`), so the route's length is the lookup's walking distance. One Dijkstra from
the start segment's two end nodes over the full network (tens of thousands of nodes for a town),
bounded by a distance limit, costs a few milliseconds; the graph is built once per area.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from ..constants import BNG, WGS84
from .network import WalkNetwork
from .snapping import Snapper


@dataclass
class Route:
    metres: float
    xy: list[tuple[float, float]]  # the line in EPSG:27700: start, its snap, the nodes walked, the end's snap, end

    def latlon(self) -> list[list[float]]:
        """The line as [latitude, longitude] pairs (WGS84, 6 decimals: about 10 cm), as Leaflet takes them."""
        x, y = np.array(self.xy).T
        lon, lat = _to_wgs84().transform(x, y)
        return [[round(float(a), 6), round(float(o), 6)] for a, o in zip(lat, lon, strict=True)]


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(BNG, WGS84, always_xy=True)


class Router:
    """Shortest walks on one network (its graph and snapper made once)."""

    def __init__(self, net: WalkNetwork, snapper: Snapper | None = None):
        self.net = net
        self.snapper = snapper or Snapper(net)
        self.graph = net.graph()

    def _point(self, snap, k: int) -> tuple[float, float]:
        seg, t = int(snap.segment[k]), float(snap.t[k])
        u, v = self.net.u[seg], self.net.v[seg]
        return (float(self.net.x[u] + t * (self.net.x[v] - self.net.x[u])),
                float(self.net.y[u] + t * (self.net.y[v] - self.net.y[u])))

    def _node(self, i: int) -> tuple[float, float]:
        return float(self.net.x[i]), float(self.net.y[i])

    def route(self, x0: float, y0: float, x1: float, y1: float, limit: float = 20_000.0) -> Route | None:
        """The shortest walk from (x0, y0) to (x1, y1), or None when none is shorter than ``limit`` metres."""
        s = self.snapper.snap(np.array([x0, x1]), np.array([y0, y1]))
        a, b = self._point(s, 0), self._point(s, 1)
        legs = float(s.leg[0] + s.leg[1])
        if s.segment[0] == s.segment[1]:  # both on one segment: along it
            return Route(legs + abs(float(s.to_u[0] - s.to_u[1])), [(x0, y0), a, b, (x1, y1)])
        starts = np.array([s.node_u[0], s.node_v[0]])
        first = np.array([s.to_u[0], s.to_v[0]])
        dist, pred = dijkstra(self.graph, directed=True, indices=starts, return_predecessors=True, limit=limit)
        ends = np.array([s.node_u[1], s.node_v[1]])
        last = np.array([s.to_u[1], s.to_v[1]])
        total = first[:, None] + dist[:, ends] + last[None, :]  # [start end, finish end]
        i, j = np.unravel_index(int(np.argmin(total)), total.shape)
        best = float(total[i, j])
        if not np.isfinite(best) or best + legs > limit:
            return None
        nodes, k = [], int(ends[j])
        while k >= 0:
            nodes.append(k)
            k = int(pred[i, k])
        nodes.reverse()
        return Route(best + legs, [(x0, y0), a, *(self._node(n) for n in nodes), b, (x1, y1)])
