"""Everything the pages need, computed once at startup from the library's loaded results.

``app.extensions["assetmap"]`` holds one :class:`AssetmapState`; views call
:func:`current_state` and read from it. Nothing here runs per request except the small,
bounded payload cache for the GeoJSON endpoints.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
from flask import abort, current_app, url_for
from markupsafe import Markup

from assetmap.errors import ConfigError
from assetmap.results import AreaResults, load_results
from assetmap.scenarios import ScenarioModel

from .formatting import walk_phrase
from .frames import Stencil, hole
from .pagedata import asset_pages, neighbourhood_profiles

# IMD decile colours, decile 1 (most deprived 10% of England's LSOAs) first: a 10-class
# sequential yellow-green-blue ramp (ColorBrewer YlGnBu, interpolated to 10 classes), darkest
# for the most deprived.
DECILE_COLOURS = ("#081d58", "#22318d", "#2355a4", "#1f80b8", "#31a6c2",
                  "#5dc0c0", "#97d6b9", "#cfecb3", "#eff9b5", "#ffffd9")
# Walking-time classes (minutes, upper bounds) for the walking layer: a sequential ramp, light for
# a short walk, dark for a long one (ColorBrewer YlOrRd, 6 classes).
WALK_CLASSES = ((5, "#ffffb2"), (10, "#fed976"), (15, "#feb24c"), (20, "#fd8d3c"), (30, "#f03b20"), (None, "#bd0026"))
# Number of LSOAs (2021) ranked by the English Indices of Deprivation 2025.
IMD_LSOAS_ENGLAND = 33755
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
    ("equity_summary.csv", "Equity of access: summary (CSV)", "text/csv",
     "Per category: population-weighted mean walk, Palma ratio and FGT 0/1/2 against the walking threshold."),
    ("equity_by_decile.csv", "Equity of access by IMD decile (CSV)", "text/csv",
     "Per category and IMD 2025 decile: population, mean walking minutes, FGT 0/1/2."),
    ("equity.json", "Equity of access (JSON)", "application/json",
     "The same two tables as JSON, with the threshold used."),
)
# map layers of the gap measure: colours as data (ColorBrewer Purples / Oranges; the 3x3 bivariate
# scheme after Joshua Stevens: need along pink, gap along teal, both high = dark blue)
GAP_QUINTILE_COLOURS = ("#54278f", "#756bb1", "#9e9ac8", "#cbc9e2", "#f2f0f7")  # quintile 1 = biggest gap
PRIORITY_COLOURS = ("#7f2704", "#d94801", "#fd8d3c", "#fdd0a2", "#fff5eb")  # class 1 = highest priority
BIVARIATE_COLOURS = {"1-1": "#e8e8e8", "1-2": "#ace4e4", "1-3": "#5ac8c8",
                     "2-1": "#dfb0d6", "2-2": "#a5add3", "2-3": "#5698b9",
                     "3-1": "#be64ac", "3-2": "#8c62aa", "3-3": "#3b4994"}
MIMETYPES = {name.format(slug="x").rsplit(".", 1)[-1]: mime for name, _, mime, _ in DOWNLOADS}


def text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour`` (WCAG relative luminance)."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def _int(v) -> int | None:
    """An int, or None for missing values (None, NaN, pandas NA)."""
    return None if v is None or pd.isna(v) else int(v)


@dataclass(frozen=True)
class Payload:
    """A response body kept in memory, plain and gzipped, with its ETag."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, text: str) -> "Payload":
        body = text.encode("utf-8")
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0), hashlib.sha256(body).hexdigest()[:32])


DEPRIVATION_MEASURES = (
    ("imd", "Index of Multiple Deprivation (overall)"), ("income", "Income"), ("employment", "Employment"),
    ("education", "Education, skills and training"), ("health", "Health and disability"), ("crime", "Crime"),
    ("housing", "Barriers to housing and services"), ("environment", "Living environment"),
)


class AreaView:
    """One area's results plus the summaries, legend and map settings its pages show."""

    def result_items(self, results: list[dict]) -> list[Markup]:
        return result_items(self, results)

    def __init__(self, ar: AreaResults):
        self.ar = ar
        self._parts: dict[str, "ResultPart"] = {}  # lookup results' HTML, per asset, filled on first use
        self.slug = ar.slug
        self.name = ar.name
        report = ar.report
        tax = ar.taxonomy
        assets = ar.assets
        nb = ar.neighbourhoods

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
        self.deciles = [{
            "decile": d, "colour": DECILE_COLOURS[d - 1], "text_colour": text_colour(DECILE_COLOURS[d - 1]),
            "lsoas": int(deciles.get(d, 0)),
            "label": ("most deprived 10%" if d == 1 else "least deprived 10%" if d == 10
                      else f"{(d - 1) * 10}–{d * 10}% most deprived"),
        } for d in range(1, 11)]

        # the IoD 2025 measures the planner can shade by: the overall IMD and each domain, with
        # how many of the area's neighbourhoods fall in each of their deciles
        self.deprivation_measures = [
            {"key": key, "label": label,
             "counts": {int(d): int(n) for d, n in nb[f"{key}_decile"].value_counts().items() if d == d}}
            for key, label in DEPRIVATION_MEASURES if f"{key}_decile" in nb.columns]

        # assets per neighbourhood by primary category's family: the same counting as the summary
        per = assets[assets["lsoa21_code"].notna()].groupby(["lsoa21_code", "family"]).size()
        self.lsoa_assets: dict[str, dict] = {}
        for (code, fam), n in per.items():
            entry = self.lsoa_assets.setdefault(code, {"total": 0, "by_family": {}})
            entry["by_family"][fam] = int(n)
            entry["total"] += int(n)

        walking = report.get("walking", {})
        self.walk_speed = walking.get("speed_kmh", 4.8)
        self.reduced_speed = walking.get("reduced_mobility_kmh", 3.0)
        self.snap_warn_m = walking.get("snap", {}).get("warn_m", 250.0)
        # walking layer: categories and families with a walking time, and the legend classes
        fam_labels = {k: f["label"] for k, f in tax["families"].items()}
        self.walk_choices = [{"key": k, "label": c["label"]} for k, c in tax["categories"].items()
                             if f"walk_{k}_min" in nb and nb[f"walk_{k}_min"].notna().any()]
        self.walk_families = [{"key": f"family_{k}", "label": f"{label} (any)", "family": k}
                              for k, label in fam_labels.items()
                              if f"walk_family_{k}_min" in nb and nb[f"walk_family_{k}_min"].notna().any()]
        lower = 0
        self.walk_classes = []
        for upper, colour in WALK_CLASSES:
            label = f"{lower}–{upper} min" if upper else f"over {lower} min"
            self.walk_classes.append({"max": upper, "colour": colour, "text_colour": text_colour(colour), "label": label})
            lower = upper
        self.walk_default = next((c["key"] for c in self.walk_choices if c["key"] == "gp"),
                                 self.walk_choices[0]["key"] if self.walk_choices else None)

        # gap-measure layers (present when the build has the gap stage)
        self.has_gaps = "gap_score" in nb
        self.gap_layers = None
        if self.has_gaps:
            pr = nb["priority_score"].astype("float64")
            cuts = [float(pr.quantile(q)) for q in (0.8, 0.6, 0.4, 0.2)] if pr.notna().any() else []
            self.gap_layers = {
                "quintile_colours": list(GAP_QUINTILE_COLOURS),
                "quintile_text": [text_colour(c) for c in GAP_QUINTILE_COLOURS],
                "priority_colours": list(PRIORITY_COLOURS), "priority_text": [text_colour(c) for c in PRIORITY_COLOURS],
                "priority_cuts": [round(c, 1) for c in cuts],
                "bivariate": BIVARIATE_COLOURS,
                "threshold_min": report.get("gaps", {}).get("settings", {}).get("threshold_min", 15),
            }
            self.bivariate_rows = [[{"cls": f"{n}-{g}", "colour": BIVARIATE_COLOURS[f"{n}-{g}"],
                                     "text_colour": text_colour(BIVARIATE_COLOURS[f"{n}-{g}"]),
                                     "lsoas": int((nb["bivariate_class"] == f"{n}-{g}").sum())}
                                    for g in (1, 2, 3)] for n in (3, 2, 1)]
            self.equity = report.get("gaps", {}).get("equity", [])
            labels = {k: c["label"] for k, c in tax["categories"].items()}
            for e in self.equity:
                e["label"] = labels.get(e["category"], e["category"])
            eq_file = ar.dir / "downloads" / "equity.json"
            by = pd.DataFrame(json.loads(eq_file.read_text())["by_decile"]) if eq_file.exists() else pd.DataFrame()
            self.equity_deciles = sorted(int(d) for d in by["imd_decile"].unique()) if len(by) else []
            piv = by.pivot(index="category", columns="imd_decile", values="mean_min") if len(by) else pd.DataFrame()
            self.equity_rows = [{"label": e["label"], "by_decile": [
                None if e["category"] not in piv.index or pd.isna(piv.at[e["category"], d]) else float(piv.at[e["category"], d])
                for d in self.equity_deciles]} for e in self.equity]
            self.top_priority = report.get("gaps", {}).get("top_priority", [])

        rows = []
        for r in nb.drop(columns=nb.geometry.name).to_dict("records"):
            counts = self.lsoa_assets.get(r["lsoa21_code"], {"total": 0, "by_family": {}})
            res = _int(r.get("residents"))
            rows.append({
                "code": r["lsoa21_code"], "name": r["lsoa21_name"], "lad_name": r.get("lad_name"),
                "imd_decile": _int(r.get("imd_decile")), "imd_rank": _int(r.get("imd_rank")),
                "residents": res, "households": _int(r.get("households")),
                "assets": counts["total"],
                "per1k": round(counts["total"] * 1000 / res, 1) if res else None,
                "by_family": [counts["by_family"].get(f["key"], 0) for f in self.families],
                "walk_family": [r.get(f"walk_family_{f['key']}_min") for f in self.families],
                "walk": {c["key"]: (r.get(f"walk_{c['key']}_m"), r.get(f"walk_{c['key']}_min"),
                                    r.get(f"walk_{c['key']}_min_rm")) for c in self.walk_choices + self.walk_families},
            })
        self.rows = sorted(rows, key=lambda r: (r["imd_rank"] is None, r["imd_rank"] or 0, r["code"]))

        self.source_labels = {"osm": "OpenStreetMap", "openstreetmap": "OpenStreetMap"}
        for name, cur in report.get("curated", {}).items():
            self.source_labels[name] = cur.get("label") or name
        self.sources = report.get("sources", [])

        osm = report.get("osm", {})
        self.osm_date = osm.get("date") or (osm.get("timestamp") or "")[:10] or None
        self.built_at = (report.get("built_at") or "")[:10] or None
        self.coverage = [
            {"name": v.get("name", code), "lsoas": v.get("lsoas"), "covered": v.get("covered")}
            for code, v in report.get("neighbourhoods", {}).get("named_lads", {}).items()
        ]
        self.distance_kind = report.get("measures", {}).get("distance_kind")

        self.downloads = []
        for pattern, label, mime, description in DOWNLOADS:
            name = pattern.format(slug=self.slug)
            try:
                path = ar.download_file(name)
                size = path.stat().st_size
            except (FileNotFoundError, OSError):
                continue
            self.downloads.append({"name": name, "label": label, "mimetype": mime,
                                   "description": description, "size": size})

        min_lon, min_lat, max_lon, max_lat = ar.bounds
        self.map_data = {
            "slug": self.slug,
            "name": self.name,
            "bounds": [[min_lat, min_lon], [max_lat, max_lon]],
            "families": [{k: f[k] for k in ("key", "label", "colour", "count")} for f in self.families],
            "categories": {k: {"label": c["label"], "colour": c["colour"], "family": c["family"]}
                           for k, c in tax["categories"].items()},
            "deciles": [{k: d[k] for k in ("decile", "colour", "text_colour", "label")} for d in self.deciles],
            "imd_lsoas": IMD_LSOAS_ENGLAND,
            "deprivation_measures": self.deprivation_measures,
            "gaps": self.gap_layers,
            "walk": {"choices": self.walk_choices + self.walk_families, "classes": self.walk_classes,
                     "default": self.walk_default, "speed_kmh": self.walk_speed, "reduced_kmh": self.reduced_speed},
            "lsoa_assets": self.lsoa_assets,
            "source_labels": self.source_labels,
            "attribution": {"short": [OSM_SHORT, OGL_SHORT], "lines": list(ar.attribution)},
        }

        # the asset pages and neighbourhood profiles (app/pagedata.py), by asset id and LSOA code
        self.asset_pages = asset_pages(self)
        self.profiles = neighbourhood_profiles(self)


def _result_parts(view: "AreaView", results: list[dict]) -> list["ResultPart"]:
    """The kept HTML of these results, rendering any asset seen for the first time."""
    out = []
    for r in results:
        part = view._parts.get(r["asset_id"])
        if part is None:
            macros = current_app.jinja_env.get_template("_result.html").module
            map_url = url_for("planner.area", slug=view.slug)
            page_url = url_for("pages.asset", slug=view.slug, asset_id=r["asset_id"])
            colour = view.map_data["categories"].get(r["category"], {}).get("colour", "#555555")
            part = ResultPart(colour, Stencil(macros.item(r, map_url, colour, hole("rank"), hole("walk"), page_url,
                                                          f"{view.slug}:{r['asset_id']}"),
                                              ("rank", "walk")))
            view._parts[r["asset_id"]] = part
        out.append(part)
    return out


def result_items(view: "AreaView", results: list[dict]) -> list[Markup]:
    """Each result's <li>: its kept HTML with the rank and walking time filled in."""
    return [part.stencil.fill({"rank": str(i), "walk": walk_phrase(r)})
            for i, (r, part) in enumerate(zip(results, _result_parts(view, results)), start=1)]


@dataclass(frozen=True)
class ResultPart:
    """A lookup result's HTML that depends only on its asset (rendered once and kept)."""

    colour: str
    stencil: Stencil


class AssetmapState:
    """All loaded areas, keyed by slug, plus the default area and a bounded payload cache."""

    PAYLOAD_CACHE_SIZE = 512

    def __init__(self, results: dict[str, AreaResults], default: str | None = None):
        self.results = results
        self.views = {slug: AreaView(ar) for slug, ar in results.items()}
        # what-if models (network, snapped postcodes and assets), for the scenario API
        self.models = {slug: ScenarioModel(ar.dir) for slug, ar in results.items() if (ar.dir / "network.npz").exists()}
        if default and default not in results:
            raise ConfigError(
                f"DEFAULT_AREA {default!r} is not built; built areas: {', '.join(results)}. "
                f"Run `assetmap build {default}` or set ASSETMAP_DEFAULT_AREA to one of them"
            )
        self.default = default or next(iter(results))
        self._payloads: dict[tuple, Payload] = {}
        self._options: dict[str | None, Markup] = {}
        self._lock = threading.Lock()

        # category choices for the lookup form: categories with at least one asset anywhere
        tax = self.views[self.default].ar.taxonomy
        present = {c for v in self.views.values() for c in v.categories_present}
        self.lookup_categories = []
        for fkey, fam in tax["families"].items():
            opts = [(k, c["label"]) for k, c in tax["categories"].items() if c["family"] == fkey and k in present]
            if opts:
                self.lookup_categories.append({"label": fam["label"], "options": opts})
        self.category_labels = {k: c["label"] for v in self.views.values()
                                for k, c in v.ar.taxonomy["categories"].items()}

    def category_options(self, selected: str | None) -> Markup:
        """The lookup form's <optgroup>s of categories, with ``selected`` marked (kept per choice)."""
        key = selected if selected in self.category_labels else None
        found = self._options.get(key)
        if found is None:
            found = Markup("").join(
                Markup('<optgroup label="{}">{}</optgroup>').format(group["label"], Markup("").join(
                    Markup('<option value="{}"{}>{}</option>').format(k, Markup(" selected") if k == key else "", label)
                    for k, label in group["options"]))
                for group in self.lookup_categories)
            self._options[key] = found
        return found

    @classmethod
    def load(cls, build_root: Path, default: str | None = None) -> "AssetmapState":
        return cls(load_results(build_root), default)

    def area(self, slug: str) -> AreaView:
        """The area's view, or a 404 page naming the areas that exist."""
        view = self.views.get(slug)
        if view is None:
            abort(404, description=f"There is no area called “{slug[:60]}” on this site. "
                                   f"Areas: {', '.join(v.name for v in self.views.values())}.")
        return view

    @property
    def areas(self) -> list[AreaView]:
        return list(self.views.values())

    def payload(self, key: tuple, produce: Callable[[], str]) -> Payload:
        """The cached payload for ``key``, produced on first use (``produce`` may raise ValueError)."""
        found = self._payloads.get(key)
        if found is None:
            found = Payload.of(produce())
            with self._lock:
                if len(self._payloads) >= self.PAYLOAD_CACHE_SIZE:
                    self._payloads.clear()
                self._payloads[key] = found
        return found


def current_state() -> AssetmapState:
    return current_app.extensions["assetmap"]
