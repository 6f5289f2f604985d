"""The OpenAPI 3.0 description of the app's JSON endpoints, as data (served at /api/openapi.json
and rendered as the /api page)."""
from __future__ import annotations

from assetmap import __version__


def _q(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _json(description: str, schema: dict, mime: str = "application/json") -> dict:
    return {"description": description, "content": {mime: {"schema": schema}}}


CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
ERROR = {"$ref": "#/components/schemas/Error"}
OGC_ERROR = {"$ref": "#/components/schemas/OgcError"}
PAGE = {"$ref": "#/components/schemas/OrukPage"}
POSTCODE = _q("postcode", "A UK postcode in the served areas, e.g. S40 1LP.", {"type": "string", "maxLength": 40}, True)
SLUG = _path("slug", "The area, e.g. chesterfield (see /healthz).")
PAGE_PARAMS = [_q("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 1000000}),
               _q("per_page", "Items per page (up to 200).", {"type": "integer", "minimum": 1, "maximum": 200})]


def _errors(*codes: int, schema: dict = ERROR) -> dict:
    text = {400: "The request is malformed; the body says why.", 404: "Not found; the body says what."}
    return {str(c): _json(text[c], schema) for c in codes}


def _ogc_paths(obj: dict) -> dict:
    """The OGC API – Features routes (served by pygeoapi's core, app/blueprints/ogc.py); its own
    document, with every collection's paths, is /ogc/openapi."""
    cid = _path("cid", "e.g. chesterfield-assets.")
    crs = {"type": "string", "enum": [CRS84, BNG]}
    return {
        "/ogc/": {"get": {"summary": "OGC API – Features landing page.", "operationId": "ogcLanding",
                          "responses": {"200": _json("Links.", {"type": "object", "required": ["links"]})}}},
        "/ogc/openapi": {"get": {"summary": "The OGC API's own OpenAPI 3.0 document (also at /ogc/api).",
                                 "operationId": "ogcOpenapi",
                                 "responses": {"200": _json("OpenAPI 3.0.", obj, "application/vnd.oai.openapi+json;version=3.0")}}},
        "/ogc/conformance": {"get": {"summary": "Conformance classes.", "operationId": "ogcConformance",
                                     "responses": {"200": _json("conformsTo.", {"type": "object", "required": ["conformsTo"]})}}},
        "/ogc/collections": {"get": {"summary": "The collections: assets and neighbourhoods of each area.",
                                     "operationId": "ogcCollections",
                                     "responses": {"200": _json("Collections.", {"type": "object", "required": ["collections", "links"]})}}},
        "/ogc/collections/{cid}": {"get": {"summary": "One collection (with its licence links).", "operationId": "ogcCollection",
                                           "parameters": [cid],
                                           "responses": {"200": _json("The collection.", {"type": "object", "required": ["id", "links"]}),
                                                         **_errors(404, schema=OGC_ERROR)}}},
        "/ogc/collections/{cid}/queryables": {"get": {
            "summary": "The properties a filter may use (JSON Schema).", "operationId": "ogcQueryables", "parameters": [cid],
            "responses": {"200": _json("Queryables.", {"type": "object", "required": ["properties"]}, "application/schema+json"),
                          **_errors(404, schema=OGC_ERROR)}}},
        "/ogc/collections/{cid}/items": {"get": {
            "summary": "Features of a collection (GeoJSON).", "operationId": "ogcItems",
            "parameters": [cid,
                           _q("bbox", "minx,miny,maxx,maxy in bbox-crs (CRS84 lon/lat by default).",
                              {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}),
                           _q("bbox-crs", "The bbox's CRS.", crs), _q("crs", "The CRS of the coordinates returned.", crs),
                           _q("limit", "Features per page (1–10000).", {"type": "integer", "minimum": 1, "maximum": 10000}),
                           _q("offset", "Features to skip.", {"type": "integer", "minimum": 0}),
                           _q("filter", "CQL2 text on the queryables, e.g. category = 'library'.", {"type": "string"}),
                           _q("filter-lang", "cql2-text.", {"type": "string", "enum": ["cql2-text"]})],
            "responses": {"200": _json("A GeoJSON FeatureCollection.", {
                "type": "object", "required": ["type", "features", "links"],
                "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                               "features": {"type": "array", "items": obj}}}, "application/geo+json"),
                          **_errors(400, 404, schema=OGC_ERROR)}}},
        "/ogc/collections/{cid}/items/{fid}": {"get": {
            "summary": "One feature (GeoJSON).", "operationId": "ogcItem",
            "parameters": [cid, _path("fid", "The feature id (text).")],
            "responses": {"200": _json("A GeoJSON Feature.", {"type": "object", "required": ["type", "geometry", "properties"]},
                                       "application/geo+json"), **_errors(404, schema=OGC_ERROR)}}},
    }


def openapi(server_url: str = "/") -> dict:
    return _request_errors(_document(server_url))


def _request_errors(doc: dict) -> dict:
    """Every operation may answer 400: a control character in the path or a parameter is refused
    before any view runs (app/security.py), in the OGC error shape under /ogc."""
    text = "The request is malformed (e.g. a control character in the path or a parameter); the body says why."
    for path, ops in doc["paths"].items():
        schema = OGC_ERROR if path.startswith("/ogc") else ERROR
        for op in ops.values():
            op["responses"].setdefault("400", _json(text, schema))
    return doc


def _document(server_url: str) -> dict:
    obj = {"type": "object"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "assetmap API", "version": __version__,
                 "description": "Community assets, walking access and the gap measure for English neighbourhoods: "
                                "a postcode lookup, what-if scenarios and siting, Open Referral UK (HSDS 3.0 UK profile) "
                                "and OGC API – Features. Data: © OpenStreetMap contributors (ODbL); OGL; OS data."},
        "servers": [{"url": server_url}],
        "paths": {
            **_app_paths(obj),
            **_oruk_paths(obj),
            **_ogc_paths(obj),
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"},
                                                                               "status": {"type": "integer"}}},
            "OgcError": {"type": "object", "required": ["code", "description"],
                         "properties": {"code": {"type": "string"}, "description": {"type": "string"}}},
            "OrukPage": {"type": "object", "required": ["total_items", "total_pages", "page_number", "size", "contents"],
                         "properties": {"total_items": {"type": "integer"}, "total_pages": {"type": "integer"},
                                        "page_number": {"type": "integer"}, "size": {"type": "integer"},
                                        "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
                                        "empty": {"type": "boolean"}, "contents": {"type": "array", "items": obj}}},
        }},
    }


def _app_paths(obj: dict) -> dict:
    """The app's own endpoints: health, the postcode lookup, scenarios and siting."""
    return {
    "/healthz": {"get": {"summary": "Whether the app is up, and the areas it serves with their build dates.",
                         "operationId": "health", "responses": {"200": _json("Health.", {
                             "type": "object", "required": ["status", "areas"],
                             "properties": {"status": {"type": "string", "enum": ["ok"]},
                                            "areas": {"type": "array", "items": obj}}})}}},
    "/api/lookup": {"get": {
        "summary": "The nearest community places on foot to a postcode.", "operationId": "lookup",
        "parameters": [POSTCODE,
                       _q("category", "Only places of this category (see /api/oruk/taxonomy_terms, `term`).",
                          {"type": "string", "maxLength": 60}),
                       _q("limit", "How many places (1–50).", {"type": "integer", "minimum": 1, "maximum": 50})],
        "responses": {"200": _json("Places, nearest first by walking distance.", {
            "type": "object", "required": ["postcode", "lon", "lat", "area", "results"],
            "properties": {"postcode": {"type": "string"}, "lon": {"type": "number"}, "lat": {"type": "number"},
                           "area": {"type": "string"}, "results": {"type": "array", "items": {
                               "type": "object", "required": ["asset_id", "walk_m", "walk_minutes"],
                               "properties": {"asset_id": {"type": "string"}, "walk_m": {"type": "integer"},
                                              "walk_minutes": {"type": "integer"},
                                              "last_verified": {"type": "string", "nullable": True,
                                                                "description": "When the details were last "
                                                                "checked (YYYY-MM-DD, YYYY-MM or YYYY)."}}}}}}),
                      **_errors(400, 404)}}},
    "/api/area/{slug}/scenario": {"get": {
        "summary": "What if a place opens (at a point or in a building) or closes: the change in walking times.",
        "operationId": "scenario",
        "parameters": [SLUG,
                       _q("open", "Category of a place that opens.", {"type": "string", "maxLength": 60}),
                       _q("lon", "Longitude of the new place (WGS84).", {"type": "number"}),
                       _q("lat", "Latitude of the new place (WGS84).", {"type": "number"}),
                       _q("in", "Open it in this existing building (an asset id) instead.", {"type": "string"}),
                       _q("postcode", "Or open it at this postcode of the area.", {"type": "string", "maxLength": 40}),
                       {**_q("close", "An asset id that closes (repeatable).", {"type": "array", "items": {"type": "string"}}),
                        "style": "form", "explode": True}],
        "responses": {"200": _json("The change per category.", {
            "type": "object", "required": ["area", "changes", "categories"],
            "properties": {"categories": {"type": "object"}}}), **_errors(400, 404)}}},
    "/api/area/{slug}/siting": {"get": {
        "summary": "The best sites for a new place of a category, greedily, each with its gain.",
        "operationId": "siting",
        "parameters": [SLUG, _q("category", "The category.", {"type": "string", "maxLength": 60}, True),
                       _q("k", "How many sites (1–50).", {"type": "integer", "minimum": 1, "maximum": 50}),
                       _q("candidates", "Existing community buildings, or a 250 m grid.",
                          {"type": "string", "enum": ["buildings", "network"]})],
        "responses": {"200": _json("The picks.", {"type": "object", "required": ["category", "picks"],
                                                  "properties": {"picks": {"type": "array", "items": obj}}}),
                      **_errors(400, 404)}}},
    }


def _oruk_paths(obj: dict) -> dict:
    """Open Referral UK (HSDS 3.0 UK profile)."""
    return {
    "/api/oruk/": {"get": {"summary": "Open Referral UK: version and profile.", "operationId": "orukRoot",
                           "responses": {"200": _json("Version information.", {
                               "type": "object", "required": ["version", "profile"]})}}},
    "/api/oruk/services": {"get": {
        "summary": "Open Referral UK services, paginated and filterable.", "operationId": "orukServices",
        "parameters": [*PAGE_PARAMS, _q("search", "Words in the name, description or category.", {"type": "string"}),
                       _q("taxonomy_term_id", "Comma-separated taxonomy term ids or codes (e.g. food_bank).",
                          {"type": "string"}),
                       _q("taxonomy_id", "A taxonomy id.", {"type": "string"}),
                       _q("postcode", "Order by distance from this postcode.", {"type": "string", "maxLength": 40}),
                       _q("proximity", "With postcode: only within this many metres.",
                          {"type": "integer", "minimum": 1, "maximum": 100000})],
        "responses": {"200": _json("A page of services.", PAGE), **_errors(400, 404)}}},
    "/api/oruk/services/{id}": {"get": {
        "summary": "One service in full.", "operationId": "orukService",
        "parameters": [_path("id", "The service id (a UUID).")],
        "responses": {"200": _json("The service.", {"type": "object", "required": ["id", "name", "status"]}),
                      **_errors(404)}}},
    "/api/oruk/service_at_locations": {"get": {
        "summary": "Services at their locations, paginated; the same filters as services.",
        "operationId": "orukServiceAtLocations", "parameters": PAGE_PARAMS,
        "responses": {"200": _json("A page of services at locations.", PAGE), **_errors(400, 404)}}},
    "/api/oruk/service_at_locations/{id}": {"get": {
        "summary": "One service at location in full (location, address, the service).",
        "operationId": "orukServiceAtLocation", "parameters": [_path("id", "The id (a UUID).")],
        "responses": {"200": _json("The service at location.", {"type": "object", "required": ["id"]}),
                      **_errors(404)}}},
    "/api/oruk/taxonomies": {"get": {"summary": "Taxonomies.", "operationId": "orukTaxonomies",
                                     "parameters": PAGE_PARAMS,
                                     "responses": {"200": _json("A page of taxonomies.", PAGE), **_errors(400)}}},
    "/api/oruk/taxonomies/{id}": {"get": {"summary": "One taxonomy with its terms.", "operationId": "orukTaxonomy",
                                          "parameters": [_path("id", "The taxonomy id.")],
                                          "responses": {"200": _json("The taxonomy.", obj), **_errors(404)}}},
    "/api/oruk/taxonomy_terms": {"get": {"summary": "Taxonomy terms (families and categories).",
                                         "operationId": "orukTerms", "parameters": PAGE_PARAMS,
                                         "responses": {"200": _json("A page of terms.", PAGE), **_errors(400)}}},
    "/api/oruk/taxonomy_terms/{id}": {"get": {"summary": "One taxonomy term.", "operationId": "orukTerm",
                                              "parameters": [_path("id", "The term id.")],
                                              "responses": {"200": _json("The term.", obj), **_errors(404)}}},
    }
