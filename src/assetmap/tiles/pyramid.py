"""Vector tiles cut per parent tile from features spilled to disk, merged into one PMTiles archive.

:func:`write_pmtiles_spilled` makes the same archive as :func:`assetmap.tiles.vectortiles.write_pmtiles`
(the same tiles, byte for byte) without holding every feature: the batches of :class:`TileLayer` s
go to a :class:`assetmap.tiles.spill.TileSpill` in a temporary folder, then each parent of each
level is read alone and all its descendant tiles in the level's zooms are cut with the in-memory
tiler's own ``_prepared`` and ``_encode_tile``. Parents are taken in PMTiles (Hilbert) order, whose
descendants at any zoom form one ascending run of tile ids, so each zoom's tiles are appended to
their own file already sorted, and the files, read back zoom by zoom, feed the PMTiles writer in
ascending order. Memory is bounded by the largest parent (plus the spill's pending rows), not by
the area.
"""
from __future__ import annotations

import multiprocessing
import struct
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import shapely
from pmtiles.tile import zxy_to_tileid

from ..errors import BuildError
from .spill import TileSpill, levels_for
from .vectortiles import (
    CutLayer,
    TileLayer,
    _encode_tile,
    _prepared,
    archive_summary,
    check_zooms,
    finish_archive,
    mercator_bounds,
    tile_range,
)

PARENT_ZOOMS = (8, 10, 12)  # bands z8-9 (main roads, towns), z10-11, z12 and up (everything)
_RECORD = struct.Struct("<QI")  # tile id, byte length
Spec = tuple[tuple[str, ...], str, str]  # a layer's properties, description and kind of geometry
_CONTEXT: dict = {}  # the spill being cut, in this process or a worker


def _parent_layers(spill: TileSpill, lev: int, x: int, y: int, specs: dict[str, Spec]) -> list[CutLayer]:
    """The parent's features as CutLayers (EPSG:3857), in drawing order."""
    table = spill.read(lev, x, y)
    if table is None:
        return []
    layer_col = table["layer"].to_numpy()
    out = []
    for name, (properties, _description, kind) in specs.items():
        rows = np.flatnonzero(layer_col == spill.layer_names.index(name))
        if not len(rows):
            continue
        sub = table.take(rows)
        geoms = shapely.from_wkb(sub["wkb"].to_numpy(zero_copy_only=False))
        cols = [sub[f"p:{p}"].to_pylist() for p in properties]
        records = [dict(zip(properties, vals, strict=True)) for vals in zip(*cols, strict=True)] if properties \
            else [{} for _ in rows]
        out.append(CutLayer(name, kind, geoms, sub["minzoom"].to_numpy().astype(np.int64), records))
    return out


def _init_worker(context: dict) -> None:
    _CONTEXT.update(context)


def _parent_tiles(parent: tuple[int, int, int]) -> tuple[int, list[tuple[int, int, bytes]]]:
    """(features held, [(zoom, tile id, tile)]) for every tile of the level's zooms under one parent,
    ascending by tile id within each zoom."""
    spill, specs, bounds = _CONTEXT["spill"], _CONTEXT["specs"], _CONTEXT["bounds"]
    lev, x, y = parent
    level = spill.levels[lev]
    layers = _parent_layers(spill, lev, x, y, specs)
    out: list[tuple[int, int, bytes]] = []
    for z in range(level.minzoom, level.maxzoom + 1):
        prepared = [_prepared(layer, z) for layer in layers]
        k = z - level.parent_zoom
        xs, ys = tile_range(bounds, z)
        found = []
        for cx in range(max(x << k, xs.start), min((x + 1) << k, xs.stop)):
            for cy in range(max(y << k, ys.start), min((y + 1) << k, ys.stop)):
                data = _encode_tile(prepared, layers, z, cx, cy)
                if data is not None:
                    found.append((zxy_to_tileid(z, cx, cy), data))
        out.extend((z, tileid, data) for tileid, data in sorted(found, key=lambda t: t[0]))
    return sum(len(layer.geoms) for layer in layers), out


def _cut_parents(spill: TileSpill, specs: dict[str, Spec], bounds, workers: int):
    """Each parent's tiles (see ``_parent_tiles``), parents level by level in tile id order; with
    ``workers`` > 1 cut by that many processes, results still in that order."""
    jobs = [(lev, x, y) for lev, level in enumerate(spill.levels)
            for x, y in sorted(spill.parents(lev), key=lambda p: zxy_to_tileid(level.parent_zoom, *p))]
    context = {"spill": spill, "specs": specs, "bounds": bounds}
    if workers <= 1:
        _init_worker(context)
        try:
            yield from map(_parent_tiles, jobs)
        finally:
            _CONTEXT.clear()
        return
    with multiprocessing.get_context("spawn").Pool(workers, _init_worker, (context,)) as pool:
        yield from pool.imap(_parent_tiles, jobs)


def _read_store(f):
    f.seek(0)
    while head := f.read(_RECORD.size):
        tileid, n = _RECORD.unpack(head)
        yield tileid, f.read(n)


def _spill_batches(spill: TileSpill, batches: Iterable[list[TileLayer]], order: tuple[str, ...] | None):
    """Spill every batch; the layers met (drawing order), their feature counts and lowest minzoom."""
    specs: dict[str, Spec] = {}
    kinds_known: set[str] = set()
    counts: dict[str, int] = {}
    lowest: dict[str, int] = {}
    for batch in batches:
        for layer in batch:
            frame = layer.frame[~layer.frame.geometry.is_empty & layer.frame.geometry.notna()]
            if layer.name not in specs or (len(frame) and layer.name not in kinds_known):
                specs[layer.name] = (layer.properties, layer.description, layer.kind)  # kind: from real geometries
                if len(frame):
                    kinds_known.add(layer.name)
            counts[layer.name] = counts.get(layer.name, 0) + len(layer.frame)
            if len(layer.frame):
                low = int(layer.frame["minzoom"].min())
                lowest[layer.name] = min(lowest.get(layer.name, low), low)
            spill.add(layer.name, frame.geometry.values, frame["minzoom"].to_numpy(),
                      {p: frame[p].to_numpy(dtype=object) for p in layer.properties})
    spill.flush()
    names = sorted(specs, key=lambda n: (order.index(n) if order and n in order else len(order or ()), n)) \
        if order else list(specs)
    return {n: specs[n] for n in names if counts[n]}, counts, lowest


def write_pmtiles_spilled(path: str | Path, batches: Iterable[list[TileLayer]],
                          bounds_lonlat: tuple[float, float, float, float], minzoom: int, maxzoom: int,
                          metadata: dict | None = None, *, order: tuple[str, ...] | None = None,
                          parent_zooms: tuple[int, ...] = PARENT_ZOOMS, workdir: str | Path | None = None,
                          flush_bytes: int = 32 << 20, workers: int = 1) -> dict:
    """Tile the layers of ``batches`` (each a list of TileLayers; a layer may come in many batches) into a
    PMTiles file, as :func:`~assetmap.tiles.vectortiles.write_pmtiles` would from all of them at once.

    ``order`` is the drawing order of layer names (else the order first met); ``workdir`` holds the
    spill (a temporary folder inside it, removed afterwards); ``workers`` > 1 cuts parents in that
    many processes (each holding one parent at a time). The summary adds ``features`` per layer,
    ``parents`` per level, ``spill_bytes`` and ``largest_parent_features``.
    """
    check_zooms(minzoom, maxzoom)
    bounds = mercator_bounds(bounds_lonlat)
    levels = levels_for(minzoom, maxzoom, parent_zooms)
    with tempfile.TemporaryDirectory(prefix="tiles-spill-", dir=workdir) as tmp:
        spill = TileSpill(Path(tmp) / "spill", levels, flush_bytes)
        specs, counts, lowest = _spill_batches(spill, batches, order)
        stores: dict[int, BinaryIO] = {z: open(Path(tmp) / f"z{z}.tiles", "w+b")  # noqa: SIM115
                                       for z in range(minzoom, maxzoom + 1)}
        try:
            last: dict[int, int] = {}
            per_zoom = {str(z): 0 for z in range(minzoom, maxzoom + 1)}
            sizes: list[int] = []
            largest = 0
            for held, tiles in _cut_parents(spill, specs, bounds, workers):
                largest = max(largest, held)
                for z, tileid, data in tiles:
                    if tileid <= last.get(z, -1):
                        raise BuildError(f"tile {tileid} at z{z} came out of order; cut parents in tile id order")
                    last[z] = tileid
                    stores[z].write(_RECORD.pack(tileid, len(data)) + data)
                    sizes.append(len(data))
                    per_zoom[str(z)] += 1
            if not sizes:
                raise BuildError("no map features fall inside the area's bounds; check the OSM extract covers the area")
            vector_layers = [{"id": n, "description": desc, "fields": {p: "String" for p in props},
                              "minzoom": int(max(minzoom, lowest[n])), "maxzoom": maxzoom}
                             for n, (props, desc, _kind) in specs.items()]
            path = Path(path)
            tiles = (t for z in range(minzoom, maxzoom + 1) for t in _read_store(stores[z]))
            finish_archive(path, tiles, bounds_lonlat, minzoom, maxzoom, metadata, vector_layers)
        finally:
            for f in stores.values():
                f.close()
        summary = archive_summary(path, per_zoom, sizes, minzoom, maxzoom)
        summary.update(features={n: counts[n] for n in specs}, spill_bytes=spill.disk_bytes(),
                       parents={f"z{lv.parent_zoom}": len(spill.parents(i)) for i, lv in enumerate(levels)},
                       largest_parent_features=largest)
    return summary

