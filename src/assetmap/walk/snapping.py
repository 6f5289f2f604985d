"""Snapping points to the nearest walk-network *edge* (not node), exactly and at any scale.

Snapping to the nearest node shifts measured access by over 10% in published work, so every
origin and asset is projected onto its nearest segment, and the walk then starts with the snap
leg (point to projection) and goes along the segment to either end.

The search is a KD-tree over the midpoints of pieces no longer than ``step`` metres, cut from
every segment of the main component. A segment's closest point lies in one of its pieces, whose
midpoint is at most ``step / 2`` farther away, so after measuring the exact distance to the
segments of the ``k`` nearest pieces, only pieces within ``best + step / 2`` can hold a closer
segment; the points whose ``k`` pieces do not reach that far are searched again with four
times as many, and any still unsure after that get an exact ball search. The result
is the exact nearest segment (tested against shapely's STRtree), with memory and time that
grow linearly, so it serves a town and all of England alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .network import WalkNetwork


@dataclass
class Snap:
    """Where each point meets the network: segment index, position ``t`` along it (0 at ``u``,
    1 at ``v``), the snap leg in metres, and the along-segment distances to ``u`` and ``v``."""

    segment: np.ndarray
    t: np.ndarray
    leg: np.ndarray
    node_u: np.ndarray
    node_v: np.ndarray
    to_u: np.ndarray
    to_v: np.ndarray

    def __len__(self) -> int:
        return len(self.segment)

    def take(self, idx) -> Snap:
        return Snap(*(getattr(self, f)[idx] for f in ("segment", "t", "leg", "node_u", "node_v", "to_u", "to_v")))


def _project(net: WalkNetwork, seg: np.ndarray, px: np.ndarray, py: np.ndarray):
    """Position ``t`` on, and distance to, segment ``seg`` (arrays broadcast together)."""
    ax, ay = net.x[net.u[seg]], net.y[net.u[seg]]
    dx, dy = net.x[net.v[seg]] - ax, net.y[net.v[seg]] - ay
    l2 = dx * dx + dy * dy
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.where(l2 > 0, l2, 1.0), 0.0, 1.0)
    return t, np.hypot(px - (ax + t * dx), py - (ay + t * dy))


class Snapper:
    """Snaps points to the nearest segment of the main component of ``net``."""

    def __init__(self, net: WalkNetwork, step: float = 25.0, k: int = 8):
        self.net = net
        self.step = float(step)
        segs = np.flatnonzero(net.main)
        if len(segs) == 0:
            raise ValueError("the walk network has no segments to snap to")
        n = np.maximum(1, np.ceil(net.length[segs] / self.step)).astype(np.int64)
        self.piece_seg = np.repeat(segs, n)
        start = np.repeat(np.cumsum(n) - n, n)
        frac = (np.arange(len(self.piece_seg)) - start + 0.5) / np.repeat(n, n)
        u, v = net.u[self.piece_seg], net.v[self.piece_seg]
        mx = net.x[u] + frac * (net.x[v] - net.x[u])
        my = net.y[u] + frac * (net.y[v] - net.y[u])
        self.tree = cKDTree(np.column_stack([mx, my]))
        self.k = int(min(k, len(self.piece_seg)))

    def _best(self, px, py, k: int):
        """Exact nearest among the segments of each point's ``k`` nearest pieces, and whether a
        closer segment may lie beyond them (the ``k``-th piece is within best + step / 2)."""
        dk, ik = self.tree.query(np.column_stack([px, py]), k=k)
        dk, ik = dk.reshape(len(px), -1), ik.reshape(len(px), -1)
        cand = self.piece_seg[ik]
        t, d = _project(self.net, cand, px[:, None], py[:, None])
        j = np.argmin(d, axis=1)
        rows = np.arange(len(px))
        seg, tt, dd = cand[rows, j], t[rows, j], d[rows, j]
        unsure = (dk[:, -1] <= dd + self.step / 2 + 1e-9) & (k < len(self.piece_seg))
        return seg, tt, dd, unsure

    def snap(self, x, y) -> Snap:
        px = np.asarray(x, dtype=np.float64)
        py = np.asarray(y, dtype=np.float64)
        if len(px) == 0:
            e = np.zeros(0)
            ei = np.zeros(0, dtype=np.int64)
            return Snap(ei, e, e, ei, ei, e, e)
        seg, tt, dd, unsure = self._best(px, py, self.k)
        k = self.k
        todo = np.flatnonzero(unsure)
        while len(todo) and k < len(self.piece_seg):  # widen the search only where it may matter
            k = min(k * 4, len(self.piece_seg))
            s2, t2, d2, u2 = self._best(px[todo], py[todo], k)
            better = d2 < dd[todo]
            seg[todo[better]], tt[todo[better]], dd[todo[better]] = s2[better], t2[better], d2[better]
            todo = todo[u2]
            if k >= 512:
                break
        for i in todo:  # the very few left (long runs of pieces at one spot): an exact ball search
            near = self.tree.query_ball_point([px[i], py[i]], r=dd[i] + self.step / 2 + 1e-9)
            c = np.unique(self.piece_seg[near])
            t2, d2 = _project(self.net, c, px[i], py[i])
            m = int(np.argmin(d2))
            if d2[m] < dd[i]:
                seg[i], tt[i], dd[i] = c[m], t2[m], d2[m]
        length = self.net.length[seg]
        return Snap(seg, tt, dd, self.net.u[seg], self.net.v[seg], tt * length, (1.0 - tt) * length)
