"""About: data sources, licences, attribution and the asset taxonomy."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..state import current_state

bp = Blueprint("about", __name__)


def sources_by_name() -> list[dict]:
    """Every source of every area once, in report order, with the areas that use it."""
    merged: dict[str, dict] = {}
    for view in current_state().areas:
        for src in view.sources:
            entry = merged.setdefault(src.get("name", "?"), {**src, "label": view.source_labels.get(src.get("name")),
                                                              "areas": []})
            entry["areas"].append(view.name)
    return list(merged.values())


@bp.get("/about")
def index():
    view = current_state().area(current_state().default)
    return render_template("about.html", sources=sources_by_name(), taxonomy=view.ar.taxonomy, view=view)
