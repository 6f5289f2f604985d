"""The build's report (``report.json`` less its timings): what was read, merged, measured and written,
and every source with its licence, attribution and data date."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd

from . import __version__
from .config import AreaConfig
from .constants import WGS84
from .ingest.inputs import BuildInputs
from .ingest.outside import unmapped_summary
from .taxonomy import Taxonomy
from .walk.network import WalkNetwork

OSM_ATTRIBUTION = "© OpenStreetMap contributors, data available under the Open Database Licence (ODbL)"


def extract_date(timestamp: str | None) -> str | None:
    """The extract's data date (its header timestamp's day) when the config gives none."""
    return timestamp[:10] if timestamp else None


def source_records(cfg: AreaConfig, inputs: BuildInputs) -> list[dict]:
    """Every source of the build with its licence, attribution and data date (the report's ``sources``)."""
    return ([{"name": "openstreetmap", "kind": "osm", "file": cfg.osm.file, "url": cfg.osm.url,
              "licence": "Open Database Licence (ODbL) 1.0", "attribution": OSM_ATTRIBUTION,
              "date": cfg.osm.date or extract_date(inputs.osm_meta["timestamp"])}]
            + [{"name": s.name, "kind": s.kind, "file": s.file, "url": s.url, "landing": s.landing,
                "licence": s.licence, "licence_url": s.option("licence_url"), "attribution": s.attribution,
                "date": s.option("date")}
               for s in cfg.sources.values()])


def build_report(cfg: AreaConfig, tx: Taxonomy, inputs: BuildInputs, merged, curated_report: dict,
                 lsoas: gpd.GeoDataFrame, net: WalkNetwork, walk, gaps, basemap: dict, files: dict[str, int]) -> dict:
    """report.json (less its timings): what was read, merged, measured and written."""
    assets, osm = merged.assets, merged.osm
    by_cat = assets["category"].value_counts()
    any_cat = assets["categories"].explode().value_counts()
    osm_cats = osm["category"].value_counts()
    in_lsoas = assets["lsoa21_code"].notna()
    area_pc = inputs.area_pc
    return {
        "area": {"slug": cfg.slug, "name": cfg.name, "lads": list(cfg.lads), "config": str(cfg.config_path),
                 "bounds": [round(v, 6) for v in lsoas.to_crs(WGS84).total_bounds]},
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "assetmap_version": __version__,
        "data_root": str(cfg.data_root),
        "osm": {"file": cfg.osm.file, "format": cfg.osm.format, "date": cfg.osm.date,
                "timestamp": inputs.osm_meta["timestamp"],
                "coverage": cfg.osm.coverage if isinstance(cfg.osm.coverage, str) else list(cfg.osm.coverage),
                "bounds": inputs.osm_meta["bounds"], **inputs.osm_meta["counts"],
                "features_in_coverage": int(len(osm)),
                "categories": {k: int(v) for k, v in osm_cats.items()}},
        "neighbourhoods": {**inputs.nb_report, "with_postcodes": int((lsoas["n_postcodes"] > 0).sum()),
                           "unmapped": unmapped_summary(inputs.unmapped, inputs.unmapped_pc)},
        "postcodes": {"read": int(inputs.postcodes_read), "in_area": int(len(area_pc)),
                      "in_neighbourhoods": int(area_pc["lsoa21_code"].notna().sum())},
        "curated": curated_report,
        "trust": merged.report.get("trust", {}),
        "merge": {**{k: v for k, v in merged.report.items() if k not in ("by_source", "trust")},
                  "settings": dict(cfg.merge.__dict__), "review_file": "downloads/merge_review.csv"},
        "assets": {
            "total": int(len(assets)), "in_neighbourhoods": int(in_lsoas.sum()),
            "by_category": {k: int(v) for k, v in by_cat.items()},
            "by_category_any": {k: int(v) for k, v in any_cat.items()},
            "by_family": {k: int(v) for k, v in assets["family"].value_counts().items()},
            "categories_present": int(len(any_cat)),
            "categories_absent": [c for c in tx.categories if c not in any_cat.index],
        },
        "measures": {
            "distance_origins": "Code-Point Open postcodes in each LSOA (mean); representative point where none",
            "distance_kind": "walking on the street network (walk_*); straight line (dist_*) beside it",
        },
        "network": net.summary(),
        "basemap": basemap,
        "walking": walk.report,
        "gaps": gaps.report,
        "sources": source_records(cfg, inputs),
        "attribution": [OSM_ATTRIBUTION]
        + list(dict.fromkeys(s.attribution for s in cfg.sources.values() if s.attribution)),
        "files": files,
    }
