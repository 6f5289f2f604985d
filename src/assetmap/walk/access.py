"""Walking access on the street network: nearest asset per group, and the k nearest per origin.

The graph is the walk network plus one *virtual node per asset*, with an edge from it to each
end of the asset's snapped segment weighing the snap leg plus the distance along the segment.
Then:

* **Nearest asset of a group** (a category or a family) for every origin is *one* multi-source
  Dijkstra (``scipy.sparse.csgraph.dijkstra(min_only=True)``) seeded with the group's virtual
  nodes: it labels every network node with its distance to the nearest asset and which asset
  that is. An origin snapped onto edge (u, v) at distances ``to_u``/``to_v`` with leg ``s``
  is then ``s + min(d[u] + to_u, d[v] + to_v)`` away — or, when an asset sits on the same
  edge, possibly ``s + s_a + |to_u - to_u_a|`` directly along it, which is checked too. The
  edges are network segments, or whole chains between junctions (:meth:`AccessEngine.contracted`).
  Never one search per origin or per pair.
* **The k nearest assets within a walk** of every origin (for the public lookup) are bounded
  searches from each asset (``limit=radius``), done in chunks, so the cost grows with the
  assets and the ground each can reach on foot, not with origins × assets.

Every result is an array aligned on the origins passed in.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from .contraction import contract
from .network import WalkNetwork
from .snapping import Snap

UNREACHED = -9999


def metres_per_minute(kmh: float) -> float:
    return float(kmh) * 1000.0 / 60.0


@dataclass
class Nearest:
    """Walking distance (m) from each origin to its nearest asset of a group, and that asset's
    index (-1 when the group is empty or unreachable: distance ``inf``)."""

    dist: np.ndarray
    asset: np.ndarray


class AccessEngine:
    """Walking distances between snapped origins and snapped assets over one network."""

    def __init__(self, net: WalkNetwork, origins: Snap, assets: Snap):
        self.net = net
        self.origins = origins
        self.assets = assets
        n, a = net.n_nodes, len(assets)
        virtual = n + np.arange(a)
        extra = (np.concatenate([virtual, virtual]),
                 np.concatenate([assets.node_u, assets.node_v]),
                 np.concatenate([assets.leg + assets.to_u, assets.leg + assets.to_v]))
        self.graph = net.graph(a, extra)
        self.n = n
        # origins and assets that share a segment: the only pairs a walk may join directly
        o = pd.DataFrame({"origin": np.arange(len(origins)), "segment": origins.segment})
        s = pd.DataFrame({"asset": np.arange(a), "segment": assets.segment})
        pairs = o.merge(s, on="segment")
        oi, ai = pairs["origin"].to_numpy(), pairs["asset"].to_numpy()
        self._same = (oi, ai, origins.leg[oi] + assets.leg[ai] + np.abs(origins.to_u[oi] - assets.to_u[ai]))

    @classmethod
    def contracted(cls, net: WalkNetwork, origins: Snap, assets: Snap) -> AccessEngine:
        """The same engine routing over junctions only (chains of shape nodes contracted into
        edges, :mod:`assetmap.walk.contraction`): identical distances, several times fewer nodes."""
        routing = contract(net)
        return cls(routing.graph_net, routing.remap(origins), routing.remap(assets))

    def _to_origins(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Origin distances from node labels ``d`` (last axis = nodes), and whether via ``u``."""
        o = self.origins
        du = d[..., o.node_u] + o.to_u
        dv = d[..., o.node_v] + o.to_v
        via_u = du <= dv
        return np.where(via_u, du, dv) + o.leg, via_u

    def nearest(self, members) -> Nearest:
        """The nearest asset among ``members`` (asset indices or a boolean mask) for every origin."""
        members = np.asarray(members)
        if members.dtype == bool:
            members = np.flatnonzero(members)
        n_o = len(self.origins)
        if len(members) == 0:
            return Nearest(np.full(n_o, np.inf), np.full(n_o, -1, dtype=np.int64))
        d, _, src = dijkstra(self.graph, indices=self.n + members, min_only=True, return_predecessors=True)
        dist, via_u = self._to_origins(d)
        node = np.where(via_u, self.origins.node_u, self.origins.node_v)
        s = src[node].astype(np.int64)
        asset = np.where(s >= 0, s - self.n, -1)
        oi, ai, direct = self._same
        inside = np.isin(ai, members)
        if inside.any():  # along the shared segment, per origin the best such asset
            oi, ai, direct = oi[inside], ai[inside], direct[inside]
            order = np.lexsort((direct, oi))
            oi, ai, direct = oi[order], ai[order], direct[order]
            first = np.r_[True, oi[1:] != oi[:-1]]
            oi, ai, direct = oi[first], ai[first], direct[first]
            better = direct < dist[oi]
            dist[oi[better]], asset[oi[better]] = direct[better], ai[better]
        return Nearest(dist, asset)

    def matrix(self, limit: float = np.inf, chunk: int = 64):
        """Walking distance from every asset to every origin, as (asset ids, dense rows) chunks
        of at most ``chunk`` assets: searches bounded by ``limit`` (inf beyond it)."""
        n_a = len(self.assets)
        oi_same, ai_same, d_same = self._same
        for start in range(0, n_a, chunk):
            ids = np.arange(start, min(start + chunk, n_a))
            d = dijkstra(self.graph, indices=self.n + ids, limit=limit)
            dist, _ = self._to_origins(d)  # (chunk, origins)
            sel = (ai_same >= ids[0]) & (ai_same <= ids[-1])
            np.minimum.at(dist, (ai_same[sel] - start, oi_same[sel]), d_same[sel])
            yield ids, dist

    def within(self, radius: float, chunk: int = 64) -> pd.DataFrame:
        """Every (origin, asset) pair at most ``radius`` metres' walk apart: columns origin, asset,
        walk_m, sorted by origin then distance."""
        frames = []
        for ids, dist in self.matrix(radius, chunk):
            r, c = np.nonzero(dist <= radius)
            frames.append(pd.DataFrame({"origin": c.astype(np.int32), "asset": ids[r].astype(np.int32),
                                        "walk_m": dist[r, c].astype(np.float32)}))
        out = pd.concat(frames, ignore_index=True) if frames else \
            pd.DataFrame({"origin": np.zeros(0, np.int32), "asset": np.zeros(0, np.int32),
                          "walk_m": np.zeros(0, np.float32)})
        return out.sort_values(["origin", "walk_m", "asset"], kind="stable").reset_index(drop=True)


def group_members(categories: list, groups: dict[str, set]) -> dict[str, np.ndarray]:
    """Boolean masks over assets: for each group (a name -> set of categories), the assets with
    any of its categories. ``categories`` is each asset's list of categories."""
    out = {}
    for name, cats in groups.items():
        out[name] = np.fromiter((any(c in cats for c in cs) for cs in categories), dtype=bool, count=len(categories))
    return out
