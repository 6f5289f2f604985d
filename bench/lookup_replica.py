"""A national-size lookup for the serving benchmark: a built area's postcodes and lookup pairs repeated.

    replicate(SRC_BUILD_DIR, DST_ROOT, copies, parquet=False) -> DST_ROOT/<slug>

Copy ``k`` of each postcode gets a new outward code (two letters and a number, e.g. ``"BQ17 1LP"``:
distinct for every copy and outward code, so the replica has ``copies`` × the area's postcodes) and
the same pairs (assets and walks) as the original. The lookup arrays (``lookup/``) are written in
chunks straight into ``.npy`` files (``np.lib.format.open_memmap``), so making 100 M pairs holds
about 0.5 GB; ``parquet=True`` also writes the replicated ``lookup.parquet`` (and postcodes and
access files), which the index built per worker (before ``lookup/``) reads. Every other file is a
symbolic link to the source build (the assets are the same 300-odd; no network, so no what-if
model). Only for benchmarks: the codes are made up, and their points are the originals'.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from assetmap.walk.lookup_arrays import source_stats

SKIP = {"lookup", "lookup.parquet", "postcodes.parquet", "access.parquet", "network.npz"}
CHUNK = 100_000  # postcodes per chunk of pairs written


def _codes(src_codes: np.ndarray, copies: int) -> np.ndarray:
    """The replica's codes, copy by copy, in the source's order within each copy."""
    outward = np.array([c.rsplit(" ", 1)[0] for c in src_codes])
    inward = np.array([" " + c.rsplit(" ", 1)[1] for c in src_codes])
    uniq, j = np.unique(outward, return_inverse=True)
    letters = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    if copies * len(uniq) > len(letters) * 99:
        raise ValueError(f"too many copies ({copies}) for {len(uniq)} outward codes")
    out = []
    for k in range(copies):
        t = k * len(uniq) + np.arange(len(uniq))
        new = np.array([f"{letters[i // 99]}{i % 99 + 1}" for i in t])
        out.append(np.char.add(new[j], inward))
    return np.concatenate(out)


def replicate(src: Path, dst_root: Path, copies: int, parquet: bool = False) -> Path:
    src = Path(src).resolve()
    meta = json.loads((src / "lookup" / "meta.json").read_text())
    slug = json.loads((src / "report.json").read_text())["area"]["slug"]
    dst = Path(dst_root) / slug
    if dst.exists():
        shutil.rmtree(dst)
    (dst / "lookup").mkdir(parents=True)
    for p in src.iterdir():
        if p.name not in SKIP:
            os.symlink(p, dst / p.name)
    a = {n: np.load(src / "lookup" / f"{n}.npy") for n in ("postcodes", "x", "y", "lon", "lat", "snap", "start",
                                                           "asset", "walk")}
    n = len(a["postcodes"])
    codes = _codes(np.char.decode(a["postcodes"], "ascii"), copies)
    order = np.argsort(codes, kind="stable")
    s = order % n  # each replica postcode's source row
    sorted_codes = codes[order].astype(f"S{max(8, codes.dtype.itemsize // 4)}")
    lengths = np.diff(a["start"])[s]
    start = np.zeros(len(s) + 1, np.int64)
    np.cumsum(lengths, out=start[1:])
    d = dst / "lookup"
    for name, values in (("postcodes", sorted_codes), ("x", a["x"][s]), ("y", a["y"][s]), ("lon", a["lon"][s]),
                         ("lat", a["lat"][s]), ("snap", a["snap"][s]), ("start", start)):
        np.save(d / f"{name}.npy", values)
    pairs = int(start[-1])
    asset = np.lib.format.open_memmap(d / "asset.npy", "w+", np.int32, (pairs,))
    walk = np.lib.format.open_memmap(d / "walk.npy", "w+", np.float32, (pairs,))
    for r0 in range(0, len(s), CHUNK):
        r1 = min(r0 + CHUNK, len(s))
        lo, hi = start[r0], start[r1]
        idx = np.repeat(a["start"][s[r0:r1]] - start[r0:r1], lengths[r0:r1]) + np.arange(lo, hi)
        asset[lo:hi], walk[lo:hi] = a["asset"][idx], a["walk"][idx]
    asset.flush()
    walk.flush()
    del asset, walk
    pcs = pd.read_parquet(src / "postcodes.parquet")
    by_code = pcs.drop_duplicates("postcode", keep="last").set_index("postcode")
    src_codes = np.char.decode(a["postcodes"], "ascii")
    frame = by_code.reindex(src_codes).reset_index(drop=True).iloc[s].reset_index(drop=True)
    frame.insert(0, "postcode", codes[order])
    frame.to_parquet(dst / "postcodes.parquet", index=False)
    if parquet:
        frame.assign(snap_m=a["snap"][s]).to_parquet(dst / "access.parquet", index=False)
        ids = pd.read_parquet(src / "assets.parquet", columns=["asset_id"])["asset_id"].to_numpy(dtype=object)
        lk = np.load(d / "asset.npy", mmap_mode="r")
        pd.DataFrame({"postcode": np.repeat(codes[order].astype(object), lengths), "asset_id": ids[lk],
                      "walk_m": np.load(d / "walk.npy", mmap_mode="r")}).to_parquet(dst / "lookup.parquet",
                                                                                    index=False)
    else:
        os.symlink(src / "access.parquet", dst / "access.parquet")  # the index reads lookup/ alone
    (d / "meta.json").write_text(json.dumps({**meta, "postcodes": len(s), "pairs": pairs,
                                             "sources": source_stats(dst)}))
    return dst
