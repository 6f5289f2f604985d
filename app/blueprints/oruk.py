"""Open Referral UK API (HSDS 3.0 UK profile), read-only, over every loaded area's assets.

``/api/oruk/`` (version info), ``/services`` (paginated; ``search``, ``taxonomy_term_id`` (term
ids or codes such as ``food_bank``, comma-separated), ``taxonomy_id``, ``postcode`` + ``proximity``
in metres), ``/services/{id}``, ``/service_at_locations`` (paginated, same filters) and by id,
``/taxonomies``, ``/taxonomies/{id}``, ``/taxonomy_terms``, ``/taxonomy_terms/{id}``. Every route
answers with and without a trailing slash (the ORUK validator asks for ``/services/?page=1``).
Responses follow the ORUK profile's JSON Schemas; errors are JSON with the reason. Each states its
licence in ``Link`` headers (RFC 8288 ``rel="license"``, which the schemas leave room for): the
services are a database derived from OpenStreetMap (ODbL 1.0), and the downloads page's licences
section (``rel="describedby"``) lists each curated source's own terms.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from assetmap.errors import PostcodeError
from assetmap.oruk.catalogue import HSDS_VERSION, PROFILE_URL, OrukCatalogue
from assetmap.outputs.read import find_postcode_area

from ..params import whole_number
from ..state import current_state

bp = Blueprint("oruk", __name__, url_prefix="/api/oruk")
MAX_PER_PAGE = 200


def catalogue() -> OrukCatalogue:
    """Every area's assets as ORUK services, built with the site's state (requests only filter and page)."""
    return current_state().oruk


class BadRequest(ValueError):
    """A request the API answers with its reason as JSON: 400, or ``status`` (404 for an unknown postcode)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"


@bp.after_request
def licence_links(resp):
    """The feed's licence and attribution, in headers so that the JSON stays the profile's."""
    resp.headers.add("Link", f'<{ODBL_URL}>; rel="license"')
    resp.headers.add("Link", f'<{url_for("downloads.index", _external=True)}#licences-title>; rel="describedby"')
    return resp


@bp.errorhandler(BadRequest)
def bad_request(exc):
    return jsonify({"error": str(exc), "status": exc.status}), exc.status


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name, str(default))
    v = whole_number(raw, lo, hi)
    if v is None:
        raise BadRequest(f"{name}={raw[:20]!r}: give a whole number from {lo} to {hi} (digits 0-9)")
    return v


def _paging() -> tuple[int, int]:
    return _int("page", 1, 1, 1_000_000), _int("per_page", 50, 1, MAX_PER_PAGE)


@bp.get("/", strict_slashes=False)
def root():
    return jsonify({"version": HSDS_VERSION, "profile": PROFILE_URL,
                    "openapi_url": url_for("docs.openapi_json", _external=True)})


def _matches() -> list[int]:
    """Indices of the services the query's filters select (nearest first with a postcode)."""
    cat = catalogue()
    terms = cat.term_ids([t for t in request.args.get("taxonomy_term_id", "").split(",") if t][:50]) or None
    near, within = None, None
    postcode = request.args.get("postcode", "").strip()[:40]
    if request.args.get("proximity") and not postcode:
        raise BadRequest("proximity needs a postcode, e.g. ?postcode=S40+1LP&proximity=1000")
    if postcode:
        try:
            area = find_postcode_area(current_state().results, postcode)
            near = area.postcode_xy(postcode)
        except PostcodeError as exc:
            raise BadRequest(str(exc), exc.status) from None
        if request.args.get("proximity"):
            within = float(_int("proximity", 1000, 1, 100_000))
    return cat.find(request.args.get("search", "")[:200] or None, terms, request.args.get("taxonomy_id") or None,
                    near, within)


@bp.get("/services", strict_slashes=False)
def services():
    cat = catalogue()
    page, per_page = _paging()
    return jsonify(cat.page([cat.listed[i] for i in _matches()], page, per_page))


@bp.get("/service_at_locations", strict_slashes=False)
def service_at_locations():
    cat = catalogue()
    page, per_page = _paging()
    return jsonify(cat.page([sal for i in _matches() for sal in cat.sal_listed[i]], page, per_page))


@bp.get("/service_at_locations/<sal_id>", strict_slashes=False)
def service_at_location(sal_id: str):
    found = catalogue().service_at_location(sal_id)
    if found is None:
        return jsonify({"error": f"no service_at_location with id {sal_id[:60]!r}", "status": 404}), 404
    return jsonify(found)


@bp.get("/services/<sid>", strict_slashes=False)
def service(sid: str):
    cat = catalogue()
    i = cat.by_id.get(sid)
    if i is None:
        return jsonify({"error": f"no service with id {sid[:60]!r}", "status": 404}), 404
    return jsonify(cat.services[i])


@bp.get("/taxonomies", strict_slashes=False)
def taxonomies():
    page, per_page = _paging()
    return jsonify(catalogue().page([catalogue().taxonomy], page, per_page))


@bp.get("/taxonomies/<tid>", strict_slashes=False)
def taxonomy(tid: str):
    cat = catalogue()
    if tid != cat.taxonomy["id"]:
        return jsonify({"error": f"no taxonomy with id {tid[:60]!r}", "status": 404}), 404
    return jsonify({**cat.taxonomy, "taxonomy_terms": cat.terms})


@bp.get("/taxonomy_terms", strict_slashes=False)
def taxonomy_terms():
    page, per_page = _paging()
    return jsonify(catalogue().page(catalogue().terms, page, per_page))


@bp.get("/taxonomy_terms/<tid>", strict_slashes=False)
def taxonomy_term(tid: str):
    term = catalogue().term_by_id.get(tid)
    if term is None:
        return jsonify({"error": f"no taxonomy term with id {tid[:60]!r}", "status": 404}), 404
    return jsonify(term)
