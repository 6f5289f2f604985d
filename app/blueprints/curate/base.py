"""The curator blueprint itself: access checked once for every page, no caching, and the helpers
its page modules share (who is acting, where a form returns to)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("curate", __name__, url_prefix="/curate")
PUBLIC_ENDPOINTS = {"curate.login"}


@bp.before_request
def require_curator():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("curate.login", next=request.full_path.rstrip("?")))
        abort(403, "Log in as a curator to do this.")
    return None


@bp.after_request
def no_store(resp):
    """Curator pages, the login and exports (audit.csv) hold personal and unpublished data: never cached."""
    resp.headers["Cache-Control"] = "no-store"
    resp.headers.pop("Expires", None)
    return resp


def who() -> str:
    return current_user.username


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host, scheme or protocol-relative URL)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def back(default: str) -> str:
    """Where a form says to return to (a local path), else ``default``."""
    return safe_next(request.form.get("next")) or default
