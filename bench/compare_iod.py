"""Compare assetmap's gap ranks and walking times with the official IoD2025 indicators.

    python bench/compare_iod.py [AREA ...] [--build-root build] [--indicators PATH]

Spearman rank correlations, per built area, between
  - the gap score and IoD2025 ``connectivity_score`` (the barriers domain's access to services);
  - the mean walk to the nearest GP surgery and ``connectivity_score``, and ``patient_to_gp_ratio``;
  - the need score (no barriers domain) and the IMD score, as a check of the need axis.
Prints a table; reads the built neighbourhoods and the indicators file from the data root.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from assetmap.config import DEFAULT_DATA_ROOT  # noqa: E402

PAIRS = [("gap_score", "connectivity_score"), ("walk_gp_min", "connectivity_score"),
         ("walk_gp_min", "patient_to_gp_ratio"), ("e2sfca_gp", "patient_to_gp_ratio"),
         ("walk_family_health_min", "connectivity_score"),
         ("need_score", "imd_score")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("areas", nargs="*", default=["chesterfield", "rutland", "leeds-centre"])
    ap.add_argument("--build-root", default=str(Path(__file__).resolve().parents[1] / "build"))
    ap.add_argument("--indicators", default=str(Path(DEFAULT_DATA_ROOT) / "imd-humaniverse" /
                                                 "imd2025_england_lsoa21_indicators.csv.gz"))
    args = ap.parse_args(argv)
    ind = pd.read_csv(args.indicators, usecols=["lsoa21_code", "connectivity_score", "patient_to_gp_ratio"])
    print(f"{'area':14}{'n':>4}  " + "  ".join(f"{a} ~ {b}" for a, b in PAIRS))
    for area in args.areas:
        p = Path(args.build_root) / area / "neighbourhoods.parquet"
        if not p.exists():
            print(f"{area:14} not built: run `assetmap build {area}`")
            continue
        nb = pd.DataFrame(gpd.read_parquet(p).drop(columns="geometry")).merge(ind, on="lsoa21_code", how="left")
        rhos = [nb[a].astype(float).corr(nb[b].astype(float), method="spearman") for a, b in PAIRS]
        print(f"{area:14}{len(nb):>4}  " + "  ".join(f"{r:>{len(a) + len(b) + 3}.2f}" for r, (a, b) in zip(rhos, PAIRS, strict=False)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
