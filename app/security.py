"""Response headers that keep pages self-contained: a strict Content-Security-Policy.

Scripts load only from this site (no inline script runs: page data travels in
``<script type="application/json">``), connections go only to this site, and images only to
this site plus the tile server when ``TILE_URL`` is set.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask


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

    @app.after_request
    def headers(resp):
        resp.headers.setdefault("Content-Security-Policy", csp)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp
