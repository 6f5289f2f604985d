"""Cross-origin access to the public data APIs (CORS), by path, for the whole app.

Other directories, web maps and social-prescribing tools call the APIs from their own pages, and
the Open Referral UK rules require ``Access-Control-Allow-Origin: *`` on every response. So every
response under

* ``/api/`` (the lookup, scenarios and siting JSON, Open Referral UK, the OpenAPI document),
* ``/ogc`` (OGC API – Features, whatever serves it),
* ``/data/`` and ``/download/`` (the map data and the downloads: open-licensed GeoJSON, CSV and
  GeoPackage files that other sites may load directly, exactly what the APIs already serve),

errors included, carries ``Access-Control-Allow-Origin: *``, and a preflight ``OPTIONS`` there is
answered ``204`` with the allowed methods (GET, HEAD, OPTIONS) and headers. It is not sent with
HTML pages there (OGC HTML views; the browsable API page ``/api`` is outside these paths), except
error pages, so that a client can read the status; nor on any other path: curator pages, login,
forms and public pages stay same-origin. ``*`` never lets another site send this site's cookies
(browsers refuse credentials with a wildcard), and no API reads a cookie.
"""
from __future__ import annotations

from flask import Flask, Response, request

PREFIXES = ("/api/", "/ogc/", "/data/", "/download/")
EXACT = ("/ogc",)
ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Accept, Accept-Encoding, Accept-Language, Content-Type, If-Modified-Since, If-None-Match, Range"
EXPOSE_HEADERS = "Content-Crs, Content-Disposition, Content-Length, ETag, Last-Modified, Link"
MAX_AGE = "86400"


def is_cors_path(path: str) -> bool:
    return path.startswith(PREFIXES) or path in EXACT


def _preflight():
    if request.method == "OPTIONS" and is_cors_path(request.path):
        resp = Response(status=204)
        del resp.headers["Content-Type"]
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        resp.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        resp.headers["Access-Control-Max-Age"] = MAX_AGE
        resp.headers["Allow"] = ALLOW_METHODS
        return resp
    return None


def _headers(resp: Response) -> Response:
    if is_cors_path(request.path) and (resp.mimetype != "text/html" or resp.status_code >= 400):
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return resp


def register_cors(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _preflight)  # before rate limits and sessions
    app.after_request(_headers)
