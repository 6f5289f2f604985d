"""The assetmap web app: planner maps, a public "what is near me?" lookup, downloads and sources.

The app never computes anything heavy in a request. ``create_app`` loads every built area once
(``assetmap.outputs.read.load_results``) and precomputes the page data; views only pick from it.

Settings (``create_app(test_config)`` wins over environment variables, which win over defaults):

``ASSETMAP_BUILD_ROOT``  directory holding one ``<slug>/`` build per area (env ``ASSETMAP_BUILD_ROOT``,
                         default ``<project>/build``)
``DEFAULT_AREA``         slug shown at ``/`` (env ``ASSETMAP_DEFAULT_AREA``, default: the first slug)
``TILE_URL``             Leaflet tile URL template for a third-party basemap (env ``ASSETMAP_TILE_URL``);
                         empty by default: the maps then draw the area's own vector base map
``TILE_ATTRIBUTION``     attribution text the tile provider requires (env ``ASSETMAP_TILE_ATTRIBUTION``)
``DATA_MAX_AGE``         seconds browsers may cache data and downloads (default 3600)
``PROXY_HOPS``           reverse proxies in front of the app whose ``X-Forwarded-For/-Proto/-Host``
                         headers are trusted (env ``ASSETMAP_PROXY_HOPS``, default 0: none). Behind
                         nginx set 1, so rate limits count each client, not the proxy, and links
                         and secure cookies follow the public scheme and host

``TRUSTED_HOSTS``        host names the site answers to; others get a 400 (env ``ASSETMAP_TRUSTED_HOSTS``;
                         see ``app/security.py``)

The registry (curator pages, public suggestions and problem reports) adds its own settings:
``DATABASE_URL``, ``SECRET_KEY`` … (``app/registry_setup.py``) and cookies, CSRF and rate limits
(``app/auth.py``).
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .auth import apply_rate_limits, auth_defaults, register_auth
from .blueprints import (
    about,
    api,
    community,
    curate,
    docs,
    downloads,
    health,
    nearby,
    ogc,
    oruk,
    pack,
    pages,
    planner,
    public,
    shortlist,
)
from .cors import register_cors
from .error_pages import register_error_handlers
from .formatting import register_filters
from .palette import register_palette
from .params import register_params
from .registry_setup import register_registry, registry_defaults
from .responses import StrictJSONProvider
from .security import register_request_checks, register_security_headers
from .state import register_state
from .static_files import register_static_files

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _defaults() -> dict:
    return {
        "ASSETMAP_BUILD_ROOT": os.environ.get("ASSETMAP_BUILD_ROOT", str(PROJECT_ROOT / "build")),
        "DEFAULT_AREA": os.environ.get("ASSETMAP_DEFAULT_AREA") or None,
        "TILE_URL": os.environ.get("ASSETMAP_TILE_URL", ""),
        "TILE_ATTRIBUTION": os.environ.get("ASSETMAP_TILE_ATTRIBUTION", ""),
        "DATA_MAX_AGE": 3600,
        "PROXY_HOPS": os.environ.get("ASSETMAP_PROXY_HOPS", "0"),
        "LOOKUP_LIMIT": 10,
        **registry_defaults(),
        **auth_defaults(),
    }


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app; loads the build results once (raises ``ResultsError`` if there are none)."""
    app = Flask(__name__)
    app.config.from_mapping(_defaults())
    if test_config:
        app.config.update(test_config)
    app.json = StrictJSONProvider(app)

    register_state(app, Path(app.config["ASSETMAP_BUILD_ROOT"]), app.config["DEFAULT_AREA"])

    register_params(app)
    register_request_checks(app)  # first: a bad Host or a control character stops a request before anything
    register_filters(app)
    register_static_files(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_cors(app)
    register_registry(app)
    register_auth(app)
    register_palette(app)

    app.register_blueprint(planner.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(about.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(oruk.bp)
    app.register_blueprint(ogc.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(community.bp)
    app.register_blueprint(curate.bp)
    app.register_blueprint(shortlist.bp)
    app.register_blueprint(nearby.bp)
    app.register_blueprint(pack.bp)
    apply_rate_limits(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Honour X-Forwarded-* from ``PROXY_HOPS`` reverse proxies (werkzeug's ProxyFix); never by default,
    since a client could otherwise claim any address and escape its rate limit."""
    raw = app.config["PROXY_HOPS"]
    try:
        hops = int(raw)
        if hops < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"PROXY_HOPS (ASSETMAP_PROXY_HOPS) must be a whole number of proxies, 0 or more; "
                         f"got {raw!r}. Set 1 behind a single nginx or load balancer") from None
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
