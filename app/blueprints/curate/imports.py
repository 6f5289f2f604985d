"""Importing a file from the browser: the same ``import_file`` as ``assetmap import``, with its per-row
report; a file of more than :data:`JOB_ROWS` rows is imported by a background job whose progress page
any worker can show (see :mod:`assetmap.registry.jobs`)."""
from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from pathlib import Path

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from assetmap.errors import DataSourceError, RegistryError
from assetmap.registry.geocode import results_lookup
from assetmap.registry.import_files import preflight
from assetmap.registry.importer import import_file, recent_batches
from assetmap.registry.jobs import create_job, get_job, job_view, recent_jobs, start_job
from assetmap.registry.limits import WEB_LIMITS, ImportLimitError

from ...registry_setup import current_registry, db_session
from .base import bp, who

FORMATS = {"": "From the file name (.csv, .geojson, .json)", "csv": "CSV", "geojson": "GeoJSON",
           "oruk": "Open Referral UK (JSON)"}
ENCODINGS = {"utf-8": "UTF-8 (also with a byte-order mark)", "cp1252": "Windows-1252 (Excel on Windows, “ANSI”)",
             "latin-1": "Latin-1 (ISO-8859-1)", "iso-8859-15": "Latin-9 (ISO-8859-15)", "mac-roman": "Mac Roman",
             "utf-16": "UTF-16"}
SHOWN_ROWS = 1000
JOB_ROWS = 2000  # more rows than this (lines of CSV) and the import runs as a background job
LEFT_OVER = 24 * 3600  # seconds after which an upload no job took is deleted


def _form(errors=None, values=None, status=200):
    s = db_session()
    return render_template("curate/import.html", formats=FORMATS, encodings=ENCODINGS, errors=errors or {},
                           values=values or {}, batches=recent_batches(s),
                           jobs=[job_view(j) for j in recent_jobs(s, 5)]), status


@bp.get("/import")
def import_form():
    return _form()


def _uploads() -> Path:
    """Where uploads wait for their import; files left by a worker that died a day ago are removed."""
    folder = Path(current_app.config["INSTANCE_DIR"]) / "import-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    old = time.time() - LEFT_OVER
    for f in folder.iterdir():
        with contextlib.suppress(OSError):
            if f.stat().st_mtime < old:
                f.unlink()
    return folder


def _check_form(values: dict, upload) -> dict:
    errors = {}
    if upload is None or not upload.filename:
        errors["file"] = ["Choose a file to import."]
    if values["format"] not in FORMATS:
        errors["format"] = ["Choose one of the listed formats."]
    if values["encoding"] not in ENCODINGS:
        errors["encoding"] = ["Choose one of the listed encodings."]
    if not values["source"]:
        errors["source"] = ["Give the list's source name, e.g. chesterfield-council."]
    return errors


@bp.post("/import")
def import_upload():
    values = {k: (request.form.get(k) or "").strip() for k in ("source", "format", "area", "complete", "encoding")}
    values["encoding"] = values["encoding"] or "utf-8"
    upload = request.files.get("file")
    errors = _check_form(values, upload)
    if errors:
        return _form(errors, values, 400)
    name = secure_filename(upload.filename) or "upload"
    path = _uploads() / f"{uuid.uuid4().hex}-{name}"
    upload.save(path)
    kw = dict(format=values["format"] or None, encoding=values["encoding"], area=values["area"][:64] or None,
              complete=values["complete"] == "1")
    try:
        rows = preflight(path, kw["format"], WEB_LIMITS)
        if rows > JOB_ROWS:
            return _start(path, values["source"], name, kw)
        return _import_now(path, values["source"], kw)
    except ImportLimitError as exc:
        db_session().rollback()
        return _form({"file": [str(exc)]}, values, 413)
    except (RegistryError, DataSourceError) as exc:
        db_session().rollback()
        key = "source" if "source name" in str(exc) else "file"
        return _form({key: [str(exc)]}, values, 400)
    finally:
        path.unlink(missing_ok=True)  # moved away when imported or handed to a job


def _import_now(path: Path, source: str, kw: dict):
    with tempfile.TemporaryDirectory(prefix="assetmap-import-") as tmp:
        named = Path(tmp) / path.name.split("-", 1)[1]  # the report names the file as uploaded
        path.rename(named)
        report = import_file(db_session(), named, source, lookup=results_lookup(current_registry().results),
                             taxonomy=current_registry().taxonomy, who=who(), limits=WEB_LIMITS, **kw)
    db_session().commit()
    return render_template("curate/import_report.html", report=report, counts=report.counts,
                           rows=report.rows[:SHOWN_ROWS], more=max(0, report.counts["rows"] - SHOWN_ROWS))


def _start(path: Path, source: str, name: str, kw: dict):
    from assetmap.registry.importer import check_source_name

    check_source_name(source)
    s = db_session()
    job = create_job(s, source=source, filename=name, who=who(), **kw)
    s.commit()
    job_path = path.with_name(f"job-{job.id}-{name}")
    path.rename(job_path)
    reg = current_registry()
    start_job(reg.engine, job.id, job_path, lookup=results_lookup(reg.results), taxonomy=reg.taxonomy,
              limits=WEB_LIMITS)
    return redirect(url_for(".import_job", job_id=job.id), 303)


def _job(job_id: int):
    try:
        return job_view(get_job(db_session(), job_id))
    except RegistryError as exc:
        abort(404, str(exc))


@bp.get("/import/jobs/<int:job_id>")
def import_job(job_id: int):
    view = _job(job_id)
    return render_template("curate/import_job.html", view=view, job=view.job, report=view.job.report or {})


@bp.get("/import/jobs/<int:job_id>.json")
def import_job_json(job_id: int):
    view = _job(job_id)
    j = view.job
    return jsonify({"id": j.id, "status": view.status, "active": view.active, "rows_read": j.rows_read,
                    "accepted": j.accepted, "quarantined": j.quarantined, "rows_saved": j.rows_saved,
                    "error": view.error, "batch_id": j.batch_id,
                    "summary": (j.report or {}).get("summary")})
