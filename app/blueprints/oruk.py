"""Open Referral UK API (HSDS 3.0 UK profile), read-only, over every loaded area's assets.

``/api/oruk/`` (version info), ``/services`` (paginated; ``search``, ``taxonomy_term_id``,
``taxonomy_id``, ``postcode`` + ``proximity`` in metres), ``/services/{id}``, ``/taxonomies``,
``/taxonomies/{id}``, ``/taxonomy_terms``, ``/taxonomy_terms/{id}``. Responses follow the ORUK
profile's JSON Schemas; errors are JSON with the reason.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from assetmap.errors import PostcodeError
from assetmap.oruk import HSDS_VERSION, PROFILE_URL, OrukCatalogue
from assetmap.results import find_postcode_area

from ..state import current_state

bp = Blueprint("oruk", __name__, url_prefix="/api/oruk")
MAX_PER_PAGE = 200


def build_catalogue(app) -> None:
    """At startup: every area's assets as ORUK services (requests only filter and page)."""
    state = app.extensions["assetmap"]
    app.extensions["oruk"] = OrukCatalogue(state.results, state.views[state.default].ar.taxonomy)


def catalogue() -> OrukCatalogue:
    return current_app.extensions["oruk"]


class BadRequest(ValueError):
    pass


@bp.errorhandler(BadRequest)
def bad_request(exc):
    return jsonify({"error": str(exc), "status": 400}), 400


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise BadRequest(f"{name}={raw[:20]!r}: give a whole number from {lo} to {hi}")
    return int(raw)


def _paging() -> tuple[int, int]:
    return _int("page", 1, 1, 1_000_000), _int("per_page", 50, 1, MAX_PER_PAGE)


@bp.get("/")
def root():
    return jsonify({"version": HSDS_VERSION, "profile": PROFILE_URL,
                    "openapi_url": url_for("docs.openapi_json", _external=True)})


@bp.get("/services")
def services():
    cat = catalogue()
    page, per_page = _paging()
    terms = {t for t in request.args.get("taxonomy_term_id", "").split(",") if t} or None
    near, within = None, None
    postcode = request.args.get("postcode", "").strip()[:40]
    if request.args.get("proximity") and not postcode:
        raise BadRequest("proximity needs a postcode, e.g. ?postcode=S40+1LP&proximity=1000")
    if postcode:
        try:
            area = find_postcode_area(current_state().results, postcode)
            near = area.postcode_xy(postcode)
        except PostcodeError as exc:
            return jsonify({"error": str(exc), "status": exc.status}), exc.status
        if request.args.get("proximity"):
            within = float(_int("proximity", 1000, 1, 100_000))
    idx = cat.find(request.args.get("search", "")[:200] or None, terms, request.args.get("taxonomy_id") or None, near, within)
    return jsonify(cat.page([cat.listed[i] for i in idx], page, per_page))


@bp.get("/services/<sid>")
def service(sid: str):
    cat = catalogue()
    i = cat.by_id.get(sid)
    if i is None:
        return jsonify({"error": f"no service with id {sid[:60]!r}", "status": 404}), 404
    return jsonify(cat.services[i])


@bp.get("/taxonomies")
def taxonomies():
    page, per_page = _paging()
    return jsonify(catalogue().page([catalogue().taxonomy], page, per_page))


@bp.get("/taxonomies/<tid>")
def taxonomy(tid: str):
    cat = catalogue()
    if tid != cat.taxonomy["id"]:
        return jsonify({"error": f"no taxonomy with id {tid[:60]!r}", "status": 404}), 404
    return jsonify({**cat.taxonomy, "taxonomy_terms": cat.terms})


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    page, per_page = _paging()
    return jsonify(catalogue().page(catalogue().terms, page, per_page))


@bp.get("/taxonomy_terms/<tid>")
def taxonomy_term(tid: str):
    term = catalogue().term_by_id.get(tid)
    if term is None:
        return jsonify({"error": f"no taxonomy term with id {tid[:60]!r}", "status": 404}), 404
    return jsonify(term)
