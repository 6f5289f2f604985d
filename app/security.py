"""Request checks and response headers.

* **Trusted hosts.** A request whose ``Host`` (or, behind ``PROXY_HOPS`` proxies,
  ``X-Forwarded-Host``) is not in ``TRUSTED_HOSTS`` gets a 400 before anything else runs, so no
  link the site writes (OGC and ORUK links, the shortlist's copy-link, the API page) can carry a
  host a client chose. Setting: ``TRUSTED_HOSTS`` (env ``ASSETMAP_TRUSTED_HOSTS``, comma-separated;
  ``.example.org`` also allows its subdomains); default ``127.0.0.1``, ``localhost`` and the host
  ``assetmap serve`` binds (``SERVE_HOST``). A public deployment must set it to its host name.
* **Control characters** (NUL and the other C0 controls; tab, CR and LF allowed in parameters)
  in the path or in any parameter get a 400 naming the problem, never a 500.
* **Headers.** A strict Content-Security-Policy: scripts load only from this site (no inline
  script runs: page data travels in ``<script type="application/json">``), connections go only
  to this site, and images only to this site plus the tile server when ``TILE_URL`` is set.
  ``Strict-Transport-Security`` (``HSTS_SECONDS``, default a year) whenever cookies are secure
  (``SESSION_COOKIE_SECURE``, the default). Curator pages set ``Cache-Control: no-store``
  (``app/blueprints/curate``).
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from flask import Flask, Response, abort, jsonify, request
from werkzeug.exceptions import SecurityError

LOCAL_HOSTS = ("127.0.0.1", "localhost")
WILDCARD_BINDS = ("", "0.0.0.0", "::", "[::]")
HSTS_SECONDS = 365 * 24 * 3600
CONTROL_MESSAGE = ("The address or one of its parameters contains a control character (such as a NUL byte), "
                   "which nothing on this site accepts. Check the link and remove it.")
UNTRUSTED_HOST = ("This site does not answer to the host name this request was sent to. Use the site's own "
                  "address; its operator lists the names it answers to in ASSETMAP_TRUSTED_HOSTS.\n")
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PARAM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def trusted_hosts(config: dict) -> list[str]:
    """``TRUSTED_HOSTS`` (a list, or comma-separated text), else the local names plus ``SERVE_HOST``."""
    value = config.get("TRUSTED_HOSTS")
    if value is None:
        value = os.environ.get("ASSETMAP_TRUSTED_HOSTS", "").strip() or None
    if isinstance(value, str):
        value = [h.strip() for h in value.split(",") if h.strip()]
    if value:
        return list(value)
    serve = (config.get("SERVE_HOST") or "").strip()
    return [*LOCAL_HOSTS, *([serve] if serve not in WILDCARD_BINDS + LOCAL_HOSTS else [])]


def register_request_checks(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)

    @app.before_request
    def check_request():
        try:
            request.host  # noqa: B018  (werkzeug checks it against TRUSTED_HOSTS)
        except SecurityError:  # plain text: without a trusted host no page link can be built
            return Response(UNTRUSTED_HOST, 400, mimetype="text/plain")
        if _PATH_CONTROL.search(request.path) or _has_control(request.args) or (
                request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
                and _has_control(request.form)):
            if request.path.startswith("/ogc/"):  # OGC API clients expect its own error shape
                return jsonify({"code": "InvalidParameterValue", "description": CONTROL_MESSAGE}), 400
            abort(400, CONTROL_MESSAGE)


def _has_control(params) -> bool:
    return any(_PARAM_CONTROL.search(k) or _PARAM_CONTROL.search(v) for k, v in params.items(multi=True))


def tile_source(tile_url: str) -> str | None:
    """The CSP source for a Leaflet tile URL template ('https://{s}.tile.x.org/…' -> 'https://*.tile.x.org')."""
    if not tile_url:
        return None
    try:
        parts = urlsplit(tile_url.replace("{s}", "tile-subdomain"))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.replace("tile-subdomain", "*")
    if not re.fullmatch(r"(\*\.)?[a-z0-9.-]+", host):
        return f"{parts.scheme}:"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def content_security_policy(tile_url: str) -> str:
    img = "'self' data:"
    extra = tile_source(tile_url)
    if extra:
        img += f" {extra}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        # no inline styles: data colours are classes (app/palette.py); Leaflet's positioning through
        # element.style (the CSSOM) is not affected by style-src
        "style-src 'self'",
        f"img-src {img}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def register_security_headers(app: Flask) -> None:
    csp = content_security_policy(app.config.get("TILE_URL", ""))
    hsts = f"max-age={int(app.config.get('HSTS_SECONDS', HSTS_SECONDS))}" if app.config.get("SESSION_COOKIE_SECURE") \
        else None

    @app.after_request
    def headers(resp):
        resp.headers.setdefault("Content-Security-Policy", csp)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        if hsts:
            resp.headers.setdefault("Strict-Transport-Security", hsts)
        return resp
