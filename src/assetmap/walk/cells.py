"""Bounded walking searches per grid cell, each on the subgraph within reach: near-linear, exact.

:meth:`AccessEngine.within` finds every (origin, asset) pair at most ``r`` metres' walk apart.
Searched over the whole graph, each bounded Dijkstra still costs a row as long as the graph, so
the stage grows as n². Here the assets are partitioned by a square grid and each cell is searched
on its own small subgraph, so the work per asset is bounded by the ground within ``r``.

**The cell rule.** An asset belongs to the cell ``(floor(x / cell_m), floor(y / cell_m))`` of its
own point (EPSG:27700 metres, before snapping); a cell's *box* is the bounding box of its assets'
points (never larger than the square).

**The buffer rule (exact).** A cell's subgraph keeps every routing node (junction) whose
Euclidean distance to the cell's box is at most ``r`` (plus a hair, ``r·1e-9 + 1e-6`` m, for
rounding), every edge (whole chain) joining two kept nodes, and the cell's asset virtual nodes
with their edges to kept nodes. It is exact because no walk is shorter than the straight line:
an asset at point Q reaches its snapped point P by the leg (|QP| = leg) and a chain end along the
chain (≥ the chord), and every chain is at least as long as the straight line between its two
junctions. So every node on a walk of length ≤ r from Q is within r of Q, hence of the box: every
walk of length ≤ r lies wholly in the subgraph, with the same edges and weights. What is cut
(nodes farther than r, a chain whose far end lies beyond r however long its curve, an asset's
edge to such an end) only lies on walks longer than r, which the full search drops too (its
``limit``). Distances within r are therefore the full graph's, bit for bit: Dijkstra's label is
the least left-to-right float sum over paths, and the set of paths of length ≤ r is the same.

**Origins.** An origin on chain (u, v) is ``leg + min(d[u] + to_u, d[v] + to_v)`` away, so within
r only if u or v is a kept node reached within r: the origins of a cell are those snapped to a
chain with a kept end (a per-node index, not a scan), plus those sharing a chain with one of the
cell's assets (the direct along-chain pairs, which need no node at all). Each origin's distance
is computed with exactly the float operations of :meth:`AccessEngine.matrix`.

A cell is a :class:`CellTask` (a few arrays, cheap to pickle) whose result is a small set of
pairs; consecutive cells are batched into tasks of about :data:`BATCH_SECONDS` of estimated work
(so a cluster's per-task overhead stays small), which :func:`within_cells` runs with
:mod:`assetmap.compute` (in-process or on a Dask cluster) and sorts the union like
:meth:`AccessEngine.within`.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..compute import plan, run_tasks
from ..settings import ComputeSettings
from .access import AccessEngine
from .celltask import CellTask, cells_pairs

# in-process cost model, measured on Rutland x4 (bench/cells_bench.py's replicas) on the shared 2-core machine
SECONDS_PER_CELL = 6e-3
SECONDS_PER_ENTRY = 1.2e-7
BATCH_SECONDS = 0.5  # estimated in-process seconds of one task (a batch of consecutive cells)
PAIR_COLUMNS = {"origin": np.int32, "asset": np.int32, "walk_m": np.float32}


def empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({k: np.zeros(0, t) for k, t in PAIR_COLUMNS.items()})


def sort_pairs(parts: list) -> pd.DataFrame:
    """The union of the cells' (origin, asset, walk_m) arrays, in the order of :meth:`AccessEngine.within`."""
    if not parts:
        return empty_pairs()
    out = pd.DataFrame({k: np.concatenate([p[i] for p in parts]).astype(t, copy=False)
                        for i, (k, t) in enumerate(PAIR_COLUMNS.items())})
    return out.sort_values(["origin", "walk_m", "asset"], kind="stable").reset_index(drop=True)


def _index(keys: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A CSR-like index: ``values[order][ptr[k]:ptr[k + 1]]`` are the values with key ``k``."""
    order = np.argsort(keys, kind="stable")
    ptr = np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n))])
    return ptr, values[order]


def _gather(ptr: np.ndarray, vals: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Every value of ``keys`` in an index from :func:`_index`, concatenated."""
    lo, hi = ptr[keys], ptr[keys + 1]
    counts = hi - lo
    if not counts.sum():
        return vals[:0]
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    return vals[starts + np.arange(counts.sum())]


class CellPlanner:
    """Builds the :class:`CellTask` of each grid cell of one engine's assets."""

    def __init__(self, engine: AccessEngine, node_xy: np.ndarray, asset_xy: np.ndarray,
                 radius: float, cell_m: float, chunk: int = 64):
        self.e, self.radius, self.chunk = engine, float(radius), chunk
        self.buffer = self.radius * (1 + 1e-9) + 1e-6
        self.node_xy = np.asarray(node_xy, dtype=np.float64)
        self.asset_xy = np.asarray(asset_xy, dtype=np.float64)
        self.tree = cKDTree(self.node_xy) if len(self.node_xy) else None
        n, o = engine.n, engine.origins
        self.pos = np.full(n + len(engine.assets), -1, dtype=np.int64)  # scratch: global -> local node
        n_o = len(o)
        self.by_node = _index(np.concatenate([o.node_u, o.node_v]), np.tile(np.arange(n_o), 2), n)
        oi, ai, dd = engine._same
        self.same_by_asset = _index(ai, np.arange(len(ai)), len(engine.assets))
        self.same = (oi, ai, dd)
        key = np.floor(self.asset_xy.reshape(-1, 2) / float(cell_m)).astype(np.int64)
        cells, inverse = np.unique(key, axis=0, return_inverse=True)
        self.cells = cells
        self.members = np.split(np.argsort(inverse.ravel(), kind="stable"),
                                np.cumsum(np.bincount(inverse.ravel(), minlength=len(cells)))[:-1])

    def __len__(self) -> int:
        return len(self.cells)

    def kept_nodes(self, assets: np.ndarray) -> np.ndarray:
        """Routing nodes within the buffer of the box of ``assets``' points (sorted)."""
        if self.tree is None:
            return np.zeros(0, dtype=np.int64)
        lo, hi = self.asset_xy[assets].min(axis=0), self.asset_xy[assets].max(axis=0)
        centre, half = (lo + hi) / 2, (hi - lo) / 2
        near = np.asarray(self.tree.query_ball_point(centre, float(np.hypot(*half)) + self.buffer), dtype=np.int64)
        gap = np.maximum(np.abs(self.node_xy[near] - centre) - half, 0.0)
        return np.sort(near[np.hypot(gap[:, 0], gap[:, 1]) <= self.buffer])

    def task(self, i: int) -> CellTask:
        e, assets = self.e, self.members[i]
        nodes = self.kept_nodes(assets)
        idx = np.concatenate([nodes, e.n + assets])
        self.pos[idx] = np.arange(len(idx))
        try:
            rows = e.graph[idx]  # CSR row slice: only these rows' entries
            cols = self.pos[rows.indices]
            keep = cols >= 0
            row_of = np.repeat(np.arange(len(idx)), np.diff(rows.indptr))[keep]
            indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=len(idx)))])
            indices, data = cols[keep].astype(np.int32), rows.data[keep]
            o = e.origins
            cand_same = _gather(*self.same_by_asset, assets)
            origin = np.unique(np.concatenate([_gather(*self.by_node, nodes), self.same[0][cand_same]]))
            local_o = np.searchsorted(origin, self.same[0][cand_same])
            local_a = np.searchsorted(assets, self.same[1][cand_same]) if len(cand_same) else cand_same
            o_u, o_v = self.pos[o.node_u[origin]], self.pos[o.node_v[origin]]  # real nodes: -1 or < len(nodes)
        finally:
            self.pos[idx] = -1
        return CellTask(indptr, indices, data, len(nodes), assets, origin, o_u, o_v,
                        o.to_u[origin], o.to_v[origin], o.leg[origin],
                        local_o, local_a, self.same[2][cand_same], self.radius, self.chunk)

    def work(self) -> np.ndarray:
        """Estimated seconds of each cell in one process: a fixed cost a cell plus one per Dijkstra
        row entry (assets x subgraph nodes), from node counts alone (:data:`SECONDS_PER_CELL`,
        :data:`SECONDS_PER_ENTRY`)."""
        out = np.full(len(self.cells), SECONDS_PER_CELL)
        tree = self.tree
        if tree is None:
            return out
        for i, assets in enumerate(self.members):
            lo, hi = self.asset_xy[assets].min(axis=0), self.asset_xy[assets].max(axis=0)
            r = float(np.hypot(*(hi - lo) / 2)) + self.buffer
            out[i] += len(assets) * float(tree.query_ball_point((lo + hi) / 2, r, return_length=True)) \
                * SECONDS_PER_ENTRY
        return out

    def batches(self, work: np.ndarray, seconds: float | None = None) -> list[np.ndarray]:
        """Consecutive cells grouped into tasks of about ``seconds`` of estimated work each (a
        task's own overhead on a cluster is milliseconds; a cell's can be less)."""
        seconds = BATCH_SECONDS if seconds is None else seconds
        batch = np.floor((np.cumsum(work) - work) / seconds).astype(np.int64)  # by the work before each cell
        return np.split(np.arange(len(work)), np.flatnonzero(np.diff(batch)) + 1) if len(work) else []

    def tasks(self, batches: list[np.ndarray]) -> Iterator[list[CellTask]]:
        """Each batch's cell tasks, in a fixed order (by cell key), built one batch at a time."""
        for b in batches:
            yield [self.task(int(i)) for i in b]


def within_cells(engine: AccessEngine, radius: float, asset_xy: np.ndarray, settings: ComputeSettings | None = None,
                 chunk: int = 64, log=None, stats: dict | None = None) -> pd.DataFrame:
    """:meth:`AccessEngine.within` searched per grid cell (``settings.cell_km``) on the subgraph
    within reach, run by :func:`assetmap.compute.run_tasks`: the same pairs and distances.
    ``asset_xy`` are the assets' own points (n x 2, metres); ``cell_km = 0`` searches the whole graph.
    ``stats`` (a dict), when given, gets the number of cells and where they ran."""
    stats = {} if stats is None else stats
    settings = settings or ComputeSettings()
    if settings.cell_km <= 0 or not np.isfinite(radius) or not len(engine.assets):
        return engine.within(radius, chunk)
    node_xy = np.column_stack([engine.net.x, engine.net.y])
    planner = CellPlanner(engine, node_xy, asset_xy, radius, settings.cell_km * 1000.0, chunk)
    work = planner.work()
    batches = planner.batches(work)
    total = float(work.sum())
    stats.update(cells=len(planner), tasks=len(batches), work=total, ran=plan(settings, len(batches), total))
    parts = run_tasks(cells_pairs, planner.tasks(batches), settings, len(batches), total, log)
    return sort_pairs([p for batch in parts for p in batch])
