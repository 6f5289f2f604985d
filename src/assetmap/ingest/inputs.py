"""What a build read, kept beside its outputs so a refresh can start from it.

The slow part of a build is reading: the OpenStreetMap extract, every postcode in Great Britain,
the England-wide boundaries and indices, and the curated lists. None of that changes when a
curator approves an asset, so ``assetmap build`` keeps what it read, already cut to the area, in
``<build>/inputs/`` (GeoParquet and JSON, a few MB), and :func:`assetmap.build.refresh_area`
runs the remaining stages — merge, measures, walking access, gaps, outputs — from there plus the
registry's current assets, in seconds.

Dict and list cells (OSM tags, categories) are stored as JSON text and decoded on load.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .. import __version__
from ..errors import BuildError

INPUTS_DIR = "inputs"


@dataclass
class BuildInputs:
    """Everything the stages after 'curated' need from the stages before it."""

    features: gpd.GeoDataFrame  # classified OSM features, EPSG:4326
    streets: gpd.GeoDataFrame  # OSM highway lines, EPSG:4326
    osm_meta: dict  # bounds, timestamp, counts of the extract
    lsoas: gpd.GeoDataFrame  # selected LSOAs with IoD and Census, EPSG:27700
    coverage: gpd.GeoSeries  # the covered ground, EPSG:27700
    nb_report: dict
    postcodes_read: int
    area_pc: pd.DataFrame  # postcodes in and around the area, with lsoa21_code
    curated: dict[str, tuple[gpd.GeoDataFrame, bool]]  # from files: records and 'authoritative'
    curated_report: dict
    meta: dict = field(default_factory=dict)
    places: gpd.GeoDataFrame | None = None  # named OSM place=* nodes, EPSG:4326
    unmapped: gpd.GeoDataFrame | None = None  # the named districts' LSOAs the extract leaves out, EPSG:27700
    unmapped_pc: pd.DataFrame | None = None  # the postcodes inside them: postcode, lsoa21_code

    def save(self, directory: str | Path) -> list[str]:
        d = Path(directory) / INPUTS_DIR
        d.mkdir(parents=True, exist_ok=True)
        frames = {"features": self.features, "streets": self.streets, "lsoas": self.lsoas,
                  "coverage": gpd.GeoDataFrame(geometry=self.coverage), "area_pc": self.area_pc}
        for name, (gdf, _) in self.curated.items():
            frames[f"curated-{name}"] = gdf
        for name in ("places", "unmapped", "unmapped_pc"):
            if getattr(self, name) is not None:
                frames[name] = getattr(self, name)
        coded = {}
        for name, frame in frames.items():
            coded[name] = _write(frame, d / f"{name}.parquet")
        (d / "inputs.json").write_text(json.dumps({
            "assetmap_version": __version__, "osm_meta": self.osm_meta, "nb_report": self.nb_report,
            "postcodes_read": self.postcodes_read, "curated_report": self.curated_report,
            "authoritative": {k: a for k, (_, a) in self.curated.items()}, "json_columns": coded,
            **self.meta,
        }, indent=1, default=str))
        return sorted(p.name for p in d.iterdir())

    @classmethod
    def load(cls, directory: str | Path) -> BuildInputs:
        d = Path(directory) / INPUTS_DIR
        if not (d / "inputs.json").exists():
            raise BuildError(f"{directory} has no kept build inputs ({INPUTS_DIR}/inputs.json); "
                             f"run a full 'assetmap build' of the area once, then refresh it")
        meta = json.loads((d / "inputs.json").read_text())
        if meta.get("assetmap_version") != __version__:
            raise BuildError(f"the kept inputs in {d} are from assetmap {meta.get('assetmap_version')}, "
                             f"this is {__version__}; run a full 'assetmap build' of the area")
        cols = meta["json_columns"]

        def read(name):
            return _read(d / f"{name}.parquet", cols.get(name, []))

        curated = {name: (read(f"curated-{name}"), bool(a)) for name, a in meta["authoritative"].items()}
        known = {"assetmap_version", "osm_meta", "nb_report", "postcodes_read", "curated_report",
                 "authoritative", "json_columns"}
        return cls(read("features"), read("streets"), meta["osm_meta"], read("lsoas"),
                   read("coverage").geometry, meta["nb_report"], meta["postcodes_read"], read("area_pc"),
                   curated, meta["curated_report"], {k: v for k, v in meta.items() if k not in known},
                   *(read(n) if (d / f"{n}.parquet").exists() else None for n in ("places", "unmapped", "unmapped_pc")))


def _is_container(v) -> bool:
    return isinstance(v, (dict, list, tuple))


def _write(frame: pd.DataFrame, path: Path) -> list[str]:
    """Write ``frame`` to parquet; dict/list cells as JSON text. Returns the JSON-coded columns."""
    out = frame.copy()
    coded = []
    for col in out.columns:
        if out[col].dtype == object and out[col].map(_is_container).any():
            out[col] = out[col].map(lambda v: json.dumps(v) if _is_container(v) else None)
            coded.append(col)
    out.to_parquet(path)
    return coded


def _read(path: Path, json_columns: list[str]) -> pd.DataFrame:
    try:
        frame = gpd.read_parquet(path)
    except ValueError:  # no geometry column: a plain table
        frame = pd.read_parquet(path)
    for col in json_columns:
        frame[col] = frame[col].map(lambda v: json.loads(v) if isinstance(v, str) else v)
    return frame
