"""The public lookup's helpers on a phone: "use my location" (the nearest postcode to a point),
and a place's own map, with the walking route to it from a postcode.

The position comes in the body of a POST, never in the address, so no access log holds it;
the library rounds it to about 100 m before use and nothing keeps it. The answer is only the
postcode, which the page then searches from as if it had been typed.

The place map is the place and its streets over the area's base map (no deprivation shading);
with ``?from=<postcode>`` it draws the shortest walk on the build's own network
(:class:`assetmap.walk.route.Router`, a few milliseconds), whose length is the lookup's walking
distance, and links to OpenStreetMap's foot directions for turn-by-turn guidance.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from assetmap.errors import PostcodeError
from assetmap.serving.coords import lonlat_to_bng
from assetmap.serving.locate import LocationError, nearest_postcode
from assetmap.walk.lookup import minutes

from ..auth import csrf
from ..state import AreaView, current_state
from .downloads import backdrop

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&route={},{};{},{}"

bp = Blueprint("nearby", __name__)


@bp.post("/lookup/here")
@csrf.exempt  # reads nothing from the session and changes nothing: a question, sent as POST to keep it out of logs
def here():
    """Form fields or JSON ``lat`` and ``lon`` (WGS84) -> ``{"postcode", "area", "metres"}``."""
    data = request.get_json(silent=True) if request.is_json else request.form
    data = data if isinstance(data, dict) or hasattr(data, "get") else {}
    try:
        near = nearest_postcode(current_state().results, data.get("lon"), data.get("lat"))
    except LocationError as exc:
        resp = jsonify({"error": str(exc), "status": exc.status})
        resp.status_code = exc.status
    else:
        resp = jsonify({"postcode": near.postcode, "area": near.area, "metres": near.metres})
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _walk(view: AreaView, a: dict, origin: str) -> dict:
    """The walk from a postcode of the area to the place: metres, minutes, the line, the OSM link."""
    state = current_state()
    try:
        x0, y0 = view.ar.postcode_xy(origin)
        found = view.ar.lookup(origin, limit=0)
    except PostcodeError as exc:
        here = url_for("nearby.place_map", slug=view.slug, asset_id=a["asset_id"])
        abort(400, description=f"{exc} The map of {a['title']} without a route: {here}")
    router = state.router(view.slug)
    route = router.route(x0, y0, *lonlat_to_bng(a["lon"], a["lat"])) if router else None
    osm = OSM_DIRECTIONS.format(found.lat, found.lon, round(a["lat"], 6), round(a["lon"], 6))
    if route is None:
        return {"postcode": found.postcode, "osm": osm, "line": None}
    return {"postcode": found.postcode, "osm": osm, "line": route.latlon(), "metres": route.metres,
            "minutes": minutes(route.metres, view.walk_speed),
            "minutes_reduced": minutes(route.metres, view.reduced_speed), "lat": found.lat, "lon": found.lon}


@bp.get("/area/<slug>/asset/<asset_id>/map")
def place_map(slug: str, asset_id: str):
    """The place and its streets on a map; ``?from=<postcode>`` adds the walking route from there."""
    view = current_state().area(slug)
    a = view.asset_pages.get(asset_id)
    if a is None:
        abort(404, description=f"There is no place with the id “{asset_id[:80]}” in {view.name}. "
                               f"Search by postcode to find it.")
    origin = request.args.get("from", "").strip()[:12]
    walk = _walk(view, a, origin) if origin else None
    data = {"place": {k: a[k] for k in ("title", "category", "colour", "lat", "lon")},
            "walk": walk and {k: walk.get(k) for k in ("line", "postcode", "lat", "lon")},
            **backdrop(view), "attribution": view.map_data["attribution"]}
    return render_template("place_map.html", view=view, a=a, walk=walk, data=data)
