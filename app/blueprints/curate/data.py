"""Quarantine (fix, re-submit, discard), assets due for review (mark verified), the built records to
check (assetmap.trust), one asset's page,
and the audit log (page and formula-safe CSV)."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for

from assetmap.errors import RegistryError
from assetmap.registry.assets import due_for_review, get_asset, mark_verified, set_status
from assetmap.registry.audit import history
from assetmap.registry.community import list_problems
from assetmap.registry.export import safe_csv_cell
from assetmap.registry.models import ASSET_STATUSES, QUARANTINE_STATUSES
from assetmap.registry.quarantine import (
    discard_quarantine,
    fix_quarantine,
    get_quarantine,
    list_quarantine,
    quarantine_groups,
    resubmit_quarantine,
)
from assetmap.trust.review import review_list

from ...forms import ASSET_FIELDS, QUARANTINE_EXTRA, changed, field_errors, form_values
from ...params import int_arg
from ...registry_setup import current_registry, db_session
from ...state import current_state
from ..community import TOPICS
from .base import back, bp, who

QUARANTINE_FIELDS = (QUARANTINE_EXTRA[0], *ASSET_FIELDS, *QUARANTINE_EXTRA[1:])
AUDIT_COLUMNS = ("id", "at", "who", "action", "table_name", "record_id", "before_json", "after_json")


@bp.get("/quarantine")
def quarantine():
    status = request.args.get("status", "open")
    if status not in QUARANTINE_STATUSES:
        abort(400, f"status must be one of {', '.join(QUARANTINE_STATUSES)}")
    source = request.args.get("source", "").strip()[:64] or None
    batch = int_arg("batch", lo=1)
    rows = list_quarantine(db_session(), source, status, batch, limit=300)
    return render_template("curate/quarantine.html", rows=rows, status=status, statuses=QUARANTINE_STATUSES,
                           source=source, batch=batch, groups=quarantine_groups(db_session(), status))


def _row(qid: int):
    try:
        return get_quarantine(db_session(), qid)
    except RegistryError as exc:
        abort(404, str(exc))


def _render_row(row, values=None, errors=None, status=200):
    values = values if values is not None else {f.name: "" if row.values.get(f.name) is None else row.values[f.name]
                                                 for f in QUARANTINE_FIELDS}
    if errors is None:
        errors = field_errors(row.reasons, QUARANTINE_FIELDS) if row.status == "open" else {}
    return render_template("curate/quarantine_row.html", row=row, fields=QUARANTINE_FIELDS, values=values,
                           errors=errors, options=current_registry().category_groups,
                           history=history(db_session(), "quarantine_row", row.id)), status


@bp.get("/quarantine/<int:qid>")
def quarantine_row(qid: int):
    return _render_row(_row(qid))


@bp.post("/quarantine/<int:qid>")
def fix_row(qid: int):
    """Save the edited values, or save and re-submit them through validation."""
    row = _row(qid)
    values = form_values(request.form, QUARANTINE_FIELDS)
    changes = changed(values, row.values)
    try:
        if request.form.get("action") == "resubmit":
            done = resubmit_quarantine(db_session(), qid, who(), checks=current_registry().checks(), changes=changes)
            db_session().commit()
            if not done.ok:
                flash("The row still has problems (listed beside the fields); it stays in quarantine.", "error")
                return _render_row(done.row, values, field_errors(done.result.reasons, QUARANTINE_FIELDS), 400)
            flash(f"Row {qid} passed validation: asset {done.outcome}.")
            return redirect(url_for(".asset", asset_id=done.asset.id), 303)
        if changes:
            fix_quarantine(db_session(), qid, changes, who())
        db_session().commit()
        flash(f"Row {qid}: {len(changes)} change(s) saved." if changes else "Nothing was changed.")
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(url_for(".quarantine_row", qid=qid), 303)


@bp.post("/quarantine/<int:qid>/discard")
def discard_row(qid: int):
    try:
        discard_quarantine(db_session(), qid, who(), (request.form.get("note") or "").strip()[:2000] or None)
        db_session().commit()
        flash(f"Row {qid} discarded.")
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(url_for(".quarantine"), 303)


@bp.get("/review")
def review():
    return render_template("curate/review.html", assets=due_for_review(db_session(), limit=300))


@bp.get("/review/built")
def review_built():
    """The built areas' records to look at: cautions and duplicates, then those not recently checked."""
    areas = [(view, review_list(view.asset_pages)) for view in current_state().areas]
    return render_template("curate/review_built.html", areas=areas)


def _asset(asset_id: str):
    try:
        return get_asset(db_session(), asset_id)
    except RegistryError as exc:
        abort(404, str(exc))


@bp.get("/assets/<asset_id>")
def asset(asset_id: str):
    a = _asset(asset_id)
    return render_template("curate/asset.html", a=a, problems=list_problems(db_session(), None, asset_id=a.id),
                           topics=TOPICS, history=history(db_session(), "curated_asset", a.id))


@bp.post("/assets/<asset_id>/verify")
def verify(asset_id: str):
    a = _asset(asset_id)
    mark_verified(db_session(), a.id, who())
    db_session().commit()
    flash(f"“{a.name}” marked as verified today.")
    return redirect(back(url_for(".asset", asset_id=a.id)), 303)


@bp.post("/assets/<asset_id>/status")
def asset_status(asset_id: str):
    status = request.form.get("status", "")
    if status not in ASSET_STATUSES:
        abort(400, f"status must be one of {', '.join(ASSET_STATUSES)}")
    a = set_status(db_session(), _asset(asset_id).id, status, who())
    db_session().commit()
    flash(f"“{a.name}” is now {status}.")
    return redirect(url_for(".asset", asset_id=a.id), 303)


def _audit_entries():
    table = request.args.get("table", "").strip()[:40] or None
    record = request.args.get("record", "").strip()[:64] or None
    return table, record, history(db_session(), table, record, limit=500)


@bp.get("/audit")
def audit():
    table, record, entries = _audit_entries()
    return render_template("curate/audit.html", entries=entries, table=table, record=record)


@bp.get("/audit.csv")
def audit_csv():
    """The same entries as CSV; every text cell through ``safe_csv_cell`` (no formulas in spreadsheets)."""
    _, _, entries = _audit_entries()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(AUDIT_COLUMNS)
    for e in entries:
        w.writerow([safe_csv_cell(getattr(e, c) if c != "at" else e.at.isoformat()) for c in AUDIT_COLUMNS])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=assetmap-audit.csv"})
