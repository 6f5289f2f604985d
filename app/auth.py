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
``LOGIN_MAX_FAILURES``     wrong passwords in a row before an account is locked (default 5) …
``LOGIN_LOCK_SECONDS``     … for this long (default 900); counted in the database, so across workers
``SESSION_IDLE_SECONDS``   a curator session ends after this long without a request (default 7200: 2 h;
                           env ``ASSETMAP_SESSION_IDLE_SECONDS``)
``SESSION_MAX_SECONDS``    and this long after logging in, whatever happens (default 43200: 12 h;
                           env ``ASSETMAP_SESSION_MAX_SECONDS``)

Sessions are revoked on the server: each session cookie carries the user's ``session_version``
(in the database), which logging out, deactivation, a role change and a password change increment,
so every earlier cookie of that user stops working at once, in every worker, for good.

Behind a reverse proxy the client address is the proxy's unless the app is wrapped with
werkzeug's ``ProxyFix``; until then the limits apply to all clients of the proxy together.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

from flask import Flask, current_app, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, login_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from assetmap.registry.models import User

from .error_pages import error_response
from .registry_setup import db_session

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
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_SECONDS": 15 * 60,
        "SESSION_IDLE_SECONDS": int(os.environ.get("ASSETMAP_SESSION_IDLE_SECONDS", 2 * 3600)),
        "SESSION_MAX_SECONDS": int(os.environ.get("ASSETMAP_SESSION_MAX_SECONDS", 12 * 3600)),
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
        # the user's session version is part of the id: bumping it in the database ends this session
        return f"{self.user_id}:{self.token}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, user: User) -> Curator:
        return cls(user.id, user.username, user.role, str(user.session_version or 0))


def _now() -> float:
    return time.time()


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session, timed from now (see :func:`_session_alive`)."""
    session.clear()  # a fresh session (and CSRF token) for the logged-in curator
    login_user(Curator.of(user))
    session["login_at"] = session["seen_at"] = int(_now())


def _session_alive() -> bool:
    """Whether this session is within its idle and absolute lifetimes (and note that it was seen now)."""
    now = _now()
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return False
    cfg = current_app.config
    if now - login_at > cfg["SESSION_MAX_SECONDS"] or now - seen_at > cfg["SESSION_IDLE_SECONDS"]:
        return False
    if now - seen_at >= 60:  # refresh the idle clock at most once a minute (each refresh resends the cookie)
        session["seen_at"] = int(now)
    return True


def load_curator(user_id: str) -> Curator | None:
    uid, _, token = (user_id or "").partition(":")
    if not (uid.isascii() and uid.isdigit()) or not _session_alive():
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
