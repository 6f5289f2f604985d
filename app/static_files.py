"""Static files with content-hashed URLs, long cache lifetimes and precompressed bodies.

Pages refer to ``asset_url("js/planner.js")`` = ``/static/v/<digest>/js/planner.js``, where the
digest is the file's own SHA-256 prefix: a browser may keep it for a year (``immutable``) and a
new version of the file gets a new URL. Text files (CSS, JS, SVG, JSON) are gzipped once and kept
in memory, so ``leaflet.js`` goes out as ~42 KB instead of ~148 KB at no cost per request.
Files a stylesheet references relatively (Leaflet's images) resolve under the same prefix and
are served with a short lifetime, since their own digest is not in the URL.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for
from werkzeug.security import safe_join

COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map"}
YEAR = 365 * 24 * 3600

bp = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Asset:
    digest: str
    body: bytes
    gzipped: bytes | None
    mimetype: str
    mtime_ns: int


class StaticFiles:
    """The app's static folder (``current_app.static_folder``), read once per file version and
    kept in memory."""

    def __init__(self, watch: bool = False):
        self.watch = watch  # look for changed files on every use (development); else once per file
        self._cache: dict[str, Asset] = {}
        self._generated: dict[str, Asset] = {}
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, filename: str, body: bytes) -> None:
        """A generated file served like the static ones (it takes precedence over one on disk)."""
        mime = (mimetypes.guess_type(filename)[0] or "application/octet-stream") + "; charset=utf-8"
        gz = gzip.compress(body, 9, mtime=0) if len(body) > 256 else None
        self._generated[filename] = Asset(hashlib.sha256(body).hexdigest()[:12], body, gz, mime, 0)

    def get(self, filename: str) -> Asset | None:
        if filename in self._generated:
            return self._generated[filename]
        root = current_app.static_folder
        path = safe_join(root, filename)
        if path is None:
            return None
        p = Path(path)
        try:
            st = p.stat()
        except (OSError, ValueError):  # ValueError: a NUL byte in the name
            return None
        if not p.is_file():
            return None
        found = self._cache.get(path)
        if found is None or found.mtime_ns != st.st_mtime_ns:
            body = p.read_bytes()
            gz = gzip.compress(body, 9, mtime=0) if p.suffix in COMPRESSIBLE and len(body) > 256 else None
            mime = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
            if mime.startswith("text/") or mime in ("application/javascript", "application/json"):
                mime += "; charset=utf-8"
            found = Asset(hashlib.sha256(body).hexdigest()[:12], body, gz, mime, st.st_mtime_ns)
            with self._lock:
                self._cache[path] = found
        return found

    def url(self, filename: str) -> str:
        key = current_app.static_folder + "\0" + filename
        found = None if self.watch else self._urls.get(key)
        if found is None:
            a = self.get(filename)
            found = url_for("assets.asset", digest=a.digest if a else "0", filename=filename)
            self._urls[key] = found
        return found

    def ready(self, *filenames: str) -> bool:
        """Whether all these files exist (cached unless watching)."""
        key = current_app.static_folder + "\0?" + "|".join(filenames)
        if self.watch or key not in self._urls:
            self._urls[key] = "yes" if all(self.get(f) is not None for f in filenames) else ""
        return bool(self._urls[key])


@bp.get("/static/v/<digest>/<path:filename>")
def asset(digest: str, filename: str):
    a = current_app.extensions["static_files"].get(filename)
    if a is None:
        abort(404, description="No such file.")
    gz = a.gzipped is not None and request.accept_encodings["gzip"] > 0
    resp = Response(a.gzipped if gz else a.body, mimetype=a.mimetype)
    if gz:
        resp.headers["Content-Encoding"] = "gzip"
    if a.gzipped is not None:
        resp.vary.add("Accept-Encoding")
    resp.set_etag(a.digest + ("-gz" if gz else ""))
    resp.cache_control.public = True
    if digest == a.digest:
        resp.cache_control.max_age = YEAR
        resp.cache_control.immutable = True
    else:  # a relative reference from a hashed stylesheet, or an old digest: short-lived
        resp.cache_control.max_age = 300
    return resp.make_conditional(request)


COMPRESS_TYPES = ("text/html", "application/json", "application/geo+json", "text/csv", "image/svg+xml")


def compress_response(resp: Response) -> Response:
    """Gzip a generated text response (pages, JSON) when the client accepts it."""
    if (resp.status_code != 200 or resp.direct_passthrough or "Content-Encoding" in resp.headers
            or resp.mimetype not in COMPRESS_TYPES or request.accept_encodings["gzip"] <= 0):
        return resp
    body = resp.get_data()
    if len(body) < 1024:
        return resp
    # level 1, as nginx's gzip_comp_level default: pages are generated per request, and levels
    # above cost more CPU than they save bytes on a 16 KB page (4.3 KB at 1, 3.9 KB at 6)
    resp.set_data(gzip.compress(body, 1, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    if resp.get_etag()[0]:
        resp.set_etag(resp.get_etag()[0] + "-gz", weak=resp.get_etag()[1])
    return resp


def register_static_files(app: Flask) -> None:
    app.extensions["static_files"] = StaticFiles(watch=app.debug)
    app.register_blueprint(bp)
    app.add_template_global(app.extensions["static_files"].url, "asset_url")
    app.after_request(compress_response)
