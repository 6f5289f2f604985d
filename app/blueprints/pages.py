"""Linkable pages for one asset and one neighbourhood, from data precomputed at startup
(``AreaView.asset_pages`` and ``AreaView.profiles``, built by assetmap.serving)."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, abort, render_template, url_for

from assetmap.serving.deprivation import IMD_LSOAS_ENGLAND
from assetmap.serving.hours import LOCAL, open_now
from assetmap.serving.profiles import CSV_HEADER, neutral, profile_csv_rows

from ..state import AreaView, current_state
from .downloads import backdrop

bp = Blueprint("pages", __name__)


def asset_map(view: AreaView, a: dict) -> dict:
    """What asset.js draws: the place, its nearby places and the area's streets."""
    return {
        "asset": {k: a[k] for k in ("title", "category", "colour", "lat", "lon")},
        "nearby": [{**{k: n[k] for k in ("title", "category", "colour", "lat", "lon")},
                    "url": url_for("pages.asset", slug=view.slug, asset_id=n["asset_id"])} for n in a["nearby"]],
        **backdrop(view),
        "attribution": view.map_data["attribution"],
    }


def _profile(slug: str, code: str) -> tuple[AreaView, dict]:
    view = current_state().area(slug)
    p = view.profiles.get(code)
    if p is None:
        abort(404, description=f"{view.name} has no neighbourhood with the code “{code[:40]}”. "
                               f"Neighbourhood codes are LSOA 2021 codes such as E01019561; "
                               f"the neighbourhoods table lists every one.")
    return view, p


@bp.get("/area/<slug>/asset/<asset_id>")
def asset(slug: str, asset_id: str):
    view = current_state().area(slug)
    a = view.asset_pages.get(asset_id)
    if a is None:
        abort(404, description=f"There is no place with the id “{asset_id[:80]}” in {view.name}. "
                               f"It may have been merged with another record or removed when the data was "
                               f"last updated. Search by postcode or browse the map to find it.")
    sessions = view.sessions.with_status(view.sessions.at(asset_id), datetime.now(LOCAL))
    now = None if a["trust"]["season_over"] else open_now(a["hours"])
    return render_template("asset.html", view=view, a=a, now=now, config=asset_map(view, a), sessions=sessions)


@bp.get("/area/<slug>/neighbourhood/<code>.csv")
def neighbourhood_csv(slug: str, code: str):
    view, p = _profile(slug, code)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for row in profile_csv_rows(p, view.name, IMD_LSOAS_ENGLAND):
        w.writerow(["" if v is None else neutral(v) for v in row])
    return Response(buf.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="neighbourhood-{p["code"]}.csv"'})


def neighbourhood_map(view: AreaView, p: dict) -> dict:
    """What neighbourhood-map.js draws: the outline, the places inside and just outside, the base map."""
    def place(a: dict, inside: bool) -> dict:
        return {**{k: a[k] for k in ("title", "category", "colour", "lat", "lon")}, "inside": inside,
                "url": url_for("pages.asset", slug=view.slug, asset_id=a["asset_id"])}

    return {"name": p["name"], "code": p["code"], "outline": p["outline"],
            "places": [place(a, True) for a in p["inside"]] + [place(a, False) for a in p["nearby"]],
            **backdrop(view), "attribution": view.map_data["attribution"]}


@bp.get("/area/<slug>/neighbourhood/<code>")
def neighbourhood(slug: str, code: str):
    view, p = _profile(slug, code)
    return render_template("neighbourhood.html", view=view, p=p, imd_lsoas=IMD_LSOAS_ENGLAND,
                           config=neighbourhood_map(view, p))
