"""The lookup's tables as flat arrays, written once by the build and memory-mapped by every server worker.

``lookup/`` in a build directory holds one ``.npy`` file per array (``np.save``), read with
``np.load(mmap_mode="r")``: the pages come from the operating system's page cache, so the workers
of a server (and the servers of a machine) share one copy, however many postcodes the build covers
(England: about 1.35 M postcodes and 100 M pairs, 0.9 GB of arrays, and no per-worker copy).

* ``postcodes.npy`` – the normalised postcodes (``"S40 1LP"``), sorted, as fixed-width bytes: a
  postcode's row is found by binary search (``np.searchsorted``), with no dictionary per worker;
* ``x.npy``, ``y.npy`` (EPSG:27700), ``lon.npy``, ``lat.npy`` (WGS84, rounded to 6 places at build
  time), ``snap.npy`` (metres to the nearest walkable way; NaN when unknown) – one value a postcode;
* ``start.npy`` – CSR offsets (postcodes + 1): row ``i``'s pairs are ``start[i]:start[i + 1]``;
* ``asset.npy`` (int32, the asset's row in ``assets.parquet``) and ``walk.npy`` (float32 metres, as
  in ``lookup.parquet``) – the pairs, by postcode then walking distance;
* ``meta.json`` – the counts, a digest of the asset ids in ``assets.parquet``'s order and the size
  and modification time of the files the arrays were made from (``SOURCES``): arrays that do not
  match the assets they index, or older than a source rewritten since, are not used (the server
  falls back to ``lookup.parquet``, correct but a copy per worker, until :func:`write_lookup_arrays
  <assetmap.outputs.write.write_lookup_arrays>` runs again).

``lookup.parquet`` stays in the build (a data file for analysts, and the fallback for builds made
before these arrays). Files are written under a temporary name and renamed into place, so a mapped
file is never truncated under a running server.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from ..constants import BNG, WGS84

LOOKUP_DIR = "lookup"
VERSION = 1
SOURCES = ("lookup.parquet", "postcodes.parquet", "access.parquet")


def source_stats(build_dir: Path) -> dict[str, list[int]]:
    """Size and modification time (ns) of each of ``SOURCES`` present in ``build_dir``."""
    out = {}
    for name in SOURCES:
        try:
            st = (Path(build_dir) / name).stat()
        except FileNotFoundError:
            continue
        out[name] = [st.st_size, st.st_mtime_ns]
    return out


@dataclass
class LookupArrays:
    """One area's lookup tables (in memory, or memory-mapped from ``lookup/``)."""

    postcodes: np.ndarray  # sorted normalised postcodes, fixed-width bytes
    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    snap: np.ndarray
    start: np.ndarray  # int64, len(postcodes) + 1
    asset: np.ndarray  # int32 row in the asset records
    walk: np.ndarray  # float32 metres

    def row(self, code: str) -> int | None:
        """The row of a normalised postcode, or None (a binary search over the sorted codes)."""
        if len(code) > self.postcodes.dtype.itemsize or not code.isascii():
            return None
        key = np.array(code.encode("ascii"), dtype=self.postcodes.dtype)
        i = int(np.searchsorted(self.postcodes, key))
        return i if i < len(self.postcodes) and self.postcodes[i] == key else None

    def code(self, i: int) -> str:
        return bytes(self.postcodes[i]).decode("ascii")

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))


def asset_digest(asset_ids) -> str:
    """A digest of the asset ids in order (what ``asset.npy``'s numbers index)."""
    h = hashlib.sha1()
    for a in asset_ids:
        h.update(str(a).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Each value's position in ``index`` (-1 where absent), matching each distinct value once (a pair
    table repeats every postcode ~76 times: 6× faster than matching every row)."""
    cat = pd.Categorical(values)
    lut = np.append(index.get_indexer(cat.categories), -1).astype(np.int32)  # code -1 (missing) -> -1
    return lut[cat.codes]


def _by_row_then_walk(row: np.ndarray, walk: np.ndarray) -> np.ndarray:
    """``np.lexsort((walk, row))`` (ties in their given order), by stable sorts: 10× faster, and a
    table already ordered by walk within each postcode (as the build's is) needs only one."""
    order = np.argsort(row, kind="stable")
    w, r = walk[order], row[order]
    if np.all((w[1:] >= w[:-1]) | (r[1:] != r[:-1])):
        return order
    by_walk = np.argsort(walk, kind="stable")
    return by_walk[np.argsort(row[by_walk], kind="stable")]


def lookup_arrays(postcodes: pd.DataFrame, pairs: pd.DataFrame, access: pd.DataFrame | None,
                  asset_ids) -> LookupArrays:
    """The arrays from the build's frames: ``postcodes`` (postcode, x, y), ``pairs`` (postcode,
    asset_id, walk_m), ``access`` (postcode, snap_m) and the asset ids in their records' order.
    Pairs of unknown postcodes or assets are left out; each postcode's pairs are ordered by walking
    distance (ties in their order in ``pairs``)."""
    pcs = postcodes[postcodes["postcode"].notna()].drop_duplicates("postcode", keep="last")
    pcs = pcs.sort_values("postcode", kind="stable")
    codes = pcs["postcode"].astype(str).to_numpy()
    width = max(8, max((len(c) for c in codes), default=0))
    x = pcs["x"].to_numpy(dtype=np.float64)
    y = pcs["y"].to_numpy(dtype=np.float64)
    lon, lat = Transformer.from_crs(BNG, WGS84, always_xy=True).transform(x, y)
    if access is not None:
        snap_by = access.drop_duplicates("postcode").set_index("postcode")["snap_m"]
    else:
        snap_by = pd.Series(dtype=float)
    by_id = {a: i for i, a in enumerate(asset_ids)}  # a repeated id indexes its last record
    row = _positions(pairs["postcode"], pd.Index(codes))
    aid = _positions(pairs["asset_id"], pd.Index(list(by_id)))
    keep = (row >= 0) & (aid >= 0)
    row = row[keep]
    walk = pairs["walk_m"].to_numpy()[keep]
    order = _by_row_then_walk(row, walk)
    return LookupArrays(
        postcodes=np.array([c.encode("ascii") for c in codes], dtype=f"S{width}"),
        x=x, y=y, lon=np.round(np.asarray(lon, dtype=np.float64), 6),
        lat=np.round(np.asarray(lat, dtype=np.float64), 6),
        snap=snap_by.reindex(codes).to_numpy(dtype=np.float64),
        start=np.searchsorted(row[order], np.arange(len(codes) + 1, dtype=np.int32), side="left").astype(np.int64),
        asset=np.fromiter(by_id.values(), np.int64, len(by_id))[aid[keep]][order].astype(np.int32),
        walk=walk.astype(np.float32)[order])


def save_arrays(out: Path, arrays: LookupArrays, asset_ids) -> dict[str, int]:
    """Write ``out/lookup/`` (each file under a temporary name, then renamed): file name -> size."""
    d = out / LOOKUP_DIR
    d.mkdir(parents=True, exist_ok=True)
    names = {}
    for f in fields(arrays):
        path = d / f"{f.name}.npy"
        tmp = d / f".{f.name}.npy.tmp"
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(getattr(arrays, f.name)), allow_pickle=False)
        os.replace(tmp, path)
        names[f"{LOOKUP_DIR}/{path.name}"] = path.stat().st_size
    meta = {"version": VERSION, "postcodes": int(len(arrays.postcodes)), "pairs": int(len(arrays.asset)),
            "assets": len(asset_ids), "asset_ids_sha1": asset_digest(asset_ids), "sources": source_stats(out)}
    tmp = d / ".meta.json.tmp"
    tmp.write_text(json.dumps(meta, indent=1))
    os.replace(tmp, d / "meta.json")
    names[f"{LOOKUP_DIR}/meta.json"] = (d / "meta.json").stat().st_size
    return names


def load_arrays(build_dir: Path, asset_ids) -> LookupArrays | None:
    """``build_dir/lookup/`` memory-mapped, or None when it is missing, of another version, or made
    for other assets than ``asset_ids`` (the caller then builds the arrays from ``lookup.parquet``)."""
    d = Path(build_dir) / LOOKUP_DIR
    try:
        meta = json.loads((d / "meta.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if meta.get("version") != VERSION or meta.get("assets") != len(asset_ids) \
            or meta.get("asset_ids_sha1") != asset_digest(asset_ids):
        return None
    now = source_stats(build_dir)  # a source rewritten after the arrays (a missing one is no matter)
    if any(name in now and now[name] != list(stat) for name, stat in meta.get("sources", {}).items()):
        return None
    try:
        # plain ndarray views of the maps (np.memmap's subclass hooks would cost on every slice)
        arrays = LookupArrays(**{f.name: np.asarray(np.load(d / f"{f.name}.npy", mmap_mode="r", allow_pickle=False))
                                 for f in fields(LookupArrays)})
    except (FileNotFoundError, ValueError):
        return None
    if len(arrays.postcodes) != meta["postcodes"] or len(arrays.asset) != meta["pairs"]:
        return None
    return arrays
