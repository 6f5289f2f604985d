"""About: data sources, licences, attribution and the asset taxonomy."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import markdown
from flask import Blueprint, render_template
from markupsafe import Markup

from ..state import current_state

METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"

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


@lru_cache(maxsize=1)
def methodology_html() -> Markup:
    """docs/methodology.md (the project's own text, no user input) as HTML, rendered once."""
    return Markup(markdown.markdown(METHODOLOGY.read_text(encoding="utf-8"), extensions=["tables"]))


@bp.get("/methodology")
def methodology():
    return render_template("methodology.html", body=methodology_html(), areas=current_state().areas)
