"""The site's state: every served catalogue, built once from the builds on disk, replaced whole on reload.

``app.extensions["assetmap"]`` holds one :class:`AssetmapState`; views call :func:`current_state`
and read from it. It holds each area's page data (:class:`AreaView`, computed by the library's
:class:`assetmap.serving.area.ServedArea`), the what-if models, the ORUK catalogue, the OGC
API service and the caches of rendered pages and payloads. A publish builds a new state and swaps
it in (:func:`app.publishing.reload_builds`), so nothing served can outlive the build it came from.
Nothing here runs per request except the small, bounded payload cache and the kept HTML.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote_plus

from flask import Flask, abort, current_app, url_for
from markupsafe import Markup
from werkzeug.local import LocalProxy

from assetmap.errors import ConfigError
from assetmap.gap.scenarios import ScenarioModel
from assetmap.ogcapi import OgcService, area_collections
from assetmap.oruk.catalogue import OrukCatalogue
from assetmap.outputs.read import AreaResults, load_results
from assetmap.serving.area import ServedArea
from assetmap.serving.hours import LOCAL, Hours, status_words, week_words
from assetmap.walk.route import Router

from .formatting import hours_line, walk_phrase, week_html
from .page_cache import Stencil, hole
from .responses import Payload


@dataclass(frozen=True)
class ResultPart:
    """A lookup result's HTML that depends only on its asset (rendered once and kept)."""

    colour: str
    stencil: Stencil
    hours: Hours | None = None  # parsed opening hours, for "open now" per request
    week: Markup | None = None  # the week in words (or the rule as written), None without hours


class AreaView(ServedArea):
    """One area's page data (the library's summary) plus its lookup results' kept HTML."""

    def __init__(self, ar: AreaResults):
        super().__init__(ar)
        self._parts: dict[str, ResultPart] = {}  # lookup results' HTML, per asset, filled on first use

    def _result_parts(self, results: list[dict]) -> list[ResultPart]:
        """The kept HTML of these results, rendering any asset seen for the first time."""
        out = []
        for r in results:
            part = self._parts.get(r["asset_id"])
            if part is None:
                macros = current_app.jinja_env.get_template("_result.html").module
                map_url = url_for("nearby.place_map", slug=self.slug, asset_id=r["asset_id"])
                page_url = url_for("pages.asset", slug=self.slug, asset_id=r["asset_id"])
                colour = self.map_data["categories"].get(r["category"], {}).get("colour", "#555555")
                page = self.asset_pages.get(r["asset_id"]) or {}
                # a place whose season is over shows its week but never "open now"
                hours = None if (page.get("trust") or {}).get("season_over") else page.get("hours")
                stencil = Stencil(macros.item(r, map_url, colour, hole("rank"), hole("walk"), page_url,
                                              f"{self.slug}:{r['asset_id']}", hole("sessions"), hole("hours"),
                                              hole("origin")),
                                  ("rank", "walk", "sessions", "hours", "origin"))
                part = ResultPart(colour, stencil, hours, week_html(r.get("opening_hours"),
                                                                    week_words(page.get("hours"))))
                self._parts[r["asset_id"]] = part
            out.append(part)
        return out

    def result_items(self, results: list[dict], understood=None, origin: str = "") -> list[Markup]:
        """Each result's <li>: its kept HTML with the rank, walking time, sessions (which depend on the
        time and on what was searched for), opening hours (open or closed now, UK time) and the
        postcode its directions start from filled in."""
        now = datetime.now(LOCAL)
        start = quote_plus(origin)  # letters, digits and '+': nothing to escape in an attribute
        return [part.stencil.fill({"rank": str(i), "walk": walk_phrase(r), "origin": start,
                                   "sessions": self._sessions_html(r, understood),
                                   "hours": hours_line(part.week, status_words(part.hours, now)
                                                       if part.week and part.hours else None)})
                for i, (r, part) in enumerate(zip(results, self._result_parts(results), strict=True), start=1)]

    def _sessions_html(self, r: dict, understood) -> Markup | str:
        """A result's sessions (_sessions.html), those fitting the search first, with their status now."""
        if not self.sessions.at(r["asset_id"]):
            return ""
        cats, words = (understood.categories, understood.keywords) if understood else ((), ())
        items, more = self.sessions.for_result(r["asset_id"], datetime.now(LOCAL), cats, words)
        macros = current_app.jinja_env.get_template("_sessions.html").module
        return macros.result(items, more, r.get("walk_minutes"),
                             url_for("pages.asset", slug=self.slug, asset_id=r["asset_id"]))


class AssetmapState:
    """All loaded areas, keyed by slug, the default area, the ORUK and OGC catalogues and the caches."""

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
        # every area's assets as ORUK services, and as OGC API collections (requests only filter and page)
        self.oruk = OrukCatalogue(results, self.views[self.default].ar.taxonomy)
        self.ogc = OgcService(area_collections(results), source=self)
        self.frames: dict = {}  # pages rendered around their holes (app/page_cache.py)
        self._routers: dict[str, Router] = {}  # walking routes, per area, made on first use
        self._payloads: dict[tuple, Payload] = {}
        self._options: dict[str | None, Markup] = {}
        self._lock = threading.Lock()
        self._lookup_categories()

    def _lookup_categories(self) -> None:
        """Category choices for the lookup form: categories with at least one asset anywhere."""
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
    def load(cls, build_root: Path, default: str | None = None) -> AssetmapState:
        return cls(load_results(build_root), default)

    def router(self, slug: str) -> Router | None:
        """The area's walking-route finder (its network graph, built on first use), None without a network."""
        found = self._routers.get(slug)
        if found is None and slug in self.models:
            model = self.models[slug]
            found = self._routers[slug] = Router(model.net, model.snapper)
        return found

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


def register_state(app: Flask, build_root: Path, default: str | None) -> None:
    """Load the builds into the app, and make the state a template global (``state``)."""
    app.extensions["assetmap"] = AssetmapState.load(build_root, default=default)
    # a global, not context: macros imported without context (cached once) can use it
    app.add_template_global(LocalProxy(current_state), "state")
