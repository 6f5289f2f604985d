"""Several OpenStreetMap extracts read as one, and the check that every extract is there.

An area may name several ``.osm.pbf`` extracts (``[osm] files = [...]``, e.g. two neighbouring
counties). They are merged once into one ``.osm.pbf`` with pyosmium's ``MergeInputReader``: objects
are sorted by type and id and each object is kept once (its newest version), so a way or node that
overlapping extracts both hold is read once. The merged file is cached under
``$ASSETMAP_CACHE_DIR`` (default ``build/.extracts``), named by a hash of the extracts' paths,
sizes and modification times, so every reader of the build (assets, walk network, base map) reads
the same merged file and a rebuild from unchanged extracts merges nothing. Each extract keeps its
own coverage (``[osm] coverage``, one value for all or one per file); the area's is their union
(:func:`extract_coverage`).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import shapely
from shapely.geometry import box

from ..config import PROJECT_ROOT, AreaConfig, OsmConfig
from ..errors import DataSourceError

CACHE_ENV = "ASSETMAP_CACHE_DIR"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / "build" / ".extracts")


def require_extracts(cfg: OsmConfig, data_root: Path, slug: str = "") -> None:
    """Fail at once, before any work, when an extract is missing: name the file, where to download it
    (the config's url) and where to put it."""
    urls = cfg.urls or (cfg.url,)
    for i, path in enumerate(cfg.paths(data_root)):
        if path.exists():
            continue
        url = urls[i] if i < len(urls) else None
        where = f"download it from {url}" if url else "download the extract (the area config gives no url)"
        fetch = f", or run `assetmap fetch {slug}`" if slug and url else ""
        raise DataSourceError(
            f"OSM extract {path.name} is missing: {where} and put it at {path} (the data root is {data_root}; "
            f"--data-root or $ASSETMAP_DATA_ROOT move it){fetch}. Or fix [osm] file in the area config")


def _key(paths: list[Path]) -> str:
    stamp = [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths]
    return hashlib.sha1(json.dumps(stamp).encode()).hexdigest()[:16]


def resolve(cfg: AreaConfig) -> AreaConfig:
    """``cfg`` whose several extracts are merged (``cfg.osm.path`` is then the merged file); one
    extract: ``cfg`` itself."""
    if len(cfg.osm.files) < 2:
        return cfg
    return replace(cfg, osm=replace(cfg.osm, merged=str(merged_extract(cfg.osm, cfg.data_root))))


def merged_extract(cfg: OsmConfig, data_root: Path) -> Path:
    """The area's extracts merged into one ``.osm.pbf`` (made once, then read from the cache)."""
    import osmium

    paths = cfg.paths(data_root)
    require_extracts(cfg, data_root)
    out = cache_dir() / f"merged-{_key(paths)}.osm.pbf"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + f".{os.getpid()}.part.osm.pbf")
    if part.exists():
        part.unlink()
    reader = osmium.MergeInputReader()
    for p in paths:
        reader.add_file(str(p))
    writer = osmium.SimpleWriter(str(part))
    try:
        reader.apply(_Copy(writer), simplify=True)  # simplify: each object once (its newest version)
    finally:
        writer.close()
    part.replace(out)
    return out


class _Copy:
    """A pyosmium handler writing every object it sees."""

    def __init__(self, writer):
        self.writer = writer

    def node(self, n):
        self.writer.add_node(n)

    def way(self, w):
        self.writer.add_way(w)

    def relation(self, r):
        self.writer.add_relation(r)


def header_box(path: Path):
    """The lon/lat bbox an ``.osm.pbf`` declares in its header, or None."""
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        hbox = reader.header().box()
    finally:
        reader.close()
    if not hbox.valid():
        return None
    return box(hbox.bottom_left.lon, hbox.bottom_left.lat, hbox.top_right.lon, hbox.top_right.lat)


def extract_coverage(cfg: OsmConfig, data_root: Path, extract, area_lads: tuple) -> tuple[object, tuple]:
    """Several extracts' coverage: (the union of their lon/lat polygons or None, the LAD codes covered
    whole). "header": the extract's own header bbox; "hull": the hull of what was read (all
    extracts'); a bbox; "lads" (the area's LADs) or a list of LAD codes."""
    polys: list = []
    lads: list[str] = []
    for path, cov in zip(cfg.paths(data_root), cfg.coverages, strict=True):
        if cov == "header":
            b = header_box(path)
            if b is None:
                raise DataSourceError(f"the OSM extract {path} declares no bounding box in its header; give its "
                                      f"coverage in [osm] coverage (one value per file)")
            polys.append(b)
        elif cov == "hull":
            geoms = list(extract.streets.geometry) + list(extract.features.geometry)
            polys.append(shapely.convex_hull(shapely.GeometryCollection(geoms)))
        elif cov == "lads":
            lads.extend(area_lads)
        elif cov and isinstance(cov[0], str):
            lads.extend(cov)
        else:
            polys.append(box(*cov))
    return (shapely.union_all(polys) if polys else None), tuple(dict.fromkeys(lads))
