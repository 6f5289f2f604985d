"""The registry's services (activities and groups) for curators: the list (search, pages), one service
with its places and sessions in words, its edit form, adding, changing and removing sessions, and
linking it to a registry place. Checking and storing are the library's
(:mod:`assetmap.registry.services_edit`); every change is audited there."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from assetmap.errors import RegistryError
from assetmap.registry.assets import find_assets
from assetmap.registry.audit import history
from assetmap.registry.models_services import ACCESS
from assetmap.registry.services_edit import (
    NTH,
    SERVICE_FIELDS,
    SESSION_FIELDS,
    check_service,
    check_session,
    get_service,
    link_place,
    list_services,
    remove_session,
    save_service,
    save_session,
    service_places,
    service_sessions,
    session_form,
    session_words,
    unlink_place,
)

from ...forms import Field, field_errors
from ...params import int_arg
from ...registry_setup import current_registry, db_session
from .base import bp, who

PER_PAGE = 50
SERVICE_FORM = (
    Field("name", "Name of the activity or group", required=True),
    Field("category", "Type of activity", "select", required=True),
    Field("description", "What happens", "textarea", "Who it is for, what people do."),
    Field("cost", "Cost", hint="“free”, or e.g. “£2 a session”."),
    Field("eligibility", "Who can come", "textarea", "e.g. “Adults over 50”, “Carers”."),
    Field("contact_name", "Contact person"),
    Field("languages", "Languages", hint="e.g. English, Polish."),
)
SESSION_FORM = (Field("freq", "How often"), Field("byday", "Day(s)"), Field("nth", "Which week of the month"),
                Field("interval", "Every how many weeks"), Field("opens_at", "Starts (HH:MM)"),
                Field("closes_at", "Ends (HH:MM)"), Field("valid_from", "From (YYYY-MM-DD)"),
                Field("valid_to", "Until (YYYY-MM-DD)"), Field("note", "Note"))
SERVICE_ALL = (*SERVICE_FORM, Field("access", "How to join"))


def _form(names) -> dict[str, str]:
    return {k: (request.form.get(k) or "").strip() for k in names}


def _service(sid: str):
    try:
        return get_service(db_session(), sid)
    except RegistryError as exc:
        abort(404, str(exc))


@bp.get("/services")
def services():
    q = (request.args.get("q") or "").strip()[:100]
    pg = int_arg("page", 1, lo=1, hi=10000) or 1
    rows, total = list_services(db_session(), q, (pg - 1) * PER_PAGE, PER_PAGE)
    return render_template("curate/services.html", rows=rows, total=total, q=q, page=pg, per_page=PER_PAGE)


def _render(svc, values=None, errors=None, session_values=None, session_errors=None, status=200):
    s = db_session()
    place_q = (request.args.get("place_q") or "").strip()[:100]
    values = values or {k: ("" if getattr(svc, k) is None else getattr(svc, k)) for k in SERVICE_FIELDS}
    sessions = [(row, session_words(row)) for row in service_sessions(s, svc)]
    return render_template("curate/service.html", svc=svc, fields=SERVICE_FORM, all_fields=SERVICE_ALL,
                           session_labels=SESSION_FORM, values=values, errors=errors or {},
                           options=current_registry().category_groups, access=ACCESS, nth=NTH,
                           places=service_places(s, svc), sessions=sessions, place_q=place_q,
                           found=find_assets(s, place_q) if place_q else [],
                           session_values=session_values or {"freq": "WEEKLY", "interval": "1"},
                           session_errors=session_errors or {},
                           history=history(s, "service", svc.id)), status


@bp.get("/services/<sid>")
def service(sid: str):
    return _render(_service(sid))


def _new_page(values: dict, errors: dict, status: int = 200):
    return render_template("curate/service_new.html", fields=SERVICE_FORM, all_fields=SERVICE_ALL, values=values,
                           errors=errors, options=current_registry().category_groups, access=ACCESS), status


@bp.get("/services/new")
def new_service():
    return _new_page({}, {})


@bp.post("/services/new")
def create_service():
    checked = check_service(request.form, current_registry().category_keys)
    if not checked.ok:
        return _new_page(_form(SERVICE_FIELDS), field_errors(checked.reasons, SERVICE_ALL), 400)
    svc = save_service(db_session(), None, checked.values, who())
    db_session().commit()
    flash(f"Service “{svc.name}” created. Add its sessions and the place where it happens below.")
    return redirect(url_for(".service", sid=svc.id), 303)


@bp.post("/services/<sid>")
def edit_service(sid: str):
    svc = _service(sid)
    checked = check_service(request.form, current_registry().category_keys)
    if not checked.ok:
        flash("The service was not saved: fix the fields marked below.", "error")
        return _render(svc, _form(SERVICE_FIELDS), field_errors(checked.reasons, SERVICE_ALL),
                       status=400)
    save_service(db_session(), svc.id, checked.values, who())
    db_session().commit()
    flash(f"Service “{svc.name}” saved.")
    return redirect(url_for(".service", sid=svc.id), 303)


@bp.post("/services/<sid>/sessions")
def add_session(sid: str):
    svc = _service(sid)
    checked = check_session(request.form)
    if not checked.ok:
        flash("The session was not added: fix the fields marked below.", "error")
        return _render(svc, session_values=_form(SESSION_FIELDS),
                       session_errors=field_errors(checked.reasons, SESSION_FORM), status=400)
    row = save_session(db_session(), svc.id, None, checked.values, who())
    db_session().commit()
    flash(f"Session added: {session_words(row)}.")
    return redirect(url_for(".service", sid=svc.id), 303)


@bp.route("/services/<sid>/sessions/<int:schedule_id>", methods=["GET", "POST"])
def edit_session(sid: str, schedule_id: int):
    svc = _service(sid)
    row = next((r for r in service_sessions(db_session(), svc) if r.id == schedule_id), None)
    if row is None:
        abort(404, f"service {sid!r} has no session {schedule_id}")
    values, errors, status = session_form(row), {}, 200
    if request.method == "POST":
        checked = check_session(request.form)
        if checked.ok:
            save_session(db_session(), svc.id, row.id, checked.values, who())
            db_session().commit()
            flash(f"Session saved: {session_words(row)}.")
            return redirect(url_for(".service", sid=svc.id), 303)
        values, errors, status = _form(SESSION_FIELDS), field_errors(checked.reasons, SESSION_FORM), 400
    return render_template("curate/session_edit.html", svc=svc, session_labels=SESSION_FORM, row=row, values=values, errors=errors,
                           nth=NTH), status


@bp.post("/services/<sid>/sessions/<int:schedule_id>/remove")
def delete_session(sid: str, schedule_id: int):
    return _change(sid, lambda svc: remove_session(db_session(), svc.id, schedule_id, who()), "Session removed.")


@bp.post("/services/<sid>/places")
def add_place(sid: str):
    asset_id = request.form.get("asset_id") or ""
    return _change(sid, lambda svc: link_place(db_session(), svc.id, asset_id, who()),
                   "Place linked: the service happens there.")


@bp.post("/services/<sid>/places/<sal_id>/remove")
def remove_place(sid: str, sal_id: str):
    return _change(sid, lambda svc: unlink_place(db_session(), svc.id, sal_id, who()), "Place unlinked.")


def _change(sid: str, change, done: str):
    """Apply one audited change to service ``sid``: commit and say ``done``, or roll back and say why."""
    svc = _service(sid)
    try:
        change(svc)
        db_session().commit()
        flash(done)
    except RegistryError as exc:
        db_session().rollback()
        flash(str(exc), "error")
    return redirect(url_for(".service", sid=svc.id), 303)
