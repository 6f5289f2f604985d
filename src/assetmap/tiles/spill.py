"""Map features spilled to disk by parent tile, so a tiler holds one parent's features at a time.

A :class:`Level` is a band of zooms cut from parents at one zoom: with parent zooms (8, 10, 12) and
zooms 8..15, the z8 parents give tiles z8-z9 from the few features shown that early (main roads,
towns), the z10 parents z10-z11, and the z12 parents z12-z15 from everything. :class:`TileSpill`
takes features in batches (EPSG:3857, any order) and writes each one, whole and as WKB, to every
parent of every level it shows in whose bounds, widened by the tiles' ``BUFFER``, its envelope
touches; a parent's features come back in the order they were added. Features are kept whole (not
cut to the parent) so each tile is simplified and clipped exactly as if every feature were in
memory. Pending rows are held up to ``flush_bytes``, then written as one Arrow IPC file with one
record batch per (level, parent); reading a parent memory-maps those files and takes its batches.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely

from ..errors import BuildError
from .vectortiles import BUFFER, EXTENT, HALF_WORLD


@dataclass(frozen=True)
class Level:
    """Tiles at zooms ``minzoom``..``maxzoom`` cut from parents at ``parent_zoom`` (= ``minzoom``)."""

    parent_zoom: int
    maxzoom: int

    @property
    def minzoom(self) -> int:
        return self.parent_zoom


def levels_for(minzoom: int, maxzoom: int, parent_zooms: tuple[int, ...]) -> list[Level]:
    """The bands of zooms ``minzoom``..``maxzoom`` split at ``parent_zooms`` (the first band starts at minzoom)."""
    starts = sorted({minzoom, *(p for p in parent_zooms if minzoom < p <= maxzoom)})
    ends = [s - 1 for s in starts[1:]] + [maxzoom]
    return [Level(s, e) for s, e in zip(starts, ends, strict=True)]


def parent_cells(bounds: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, cell) pairs: each envelope in ``bounds`` (n x 4, EPSG:3857) against the parents at ``zoom``
    it touches once widened by the buffer of a tile at that zoom; a cell is ``y * 2**zoom + x``."""
    n = 1 << zoom
    size = 2 * HALF_WORLD / n
    pad = size * BUFFER / EXTENT + 1.0  # a metre of slack: a parent that may hold a feature is kept
    x0 = np.clip((bounds[:, 0] - pad + HALF_WORLD) // size, 0, n - 1).astype(np.int64)
    x1 = np.clip((bounds[:, 2] + pad + HALF_WORLD) // size, 0, n - 1).astype(np.int64)
    y0 = np.clip((HALF_WORLD - bounds[:, 3] - pad) // size, 0, n - 1).astype(np.int64)
    y1 = np.clip((HALF_WORLD - bounds[:, 1] + pad) // size, 0, n - 1).astype(np.int64)
    w, h = x1 - x0 + 1, y1 - y0 + 1
    rows = np.repeat(np.arange(len(bounds)), w * h)
    start = np.concatenate([[0], np.cumsum(w * h)])[:-1]
    rank = np.arange(len(rows)) - start[rows]
    cells = (y0[rows] + rank // w[rows]) * n + x0[rows] + rank % w[rows]
    return rows, cells


class TileSpill:
    """Features by (level, parent) in Arrow IPC files under ``folder``; properties are text columns
    (a layer's own; other layers' rows hold nulls in them)."""

    def __init__(self, folder: Path, levels: list[Level], flush_bytes: int = 32 << 20):
        self.folder, self.levels, self.flush_bytes = Path(folder), levels, flush_bytes
        self.folder.mkdir(parents=True, exist_ok=True)
        self.layer_names: list[str] = []
        self._pending: list[pa.Table] = []
        self._pending_bytes = 0
        self._index: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # -> (file no, batch no)
        self._files: list[Path] = []
        self.rows_written = 0

    def add(self, layer: str, geoms: np.ndarray, minzoom: np.ndarray, props: dict[str, np.ndarray]) -> None:
        """Spill one batch of a layer's features (EPSG:3857 geometries, their minzoom and property values)."""
        if layer not in self.layer_names:
            self.layer_names.append(layer)
        if not len(geoms):
            return
        li = self.layer_names.index(layer)
        wkb = shapely.to_wkb(geoms)
        bounds = shapely.bounds(geoms)
        minzoom = np.asarray(minzoom, dtype=np.int64)
        for lev, level in enumerate(self.levels):
            shown = np.flatnonzero(minzoom <= level.maxzoom)
            rows, cells = parent_cells(bounds[shown], level.parent_zoom)
            rows = shown[rows]
            try:
                cols = {f"p:{p}": pa.array(np.asarray(v, dtype=object)[rows], type=pa.string(), from_pandas=True)
                        for p, v in props.items()}
            except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
                raise BuildError(f"layer {layer!r}: spilled tile properties must be text or missing ({err}); "
                                 "convert them with .astype(str) before tiling") from err
            table = pa.table({"level": pa.array(np.full(len(rows), lev, dtype=np.int8)), "cell": pa.array(cells),
                              "layer": pa.array(np.full(len(rows), li, dtype=np.int16)),
                              "minzoom": pa.array(minzoom[rows].astype(np.int8)),
                              "wkb": pa.array(wkb[rows], type=pa.binary()), **cols})
            self._pending.append(table)
            self._pending_bytes += table.nbytes
        if self._pending_bytes >= self.flush_bytes:
            self.flush()

    def flush(self) -> None:
        """Write the pending rows: one file, a record batch per (level, parent), rows in the order added."""
        if not self._pending:
            return
        table = pa.concat_tables(self._pending, promote_options="default")
        self._pending, self._pending_bytes = [], 0
        level, cell = table["level"].to_numpy(), table["cell"].to_numpy()
        order = np.lexsort((cell, level))  # stable: the order added stays within a parent
        table = table.take(pa.array(order))
        level, cell = level[order], cell[order]
        cut = np.flatnonzero((np.diff(level) != 0) | (np.diff(cell) != 0)) + 1
        starts, ends = np.concatenate([[0], cut]), np.concatenate([cut, [len(order)]])
        fno = len(self._files)
        path = self.folder / f"spill-{fno:05d}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            for b, (s, e) in enumerate(zip(starts, ends, strict=True)):
                writer.write_batch(table.slice(s, e - s).combine_chunks().to_batches()[0])
                self._index[(int(level[s]), int(cell[s]))].append((fno, b))
        self._files.append(path)
        self.rows_written += len(order)

    def parents(self, lev: int) -> list[tuple[int, int]]:
        """The parents (x, y) of level number ``lev`` that hold any feature."""
        n = 1 << self.levels[lev].parent_zoom
        return [(cell % n, cell // n) for (lv, cell) in self._index if lv == lev]

    def read(self, lev: int, x: int, y: int) -> pa.Table | None:
        """The features of one parent (columns layer, minzoom, wkb and ``p:NAME`` per property), in the order added."""
        cell = y * (1 << self.levels[lev].parent_zoom) + x
        parts = []
        for fno, b in self._index.get((lev, cell), []):
            with pa.memory_map(str(self._files[fno])) as source:
                parts.append(pa.Table.from_batches([pa.ipc.open_file(source).get_batch(b)]))
        return pa.concat_tables(parts, promote_options="default") if parts else None

    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in self._files)
