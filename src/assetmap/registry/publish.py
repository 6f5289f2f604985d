"""The registry as a curated source of a build, and publishing without a full rebuild.

Published registry assets become curated records exactly like a curated file's
(:data:`assetmap.ingest.curated.CURATED_COLUMNS`, EPSG:27700), one list per registry source
(``registry:<source>``), authoritative (a curator approved them), each carrying its own
``last_verified`` date. :func:`publish_area` refreshes an area's build from the inputs its last
full build kept plus these records (:func:`assetmap.build.refresh_area`): seconds, not a build.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..constants import BNG, WGS84
from ..ingest.curated import CURATED_COLUMNS
from ..locks import area_lock
from .db import make_engine, require_current, session_factory
from .models import CuratedAsset
from .publish_services import SERVICE_COLUMNS, service_records

PREFIX = "registry:"
_FIELDS = {"name": "name", "address": "address", "postcode": "postcode", "url": "website", "phone": "phone",
           "email": "email", "opening_hours": "opening_hours", "description": "description", "wheelchair": "wheelchair"}


def registry_records(session: Session, bbox_lonlat: tuple[float, float, float, float] | None = None,
                     area: str | None = None, services: bool = True) -> dict[str, tuple[gpd.GeoDataFrame, bool]]:
    """Published registry assets (inside ``bbox_lonlat`` when given) as curated lists by source, with the
    published services (``record_kind`` "service", see :mod:`.publish_services`; area-wide ones only for
    ``area``) unless ``services`` is false."""
    q = select(CuratedAsset).where(CuratedAsset.status == "published")
    if bbox_lonlat is not None:
        minx, miny, maxx, maxy = bbox_lonlat
        q = q.where(CuratedAsset.lon.between(minx, maxx), CuratedAsset.lat.between(miny, maxy))
    rows = session.scalars(q.order_by(CuratedAsset.source, CuratedAsset.id)).all()
    by_source: dict[str, list[dict]] = {}
    for a in rows:
        rec = {col: getattr(a, f) for f, col in _FIELDS.items()}
        rec.update(source=PREFIX + a.source, source_id=a.id, category=a.category, located_by=a.located_by,
                   origin="registry", hours_text=None, lon=a.lon, lat=a.lat,
                   last_verified=a.last_verified.isoformat() if a.last_verified else None)
        by_source.setdefault(PREFIX + a.source, []).append(rec)
    with_services = False
    for rec in service_records(session, bbox_lonlat, area) if services else []:
        by_source.setdefault(PREFIX + rec["source"], []).append({**rec, "source": PREFIX + rec["source"]})
        with_services = True
    to_bng = Transformer.from_crs(WGS84, BNG, always_xy=True)
    out = {}
    for source, recs in by_source.items():
        frame = pd.DataFrame(recs)
        lon, lat = frame.pop("lon").to_numpy(dtype=float), frame.pop("lat").to_numpy(dtype=float)
        x, y = to_bng.transform(lon, lat)
        cols = [c for c in CURATED_COLUMNS if c != "geometry"] + ["last_verified"]
        if with_services:  # the shared contract's columns: places are "place", unknown fields None
            cols += [c for c in SERVICE_COLUMNS if c not in cols]
            frame["record_kind"] = frame.get("record_kind", pd.Series(index=frame.index, dtype=object)).fillna("place")
        frame = frame.reindex(columns=cols)  # every curated column, None where the registry has no such field
        points = [Point(px, py) if np.isfinite(px) else Point() for px, py in zip(x, y, strict=True)]
        out[source] = (gpd.GeoDataFrame(frame, geometry=points, crs=BNG), True)
    return out


def read_registry(url_or_engine: str | Engine | None, bbox_lonlat=None,
                  area: str | None = None) -> dict[str, tuple[gpd.GeoDataFrame, bool]]:
    """:func:`registry_records` from a database URL or engine (raises, naming the fix, if not migrated)."""
    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    require_current(engine)
    with session_factory(engine)() as session:
        return registry_records(session, bbox_lonlat, area)


def publish_area(cfg, build_root: str | Path, url_or_engine: str | Engine | None, echo=lambda m: None) -> dict:
    """Refresh ``build_root/<slug>`` from its kept inputs plus the registry's published assets."""
    from ..build import refresh_area

    out_dir = Path(build_root) / cfg.slug
    with area_lock(out_dir):  # concurrent publishes (web workers, the CLI) queue here and run in turn
        bbox = tuple(build_bounds(build_root, cfg.slug))
        return refresh_area(cfg, out_dir, read_registry(url_or_engine, bbox, cfg.slug), echo=echo)


def publish_summary(cfg, report: dict) -> dict:
    """What a publish did to an area, for people: seconds taken, assets from the registry (by source), total."""
    regs = {k[len(PREFIX):]: v["in_area"] for k, v in report["curated"].items() if k.startswith(PREFIX)}
    return {"slug": cfg.slug, "name": cfg.name, "seconds": report["timings"]["total"], "registry": sum(regs.values()),
            "by_source": regs, "assets": report["assets"]["total"]}


def build_bounds(build_root: str | Path, slug: str, margin: float = 0.05) -> list[float]:
    """The built area's lon/lat bounds from its report, widened by ``margin`` degrees (edge buffer)."""
    report = json.loads((Path(build_root) / slug / "report.json").read_text())
    minx, miny, maxx, maxy = report["area"]["bounds"]
    return [minx - margin, miny - margin, maxx + margin, maxy + margin]
