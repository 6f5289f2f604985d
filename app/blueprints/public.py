"""The public "what is near me?" page: nearest assets to a postcode."""
from __future__ import annotations

from flask import Blueprint, current_app, request, url_for

from assetmap.errors import PostcodeError
from assetmap.results import Lookup, find_postcode_area

from ..frames import render_framed
from ..state import current_state

bp = Blueprint("public", __name__)


def lookup_map(found: Lookup) -> dict:
    """What lookup.js draws: the postcode, the numbered results and the area's streets."""
    view = current_state().area(found.area)
    cats = view.map_data["categories"]
    return {
        "postcode": found.postcode, "lon": found.lon, "lat": found.lat,
        "results": [{"rank": i, "name": r["name"], "category_label": r["category_label"],
                     "colour": cats.get(r["category"], {}).get("colour", "#555555"),
                     "walk_m": r["walk_m"], "walk_minutes": r["walk_minutes"], "lon": r["lon"], "lat": r["lat"],
                     "url": url_for("pages.asset", slug=found.area, asset_id=r["asset_id"])}
                    for i, r in enumerate(found.results, start=1)],
        "streets": url_for("downloads.data", slug=found.area, name="streets.geojson"),
        "tiles": {"url": current_app.config["TILE_URL"], "attribution": current_app.config["TILE_ATTRIBUTION"]}
        if current_app.config["TILE_URL"] else None,
        "attribution": view.map_data["attribution"],
    }


def run_lookup(postcode: str, category: str | None) -> tuple[dict, int]:
    """Template context and HTTP status for a lookup; user errors become 400/404 with a message."""
    state = current_state()
    if category and category not in state.category_labels:
        return {"error": f"“{category[:40]}” is not a type of place this site knows. "
                         f"Choose one from the list, or “Any type”."}, 400
    try:
        area = find_postcode_area(state.results, postcode)
        found = area.lookup(postcode, limit=current_app.config["LOOKUP_LIMIT"], category=category)
    except PostcodeError as exc:
        return {"error": str(exc)}, exc.status
    except ValueError as exc:  # a category the postcode's area does not have
        return {"error": f"{exc}. Choose another type of place, or “Any type”."}, 400
    view = state.area(found.area)
    return {"found": found, "area": view, "map": lookup_map(found), "items": view.result_items(found.results)}, 200


@bp.get("/lookup")
def lookup():
    postcode = request.args.get("postcode", "").strip()[:40]
    category = request.args.get("category", "").strip()[:60] or None
    context, status = run_lookup(postcode, category) if postcode else ({}, 200)
    # the head and scripts blocks depend only on whether a postcode was found and had results
    found = context.get("found")
    return render_framed("lookup.html", holes=("title", "main"), variant=(bool(found), bool(found and found.results)),
                         postcode=postcode, category=category, **context), status
