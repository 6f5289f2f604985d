"""England's ranks on the neighbourhoods: ``gap_rank_england``, ``gap_decile_england`` and
``priority_rank_england``.

The gap score is rank-based (each category's walking minutes ranked across the build's LSOAs,
then the families' ranks), so it compares an LSOA only with the others of the *same* build: a town's
gap scores say where it is worst within the town. England's ranks therefore come from a national
build (``neighbourhoods = "england"``), where every LSOA's score is ranked against all of England's:

* in the national build itself, ``gap_rank_england`` is ``gap_rank`` (the area is England),
  ``gap_decile_england`` its decile (1 = England's worst tenth) and ``priority_rank_england`` is
  ``priority_rank``;
* a smaller area with ``[gaps] rank_against = "england"`` reads those three columns from the
  national build (``<build root>/england/neighbourhoods.parquet``) for its own LSOAs. They are
  England's verdict on each LSOA, comparable with its local ranks only when both builds measured
  alike: the national build's gap settings and walking speed must equal the area's, or the build
  stops with an error naming the setting (an LSOA at the edge of a town's extract may still walk
  a little differently in the two builds: the national build sees the streets beyond the edge).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..config import AreaConfig
from ..errors import BuildError
from ..gap.formulas import quantile_class

NATIONAL_COLUMNS = ("gap_rank_england", "gap_decile_england", "priority_rank_england")


def is_national(cfg: AreaConfig) -> bool:
    return cfg.neighbourhoods == "england"


def own_ranks(lsoas: pd.DataFrame) -> pd.DataFrame:
    """The national build's own England ranks: its ranks are England's."""
    return pd.DataFrame({"gap_rank_england": lsoas["gap_rank"].astype("Int64"),
                         "gap_decile_england": quantile_class(lsoas["gap_score"], 10, worst_high=True),
                         "priority_rank_england": lsoas["priority_rank"].astype("Int64")}, index=lsoas.index)


def compared_settings(report: dict) -> dict:
    """What must match for two builds' gap scores to be comparable: the gap settings (all but
    ``rank_against``) and the walking speed."""
    gaps = {k: v for k, v in (report.get("gaps", {}).get("settings") or {}).items() if k != "rank_against"}
    return {"gaps": gaps, "speed_kmh": report.get("walking", {}).get("speed_kmh")}


def read_national(build_root: Path, slug: str, own: dict) -> tuple[pd.DataFrame, int]:
    """The national build's England ranks by LSOA code, and how many LSOAs it ranks; checked against
    ``own`` (:func:`compared_settings` of the area being built)."""
    d = Path(build_root) / slug
    if not (d / "report.json").exists() or not (d / "neighbourhoods.parquet").exists():
        raise BuildError(f"[gaps] rank_against = \"{slug}\" but there is no build of {slug} at {d}; build it first "
                         f"(`assetmap build {slug}`), or remove rank_against from the area file")
    report = json.loads((d / "report.json").read_text(encoding="utf-8"))
    theirs = compared_settings(report)
    diff = sorted({k for k in own["gaps"].keys() | theirs["gaps"].keys()
                   if own["gaps"].get(k) != theirs["gaps"].get(k)})
    if own["speed_kmh"] != theirs["speed_kmh"]:
        diff.append("[walking] speed_kmh")
    if diff:
        raise BuildError(f"the {slug} build's gap scores were computed with other settings ({', '.join(diff)}), so "
                         f"its ranks are not comparable with this area's; set them in the area file as in "
                         f"{report.get('area', {}).get('config', slug)} (or rebuild {slug} with this area's), or "
                         f"remove [gaps] rank_against")
    cols = ["lsoa21_code", *NATIONAL_COLUMNS]
    frame = pd.read_parquet(d / "neighbourhoods.parquet", columns=None)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise BuildError(f"the {slug} build at {d} has no column(s) {missing}: it is not a national build "
                         f"(neighbourhoods = \"england\"); rebuild it with this version of assetmap")
    n = int(frame["gap_rank_england"].notna().sum())
    return frame[cols].set_index("lsoa21_code"), n


def national_ranks(cfg: AreaConfig, build_root: Path, lsoas: pd.DataFrame, report: dict) -> pd.DataFrame:
    """``lsoas`` with England's rank columns: its own (a national build), the ``rank_against`` build's
    (checked), or unchanged; ``report`` (the gap stage's) gains ``national``."""
    if is_national(cfg):
        ranks = own_ranks(lsoas)
        report["national"] = {"ranked_against": cfg.slug, "lsoas_ranked": int(ranks["gap_rank_england"].notna().sum())}
    elif cfg.gaps.rank_against:
        own = json.loads(json.dumps({"gaps": {k: v for k, v in cfg.gaps.as_dict().items() if k != "rank_against"},
                                     "speed_kmh": cfg.walking.speed_kmh}))  # as the report holds them
        national, n = read_national(build_root, cfg.gaps.rank_against, own)
        ranks = national.reindex(lsoas["lsoa21_code"].to_numpy()).set_axis(lsoas.index)
        report["national"] = {"ranked_against": cfg.gaps.rank_against, "lsoas_ranked": n,
                              "lsoas_not_in_national_build": int(ranks["gap_rank_england"].isna().sum())}
    else:
        return lsoas
    lsoas = lsoas.drop(columns=[c for c in NATIONAL_COLUMNS if c in lsoas.columns])
    return pd.concat([lsoas, ranks.astype("Int64")], axis=1)
