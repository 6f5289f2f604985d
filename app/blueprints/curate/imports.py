"""Importing a file from the browser: the same ``import_file`` as ``assetmap import``, with its per-row report."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import render_template, request
from werkzeug.utils import secure_filename

from assetmap.errors import DataSourceError, RegistryError
from assetmap.registry.importer import import_file, recent_batches
from assetmap.registry.geocode import results_lookup

from ...registry import current_registry, db_session
from . import bp, who

FORMATS = {"": "From the file name (.csv, .geojson, .json)", "csv": "CSV", "geojson": "GeoJSON",
           "oruk": "Open Referral UK (JSON)"}
SHOWN_ROWS = 1000


def _form(errors=None, values=None, status=200):
    return render_template("curate/import.html", formats=FORMATS, errors=errors or {}, values=values or {},
                           batches=recent_batches(db_session())), status


@bp.get("/import")
def import_form():
    return _form()


@bp.post("/import")
def import_upload():
    values = {k: (request.form.get(k) or "").strip() for k in ("source", "format", "area", "complete")}
    upload = request.files.get("file")
    errors = {}
    if upload is None or not upload.filename:
        errors["file"] = ["Choose a file to import."]
    if values["format"] not in FORMATS:
        errors["format"] = ["Choose one of the listed formats."]
    if not values["source"]:
        errors["source"] = ["Give the list's source name, e.g. chesterfield-council."]
    if errors:
        return _form(errors, values, 400)
    name = secure_filename(upload.filename) or "upload"
    with tempfile.TemporaryDirectory(prefix="assetmap-import-") as tmp:
        path = Path(tmp) / name
        upload.save(path)
        try:
            report = import_file(db_session(), path, values["source"], format=values["format"] or None,
                                 lookup=results_lookup(current_registry().results), taxonomy=current_registry().taxonomy,
                                 who=who(), area=values["area"][:64] or None,
                                 complete=values["complete"] == "1")
        except (RegistryError, DataSourceError) as exc:
            db_session().rollback()
            key = "source" if "source name" in str(exc) else "file"
            return _form({key: [str(exc)]}, values, 400)
    db_session().commit()
    return render_template("curate/import_report.html", report=report, counts=report.counts,
                           rows=report.rows[:SHOWN_ROWS], more=max(0, len(report.rows) - SHOWN_ROWS))
