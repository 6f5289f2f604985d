"""A shortlist of places for a link worker to hand over: no account, nothing stored here.

The list lives in the page address (``/shortlist?ids=<slug>:<asset_id>,…``), so the link reopens
the same list anywhere; ``static/js/shortlist.js`` keeps the list being built in the browser's
``sessionStorage`` and turns the "Add to shortlist" buttons into toggles. The page is rendered
here from the ids alone, with each place's contact details, hours and sessions, and prints one place per
block (``@media print`` in app.css). ``postcode`` adds the walk to each place from it, ``note`` a note
for the person; both go into the link too.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, render_template, request, url_for

from assetmap.serving.hours import LOCAL

from ..state import current_state

bp = Blueprint("shortlist", __name__)

MAX_PLACES = 30
MAX_ID = 120  # characters of one "<slug>:<asset_id>" reference
MAX_NOTE = 500  # characters of the note printed with the list


def parse_ids(text: str) -> tuple[list[str], int]:
    """The distinct, well-formed references in ``text`` (comma-separated, at most MAX_PLACES) and
    how many more were given beyond that bound."""
    refs: list[str] = []
    for part in text.split(","):
        ref = part.strip()
        if not ref or len(ref) > MAX_ID or ":" not in ref or ref in refs:
            continue
        refs.append(ref)
    return refs[:MAX_PLACES], max(0, len(refs) - MAX_PLACES)


def shortlist_url(refs: list[str]) -> str:
    """The page's address for these references (":" and "," kept readable, as shortlist.js writes it)."""
    base = url_for("shortlist.index")
    return base + "?ids=" + ",".join(quote(r, safe=":") for r in refs) if refs else base


def resolve(refs: list[str], postcode: str = "") -> tuple[list[dict], list[str]]:
    """(the places found, with their area, page, removal link, sessions and the walk from ``postcode``;
    the references not found)."""
    state = current_state()
    now = datetime.now(LOCAL)
    places, unknown = [], []
    for ref in refs:
        slug, _, asset_id = ref.partition(":")
        view = state.views.get(slug)
        a = view.asset_pages.get(asset_id) if view is not None else None
        if a is None:
            unknown.append(ref)
            continue
        places.append({"ref": ref, "a": a, "area": view.name,
                       "url": url_for("pages.asset", slug=slug, asset_id=asset_id),
                       "sessions": view.sessions.with_status(view.sessions.at(asset_id), now),
                       "walk": view.walk_to(postcode, asset_id)})
    known = [p["ref"] for p in places]
    for p in places:
        p["remove_url"] = shortlist_url([r for r in known if r != p["ref"]])
    return places, unknown


@bp.get("/shortlist")
def index():
    refs, dropped = parse_ids(request.args.get("ids", "")[:MAX_PLACES * MAX_ID * 2])
    postcode = request.args.get("postcode", "").strip()[:10]
    note = request.args.get("note", "").strip()[:MAX_NOTE]
    places, unknown = resolve(refs, postcode)
    known = [p["ref"] for p in places]
    extra = "".join(f"&{k}={quote(v)}" for k, v in (("postcode", postcode), ("note", note)) if v and known)
    return render_template("shortlist.html", places=places, unknown=unknown, dropped=dropped,
                           max_places=MAX_PLACES, refs=known, postcode=postcode, note=note,
                           walks_known=any(p["walk"] for p in places),
                           page_url=request.host_url.rstrip("/") + shortlist_url(known) + extra)
