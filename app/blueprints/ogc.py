"""OGC API – Features (Part 1: Core, GeoJSON) for each area's assets and neighbourhoods.

``/ogc/`` landing page, ``/ogc/conformance``, ``/ogc/collections``, ``/ogc/collections/{id}``,
``/ogc/collections/{id}/items`` (``bbox``, ``limit``, ``offset``, property filters; ``next`` and
``prev`` links; ``numberMatched``/``numberReturned``) and ``/ogc/collections/{id}/items/{fid}``.
GeoJSON in CRS84 (lon/lat). An unknown or invalid query parameter is a 400 with the reason, as
the standard requires. QGIS and ArcGIS connect to ``http://<host>/ogc/``.
"""
from __future__ import annotations

import datetime as dt
import json
import math

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from assetmap.features import FeatureCollectionIndex

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMS = ["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"]
MAX_LIMIT = 10_000
ASSET_QUERYABLES = ("category", "categories", "family", "lsoa21_code", "postcode")
LSOA_QUERYABLES = ("lsoa21_code", "lad_code", "imd_decile", "gap_quintile", "bivariate_class")


def build_collections(app) -> None:
    """At startup: two collections per area, features serialised once."""
    out = {}
    for slug, ar in app.extensions["assetmap"].results.items():
        a = FeatureCollectionIndex.of(ar.assets, "asset_id", f"{slug}-assets", f"{ar.name}: community assets",
                                      "Community assets (OpenStreetMap and curated lists, merged), one point each.",
                                      ASSET_QUERYABLES)
        nb = ar.neighbourhoods
        n = FeatureCollectionIndex.of(nb, "lsoa21_code", f"{slug}-neighbourhoods", f"{ar.name}: neighbourhoods",
                                      "LSOA 2021 neighbourhoods with deprivation, population, walking access and the gap measure.",
                                      tuple(q for q in LSOA_QUERYABLES if q in nb))
        out[a.id], out[n.id] = a, n
    app.extensions["ogc"] = out


class BadRequest(ValueError):
    pass


@bp.errorhandler(BadRequest)
def bad_request(exc):
    return jsonify({"code": "InvalidParameterValue", "description": str(exc)}), 400


def _not_found(what: str):
    return jsonify({"code": "NotFound", "description": what}), 404


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def _collection(c: FeatureCollectionIndex) -> dict:
    return {
        "id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
        "extent": {"spatial": {"bbox": [c.extent], "crs": CRS84}},
        "crs": [CRS84], "storageCrs": CRS84,
        "links": [_link(url_for(".collection", cid=c.id, _external=True), "self", "application/json", c.title),
                  _link(url_for(".items", cid=c.id, _external=True), "items", GEOJSON, "Features")],
    }


@bp.get("/")
def landing():
    return jsonify({
        "title": "assetmap: community assets and neighbourhoods",
        "description": "OGC API – Features for every built area: assets and LSOA 2021 neighbourhoods.",
        "links": [
            _link(url_for(".landing", _external=True), "self", "application/json", "This document"),
            _link(url_for("docs.openapi_json", _external=True), "service-desc", "application/vnd.oai.openapi+json;version=3.0",
                  "The API definition"),
            _link(url_for("docs.index", _external=True), "service-doc", "text/html", "The API documentation"),
            _link(url_for(".conformance", _external=True), "conformance", "application/json", "Conformance classes"),
            _link(url_for(".collections", _external=True), "data", "application/json", "The collections"),
        ],
    })


@bp.get("/conformance")
def conformance():
    return jsonify({"conformsTo": CONFORMS})


@bp.get("/collections")
def collections():
    cols = current_app.extensions["ogc"].values()
    return jsonify({"links": [_link(url_for(".collections", _external=True), "self", "application/json")],
                    "collections": [_collection(c) for c in cols]})


@bp.get("/collections/<cid>")
def collection(cid: str):
    c = current_app.extensions["ogc"].get(cid)
    return jsonify(_collection(c)) if c else _not_found(f"no collection {cid[:60]!r}")


def _bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        v = [float(x) for x in raw.split(",")]
    except ValueError:
        raise BadRequest(f"bbox={raw[:80]!r}: give minLon,minLat,maxLon,maxLat") from None
    if len(v) == 6:
        v = [v[0], v[1], v[3], v[4]]
    if len(v) != 4 or not all(math.isfinite(x) for x in v) or not (-180 <= v[0] <= 180 and -180 <= v[2] <= 180
                                                                   and -90 <= v[1] <= v[3] <= 90):
        raise BadRequest(f"bbox={raw[:80]!r}: give minLon,minLat,maxLon,maxLat in degrees (CRS84)")
    return v[0], v[1], v[2], v[3]


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise BadRequest(f"{name}={raw[:20]!r}: give a whole number from {lo} to {hi}")
    return int(raw)


@bp.get("/collections/<cid>/items")
def items(cid: str):
    c = current_app.extensions["ogc"].get(cid)
    if c is None:
        return _not_found(f"no collection {cid[:60]!r}")
    known = {"bbox", "limit", "offset", "f", *c.queryables}
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise BadRequest(f"unknown parameter(s) {unknown}; use bbox, limit, offset or a property: {', '.join(c.queryables)}")
    if request.args.get("f", "json") not in ("json", "geojson"):
        raise BadRequest("f: only json (GeoJSON) is offered")
    limit, offset = _int("limit", 10, 1, MAX_LIMIT), _int("offset", 0, 0, 10**9)
    bbox = _bbox(request.args["bbox"]) if "bbox" in request.args else None
    filters = {k: request.args[k] for k in c.queryables if k in request.args}
    idx = c.query(bbox, filters)
    page = idx[offset:offset + limit]
    args = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}
    links = [_link(url_for(".items", cid=cid, _external=True, limit=limit, offset=offset, **args), "self", GEOJSON),
             _link(url_for(".collection", cid=cid, _external=True), "collection", "application/json")]
    if offset + limit < len(idx):
        links.append(_link(url_for(".items", cid=cid, _external=True, limit=limit, offset=offset + limit, **args),
                           "next", GEOJSON, "Next page"))
    if offset > 0:
        links.append(_link(url_for(".items", cid=cid, _external=True, limit=limit, offset=max(0, offset - limit), **args),
                           "prev", GEOJSON, "Previous page"))
    head = {"type": "FeatureCollection", "numberMatched": int(len(idx)), "numberReturned": int(len(page)),
            "timeStamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "links": links}
    body = json.dumps(head, ensure_ascii=False)[:-1] + ',"features":[' + ",".join(c.features[i] for i in page) + "]}"
    return Response(body, mimetype=GEOJSON)


@bp.get("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str):
    c = current_app.extensions["ogc"].get(cid)
    if c is None:
        return _not_found(f"no collection {cid[:60]!r}")
    i = c.index_of(fid)
    if i is None:
        return _not_found(f"no feature {fid[:80]!r} in {cid}")
    links = [_link(url_for(".item", cid=cid, fid=fid, _external=True), "self", GEOJSON),
             _link(url_for(".collection", cid=cid, _external=True), "collection", "application/json")]
    body = c.features[i][:-1] + ',"links":' + json.dumps(links) + "}"
    return Response(body, mimetype=GEOJSON)
