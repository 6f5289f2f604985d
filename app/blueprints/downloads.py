"""Downloads (attachments, with licences) and the data the map pages fetch."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for

from assetmap.serving.summary import MIMETYPES

from .. import fields
from ..responses import payload_response
from ..state import current_state

bp = Blueprint("downloads", __name__)

GEOJSON = "application/geo+json"
# map data: name -> how to produce the text from an AreaResults
DATA = {
    "assets.geojson": lambda ar: ar.assets_geojson(),
    "neighbourhoods.geojson": lambda ar: ar.neighbourhoods_geojson(),
    "streets.geojson": lambda ar: ar.streets_geojson(),
    "unmapped.geojson": lambda ar: ar.unmapped_geojson,  # the districts' neighbourhoods outside the extract
}


@bp.get("/downloads")
def index():
    return render_template("downloads.html", fields=fields)


@bp.get("/download/<slug>/<name>")
def download(slug: str, name: str):
    view = current_state().area(slug)
    category, family = request.args.get("category") or None, request.args.get("family") or None
    if name == "assets.geojson" and (category or family):
        return filtered_assets(view, category, family)
    try:
        path = view.ar.download_file(name)
    except FileNotFoundError:
        abort(404, description=f"There is no download called “{name[:60]}” for {view.name}; see the downloads page.")
    return send_file(path, mimetype=MIMETYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream"),
                     as_attachment=True, download_name=f"{slug}-{name}" if not name.startswith("assetmap-") else name,
                     max_age=current_app.config["DATA_MAX_AGE"])


def filtered_assets(view, category: str | None, family: str | None):
    """Assets of one category and/or family as a GeoJSON attachment; 400 names the valid keys."""
    key = ("download", view.slug, category, family)
    try:
        payload = current_state().payload(key, lambda: view.ar.assets_geojson(category=category, family=family))
    except ValueError as exc:
        abort(400, description=f"{str(exc)[:600]}. The valid keys are listed on the About page (taxonomy).")
    suffix = "-".join(x for x in (family, category) if x)
    return payload_response(payload, GEOJSON, download_name=f"{view.slug}-assets-{suffix}.geojson")


def backdrop(view) -> dict:
    """What a page's map is drawn over: the area's vector base map, or a configured online tile layer."""
    url = current_app.config["TILE_URL"]
    return {"basemap": url_for("downloads.basemap", slug=view.slug) if view.ar.basemap else None,
            "tiles": {"url": url, "attribution": current_app.config["TILE_ATTRIBUTION"]} if url else None}


@bp.get("/tiles/<slug>/basemap.pmtiles")
def basemap(slug: str):
    """The area's base map (vector tiles in one PMTiles archive), read by HTTP range requests."""
    view = current_state().area(slug)
    if view.ar.basemap is None:
        abort(404, description=f"{view.name} was built without a base map; rebuild it with `assetmap build {slug}`.")
    return send_file(view.ar.basemap, mimetype="application/vnd.pmtiles", conditional=True, etag=True,
                     max_age=current_app.config["DATA_MAX_AGE"])


@bp.get("/data/<slug>/<name>")
def data(slug: str, name: str):
    view = current_state().area(slug)
    if name not in DATA:
        abort(404, description=f"No map data called “{name[:60]}”; available: {', '.join(DATA)}.")
    payload = current_state().payload(("data", slug, name), lambda: DATA[name](view.ar))
    return payload_response(payload, GEOJSON)
