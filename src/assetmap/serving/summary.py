"""One area's summaries, legends and map settings, computed once when the area is loaded.

:class:`AreaSummary` reads an :class:`assetmap.outputs.read.AreaResults` and holds what the planner,
the about and downloads pages and the map's JSON settings show: counts per family, category and
neighbourhood, the IMD decile and domain counts, the walking layer's classes, the gap measure's
quintile cuts and bivariate counts, the equity table, the sources and the downloads.
:class:`ServedArea` adds the asset pages and neighbourhood profiles (:mod:`.pages`, :mod:`.profiles`).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..outputs.dictionary import download_licences
from ..outputs.read import AreaResults
from .colours import (
    BIVARIATE_COLOURS,
    DECILE_COLOURS,
    GAP_QUINTILE_COLOURS,
    PRIORITY_COLOURS,
    WALK_CLASSES,
    text_colour,
)
from .deprivation import DEPRIVATION_MEASURES, IMD_LSOAS_ENGLAND, decile_label
from .priority import priority_categories, priority_choices
from .table import TableData

OSM_SHORT = "© OpenStreetMap contributors (ODbL)"
OGL_SHORT = "Contains public sector information licensed under the Open Government Licence v3.0"
OS_SHORT = "Contains OS data © Crown copyright and database right"

DOWNLOADS = (
    ("assets.geojson", "Assets (GeoJSON)", "application/geo+json",
     "Every community asset as a point, RFC 7946 GeoJSON in longitude/latitude (WGS84)."),
    ("assets.csv", "Assets (CSV)", "text/csv",
     "The same assets as a spreadsheet: one row per asset with lon and lat columns; lists joined with ';'."),
    ("neighbourhoods.geojson", "Neighbourhoods (GeoJSON)", "application/geo+json",
     "LSOA 2021 boundaries with deprivation, population and asset measures."),
    ("neighbourhoods.csv", "Neighbourhoods (CSV)", "text/csv",
     "The neighbourhood measures without geometry, one row per LSOA."),
    ("assetmap-{slug}.gpkg", "Everything (GeoPackage)", "application/geopackage+sqlite3",
     "Both layers (assets, neighbourhoods) in one GeoPackage for QGIS or ArcGIS."),
    ("sessions.csv", "Sessions (CSV)", "text/csv",
     "One row per recurring session (activities, groups, warm spaces' weekly times): the place's asset_id, "
     "day(s) as HSDS byday, start and end (UK time), season (valid_from, valid_to), cost, access, source."),
    ("equity_summary.csv", "Equity of access: summary (CSV)", "text/csv",
     "Per category: population-weighted mean walk, Palma ratio and FGT 0/1/2 against the walking threshold."),
    ("equity_by_decile.csv", "Equity of access by IMD decile (CSV)", "text/csv",
     "Per category and IMD 2025 decile: population, mean walking minutes, FGT 0/1/2."),
    ("equity.json", "Equity of access (JSON)", "application/json",
     "The same two tables as JSON, with the threshold used."),
    ("dictionary.csv", "Data dictionary (CSV)", "text/csv",
     "Every column of every download above: its meaning, unit, type and source."),
    ("dictionary.json", "Data dictionary (JSON)", "application/json",
     "The same, with each download's licence and attribution."),
    ("LICENCE.txt", "Licences (text)", "text/plain",
     "Each download's licence and attribution: the CSV files' companion (GeoJSON and GeoPackage carry it inside)."),
)
MIMETYPES = {name.format(slug="x").rsplit(".", 1)[-1]: mime for name, _, mime, _ in DOWNLOADS}

def place_names(r: dict) -> dict:
    """A neighbourhood's human names (assetmap.ingest.names): display, local (MSOA), ward, OSM places."""
    name = r.get("lsoa21_name") or r.get("lsoa21_code")
    out = {k: (r.get(k) if isinstance(r.get(k), str) and r.get(k) else None)
           for k in ("display_name", "local_name", "ward_name", "osm_places")}
    out["display_name"] = out["display_name"] or name
    return out


def optional_int(v) -> int | None:
    """An int, or None for missing values (None, NaN, pandas NA)."""
    return None if v is None or pd.isna(v) else int(v)


class AreaSummary:
    """One area's results plus the summaries, legend and map settings its pages show."""

    def __init__(self, ar: AreaResults):
        self.ar = ar
        self.slug = ar.slug
        self.name = ar.name
        self._count_assets()
        self._count_neighbourhoods()
        self._walking_layer()
        self.has_gaps = "gap_score" in ar.neighbourhoods
        self.gap_layers: dict[str, Any] | None = None
        self.priority_composite: list[str] = []
        self.priority_composite_labels: list[str] = []
        self.priority_choices: list[dict] = []
        if self.has_gaps:
            self._gap_layers()
        self.rows = self._rows()
        self.table = TableData(ar.neighbourhoods, self.rows, self.priority_choices, self.families,
                               self.deprivation_measures)
        self._sources()
        self.downloads = self._downloads()
        self.licences = {k.format(slug=self.slug): v for k, v in download_licences(ar.report).items()}
        self.map_data = self._map_data()

    def _count_assets(self) -> None:
        tax, assets = self.ar.taxonomy, self.ar.assets
        by_cat = assets["category"].value_counts().to_dict()
        self.families = []
        for fkey, fam in tax["families"].items():
            cats = [{"key": ckey, "label": c["label"], "colour": c["colour"], "count": int(by_cat.get(ckey, 0))}
                    for ckey, c in tax["categories"].items() if c["family"] == fkey]
            self.families.append({"key": fkey, "label": fam["label"], "colour": fam["colour"],
                                  "count": sum(c["count"] for c in cats),
                                  "categories": [c for c in cats if c["count"]]})
        present = set(assets["categories"].explode().dropna())
        self.categories_present = [k for k in tax["categories"] if k in present]
        # what a search for a kind of place the area lacks offers instead: its family's other kinds here
        self.related = {ckey: [{"key": k, "label": tax["categories"][k]["label"]} for k in self.categories_present
                               if k != ckey and tax["categories"][k]["family"] == c["family"]]
                        for ckey, c in tax["categories"].items()}
        # assets per neighbourhood by primary category's family: the same counting as the summary
        per = assets[assets["lsoa21_code"].notna()].groupby(["lsoa21_code", "family"]).size()
        self.lsoa_assets: dict[str, dict] = {}
        for (code, fam), n in per.items():
            entry = self.lsoa_assets.setdefault(code, {"total": 0, "by_family": {}})
            entry["by_family"][fam] = int(n)
            entry["total"] += int(n)

    def _count_neighbourhoods(self) -> None:
        nb, assets = self.ar.neighbourhoods, self.ar.assets
        residents = nb["residents"].dropna()
        households = nb["households"].dropna()
        self.summary = {
            "lsoas": int(len(nb)),
            "residents": int(residents.sum()) if len(residents) else None,
            "households": int(households.sum()) if len(households) else None,
            "assets": int(len(assets)),
            "assets_in_neighbourhoods": int(assets["lsoa21_code"].notna().sum()),
        }
        deciles = nb["imd_decile"].value_counts().to_dict()
        self.deciles = [{"decile": d, "colour": colour, "text_colour": text_colour(colour),
                         "lsoas": int(deciles.get(d, 0)), "label": decile_label(d)}
                        for d, colour in enumerate(DECILE_COLOURS, start=1)]
        # the IoD 2025 measures the planner can shade by: the overall IMD and each domain, with
        # how many of the area's neighbourhoods fall in each of their deciles
        self.deprivation_measures = [
            {"key": key, "label": label,
             "counts": {int(d): int(n) for d, n in nb[f"{key}_decile"].value_counts().items() if d == d}}
            for key, label in DEPRIVATION_MEASURES if f"{key}_decile" in nb.columns]

    def _walking_layer(self) -> None:
        """Walking speeds, the categories and families with a walking time, and the legend classes."""
        tax, nb = self.ar.taxonomy, self.ar.neighbourhoods
        walking = self.ar.report.get("walking", {})
        self.walk_speed = walking.get("speed_kmh", 4.8)
        self.reduced_speed = walking.get("reduced_mobility_kmh", 3.0)
        self.snap_warn_m = walking.get("snap", {}).get("warn_m", 250.0)
        fam_labels = {k: f["label"] for k, f in tax["families"].items()}
        self.walk_choices = [{"key": k, "label": c["label"]} for k, c in tax["categories"].items()
                             if f"walk_{k}_min" in nb and nb[f"walk_{k}_min"].notna().any()]
        self.walk_families = [{"key": f"family_{k}", "label": f"{label} (any)", "family": k}
                              for k, label in fam_labels.items()
                              if f"walk_family_{k}_min" in nb and nb[f"walk_family_{k}_min"].notna().any()]
        lower: int | None = 0
        self.walk_classes = []
        for upper, colour in WALK_CLASSES:
            label = f"{lower}–{upper} min" if upper else f"over {lower} min"
            self.walk_classes.append({"max": upper, "colour": colour, "text_colour": text_colour(colour),
                                      "label": label})
            lower = upper
        self.walk_default = next((c["key"] for c in self.walk_choices if c["key"] == "gp"),
                                 self.walk_choices[0]["key"] if self.walk_choices else None)

    def _gap_layers(self) -> None:
        """The gap measure's map layers, bivariate counts and equity table (builds with the gap stage)."""
        nb, gaps = self.ar.neighbourhoods, self.ar.report.get("gaps", {})
        pr = nb["priority_score"].astype("float64")
        cuts = [float(pr.quantile(q)) for q in (0.8, 0.6, 0.4, 0.2)] if pr.notna().any() else []
        self.gap_layers = {
            "quintile_colours": list(GAP_QUINTILE_COLOURS),
            "quintile_text": [text_colour(c) for c in GAP_QUINTILE_COLOURS],
            "priority_colours": list(PRIORITY_COLOURS), "priority_text": [text_colour(c) for c in PRIORITY_COLOURS],
            "priority_cuts": [round(c, 1) for c in cuts],
            "bivariate": BIVARIATE_COLOURS,
            "threshold_min": gaps.get("settings", {}).get("threshold_min", 15),
        }
        self.bivariate_rows = [[{"cls": f"{n}-{g}", "colour": BIVARIATE_COLOURS[f"{n}-{g}"],
                                 "text_colour": text_colour(BIVARIATE_COLOURS[f"{n}-{g}"]),
                                 "lsoas": int((nb["bivariate_class"] == f"{n}-{g}").sum())}
                                for g in (1, 2, 3)] for n in (3, 2, 1)]
        self.equity = gaps.get("equity", [])
        labels = {k: c["label"] for k, c in self.ar.taxonomy["categories"].items()}
        for e in self.equity:
            e["label"] = labels.get(e["category"], e["category"])
        by: dict[tuple[str, int], float | None] = {}
        for r in self.ar.equity_by_decile:
            v = r.get("mean_min")
            by[(r["category"], int(r["imd_decile"]))] = None if v is None or pd.isna(v) else float(v)
        self.equity_deciles = sorted({d for _, d in by})
        self.equity_rows = [{"label": e["label"],
                             "by_decile": [by.get((e["category"], d)) for d in self.equity_deciles]}
                            for e in self.equity]
        self.top_priority = gaps.get("top_priority", [])
        # the overall score's kinds of place ([gaps] priority_categories; builds before it: all of them)
        mapped = priority_categories(nb, self.ar.taxonomy)
        self.priority_composite = [c for c in gaps.get("priority_categories") or mapped if c in mapped]
        self.priority_composite_labels = [labels.get(c, c) for c in self.priority_composite]
        self.priority_choices = priority_choices(nb, self.ar.taxonomy, self.priority_composite)
        self.gap_layers["priority_choices"] = self.priority_choices
        self.gap_layers["priority_all_kinds"] = len(self.priority_composite) == len(mapped)

    def _rows(self) -> list[dict]:
        """One row per neighbourhood for the planner's table, most deprived first."""
        nb = self.ar.neighbourhoods
        walk_keys = self.walk_choices + self.walk_families
        rows = []
        for r in nb.drop(columns=nb.geometry.name).to_dict("records"):
            counts = self.lsoa_assets.get(r["lsoa21_code"], {"total": 0, "by_family": {}})
            res = optional_int(r.get("residents"))
            rows.append({
                "code": r["lsoa21_code"], "name": r["lsoa21_name"], "lad_name": r.get("lad_name"),
                **place_names(r),
                "imd_decile": optional_int(r.get("imd_decile")), "imd_rank": optional_int(r.get("imd_rank")),
                "residents": res, "households": optional_int(r.get("households")),
                "assets": counts["total"],
                "per1k": round(counts["total"] * 1000 / res, 1) if res else None,
                "by_family": [counts["by_family"].get(f["key"], 0) for f in self.families],
                "walk_family": [r.get(f"walk_family_{f['key']}_min") for f in self.families],
                "walk": {c["key"]: (r.get(f"walk_{c['key']}_m"), r.get(f"walk_{c['key']}_min"),
                                    r.get(f"walk_{c['key']}_min_rm")) for c in walk_keys},
            })
        return sorted(rows, key=lambda r: (r["imd_rank"] is None, r["imd_rank"] or 0, r["code"]))

    def _sources(self) -> None:
        report = self.ar.report
        self.source_labels = {"osm": "OpenStreetMap", "openstreetmap": "OpenStreetMap"}
        for name, cur in report.get("curated", {}).items():
            self.source_labels[name] = cur.get("label") or name
        self.sources = report.get("sources", [])
        # the neighbourhood names' source (House of Commons Library MSOA names), credited where they show
        self.names_source = next((s for s in self.sources if s.get("kind") == "neighbourhood_names"), None)
        osm = report.get("osm", {})
        self.osm_date = osm.get("date") or (osm.get("timestamp") or "")[:10] or None
        self.built_at = (report.get("built_at") or "")[:10] or None
        self.coverage = [
            {"name": v.get("name", code), "lsoas": v.get("lsoas"), "covered": v.get("covered")}
            for code, v in report.get("neighbourhoods", {}).get("named_lads", {}).items()
        ]
        self.distance_kind = report.get("measures", {}).get("distance_kind")

    def _downloads(self) -> list[dict]:
        out = []
        for pattern, label, mime, description in DOWNLOADS:
            name = pattern.format(slug=self.slug)
            try:
                size = self.ar.download_file(name).stat().st_size
            except (FileNotFoundError, OSError):
                continue
            out.append({"name": name, "label": label, "mimetype": mime, "description": description, "size": size})
        return out

    def _map_data(self) -> dict:
        """The planner map's settings, sent to the browser as JSON."""
        min_lon, min_lat, max_lon, max_lat = self.ar.bounds
        return {
            "slug": self.slug,
            "name": self.name,
            "bounds": [[min_lat, min_lon], [max_lat, max_lon]],
            "families": [{k: f[k] for k in ("key", "label", "colour", "count")} for f in self.families],
            "categories": {k: {"label": c["label"], "colour": c["colour"], "family": c["family"]}
                           for k, c in self.ar.taxonomy["categories"].items()},
            "deciles": [{k: d[k] for k in ("decile", "colour", "text_colour", "label")} for d in self.deciles],
            "imd_lsoas": IMD_LSOAS_ENGLAND,
            "deprivation_measures": self.deprivation_measures,
            "gaps": self.gap_layers,
            "walk": {"choices": self.walk_choices + self.walk_families, "classes": self.walk_classes,
                     "default": self.walk_default, "speed_kmh": self.walk_speed, "reduced_kmh": self.reduced_speed},
            "lsoa_assets": self.lsoa_assets,
            "source_labels": self.source_labels,
            "attribution": {"short": [OSM_SHORT, OGL_SHORT], "lines": list(self.ar.attribution)},
        }
