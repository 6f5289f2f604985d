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

from ...forms import SUGGEST_FIELDS, changed, field_errors, form_values
from ...registry import current_registry, db_session
from ..community import TOPICS
from . import back, bp, who


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


def _render_suggestion(s, values=None, errors=None, status=200):
    values = values if values is not None else {f.name: s.fields.get(f.name) or "" for f in SUGGEST_FIELDS}
    return render_template("curate/suggestion.html", s=s, fields=SUGGEST_FIELDS, values=values, errors=errors or {},
                           options=current_registry().category_groups, history=history(db_session(), "suggestion", s.id),
                           asset=db_session().get(CuratedAsset, s.asset_id) if s.asset_id else None), status


@bp.get("/suggestions/<int:sid>")
def suggestion(sid: int):
    return _render_suggestion(_suggestion(sid))


@bp.post("/suggestions/<int:sid>")
def decide_suggestion(sid: int):
    """Save the moderator's edits, or approve (with the edits): the asset is published, audited."""
    s = _suggestion(sid)
    values = form_values(request.form, SUGGEST_FIELDS)
    changes = changed(values, s.fields)
    try:
        if request.form.get("action") == "approve":
            approve_suggestion(db_session(), sid, who(), current_registry().checks(), changes)
            flash(f"Suggestion {sid} approved: “{s.fields.get('name')}” is now a published asset.")
        else:
            update_suggestion(db_session(), sid, changes, who())
            flash(f"Suggestion {sid}: {len(changes)} change(s) saved." if changes else "Nothing was changed.")
    except RowValidationError as exc:
        db_session().rollback()
        return _render_suggestion(_suggestion(sid), values, field_errors(exc.reasons, SUGGEST_FIELDS), 400)
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
        return redirect(url_for(".suggestion", sid=sid), 303)
    db_session().commit()
    return redirect(url_for(".suggestion", sid=sid), 303)


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
