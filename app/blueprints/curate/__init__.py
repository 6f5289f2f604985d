"""The curator pages under ``/curate/``: log in and out, the dashboard, and (in the modules below)
the suggestion and problem queues, quarantine, review, imports, the audit log and, for admins,
user accounts.

Access is checked once for the whole blueprint (:func:`require_curator`), so a new page is
protected without anyone remembering to: without a login a GET goes to the login page and a
POST gets 403; ``/curate/users/…`` is for admins only (403 for moderators).
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from assetmap.registry.assets import count_due
from assetmap.registry.audit import history
from assetmap.registry.community import count_problems, count_suggestions
from assetmap.registry.models import User
from assetmap.registry.quarantine import count_quarantine
from assetmap.registry.users import attempt_login, end_sessions

from ...auth import start_session
from ...publishing import publish as publish_changes
from ...registry_setup import current_registry, db_session
from ...state import current_state
from . import data, imports, queue, services, users  # noqa: F401  (they add their pages to bp)
from .base import bp, safe_next

LOGIN_FAILED = ("The username or password is not right, or the account is not active, or it is locked for a few "
                "minutes after too many wrong passwords. Check them and try again later.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(nxt or url_for("curate.dashboard"))
    error, username = None, (request.form.get("username") or "").strip()[:64]
    if request.method == "POST":
        cfg = current_app.config
        user = attempt_login(db_session(), username, request.form.get("password") or "",
                             max_failures=cfg["LOGIN_MAX_FAILURES"], lock_seconds=cfg["LOGIN_LOCK_SECONDS"])
        db_session().commit()  # last_login_at, or the failed attempt counted
        if user is not None:
            start_session(user)
            return redirect(nxt or url_for("curate.dashboard"), 303)
        error = LOGIN_FAILED
    return render_template("curate/login.html", error=error, username=username, next=nxt), 400 if error else 200


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "GET":
        return render_template("curate/logout.html")
    user = db_session().get(User, current_user.user_id) if current_user.is_authenticated else None
    if user is not None:
        end_sessions(db_session(), user)  # every session of this curator ends, not only this browser's
        db_session().commit()
    logout_user()
    session.clear()
    flash("You have logged out.")
    return redirect(url_for("curate.login"), 303)


@bp.get("/")
def dashboard():
    s = db_session()
    counts = {"suggestions": count_suggestions(s), "problems": count_problems(s), "quarantine": count_quarantine(s),
              "review": count_due(s)}
    return render_template("curate/dashboard.html", counts=counts, recent=history(s, limit=10),
                           areas=current_state().areas)


@bp.post("/publish")
def publish():
    """Refresh every area from the registry (seconds each) and have the site serve the new builds."""
    done = publish_changes(current_app._get_current_object(), current_registry().engine)
    flash("Published: " + "; ".join(f"{d['name']} refreshed in {d['seconds']:.1f} s with {d['registry']} "
                                    f"place(s) from the registry" for d in done)
          + ". The map, the lookup and the downloads show them once the site has reloaded (a few seconds).")
    return redirect(url_for("curate.dashboard"), 303)
