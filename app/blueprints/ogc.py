"""OGC API – Features at ``/ogc/``: a thin Flask adapter over pygeoapi's core (``assetmap.ogcapi``).

``/ogc/`` landing page, ``/ogc/conformance``, ``/ogc/collections``, ``/ogc/collections/{id}``,
``/ogc/collections/{id}/items`` (``bbox``, ``bbox-crs``, ``crs``, ``limit``, ``offset``,
``filter`` in CQL2 text, ``sortby``, property=value), ``/ogc/collections/{id}/items/{fid}``,
``/ogc/collections/{id}/queryables`` and the API definition at ``/ogc/openapi`` (also ``/ogc/api``).
JSON by default; HTML for browsers (``f=html`` or ``Accept: text/html``), rendered here with the
site's templates. A bad parameter is a 400 with the reason. QGIS connects to ``http://<host>/ogc/``.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, redirect, render_template, request, url_for

from assetmap.ogcapi import BadParameter, OgcService

from ..state import current_state

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


def _service() -> OgcService:
    """The OGC service over the loaded areas, built with the site's state (and rebuilt with it on reload)."""
    return current_state().ogc


@bp.errorhandler(BadParameter)
def bad_request(exc):
    return _json(400, {"Content-Type": "application/json"}, {"code": "InvalidParameterValue", "description": str(exc)})


def _json(status: int, headers: dict, body) -> Response:
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    resp = Response(text, status=status, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    resp.headers["Content-Type"] = headers.get("Content-Type", "application/json")
    return resp


def _wants_html() -> bool:
    f = request.args.get("f")
    if f is not None:
        return f == "html"
    best = request.accept_mimetypes.best_match(["application/json", "application/geo+json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


def _serve(op: str, *ids: str, template: str | None = None):
    service = _service()
    base = url_for(".landing", _external=True).rstrip("/")
    status, headers, body = service.call(op, base, request.args, dict(request.headers), *ids)
    if op == "openapi":
        return Response(body, status=status, headers=headers)
    if template and _wants_html():
        if status >= 400:
            return render_template("error.html", code=status, title="OGC API", message=body["description"]), status
        page = render_template(template, body=body, ids=ids, op=op,
                               map_data=_map_data(body) if op in ("items", "item") else None)
        return Response(page, status=status, mimetype="text/html",
                        headers={k: v for k, v in headers.items() if k == "Content-Crs"})
    return _json(status, headers, body)


def _map_data(body: dict) -> dict:
    feats = body.get("features", [body] if body.get("type") == "Feature" else [])
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "id": f.get("id"), "geometry": f["geometry"],
                                                       "properties": {"name": f["properties"].get("name")
                                                                      or f["properties"].get("display_name")
                                                                      or f["properties"].get("lsoa21_name")}}
                                                      for f in feats if f.get("geometry")]}


@bp.get("/")
def landing():
    return _serve("landing", template="ogc/landing.html")


@bp.get("/conformance")
def conformance():
    return _serve("conformance", template="ogc/conformance.html")


@bp.get("/openapi")
@bp.get("/api")
def openapi():
    if request.args.get("f") == "html":
        return redirect(url_for("docs.index"))
    return _serve("openapi")


@bp.get("/collections")
def collections():
    return _serve("collections", template="ogc/collections.html")


@bp.get("/collections/<cid>")
def collection(cid: str):
    return _serve("collections", cid, template="ogc/collection.html")


@bp.get("/collections/<cid>/queryables")
def queryables(cid: str):
    return _serve("queryables", cid, template="ogc/queryables.html")


@bp.get("/collections/<cid>/schema")
def schema(cid: str):
    return _serve("schema", cid)


@bp.get("/collections/<cid>/items")
def items(cid: str):
    return _serve("items", cid, template="ogc/items.html")


@bp.get("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str):
    return _serve("item", cid, fid, template="ogc/item.html")
