"""The moderation queues: public suggestions (edit, approve, reject) and problem reports (resolve, dismiss)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from assetmap.errors import RegistryError, RowValidationError
from assetmap.registry.audit import history
from assetmap.registry.community import (
    approve_suggestion,
    get_suggestion,
    list_problems,
    list_suggestions,
    reject_suggestion,
    resolve_problem,
    update_suggestion,
)
from assetmap.registry.models import PROBLEM_STATUSES, SUGGESTION_STATUSES, CuratedAsset
from assetmap.registry.suggest_activity import approve_activity, is_activity, update_activity_suggestion

from ...forms import (
    ACCESS_CHOICES,
    OFTEN_CHOICES,
    SUGGEST_ACTIVITY_FIELDS,
    SUGGEST_FIELDS,
    changed,
    field_errors,
    form_values,
)
from ...registry_setup import current_registry, db_session
from ..community import TOPICS
from .base import back, bp, who


def _status(allowed: tuple[str, ...], default: str) -> str:
    status = request.args.get("status", default)
    if status not in allowed:
        abort(400, f"status must be one of {', '.join(allowed)}")
    return status


@bp.get("/suggestions")
def suggestions():
    status = _status(SUGGESTION_STATUSES, "pending")
    return render_template("curate/suggestions.html", status=status, statuses=SUGGESTION_STATUSES,
                           items=list_suggestions(db_session(), status, limit=200))


def _suggestion(sid: int):
    try:
        return get_suggestion(db_session(), sid)
    except RegistryError as exc:
        abort(404, str(exc))


def _fields(s):
    return SUGGEST_ACTIVITY_FIELDS if is_activity(s.fields) else SUGGEST_FIELDS


def _render_suggestion(s, values=None, errors=None, status=200):
    fields = _fields(s)
    values = values if values is not None else {f.name: s.fields.get(f.name) or "" for f in fields}
    return render_template("curate/suggestion.html", s=s, fields=fields, values=values, errors=errors or {},
                           options=current_registry().category_groups, history=history(db_session(), "suggestion", s.id),
                           choices={"often": OFTEN_CHOICES, "access": ACCESS_CHOICES},
                           asset=db_session().get(CuratedAsset, s.asset_id) if s.asset_id else None), status


@bp.get("/suggestions/<int:sid>")
def suggestion(sid: int):
    return _render_suggestion(_suggestion(sid))


@bp.post("/suggestions/<int:sid>")
def decide_suggestion(sid: int):
    """Save the moderator's edits, or approve (with the edits): the asset is published, audited."""
    s = _suggestion(sid)
    values = form_values(request.form, _fields(s))
    changes = changed(values, s.fields)
    try:
        if request.form.get("action") == "approve" and is_activity(s.fields):
            return _approve_activity(sid, changes)
        if request.form.get("action") == "approve":
            approve_suggestion(db_session(), sid, who(), current_registry().checks(), changes)
            flash(f"Suggestion {sid} approved: “{s.fields.get('name')}” is now a published asset.")
        else:
            (update_activity_suggestion if is_activity(s.fields) else update_suggestion)(
                db_session(), sid, changes, who())
            flash(f"Suggestion {sid}: {len(changes)} change(s) saved." if changes else "Nothing was changed.")
    except RowValidationError as exc:
        db_session().rollback()
        return _render_suggestion(_suggestion(sid), values, field_errors(exc.reasons, _fields(s)), 400)
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
        return redirect(url_for(".suggestion", sid=sid), 303)
    db_session().commit()
    return redirect(url_for(".suggestion", sid=sid), 303)


def _approve_activity(sid: int, changes: dict):
    """An activity suggestion becomes a service with its session (at the venue's place when found)."""
    svc, venue = approve_activity(db_session(), sid, who(), current_registry().category_keys, changes)
    db_session().commit()
    flash(f"Suggestion {sid} approved: the service “{svc.name}” is published"
          + (f" at “{venue.name}”." if venue else "; no registry place matched its venue: link the place below."))
    return redirect(url_for(".service", sid=svc.id), 303)


@bp.post("/suggestions/<int:sid>/reject")
def reject(sid: int):
    note = (request.form.get("note") or "").strip()[:2000] or None
    try:
        reject_suggestion(db_session(), sid, who(), note)
        db_session().commit()
        flash(f"Suggestion {sid} rejected.")
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(url_for(".suggestions"), 303)


@bp.get("/problems")
def problems():
    status = _status(PROBLEM_STATUSES, "open")
    items = list_problems(db_session(), status, limit=200)
    assets = {a.id: a for a in db_session().query(CuratedAsset).filter(CuratedAsset.id.in_({p.asset_id for p in items}))}
    return render_template("curate/problems.html", status=status, statuses=PROBLEM_STATUSES, items=items,
                           assets=assets, topics=TOPICS)


@bp.post("/problems/<int:pid>")
def close_problem(pid: int):
    status = {"resolve": "resolved", "dismiss": "dismissed"}.get(request.form.get("action", ""))
    if status is None:
        abort(400, "Choose whether to resolve or dismiss the report.")
    try:
        resolve_problem(db_session(), pid, who(), status, (request.form.get("note") or "").strip()[:2000] or None)
        db_session().commit()
        flash(f"Problem report {pid} {status}.")
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(back(url_for(".problems")), 303)
