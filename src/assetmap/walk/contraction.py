"""Routing on junctions only: chains of degree-2 nodes contracted into single edges.

Most nodes of an OSM walk network only shape a street between two junctions (degree 2). Routing
needs only the junctions: each *chain* (a maximal run of segments through degree-2 nodes) becomes
one edge as long as the chain, which cuts the nodes Dijkstra visits several-fold with no change
in any distance. Points stay snapped to the exact segment; :meth:`Routing.remap` then expresses
a snap as a position along its chain (distance from the chain's start junction).

How chains are found, all vectorised: segments that meet at a degree-2 node are linked, and the
connected components of that segment graph are the chains. A chain whose two ends are the same
junction (a loop) or a ring with no junction at all gets one of its nodes promoted to a
junction, so every chain joins two distinct junctions. Positions along chains come from one
multi-source Dijkstra from all junctions over the segment graph with every edge *into* a
junction removed: a shape node can only be reached along its own chain, from one of its ends.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from .network import WalkNetwork, _components
from .snapping import Snap


@dataclass
class Routing:
    """The contracted graph plus, for every segment of the full network, its chain and the
    positions of its two ends along that chain."""

    graph_net: WalkNetwork  # junctions as nodes, chains as edges (the shortest of parallel chains)
    chain: np.ndarray  # chain of each full-network segment
    off_u: np.ndarray  # position of the segment's u end along its chain (m from the chain's start)
    off_v: np.ndarray
    start: np.ndarray  # routing node at each chain's start and end
    end: np.ndarray
    chain_len: np.ndarray

    def remap(self, snap: Snap) -> Snap:
        """A snap onto a full-network segment, as a snap onto its chain's routing edge."""
        c = self.chain[snap.segment]
        ou, ov = self.off_u[snap.segment], self.off_v[snap.segment]
        pos = ou + snap.t * (ov - ou)
        length = self.chain_len[c]
        return Snap(c, pos / np.where(length > 0, length, 1.0), snap.leg, self.start[c], self.end[c], pos, length - pos)


def _chains(net: WalkNetwork, junction: np.ndarray):
    """Chain label per segment and each chain's two end junctions (start, end)."""
    s_ids = np.arange(net.n_segments)
    node = np.concatenate([net.u, net.v])
    seg = np.concatenate([s_ids, s_ids])
    inner = ~junction[node]
    order = np.argsort(node[inner], kind="stable")
    pairs = seg[inner][order].reshape(-1, 2)  # each degree-2 node joins exactly two segments
    g = sp.csr_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(net.n_segments, net.n_segments))
    n_chains, chain = connected_components(g, directed=False)
    ends_node, ends_chain = node[~inner], chain[seg[~inner]]
    order = np.argsort(ends_chain, kind="stable")
    ends = ends_node[order].reshape(-1, 2)  # every chain has exactly two junction ends
    return chain, ends[:, 0], ends[:, 1], pairs, n_chains


def contract(net: WalkNetwork) -> Routing:
    n = net.n_nodes
    deg = np.bincount(net.u, minlength=n) + np.bincount(net.v, minlength=n)
    junction = deg != 2
    # rings with no junction at all: promote their lowest node
    n_comp = int(net.component.max()) + 1 if n else 0
    has_j = np.bincount(net.component[junction], minlength=n_comp) > 0
    ring_nodes = np.flatnonzero(~has_j[net.component])
    if len(ring_nodes):
        first = np.full(n_comp, n, dtype=np.int64)
        np.minimum.at(first, net.component[ring_nodes], ring_nodes)
        junction[first[first < n]] = True
    # loops from a junction back to itself: promote one inner node each, then label again
    while True:
        chain, a, b, _, n_chains = _chains(net, junction)
        loops = np.flatnonzero(a == b)
        if not len(loops):
            break
        is_loop = np.zeros(n_chains, dtype=bool)
        is_loop[loops] = True
        seg_in_loop = np.flatnonzero(is_loop[chain])
        cand = np.concatenate([net.u[seg_in_loop], net.v[seg_in_loop]])
        cand_chain = np.concatenate([chain[seg_in_loop], chain[seg_in_loop]])
        ok = ~junction[cand]
        pick = np.full(n_chains, -1, dtype=np.int64)
        pick[cand_chain[ok][::-1]] = cand[ok][::-1]  # any inner node per loop
        junction[pick[pick >= 0]] = True
    chain_len = np.bincount(chain, weights=net.length, minlength=n_chains)
    # distance of every shape node from the nearer end of its chain, and which end that is
    keep_uv = ~junction[net.v]
    keep_vu = ~junction[net.u]
    rows = np.concatenate([net.u[keep_uv], net.v[keep_vu]])
    cols = np.concatenate([net.v[keep_uv], net.u[keep_vu]])
    w = np.concatenate([net.length[keep_uv], net.length[keep_vu]])
    g = sp.csr_array((w, (rows, cols)), shape=(n, n))
    d, _, src = dijkstra(g, indices=np.flatnonzero(junction), min_only=True, return_predecessors=True)

    def offset(nodes, c):
        at_start = np.where(junction[nodes], nodes == a[c], src[nodes] == a[c])
        along = np.where(junction[nodes], 0.0, d[nodes])
        return np.where(at_start, along, chain_len[c] - along)

    off_u, off_v = offset(net.u, chain), offset(net.v, chain)
    jnodes = np.flatnonzero(junction)
    jidx = np.full(n, -1, dtype=np.int64)
    jidx[jnodes] = np.arange(len(jnodes))
    start, end = jidx[a], jidx[b]
    lo, hi = np.minimum(start, end), np.maximum(start, end)
    order = np.lexsort((chain_len, hi, lo))
    first = np.r_[True, (lo[order][1:] != lo[order][:-1]) | (hi[order][1:] != hi[order][:-1])]
    keep = order[first]  # the shortest of parallel chains between the same two junctions
    gu, gv, gl = lo[keep], hi[keep], chain_len[keep]
    graph_net = WalkNetwork(net.x[jnodes], net.y[jnodes], gu, gv, gl, _components(len(jnodes), gu, gv), ways=net.ways)
    return Routing(graph_net, chain, off_u, off_v, start, end, chain_len)
