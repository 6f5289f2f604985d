"""The API's OpenAPI document (/api/openapi.json) and a browsable page of it (/api), served here."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from ..openapi import openapi

bp = Blueprint("docs", __name__)


@bp.get("/api/openapi.json")
def openapi_json():
    resp = jsonify(openapi(request.host_url))
    resp.mimetype = "application/vnd.oai.openapi+json"
    return resp


@bp.get("/api")
def index():
    return render_template("api.html", spec=openapi(request.host_url))
