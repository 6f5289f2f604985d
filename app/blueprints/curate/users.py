"""Curator accounts, for admins only: list, create, change role, deactivate or reactivate, reset a password."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from assetmap.errors import RegistryError
from assetmap.registry.models import ROLES
from assetmap.registry.users import create_user, list_users, set_active, set_password, set_role

from ...auth import start_session
from ...registry_setup import db_session
from .base import bp as curate_bp
from .base import who

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.before_request
def require_admin():
    # curate's own check (logged in) has already run: parents' before_request come first
    if not current_user.is_authenticated or current_user.role != "admin":
        abort(403, "Managing curator accounts is for administrators; ask one to make this change.")


def _page(errors=None, values=None, status=200):
    return render_template("curate/users.html", users=list_users(db_session()), roles=ROLES, errors=errors or {},
                           values=values or {}), status


@bp.get("/")
def index():
    return _page()


@bp.post("/")
def create():
    values = {k: (request.form.get(k) or "").strip() for k in ("username", "role")}
    try:
        user = create_user(db_session(), values["username"], request.form.get("password") or "",
                           values["role"] or "moderator", who=who())
    except RegistryError as exc:
        db_session().rollback()
        msg = str(exc)
        key = "password" if "password" in msg else "role" if msg.startswith("role") else "username"
        return _page({key: [msg]}, values, 400)
    db_session().commit()
    flash(f"Created the {user.role} account “{user.username}”. Give them their password in person or by phone.")
    return redirect(url_for(".index"), 303)


def _change(username: str, action):
    if username == current_user.username:
        flash("You cannot change your own role or deactivate yourself here; ask another administrator.", "error")
        return redirect(url_for(".index"), 303)
    try:
        message = action()
        db_session().commit()
        flash(message)
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(url_for(".index"), 303)


@bp.post("/<username>/role")
def role(username: str):
    new = request.form.get("role", "")
    return _change(username, lambda: set_role(db_session(), username, new, who()) and f"{username} is now {new}.")


@bp.post("/<username>/active")
def active(username: str):
    on = request.form.get("active") == "1"
    return _change(username, lambda: set_active(db_session(), username, on, who()) and
                   f"{username} is now {'active' if on else 'deactivated (logged out everywhere)'}.")


@bp.post("/<username>/password")
def password(username: str):
    new = request.form.get("password") or ""
    try:
        user = set_password(db_session(), username, new, who())
        db_session().commit()
        if user.username == current_user.username:
            start_session(user)  # this browser goes on; every other session of this account has ended
        flash(f"New password set for {username}; their other sessions are logged out.")
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(url_for(".index"), 303)


curate_bp.register_blueprint(bp)
