"""Jinja filters and template globals: numbers, distances, walking times, safe links."""
from __future__ import annotations

import math
import re

from flask import Flask, current_app
from markupsafe import Markup

from assetmap.serving.links import http_url, landing_url
from assetmap.serving.summary import OGL_SHORT, OS_SHORT, OSM_SHORT

VENDOR_FILES = ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
                "vendor/leaflet.markercluster/leaflet.markercluster.js")


def number(value) -> str:
    """12345 -> '12,345'; missing -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def distance(metres) -> str:
    """350 -> '350 m', 1234 -> '1.2 km', 12345 -> '12 km'."""
    if metres is None:
        return "–"
    m = float(metres)
    if m < 1000:
        return f"{int(round(m))} m"
    if m < 10000:
        return f"{m / 1000:.1f} km"
    return f"{int(round(m / 1000))} km"


def minutes(value) -> str:
    """Whole minutes as '12 min' or '1 h 5 min'."""
    if value is None:
        return "–"
    m = max(1, int(value))
    if m < 60:
        return f"{m} min"
    return f"{m // 60} h {m % 60} min" if m % 60 else f"{m // 60} h"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def checked_date(value) -> str:
    """'2026-10-02' -> '2 October 2026'; '2026-10' -> 'October 2026'; '2026' stays; anything else as given."""
    text = str(value or "")
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return text
    year, month, day = m.groups()
    if not month:
        return year
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}" if day else f"{MONTHS[int(month) - 1]} {year}"


def walk_phrase(r: dict) -> Markup:
    """A lookup result's walking time and distance: the only per-request part of its HTML.

    Built with plain string formatting: minutes() and distance() give only digits, letters,
    spaces, '.' and '–', so there is nothing to escape (and Markup.format costs more than the
    rest of the result).
    """
    slower = (f"; {minutes(r['walk_minutes_reduced'])} at a slower pace"
              if r["walk_minutes_reduced"] != r["walk_minutes"] else "")
    return Markup(f'<strong class="result-distance">{minutes(r["walk_minutes"])} walk</strong>\n'
                  f'              ({distance(r["walk_m"])} on foot{slower})')


def hours_line(week: Markup | None, status: str | None) -> Markup:
    """A lookup result's opening hours: where things stand now ("Open now, until 17:00", made per
    request) before the week in words (``week``, kept per asset by :func:`week_html`)."""
    if week is None:
        return Markup("")
    now = Markup("")
    if status:
        state = "is-open" if status.startswith("Open") else "is-closed"
        now = Markup('<strong class="hours-now {}">{}</strong>. ').format(state, status)
    return Markup('<p class="result-hours"><span class="label">Opening hours:</span> ') + now + week + Markup("</p>")


def week_html(raw: str | None, week: str | None) -> Markup | None:
    """The week in words, with the rule as recorded in its title (for curators); the rule itself
    when it did not parse; None when no hours are recorded."""
    if not raw:
        return None
    if week is None:
        return Markup('<span class="hours-raw">{}</span>').format(raw)
    return Markup('<span class="hours-week" title="As recorded: {}">{}</span>').format(raw, week)


def file_size(n) -> str:
    n = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{int(n)} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def vendor_ready() -> bool:
    """True when scripts/vendor.py has put Leaflet and markercluster into static/vendor/."""
    return current_app.extensions["static_files"].ready(*VENDOR_FILES)


def register_filters(app: Flask) -> None:
    app.add_template_filter(number)
    app.add_template_filter(distance)
    app.add_template_filter(minutes)
    app.add_template_filter(http_url)
    app.add_template_filter(landing_url)
    app.add_template_filter(file_size)
    app.add_template_filter(zip, "zip")
    app.add_template_filter(checked_date)
    # a global, not context: macros imported without context (cached once) can use it
    app.add_template_global(vendor_ready)

    @app.context_processor
    def globals_():
        return {
            "footer_lines": (OSM_SHORT, OGL_SHORT, OS_SHORT),
        }
