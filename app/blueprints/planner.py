"""Planner maps: deprivation choropleth, assets by family, and the table alternative."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file, url_for

from assetmap.serving.pack import FGT_EXPLAINED, PALMA_EXPLAINED, equity_for
from assetmap.serving.table import table_view

from ..state import AreaView, current_state
from .downloads import backdrop
from .pack import gap_view_and_categories

bp = Blueprint("planner", __name__)


def map_config(view: AreaView) -> dict:
    """The map's settings for planner.js: precomputed data plus this request's URLs."""
    return {
        **view.map_data,
        "urls": {
            "neighbourhoods": url_for("downloads.data", slug=view.slug, name="neighbourhoods.geojson"),
            "assets": url_for("downloads.data", slug=view.slug, name="assets.geojson"),
            "lookup": url_for("public.lookup"),
            "table": url_for("planner.neighbourhoods", slug=view.slug),
            # prefixes: + an asset id / an LSOA code (app/blueprints/pages.py)
            "asset_page": url_for("planner.area", slug=view.slug) + "asset/",
            "neighbourhood_page": url_for("planner.area", slug=view.slug) + "neighbourhood/",
            **({"scenario": url_for("api.scenario", slug=view.slug), "siting": url_for("api.siting", slug=view.slug)}
               if view.slug in current_state().models else {}),
        },
        **backdrop(view),
    }


@bp.get("/")
def index():
    view = current_state().area(current_state().default)
    return render_template("planner.html", view=view, config=map_config(view))


@bp.get("/area/<slug>/")
def area(slug: str):
    view = current_state().area(slug)
    return render_template("planner.html", view=view, config=map_config(view))


@bp.get("/area/<slug>/neighbourhoods")
def neighbourhoods(slug: str):
    view = current_state().area(slug)
    keys = {c["key"]: c for c in view.walk_choices + view.walk_families}
    a = request.args
    # the walk column follows a single kind of place chosen for priority unless another is asked for
    walk = keys.get(a.get("walk", "")) or keys.get(a.get("category", "")) or keys.get(view.walk_default)
    table = table_view(view.table, walk, a.get("category"), a.get("measure", "imd"), ",".join(a.getlist("cols")), a.get("sort"),
                       a.get("dir"))
    return render_template("neighbourhoods.html", view=view, walk=walk, table=table, q=a.get("q", "")[:60])


@bp.get("/area/<slug>/equity")
def equity(slug: str):
    view, cats = gap_view_and_categories(slug, "see fairness of access")
    choices = [c for c in view.walk_choices if f"shortfall_{c['key']}" in view.ar.neighbourhoods]
    z = view.gap_layers["threshold_min"]
    return render_template("equity.html", view=view, chosen=cats, choices=choices, eq=equity_for(view, cats),
                           explained={"palma": PALMA_EXPLAINED, "fgt": FGT_EXPLAINED.format(z=z)})


@bp.get("/area/<slug>/equity.svg")
def equity_chart(slug: str):
    view = current_state().area(slug)
    path = view.ar.dir / "equity.svg"
    if not path.exists():
        abort(404, description="no equity chart in this build")
    return send_file(path, mimetype="image/svg+xml", max_age=current_app.config["DATA_MAX_AGE"])


@bp.get("/area/<slug>/search.json")
def search(slug: str):
    """?q=Spital: neighbourhoods, postcodes and OSM places to fly to (planner-search.js); a precomputed index."""
    view = current_state().area(slug)
    q = request.args.get("q", "").strip()[:80]
    return jsonify({"q": q, "results": view.search.find(q)})
