"""The public lookup's helpers on a phone: "use my location" (the nearest postcode to a point).

The position comes in the body of a POST, never in the address, so no access log holds it;
the library rounds it to about 100 m before use and nothing keeps it. The answer is only the
postcode, which the page then searches from as if it had been typed.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from assetmap.serving.locate import LocationError, nearest_postcode

from ..auth import csrf
from ..state import current_state

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
