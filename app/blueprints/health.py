"""``/healthz``: whether the app is up, and which areas it serves, built when, from what."""
from __future__ import annotations

from flask import Blueprint, jsonify

from assetmap import __version__

from ..state import current_state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    state = current_state()
    areas = [{"slug": v.slug, "name": v.name, "built_at": v.ar.report.get("built_at"),
              "osm_date": v.osm_date, "assets": v.summary["assets"], "lsoas": v.summary["lsoas"],
              "walking": v.slug in state.models} for v in state.areas]
    resp = jsonify({"status": "ok", "version": __version__, "default_area": state.default, "areas": areas})
    resp.cache_control.no_store = True
    return resp
