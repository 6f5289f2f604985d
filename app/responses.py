"""Responses for precomputed data: cached bodies, gzip when the client accepts it, ETags."""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from flask import Response, current_app, request
from flask.json.provider import DefaultJSONProvider


@dataclass(frozen=True)
class Payload:
    """A response body kept in memory, plain and gzipped, with its ETag."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, text: str) -> Payload:
        body = text.encode("utf-8")
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0), hashlib.sha256(body).hexdigest()[:32])


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON: key order kept, and never ``NaN``/``Infinity`` (not JSON: browsers' parsers
    reject them). A view that tries fails loudly (a 500 and a logged ValueError) instead of sending
    text no client can read; the fix is at the source (``None`` for a missing number or name)."""

    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def payload_response(payload: Payload, mimetype: str, download_name: str | None = None) -> Response:
    gz = request.accept_encodings["gzip"] > 0
    resp = Response(payload.gzipped if gz else payload.body, mimetype=mimetype)
    if gz:
        resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    resp.set_etag(payload.etag + ("-gz" if gz else ""))
    resp.cache_control.public = True
    resp.cache_control.max_age = current_app.config["DATA_MAX_AGE"]
    if download_name:
        resp.headers.set("Content-Disposition", "attachment", filename=download_name)
    return resp.make_conditional(request)
