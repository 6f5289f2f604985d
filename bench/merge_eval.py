"""Precision and recall of the OSM/curated merge on the hand-labelled pairs (labels/), per area
and overall.

    python bench/merge_eval.py [AREA ...] [--errors]

A merged pair is a positive prediction; pairs sent to the review list count as not merged and
are reported apart. See labels/README.md for how the pairs were judged.
"""
from __future__ import annotations

import argparse
import json
import time

from assetmap.merging.merge_eval import combine, evaluate_area, read_labels


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("areas", nargs="*")
    ap.add_argument("--errors", action="store_true", help="list the pairs the matcher got wrong")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    labels = read_labels()
    areas = a.areas or list(dict.fromkeys(labels["area"]))
    results = []
    print(f"{'area':14} {'pairs':>5} {'same':>4} {'TP':>3} {'FP':>3} {'FN':>3} {'precision':>9} {'recall':>6} "
          f"{'review(same/diff)':>17} {'s':>5}")
    for area in areas:
        t = time.perf_counter()
        r = evaluate_area(area, labels)
        results.append(r)
        print(f"{area:14} {r['pairs']:5} {r['same']:4} {r['tp']:3} {r['fp']:3} {r['fn']:3} {r['precision']:9.3f} "
              f"{r['recall']:6.3f} {r['review_same']:>8}/{r['review_different']:<8} {time.perf_counter() - t:5.1f}")
        if a.errors:
            for e in r["errors"]:
                print(f"    {e['verdict']:9} {e['basis']:18} {e['predicted']:10} {e['pair']}")
    tot = combine(results)
    print(f"{'overall':14} {tot['pairs']:5} {tot['same']:4} {tot['tp']:3} {tot['fp']:3} {tot['fn']:3} "
          f"{tot['precision']:9.3f} {tot['recall']:6.3f} {tot['review_same']:>8}/{tot['review_different']:<8}")
    if a.json:
        print(json.dumps({"areas": results, "overall": tot}, indent=1))


if __name__ == "__main__":
    main()
