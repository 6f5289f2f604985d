"""Candidate OSM/curated pairs to label by hand (labels/merge-pairs.csv).

    python scripts/merge_candidates.py AREA [--radius 400] > /tmp/candidates-AREA.csv

Every curated record (of the labelled sources) with every OSM feature of a compatible category
within the radius, plus each record's nearest compatible OSM feature wherever it is. Prints the
evidence a person needs (names, addresses, postcodes, distance, useful OSM tags); it is written
outside the repository and never committed (it copies data).
"""
from __future__ import annotations

import argparse
import csv
import sys

import numpy as np

from assetmap.config import load_area
from assetmap.merging.merge_eval import load_inputs
from assetmap.taxonomy import load_taxonomy

SOURCES = ("libraries", "gp_practices", "warm_spaces", "foodbanks")
TAGS = ("amenity", "healthcare", "building", "ref", "ref:GB:nhs", "operator", "addr:housenumber", "addr:street",
        "addr:postcode", "addr:housename", "website", "phone", "check_date", "survey:date", "alt_name", "old_name")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("area")
    ap.add_argument("--radius", type=float, default=400.0)
    a = ap.parse_args()
    cfg = load_area(a.area)
    tx = load_taxonomy()
    inp = load_inputs(cfg, tx)
    osm = inp.osm
    ox, oy = osm.geometry.x.values, osm.geometry.y.values
    w = csv.writer(sys.stdout)
    w.writerow(["area", "curated_source", "curated_id", "osm_id", "dist_m", "nearest", "cur_name", "cur_category",
                "cur_address", "cur_postcode", "osm_name", "osm_categories", "osm_tags"])
    for src in SOURCES:
        if src not in inp.curated:
            continue
        recs, _ = inp.curated[src]
        for r in recs.itertuples():
            d = np.hypot(ox - r.geometry.x, oy - r.geometry.y)
            ok = np.array([tx.can_merge(r.category, c.split(";")) for c in osm.categories])
            if not ok.any():
                continue
            near = int(np.argmin(np.where(ok, d, np.inf)))
            idx = sorted(set(np.flatnonzero(ok & (d <= a.radius))) | {near}, key=lambda i: d[i])
            for i in idx:
                f = osm.iloc[i]
                tags = "; ".join(f"{k}={f.tags[k]}" for k in TAGS if k in f.tags)
                w.writerow([cfg.slug, src, r.source_id, f"{f.osm_type}/{f.osm_id}", round(float(d[i])),
                            int(i == near), r.name, r.category, r.address, r.postcode, f["name"],
                            f.categories, tags])


if __name__ == "__main__":
    main()
