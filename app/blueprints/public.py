"""The public "what is near me?" page: nearest assets to a postcode."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, request, url_for

from assetmap.errors import MalformedPostcodeError, PostcodeError
from assetmap.ingest.places import normalise_name
from assetmap.ingest.postcodes import normalise
from assetmap.outputs.read import Lookup, find_places, find_postcode_area, place_by_label
from assetmap.serving.hours import LOCAL
from assetmap.serving.search import (
    CANDIDATES,
    Filters,
    apply_filters,
    rank_by_trust,
    read_filters,
    wheelchair_unknown,
)

from ..page_cache import render_framed
from ..params import int_arg
from ..state import current_state
from .downloads import backdrop

bp = Blueprint("public", __name__)
MAX_PAGES = 5  # "more results" up to 5 pages (50 places with the default limit)
SEARCH_ARGS = ("postcode", "near", "q", "category", "access", "open")  # what "more results" keeps


def lookup_map(found: Lookup) -> dict:
    """What lookup.js draws: the postcode, the numbered results and the area's streets."""
    view = current_state().area(found.area)
    cats = view.map_data["categories"]
    return {
        "postcode": found.postcode, "lon": found.lon, "lat": found.lat,
        "results": [{"rank": i, "name": r["name"], "category_label": r["category_label"],
                     "colour": cats.get(r["category"], {}).get("colour", "#555555"),
                     "walk_m": r["walk_m"], "walk_minutes": r["walk_minutes"], "lon": r["lon"], "lat": r["lat"],
                     "url": url_for("pages.asset", slug=found.area, asset_id=r["asset_id"])}
                    for i, r in enumerate(found.results, start=1)],
        **backdrop(view),
        "attribution": view.map_data["attribution"],
    }


def _chosen(postcode: str, near: str) -> dict | None:
    """A place picked from a list of choices: its label and postcode must belong together."""
    try:
        code = normalise(postcode)
    except PostcodeError:
        return None
    place = place_by_label(current_state().results, near)
    return place if place and place["postcode"] == code else None


def _place(text: str, error: MalformedPostcodeError) -> tuple[dict | None, dict | None, int]:
    """(the place to search from, or None; else the template context and status): a unique match
    is used at once, several are offered as choices, none is the postcode error plus a hint."""
    state = current_state()
    places = find_places(state.results, text)
    if not places:
        names = ", ".join(v.name for v in state.areas)
        return None, {"error": f"{error} It is not the name of a place or street we know in {names} either."}, 400
    key = normalise_name(text)
    exact = [p for p in places if p["key"] == key]
    if len(exact) == 1 or (len(places) == 1):
        return (exact or places)[0], None, 200
    return None, {"choices": places}, 200


def vocabulary():
    """The "what matters to you?" vocabulary (data/interests.toml), read once per app."""
    vocab = current_app.extensions.get("assetmap_vocabulary")
    if vocab is None:
        from assetmap.interests import load_vocabulary
        from assetmap.taxonomy import load_taxonomy

        vocab = current_app.extensions["assetmap_vocabulary"] = load_vocabulary(load_taxonomy())
    return vocab


def _understand(filters: Filters) -> tuple[object | None, dict | None]:
    if not filters.q:
        return None, None
    understood = vocabulary().understand(filters.q)
    if not understood.interests:
        examples = "company, gardening, carer, music, exercise, food, faith or computer help"
        return None, {"error": f"We did not recognise “{filters.q[:60]}” as something we can search for. "
                               f"Try words like {examples}, or leave “What matters to you?” empty."}
    return understood, None


def _more_url(pages: int, shown: int) -> str:
    """The same search with one page more, landing on the first new place."""
    args = {k: request.args[k] for k in SEARCH_ARGS if request.args.get(k)}
    return url_for("public.lookup", **args, page=pages + 1) + f"#result-{shown + 1}"


def run_lookup(text: str, category: str | None, near: str | None = None,
               filters: Filters | None = None, pages: int = 1) -> tuple[dict, int]:
    """Template context and HTTP status for a lookup from a postcode, a place or a street name
    (the first ``pages`` pages of results: "more results" asks for one page more);
    user errors become 400/404 with a message."""
    state = current_state()
    if category and category not in state.category_labels:
        return {"error": f"“{category[:40]}” is not a type of place this site knows. "
                         f"Choose one from the list, or “Any type”."}, 400
    filters = filters or Filters()
    understood, problem = _understand(filters)
    if problem:
        return problem, 400
    place = _chosen(text, near) if near else None
    if near and place is None:
        return {"error": f"“{near[:60]}” is not a place near {text[:10]} that this site knows; search for it again."}, 400
    try:
        area = find_postcode_area(state.results, text)
        postcode = text
    except MalformedPostcodeError as exc:
        place, context, status = _place(text, exc)
        if place is None:
            return context, status
        area, postcode = state.results[place["area"]], place["postcode"]
    except PostcodeError as exc:  # an unknown postcode, or one of a district outside its mapped part
        outside = getattr(exc, "outside", None)  # a real postcode, not mapped: an answer, not an error
        return {"error": str(exc), "outside": outside}, 200 if outside else exc.status
    limit = current_app.config["LOOKUP_LIMIT"] * pages
    where = None
    if understood:  # places of the interests, and places where a session fits them
        where = area.mask(understood.categories, understood.keywords) | state.area(area.slug).sessions.mask(
            understood.categories, understood.keywords)
    try:  # enough candidates for the trust ranking and the filters, and one more to know there are more
        found = area.lookup(postcode, limit=max(CANDIDATES, limit + 1), category=category, where=where)
    except PostcodeError as exc:
        return {"error": str(exc)}, exc.status
    except ValueError as exc:  # a category the postcode's area does not have
        return {"error": f"{exc}. Choose another type of place, or “Any type”."}, 400
    return _answer(found, place, filters, understood, limit, pages), 200


def _answer(found: Lookup, place: dict | None, filters: Filters, understood, limit: int, pages: int) -> dict:
    """The template context of a lookup's results: ranked with trust, filtered, cut to the pages shown."""
    view = current_state().area(found.area)
    candidates = len(found.results)
    unknown = wheelchair_unknown(found.results, view.asset_pages) if filters.wheelchair else 0
    found.results, dropped = apply_filters(rank_by_trust(found.results), view.asset_pages, filters, limit + 1,
                                           sessions=view.sessions)
    more = len(found.results) > limit and pages < MAX_PAGES
    found.results = found.results[:limit]
    area_wide = view.sessions.area_wide_for(datetime.now(LOCAL), understood.categories, understood.keywords) \
        if understood else []
    return {"found": found, "more_url": _more_url(pages, limit) if more else None, "place": place, "area": view,
            "map": lookup_map(found), "filters": filters, "wheelchair": {"unknown": unknown, "of": candidates},
            "understood": understood, "dropped": dropped, "area_wide": area_wide,
            "items": view.result_items(found.results, understood, found.postcode)}


@bp.get("/lookup")
def lookup():
    postcode = request.args.get("postcode", "").strip()[:60]
    category = request.args.get("category", "").strip()[:60] or None
    near = request.args.get("near", "").strip()[:120] or None
    filters, problem = read_filters(request.args)
    if problem:
        context, status = {"error": problem}, 400
    else:
        pages = int_arg("page", 1, 1, MAX_PAGES) or 1
        context, status = run_lookup(postcode, category, near, filters, pages) if postcode else ({}, 200)
    context.setdefault("filters", filters)
    # the head and scripts blocks depend only on whether a postcode was found and had results
    found = context.get("found")
    return render_framed("lookup.html", holes=("title", "main"), variant=(bool(found), bool(found and found.results)),
                         postcode=postcode, category=category, **context), status
