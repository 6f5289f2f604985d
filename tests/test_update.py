"""`assetmap update`: an OSM change file applied to a build equals a full build of the changed extract.

Two versions of the real Rutland extract: the one in ../shared (v1) and a copy with a library deleted,
a residential street closed for construction, a footway node moved and a community centre added
(v2, in tmp). The change file between them is derived with pyosmium, applied to the build of v1 and
the result compared with a full build of v2: assets, neighbourhood tables, lookup, access, places,
kept inputs, report counts and every decoded tile.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from assetmap.build import build_area
from assetmap.config import load_area
from assetmap.update.changes import apply_changes, read_changes
from assetmap.update.derive import derive_changes, edit_extract, sample_edits
from assetmap.update.stage import KEPT_EXTRACT, update_area

STAMP = "2026-12-01T00:00:00Z"
TABLES = ["assets.parquet", "neighbourhoods.parquet", "lookup.parquet", "access.parquet", "postcodes.parquet",
          "places.parquet", "streets.parquet", "sessions.parquet", "inputs/features.parquet",
          "inputs/streets.parquet"]


def _config(tmp: Path, extract: Path, name: str) -> Path:
    """Rutland's config with ``extract`` as its file and no fixed date (the extract's header gives it)."""
    text = (Path(__file__).parents[1] / "data/areas/rutland.toml").read_text()
    lines = [f'file = "{extract}"' if ln.startswith("file =") else ln for ln in text.splitlines()
             if not ln.startswith("date =")]
    path = tmp / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def versions(tmp_path_factory, data_root):
    tmp = tmp_path_factory.mktemp("update")
    v1 = load_area("rutland", data_root).osm.path(data_root)
    v2 = tmp / "v2.osm.pbf"
    edits, added = sample_edits(v1, STAMP)
    edit_extract(v1, v2, edits, added, STAMP)
    osc = tmp / "v1-v2.osc.gz"
    counts = derive_changes(v1, v2, osc)
    quiet = lambda m: None  # noqa: E731
    b1, b2 = tmp / "b1" / "rutland", tmp / "b2" / "rutland"
    build_area(load_area(_config(tmp, v1, "v1"), data_root), b1, echo=quiet)
    cfg1 = load_area(_config(tmp, v1, "v1"), data_root)
    rebuild = build_area(load_area(_config(tmp, v2, "v2"), data_root), b2, echo=quiet)
    updated = update_area(cfg1, b1, osc, echo=quiet)
    return {"tmp": tmp, "osc": osc, "counts": counts, "b1": b1, "b2": b2, "cfg1": cfg1,
            "rebuild": rebuild, "updated": updated}


def _comparable(report: dict) -> dict:
    out = json.loads(json.dumps(report))
    for key in ("timings", "built_at", "update", "refresh", "files"):
        out.pop(key, None)
    out["osm"].pop("file")
    out["sources"][0].pop("file")
    # how the tiles were cut (the build's spill per parent tile; an update re-cuts touched tiles only), not what they hold
    for key in ("update", "spill_bytes", "parents", "largest_parent_features"):
        out["basemap"].pop(key, None)
    out["area"].pop("config")
    out["walking"].pop("timings")
    return out


def _tiles(path: Path) -> dict:
    from pmtiles.reader import MmapSource, Reader, all_tiles

    with open(path, "rb") as f:
        return {zxy: gzip.decompress(data) for zxy, data in all_tiles(MmapSource(f))} | {
            "header": {k: v for k, v in Reader(MmapSource(f)).header().items()
                       if not k.endswith("offset") and not k.endswith("length")},
            "metadata": Reader(MmapSource(f)).metadata()}


@pytest.mark.slow
def test_update_equals_rebuild(versions):
    v = versions
    assert v["counts"] == {"created": 1, "modified": 2, "deleted": 1}
    up = v["updated"]["update"]
    assert up["network"] == "read again" and up["basemap"]["tiles"] == "re-cut where touched"
    assert 0 < up["basemap"]["tiles_recut"] < v["rebuild"]["basemap"]["tiles"] / 10
    assert up["features_dropped"] >= 1 and up["timestamp"] == STAMP
    for name in TABLES:
        a, b = pd.read_parquet(v["b1"] / name), pd.read_parquet(v["b2"] / name)
        pd.testing.assert_frame_equal(a, b, obj=name)
    assert _comparable(v["updated"]) == _comparable(v["rebuild"])
    assert _tiles(v["b1"] / "basemap.pmtiles") == _tiles(v["b2"] / "basemap.pmtiles")
    # the edits show: the new community centre is an asset, the deleted library's OSM record is gone
    assets = pd.read_parquet(v["b1"] / "assets.parquet")
    assert "Test Community Centre" in set(assets["name"])
    assert (v["b1"] / KEPT_EXTRACT).exists() and not v["b1"].with_name("rutland.update").exists()


@pytest.mark.slow
def test_second_update_keeps_network_and_tiles(versions, tmp_path):
    """A change to an asset's tags alone leaves the walk network and every tile as they were."""
    import osmium

    v = versions
    osc = tmp_path / "rename.osc"
    with osmium.SimpleWriter(str(osc)) as w:
        for n in osmium.FileProcessor(str(v["b1"] / KEPT_EXTRACT), osmium.osm.NODE).with_filter(
                osmium.filter.KeyFilter("amenity")):
            if n.tags.get("name") == "Test Community Centre":
                w.add_node(n.replace(version=n.version + 1, tags={"amenity": "community_centre",
                                                                  "name": "Renamed Centre"}))
    before = (v["b1"] / "basemap.pmtiles").read_bytes()
    report = update_area(v["cfg1"], v["b1"], osc, echo=lambda m: None)
    assert report["update"]["network"] == "kept" and report["update"]["basemap"]["tiles"] == "kept"
    assert (v["b1"] / "basemap.pmtiles").read_bytes() == before
    assert "Renamed Centre" in set(pd.read_parquet(v["b1"] / "assets.parquet")["name"])


def test_derive_and_apply_round_trip(tmp_path):
    """The derived change file, applied to the old file, gives the new one (a tiny made-up extract)."""
    old, new = tmp_path / "old.opl", tmp_path / "new.opl"
    old.write_text("n1 v1 dV c1 t2020-01-01T00:00:00Z i1 uA T x1.0 y52.0\n"
                   "n2 v1 dV c1 t2020-01-01T00:00:00Z i1 uA Tamenity=library x1.1 y52.0\n"
                   "w10 v1 dV c1 t2020-01-01T00:00:00Z i1 uA Thighway=footway Nn1,n2\n")
    new.write_text("n1 v2 dV c2 t2021-01-01T00:00:00Z i1 uA T x1.0 y52.1\n"
                   "n3 v1 dV c2 t2021-01-01T00:00:00Z i1 uA Tamenity=community_centre x1.2 y52.0\n"
                   "w10 v2 dV c2 t2021-01-01T00:00:00Z i1 uA Thighway=footway Nn1,n3\n")
    osc = tmp_path / "d.osc"
    assert derive_changes(old, new, osc) == {"created": 1, "modified": 2, "deleted": 1}
    cs = read_changes([osc])
    assert cs.ids == {"node": {1, 2, 3}, "way": {10}, "relation": set()} and cs.deleted["node"] == {2}
    out = tmp_path / "applied.opl"
    apply_changes(old, [osc], out, "2021-01-01T00:00:00Z")
    assert derive_changes(new, out, tmp_path / "none.osc") == {"created": 0, "modified": 0, "deleted": 0}


def _state(folder: Path, seq: int, when: str, top: bool = False) -> None:
    text = f"sequenceNumber={seq}\ntimestamp={when.replace(':', chr(92) + ':')}\n"
    path = folder / "state.txt" if top else folder / f"000/000/{seq:03d}.state.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.slow
def test_replication_mode_against_a_local_server(versions, tmp_path):
    """`--replication URL` fetches the diffs after the build's state from a fake server on 127.0.0.1 and
    applies them; a second run finds nothing new."""
    import functools
    import http.server
    import threading

    import osmium

    from assetmap.cli import main
    from assetmap.update.changes import header_info

    v = versions
    site = tmp_path / "replication"
    _state(site, 0, "2026-11-30T00:00:00Z")
    _state(site, 1, STAMP)
    when = "2026-12-02T00:00:00Z"
    _state(site, 2, when)
    _state(site, 2, when, top=True)
    diff = site / "000/000/002.osc.gz"
    with osmium.SimpleWriter(str(diff)) as w:
        for n in osmium.FileProcessor(str(v["b1"] / KEPT_EXTRACT), osmium.osm.NODE).with_filter(
                osmium.filter.KeyFilter("amenity")):
            if n.tags.get("amenity") == "community_centre" and n.id > 10**11:
                w.add_node(n.replace(version=n.version + 1, tags={"amenity": "community_centre",
                                                                  "name": "Replicated Centre"}))
    (site / "000/000/001.osc.gz").write_bytes(gzip.compress(b"<osmChange version=\"0.6\"></osmChange>\n"))
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    root = ["--build-root", str(v["b1"].parent)]
    try:
        assert main(["update", str(v["tmp"] / "v1.toml"), "--replication", url, *root]) == 0
        head = header_info(v["b1"] / KEPT_EXTRACT)
        assert head["sequence"] == "2" and head["timestamp"] == when
        assert "Replicated Centre" in set(pd.read_parquet(v["b1"] / "assets.parquet")["name"])
        before = (v["b1"] / "report.json").read_bytes()
        assert main(["update", str(v["tmp"] / "v1.toml"), "--replication", url, *root]) == 0
        assert (v["b1"] / "report.json").read_bytes() == before  # up to date: nothing redone
    finally:
        server.shutdown()


def test_a_moved_node_touches_its_ways_and_multipolygons(tmp_path):
    """A change to one node reaches the way holding it and the multipolygon holding that way."""
    from assetmap.update.changes import ChangeSet, affected

    extract = tmp_path / "x.opl"
    extract.write_text("n1 v1 x1.0 y52.0\nn2 v1 x1.1 y52.0\nn3 v1 x1.1 y52.1\nn4 v1 x1.3 y52.1\n"
                       "w10 v1 Tbuilding=yes Nn1,n2,n3,n1\nw11 v1 Thighway=path Nn3,n4\n"
                       "r100 v1 Ttype=multipolygon,landuse=grass Mw10@outer\n")
    cs = ChangeSet()
    cs.ids["node"].add(1)
    aff = affected(cs, extract)
    assert aff("way", 10) and aff("relation", 100) and aff("node", 1)
    assert not aff("way", 11) and not aff("node", 3)
