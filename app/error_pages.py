"""Error pages: every HTTP error is a proper page (or JSON for data clients), never a stack trace."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

TITLES = {400: "Please check your request", 403: "Not allowed", 404: "Page not found", 405: "Method not allowed",
          413: "File too large", 429: "Too many requests", 500: "Something went wrong",
          503: "Please try again in a minute"}


def wants_json() -> bool:
    """Data endpoints answer JSON unless the client (a browser) prefers HTML."""
    if request.blueprint in ("api", "oruk", "ogc") or request.path.startswith(("/api/", "/ogc/")):
        return True
    if request.blueprint not in ("downloads",):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def error_response(code: int, message: str):
    if wants_json():
        resp = jsonify({"error": message, "status": code})
        resp.status_code = code
        return resp
    return render_template("error.html", code=code, title=TITLES.get(code, "Error"), message=message), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or "")

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "The server could not complete this request. Please try again later.")
