"""Curator accounts in the web app (Flask-Login), CSRF on every POST (Flask-WTF) and rate limits
on the forms anyone can send (Flask-Limiter).

Settings (``create_app(test_config)`` wins; environment variables in brackets):

``SESSION_COOKIE_SECURE``  send the session cookie over HTTPS only (default true; set
                           ``ASSETMAP_SESSION_COOKIE_SECURE=0`` for plain http://127.0.0.1 in development,
                           as ``make demo`` does). The cookie is always HttpOnly and SameSite=Lax.
``RATELIMIT_STORAGE_URI``  where the limits count (``ASSETMAP_RATELIMIT_STORAGE_URI``; default
                           ``memory://``, per worker process; e.g. ``redis://host:6379`` to share)
``SUGGEST_RATE_LIMIT``     per client address, default ``5/minute;30/day``
``REPORT_RATE_LIMIT``      per client address, default ``5/minute;30/day``
``LOGIN_RATE_LIMIT``       login attempts per client address, default ``10/minute;50/hour``

Behind a reverse proxy the client address is the proxy's unless the app is wrapped with
werkzeug's ``ProxyFix``; until then the limits apply to all clients of the proxy together.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect

from assetmap.registry.models import User

from .errors import error_response

CSRF_MESSAGE = ("This form has expired, or was not sent from this site. Go back, reload the page and send the "
                "form again.")
LIMIT_MESSAGE = ("You have sent this form too many times in a short while ({limit}). Please wait a few minutes "
                 "and try again.")
# endpoint -> the setting holding its limit (POSTs only)
LIMITED = {"community.suggest": "SUGGEST_RATE_LIMIT", "community.report": "REPORT_RATE_LIMIT",
           "curate.login": "LOGIN_RATE_LIMIT"}

csrf = CSRFProtect()


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in ("0", "false", "no", "off", "")


def auth_defaults() -> dict:
    return {
        "SESSION_COOKIE_SECURE": _flag("ASSETMAP_SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag("ASSETMAP_SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # valid as long as the session: a form left open for lunch still works
        "RATELIMIT_STORAGE_URI": os.environ.get("ASSETMAP_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SUGGEST_RATE_LIMIT": "5/minute;30/day",
        "REPORT_RATE_LIMIT": "5/minute;30/day",
        "LOGIN_RATE_LIMIT": "10/minute;50/hour",
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # import uploads; forms are far smaller
    }


@dataclass(frozen=True)
class Curator(UserMixin):
    """The logged-in curator, detached from the database session."""

    user_id: int
    username: str
    role: str
    token: str

    def get_id(self) -> str:
        # the password hash's digest is part of the id: a password reset logs out every other session
        return f"{self.user_id}:{self.token}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, user: User) -> "Curator":
        token = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
        return cls(user.id, user.username, user.role, token)


def load_curator(user_id: str) -> Curator | None:
    from .registry import db_session

    uid, _, token = (user_id or "").partition(":")
    if not uid.isdigit():
        return None
    user = db_session().get(User, int(uid))
    if user is None or not user.active:
        return None
    curator = Curator.of(user)
    return curator if curator.token == token else None


def _limit(setting: str):
    return lambda: current_app.config[setting]


def _limit_error(exc):
    return error_response(429, LIMIT_MESSAGE.format(limit=exc.description))


def register_auth(app: Flask) -> None:
    csrf.init_app(app)
    login = LoginManager(app)
    login.login_view = "curate.login"
    login.user_loader(load_curator)
    login.session_protection = "basic"

    limiter = Limiter(get_remote_address, app=app, default_limits=[], storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["assetmap_limiter"] = limiter

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(400, CSRF_MESSAGE)

    app.register_error_handler(429, _limit_error)


def apply_rate_limits(app: Flask) -> None:
    """Wrap the public forms' and the login's views in their limits (after their blueprints are registered)."""
    limiter: Limiter = app.extensions["assetmap_limiter"]
    for endpoint, setting in LIMITED.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(_limit(setting), methods=["POST"])(view)
