"""Measuring the OSM/curated merge against hand-labelled pairs (``labels/merge-pairs.csv``).

A labelled pair is (area, curated source, curated id, OSM element, same|different). The matcher
*predicts* a pair as the same place when it puts the curated record into the asset that holds
that OSM element. Pairs the matcher sent to the review list count as not merged (a curator
decides them); how many went there is reported beside precision and recall.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..config import PROJECT_ROOT, AreaConfig
from ..constants import BNG
from ..errors import DataSourceError

LABELS = PROJECT_ROOT / "labels" / "merge-pairs.csv"
LABEL_COLUMNS = ["area", "curated_source", "curated_id", "osm_id", "verdict", "basis"]
@dataclass
class MergeInputs:
    osm: gpd.GeoDataFrame  # classified OSM points inside the coverage, EPSG:27700
    curated: dict  # source -> (records, authoritative?)
    osm_date: str | None


def load_inputs(cfg: AreaConfig, taxonomy) -> MergeInputs:
    """The merge's inputs for an area, read exactly as the build reads them."""
    from ..ingest.curated import read_area_lists
    from ..ingest.neighbourhoods import select_neighbourhoods
    from ..ingest.osm import coverage_bbox, read_extract
    from ..ingest.postcodes import Geocoder, read_codepoint

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


def predicted_pairs(assets: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(curated source, curated id, osm element) for every curated record merged with an OSM element."""
    out: set[tuple[str, str, str]] = set()
    for sources in assets["sources"]:
        srcs = list(sources)
        osm = [s[4:] for s in srcs if s.startswith("osm:")]
        for s in srcs:
            if not s.startswith("osm:"):
                name, _, cid = s.partition(":")
                out.update((name, cid, o) for o in osm)
    return out


def score_labels(labels: pd.DataFrame, assets: pd.DataFrame, review: pd.DataFrame) -> dict:
    """Precision, recall and the confusion counts of the merge on labelled pairs; pairs sent to
    review count as not merged and are reported apart (``review_same``/``review_different``)."""
    merged = predicted_pairs(assets)
    flagged = {(r.curated_source, str(r.curated_id), r.candidate_ref[4:]) for r in review.itertuples()
               if str(r.candidate_ref).startswith("osm:")}
    tp = fp = fn = tn = rs = rd = 0
    errors = []
    for lab in labels.itertuples():
        key = (lab.curated_source, lab.curated_id, lab.osm_id)
        pred, same = key in merged, lab.verdict == "same"
        tp += pred and same
        fp += pred and not same
        fn += same and not pred
        tn += not pred and not same
        if key in flagged:
            rs += same
            rd += not same
        if pred != same:
            errors.append({"pair": "|".join(key), "verdict": lab.verdict, "basis": lab.basis,
                           "predicted": "merged" if pred else ("review" if key in flagged else "not merged")})
    return {"pairs": int(len(labels)), "same": tp + fn, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "review_same": rs, "review_different": rd, "errors": errors}


def evaluate_area(slug: str, labels: pd.DataFrame | None = None, data_root=None) -> dict:
    """Run the build's merge for an area on its real inputs and score it on the area's labels."""
    from ..config import load_area, with_sources_enabled
    from ..taxonomy import load_taxonomy
    from .merge import merge_assets

    labels = read_labels() if labels is None else labels
    cfg = load_area(slug, data_root)
    # the curated lists the labels were drawn from, even where the area now reads a newer one, and no other
    # (a newer list of the same places would compete for the same OSM features)
    named = set(labels.loc[labels["area"] == cfg.slug, "curated_source"])
    cfg = with_sources_enabled(cfg, named)
    cfg = replace(cfg, sources={n: s for n, s in cfg.sources.items() if s.kind != "curated" or n in named})
    tx = load_taxonomy()
    inp = load_inputs(cfg, tx)
    dates = {s.name: s.option("date") for s in cfg.sources_of("curated")}
    assets, report = merge_assets(inp.osm, inp.curated, tx, cfg.merge, dates, inp.osm_date)
    mine = labels[labels["area"] == cfg.slug]
    if mine.empty:
        raise DataSourceError(f"no labelled pairs for area '{cfg.slug}' in the labels file; label some "
                              "(labels/README.md)")
    res = score_labels(mine, assets, report["review"])
    res.update(area=cfg.slug, flagged_for_review=report["flagged_for_review"], merged=report["matched"])
    return res


def combine(results: list[dict]) -> dict:
    keys = ("pairs", "same", "tp", "fp", "fn", "tn", "review_same", "review_different")
    tot = {k: sum(r[k] for r in results) for k in keys}
    tot["precision"] = round(tot["tp"] / (tot["tp"] + tot["fp"]), 4) if tot["tp"] + tot["fp"] else 1.0
    tot["recall"] = round(tot["tp"] / (tot["tp"] + tot["fn"]), 4) if tot["tp"] + tot["fn"] else 1.0
    return tot
