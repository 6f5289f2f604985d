"""What anyone can send: "Suggest a place" and "Report a problem". Both wait for a moderator;
nothing sent here is published before a curator approves it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from assetmap.errors import RegistryError, RowValidationError
from assetmap.registry.assets import find_assets
from assetmap.registry.community import client_hash, create_suggestion, report_problem
from assetmap.registry.models import PROBLEM_TOPICS, CuratedAsset
from assetmap.registry.suggest_activity import create_activity_suggestion

from ..forms import (
    ACCESS_CHOICES,
    HONEYPOT,
    OFTEN_CHOICES,
    SUGGEST_ACTIVITY_FIELDS,
    SUGGEST_FIELDS,
    field_errors,
    form_values,
)
from ..registry_setup import current_registry, db_session
from ..state import current_state

bp = Blueprint("community", __name__)

TOPICS = {"closed": "It has closed", "moved": "It has moved", "details_wrong": "Some details are wrong",
          "other": "Something else"}
assert set(TOPICS) == set(PROBLEM_TOPICS)


def _client() -> str:
    return client_hash(request.remote_addr or "", request.user_agent.string[:200],
                       salt=current_app.config["SECRET_KEY"][:16])


@bp.route("/suggest", methods=["GET", "POST"])
def suggest():
    activity = request.values.get("kind") == "activity"
    fields = SUGGEST_ACTIVITY_FIELDS if activity else SUGGEST_FIELDS
    values, errors = form_values(request.form, fields), {}
    if request.method == "POST":
        if request.form.get(HONEYPOT):
            return redirect(url_for(".thanks", kind="suggestion"), 303)
        try:
            if activity:
                create_activity_suggestion(db_session(), values, current_registry().category_keys, client=_client())
            else:
                create_suggestion(db_session(), {k: v or None for k, v in values.items()},
                                  current_registry().checks(), client=_client())
            db_session().commit()
            return redirect(url_for(".thanks", kind="suggestion"), 303)
        except RowValidationError as exc:
            errors = field_errors(exc.reasons, fields, public=not activity)
    return render_template("community/suggest.html", fields=fields, values=values, errors=errors,
                           activity=activity, options=current_registry().category_groups,
                           choices={"often": OFTEN_CHOICES, "access": ACCESS_CHOICES}), 400 if errors else 200


@dataclass
class MapPlace:
    """A place on the map that is not a registry asset (OpenStreetMap or a curated file)."""

    id: str
    area: str
    name: str
    address: str | None
    postcode: str | None


def _published(asset_id: str, area: str | None = None) -> CuratedAsset | MapPlace:
    """The registry asset, or else the place of a built area, that a report is about (404 if none)."""
    asset = db_session().get(CuratedAsset, asset_id[:64]) if asset_id else None
    if asset is not None and asset.status == "published":
        return asset
    for view in current_state().areas:
        page = view.asset_pages.get(asset_id) if area in (None, "", view.slug) else None
        if page is not None:
            return MapPlace(asset_id, view.slug, page["title"], page.get("address"), page.get("postcode"))
    abort(404, "We could not find that place. Search for it by name on the “Report a problem” page.")


@bp.route("/report", methods=["GET", "POST"])
def report():
    asset_id = (request.values.get("asset") or "").strip()
    if not asset_id:
        q = request.args.get("q", "").strip()[:100]
        return render_template("community/report_find.html", q=q, found=find_assets(db_session(), q) if q else None)
    asset, errors = _published(asset_id, request.values.get("area")), {}
    topic, text = request.form.get("topic", ""), request.form.get("text", "")
    if request.method == "POST":
        if topic not in TOPICS:
            errors["topic"] = ["Choose what is wrong."]
        else:
            try:
                if isinstance(asset, MapPlace):
                    report_problem(db_session(), None, topic, text, client=_client(), area=asset.area,
                                   map_asset_id=asset.id, place_name=asset.name)
                else:
                    report_problem(db_session(), asset.id, topic, text, client=_client())
                db_session().commit()
                return redirect(url_for(".thanks", kind="report"), 303)
            except RegistryError as exc:
                errors["text"] = [str(exc)]
    return render_template("community/report.html", asset=asset, topics=TOPICS, topic=topic, text=text,
                           errors=errors), 400 if errors else 200


@bp.get("/thanks/<any(suggestion, report):kind>")
def thanks(kind: str):
    return render_template("community/thanks.html", kind=kind)
