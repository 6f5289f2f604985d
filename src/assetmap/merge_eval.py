"""Measuring the OSM/curated merge against hand-labelled pairs (``labels/merge-pairs.csv``).

A labelled pair is (area, curated source, curated id, OSM element, same|different). The matcher
*predicts* a pair as the same place when it puts the curated record into the asset that holds
that OSM element. Pairs the matcher sent to the review list count as not merged (a curator
decides them); how many went there is reported beside precision and recall.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .config import PROJECT_ROOT, AreaConfig
from .errors import DataSourceError

LABELS = PROJECT_ROOT / "labels" / "merge-pairs.csv"
LABEL_COLUMNS = ["area", "curated_source", "curated_id", "osm_id", "verdict", "basis"]
BNG = "EPSG:27700"


@dataclass
class MergeInputs:
    osm: gpd.GeoDataFrame  # classified OSM points inside the coverage, EPSG:27700
    curated: dict  # source -> (records, authoritative?)
    osm_date: str | None


def load_inputs(cfg: AreaConfig, taxonomy) -> MergeInputs:
    """The merge's inputs for an area, read exactly as the build reads them."""
    from .curated import read_area_lists
    from .neighbourhoods import select_neighbourhoods
    from .osm import coverage_bbox, read_extract
    from .postcodes import Geocoder, read_codepoint

    extract = read_extract(cfg.osm, cfg.data_root, taxonomy)
    nb = select_neighbourhoods(cfg, coverage_bbox(cfg.osm, extract))
    coverage = nb.coverage.iloc[0]
    region = coverage.buffer(cfg.edge_buffer_m)
    geocoder = Geocoder(read_codepoint(cfg.source("postcodes"), cfg.data_root))
    curated, _ = read_area_lists(cfg, taxonomy, geocoder, region, coverage)
    osm = extract.features.to_crs(BNG)
    osm = osm[osm.within(coverage)].reset_index(drop=True)
    return MergeInputs(osm, curated, cfg.osm.date)


def read_labels(path: str | Path = LABELS) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise DataSourceError(f"no merge labels at {path}; they ship with the repository in labels/")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in LABEL_COLUMNS if c not in df.columns]
    if missing:
        raise DataSourceError(f"{path} lacks column(s) {missing}; it needs {LABEL_COLUMNS}")
    bad = sorted(set(df["verdict"]) - {"same", "different"})
    if bad:
        raise DataSourceError(f"{path}: verdict(s) {bad}; use 'same' or 'different'")
    return df
