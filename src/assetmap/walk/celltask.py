"""One cell's bounded walking search, as a task for a worker (see :mod:`assetmap.walk.cells`).

Kept apart, and light on imports (numpy and scipy's graph routines only), so that a Dask worker
process starts working without importing pandas, geopandas or the OSM readers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


@dataclass
class CellTask:
    """One cell's bounded search: its subgraph (CSR, the kept nodes first, then one virtual node
    per asset of the cell), its assets and candidate origins in local terms, and the radius."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_real: int  # kept routing nodes; asset j of the cell is node n_real + j
    asset: np.ndarray  # global asset index of each of the cell's assets
    origin: np.ndarray  # global index of each candidate origin
    o_u: np.ndarray  # local node of the origin's chain ends (-1: not kept)
    o_v: np.ndarray
    to_u: np.ndarray
    to_v: np.ndarray
    leg: np.ndarray
    same_o: np.ndarray  # along-chain direct pairs: position in ``origin``, in ``asset``, distance
    same_a: np.ndarray
    same_d: np.ndarray
    radius: float
    chunk: int = 64


def cell_pairs(task: CellTask) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs within ``task.radius`` of one cell, as arrays (origin, asset, walk_m): global
    indices, int32, int32, float32 (a Dask task: module-level, pure)."""
    m = len(task.indptr) - 1
    g = sp.csr_array((task.data, task.indices, task.indptr), shape=(m, m))
    o_u = np.where(task.o_u >= 0, task.o_u, task.n_real)  # not kept: the column of inf appended below
    o_v = np.where(task.o_v >= 0, task.o_v, task.n_real)
    parts = []
    for start in range(0, len(task.asset), task.chunk):
        ids = np.arange(start, min(start + task.chunk, len(task.asset)))
        d = dijkstra(g, indices=task.n_real + ids, limit=task.radius)[:, :task.n_real]
        d = np.concatenate([d, np.full((len(ids), 1), np.inf)], axis=1)
        du = d[:, o_u] + task.to_u
        dv = d[:, o_v] + task.to_v
        dist = np.where(du <= dv, du, dv) + task.leg
        sel = (task.same_a >= ids[0]) & (task.same_a <= ids[-1])
        np.minimum.at(dist, (task.same_a[sel] - start, task.same_o[sel]), task.same_d[sel])
        r, c = np.nonzero(dist <= task.radius)
        parts.append((task.origin[c].astype(np.int32), task.asset[ids[r]].astype(np.int32),
                      dist[r, c].astype(np.float32)))
    if not parts:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32)
    o, a, w = zip(*parts, strict=True)
    return np.concatenate(o), np.concatenate(a), np.concatenate(w)


def cells_pairs(tasks: list[CellTask]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`cell_pairs` of each of a batch of cells (one Dask task)."""
    return [cell_pairs(t) for t in tasks]
