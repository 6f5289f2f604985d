"""JSON endpoints for planners' what-ifs: scenarios (a place opens or closes) and siting.

Both run on the area's :class:`assetmap.gap.scenarios.ScenarioModel`, loaded once at startup; a
request runs one bounded search from the changed place (tens of milliseconds for a town). Bad
input is a 4xx with the reason, never a 500 or a silent no-op.
"""
from __future__ import annotations

import math

from flask import Blueprint, abort, jsonify, request

from assetmap.errors import PostcodeError
from assetmap.gap.scenarios import Change, ScenarioError
from assetmap.gap.siting import site
from assetmap.outputs.read import find_postcode_area
from assetmap.serving.coords import lonlat_to_bng

from ..params import whole_number
from ..state import current_state

bp = Blueprint("api", __name__, url_prefix="/api")


def scenario_model(slug: str):
    state = current_state()
    state.area(slug)  # 404 with the list of areas when unknown
    model = state.models.get(slug)
    if model is None:
        abort(404, description=f"{slug} was built without walking access; rebuild it to run scenarios")
    return model


def _coord(name: str, lo: float, hi: float) -> float:
    raw = request.args.get(name, "")
    try:
        v = float(raw)
    except ValueError:
        raise ScenarioError(f"{name}={raw[:30]!r} is not a number; give {name} in decimal degrees (WGS84)") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise ScenarioError(f"{name}={raw[:30]!r} is out of range ({lo} to {hi})")
    return v


def _error(exc: ScenarioError):
    return jsonify({"error": str(exc), "status": exc.status}), exc.status


def scenario_changes(slug: str, model) -> tuple[list[Change], tuple[float, float] | None, str]:
    """The request's changes, the new place's point (EPSG:27700) and where it is, in words:
    ?open=<category>&lon=&lat= | &in=<asset_id> | &postcode=, and/or ?close=<asset_id> (repeatable)."""
    changes = [Change("close", asset_id=a[:200]) for a in request.args.getlist("close")]
    cat, site, where = request.args.get("open"), None, ""
    if cat:
        if request.args.get("in"):
            asset_id = request.args["in"][:200]
            i = model.asset(asset_id)
            changes.append(Change("open", category=cat[:60], asset_id=asset_id))
            site = (float(model.asset_x[i]), float(model.asset_y[i]))
            name = model.assets["name"].iloc[i]
            where = f"in {name}" if isinstance(name, str) and name.strip() else f"in building {asset_id}"
        elif request.args.get("postcode"):
            postcode = request.args["postcode"].strip()[:40]
            try:
                site = current_state().area(slug).ar.postcode_xy(postcode)
            except PostcodeError as exc:
                raise ScenarioError(str(exc)) from None
            changes.append(Change("open", category=cat[:60], x=site[0], y=site[1]))
            where = f"at {postcode.upper()}"
        else:
            lon, lat = _coord("lon", -8.7, 2.1), _coord("lat", 49.8, 60.9)
            site = lonlat_to_bng(lon, lat)
            changes.append(Change("open", category=cat[:60], x=site[0], y=site[1]))
            where = f"at {lat:.5f}, {lon:.5f}"
    if not changes:
        raise ScenarioError("say what changes: open=<category> with lon and lat (or in=<asset_id>, or "
                            "postcode=), or close=<asset_id>")
    return changes, site, where


@bp.get("/area/<slug>/scenario")
def scenario(slug: str):
    """?open=<category>&lon=&lat= | ?open=<category>&in=<asset_id> | &postcode=, and/or ?close=<asset_id>."""
    model = scenario_model(slug)
    try:
        changes, _, _ = scenario_changes(slug, model)
        return jsonify(model.run(changes))
    except ScenarioError as exc:
        return _error(exc)


@bp.get("/area/<slug>/siting")
def siting(slug: str):
    """?category=<category>&k=5&candidates=buildings|network"""
    model = scenario_model(slug)
    try:
        k_raw = request.args.get("k", "5")
        k = whole_number(k_raw, 0, 10**9)
        if k is None:
            raise ScenarioError(f"k={k_raw[:20]!r}: give a whole number of sites between 1 and 50 (digits 0-9)")
        return jsonify(site(model, request.args.get("category", "")[:60], k,
                            request.args.get("candidates", "buildings")[:20]))
    except ScenarioError as exc:
        return _error(exc)


LOOKUP_FIELDS = ("asset_id", "name", "category", "category_label", "family", "address", "postcode", "website",
                 "email", "phone", "opening_hours", "last_verified", "sources", "lon", "lat", "walk_m", "walk_minutes",
                 "walk_minutes_reduced", "straight_m")


@bp.get("/lookup")
def lookup():
    """?postcode=S40+1LP[&category=gp][&limit=10]: the nearest places on foot, as JSON."""
    state = current_state()
    postcode = request.args.get("postcode", "").strip()[:40]
    category = request.args.get("category", "").strip()[:60] or None
    limit_raw = request.args.get("limit", "10")
    if not postcode:
        return jsonify({"error": "give a postcode, e.g. ?postcode=S40+1LP", "status": 400}), 400
    limit = whole_number(limit_raw, 1, 50)
    if limit is None:
        return jsonify({"error": f"limit={limit_raw[:20]!r}: give a whole number from 1 to 50 (digits 0-9)",
                        "status": 400}), 400
    if category and category not in state.category_labels:
        return jsonify({"error": f"unknown category {category!r}; use one of: {', '.join(state.category_labels)}",
                        "status": 400}), 400
    try:
        area = find_postcode_area(state.results, postcode)
        found = area.lookup(postcode, limit=limit, category=category)
    except PostcodeError as exc:
        outside = getattr(exc, "outside", None)  # a district postcode outside the mapped part: where it is
        return jsonify({"error": str(exc), "status": exc.status, **({"outside": outside} if outside else {})}), \
            exc.status
    view = state.area(found.area)
    return jsonify({
        "postcode": found.postcode, "lon": found.lon, "lat": found.lat, "area": found.area,
        "postcode_to_network_m": found.snap_m, "category": category,
        "walk_speed_kmh": view.walk_speed, "reduced_speed_kmh": view.reduced_speed,
        "results": [{k: r.get(k) for k in LOOKUP_FIELDS} for r in found.results],
        "attribution": view.ar.attribution,
        "licence": view.licences["assets.geojson"]["licence"],
        "licence_note": view.licences["assets.geojson"]["also"],
    })
