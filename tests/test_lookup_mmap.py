"""The lookup served from memory-mapped arrays (``lookup/``) answers exactly as the index built per
worker from ``lookup.parquet`` did (tests/lookup_reference.py), for every postcode of the real
Chesterfield build; stale or missing arrays fall back to the parquet."""
from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from assetmap.errors import PostcodeError
from assetmap.outputs.read import AreaResults
from assetmap.walk.lookup_arrays import load_arrays
from lookup_reference import ReferenceLookupIndex

UNKNOWN = ["ZZ99 9ZZ", "S40 9ZZ", "SW1A 1AA", "s401lp ", "not a postcode", "", "S40 1LPX", "ÄÄ1 1AA"]


@pytest.fixture(scope="module")
def pair(chesterfield_ar):
    """(the served index, memory-mapped; the reference index from the parquet files)."""
    ar = chesterfield_ar
    served = ar._lookup
    walking = ar.report.get("walking", {})
    ref = ReferenceLookupIndex(
        ar.slug, served.scope, served.records, [list(c) for c in ar._cats], ar._xy,
        pd.read_parquet(ar.dir / "postcodes.parquet"), pd.read_parquet(ar.dir / "lookup.parquet"),
        pd.read_parquet(ar.dir / "access.parquet", columns=["postcode", "snap_m"]),
        walking.get("speed_kmh", 4.8), walking.get("reduced_mobility_kmh", 3.0))
    return served, ref


def _answer(index, postcode, **kw):
    try:
        return index.lookup(postcode, **kw)  # a dataclass: == compares every field and result
    except PostcodeError as e:  # unknown and malformed postcodes: the same error, the same words
        return (type(e).__name__, str(e))


def test_the_served_lookup_is_memory_mapped(pair):
    served, _ = pair
    for name in ("postcodes", "start", "asset", "walk", "x", "lon", "snap"):
        assert isinstance(getattr(served.arrays, name).base, np.memmap), name
    assert not hasattr(served, "_row")  # no per-worker dictionary of postcodes


def test_every_postcode_answers_as_before(pair, chesterfield_ar):
    served, ref = pair
    codes = pd.read_parquet(chesterfield_ar.dir / "postcodes.parquet")["postcode"].tolist()
    assert len(codes) > 3000
    arr = served.arrays
    for code in codes + UNKNOWN:
        assert (code in served) == (code in ref._row)
        assert _answer(served, code) == _answer(ref, code), code
        if code in ref._row:  # the whole slice: every asset within reach, in the same order, the same walks
            i, j = arr.row(code), ref._row[code]
            assert arr.asset[arr.start[i]:arr.start[i + 1]].tolist() == ref._asset[ref._start[j]:ref._end[j]].tolist()
            assert arr.walk[arr.start[i]:arr.start[i + 1]].astype(float).tolist() == \
                ref._walk[ref._start[j]:ref._end[j]].tolist()
    assert arr.start[-1] == len(ref._asset) and np.diff(arr.start).max() > 50
    for code in codes[::40]:
        assert _answer(served, code, limit=10_000) == _answer(ref, code, limit=10_000)


def test_categories_masks_and_limits_answer_as_before(pair, chesterfield_ar):
    served, ref = pair
    codes = pd.read_parquet(chesterfield_ar.dir / "postcodes.parquet")["postcode"].sample(150, random_state=7).tolist()
    cats = sorted(served.category_mask)[:8] + ["no_such_category"]
    masks = [served.mask(["library"], ()), served.mask((), ("church", "community")), served.mask(["gp"], ("health",)),
             np.zeros(len(served.records), dtype=bool)]
    for code in codes + UNKNOWN[:2]:
        for limit in (0, 1, 3, 50):
            assert _answer(served, code, limit=limit) == _answer(ref, code, limit=limit)
        for cat in cats:
            assert _answer(served, code, category=cat, limit=5) == _answer(ref, code, category=cat, limit=5), cat
        for where in masks:
            assert _answer(served, code, where=where) == _answer(ref, code, where=where)
            assert _answer(served, code, category=cats[0], where=where) == _answer(ref, code, category=cats[0],
                                                                                   where=where)


def test_points_and_nearest_postcodes_as_before(pair, chesterfield_ar):
    served, ref = pair
    pcs = pd.read_parquet(chesterfield_ar.dir / "postcodes.parquet").sample(200, random_state=3)
    for code, x, y in zip(pcs["postcode"], pcs["x"], pcs["y"], strict=True):
        assert served.xy(code) == ref.xy(code)
        assert served.nearest(x + 7.0, y - 3.0) == ref.nearest(x + 7.0, y - 3.0)


def test_arrays_for_other_assets_or_missing_fall_back_to_the_parquet(chesterfield_ar, tmp_path):
    ids = [r["asset_id"] for r in chesterfield_ar._lookup.records]
    assert load_arrays(chesterfield_ar.dir, ids) is not None
    assert load_arrays(chesterfield_ar.dir, ids[::-1]) is None  # the same assets in another order
    assert load_arrays(chesterfield_ar.dir, ids[:-1]) is None
    assert load_arrays(tmp_path, ids) is None
    # a lookup.parquet rewritten after the arrays (an update that did not write them again): not used
    stale = tmp_path / "stale"
    shutil.copytree(chesterfield_ar.dir, stale, ignore=shutil.ignore_patterns("*.pmtiles", "downloads"))
    assert load_arrays(stale, ids) is not None  # copied with their times: still current
    os.utime(stale / "lookup.parquet", ns=(1, 1))
    assert load_arrays(stale, ids) is None
    # a build without lookup/ (made before it existed) still serves, from lookup.parquet, the same answers
    old = tmp_path / "chesterfield"
    shutil.copytree(chesterfield_ar.dir, old, ignore=shutil.ignore_patterns("lookup", "*.pmtiles", "downloads"))
    again = AreaResults(old)
    assert not isinstance(again._lookup.arrays.asset.base, np.memmap)
    for code in pd.read_parquet(old / "postcodes.parquet")["postcode"].sample(100, random_state=1):
        assert _answer(again._lookup, code, limit=20) == _answer(chesterfield_ar._lookup, code, limit=20)


def test_pairs_are_ordered_as_lexsort_orders_them_sorted_or_not():
    from assetmap.walk.lookup_arrays import _by_row_then_walk

    rng = np.random.default_rng(5)
    for _ in range(30):
        row, walk = rng.integers(0, 40, 3000), rng.integers(0, 25, 3000).astype(np.float32)  # many ties
        assert (_by_row_then_walk(row, walk) == np.lexsort((walk, row))).all()
        done = np.lexsort((walk, row))
        shuffled_groups = rng.permutation(40)[row[done]]  # sorted by walk within each postcode, postcodes mixed
        assert (_by_row_then_walk(shuffled_groups, walk[done]) == np.lexsort((walk[done], shuffled_groups))).all()
