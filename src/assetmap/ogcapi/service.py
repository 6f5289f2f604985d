"""OGC API – Features for the built areas, served by pygeoapi's framework-free core.

:class:`OgcService` builds pygeoapi's configuration in code from the prepared collections (no
YAML), keeps one ``pygeoapi.api.API`` per public base URL, checks query parameters strictly
(unknown names, non-ASCII digits, non-finite numbers are a 400 with the reason) and answers
each operation as ``(status, headers, body)``: web frameworks only pass requests in.

Served: Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS (CRS84 and EPSG:27700, ``crs`` and
``bbox-crs``, ``Content-Crs``); Part 3 queryables and filters in CQL2 text (``filter``,
``filter-lang=cql2-text``) on the main properties.
"""
from __future__ import annotations

import json
import logging
import math
import re
from collections import OrderedDict
from types import SimpleNamespace

import pygeoapi.api as core
import pygeoapi.api.itemtypes as itemtypes
from pygeoapi.openapi import get_oas
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text
from pygeofilter.parsers.ecql import parse as parse_ecql
from werkzeug.datastructures import MultiDict

from .collections import BNG, CRS84, CRS_LIST, CollectionData
from .provider import BNG_BBOX

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
]
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON = "application/geo+json"
MAX_LIMIT = 10_000
ITEM_PARAMS = {"f", "bbox", "bbox-crs", "crs", "limit", "offset", "filter", "filter-lang", "filter-crs",
               "sortby", "properties", "skipGeometry", "resulttype", "lang"}
COMMON_PARAMS = {"f", "lang"}
_INT = re.compile(r"[0-9]{1,9}")
_NUM = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
# Our links only: pygeoapi's landing page also announces processes, jobs and tiling schemes.
LANDING_RELS = {"self", "alternate", "service-desc", "service-doc", "conformance", "data", "about"}
DROP_FORMATS = ("f=jsonld", "/schema?")  # pygeoapi's schema links; ours is the "describedby" link


FILTER_PARAMETERS = [
    {"name": "filter", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "A CQL2 text filter on the queryables, e.g. category = 'library' AND postcode LIKE 'S40%'.",
     "schema": {"type": "string"}},
    {"name": "filter-lang", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "The filter's language: cql2-text (cql-text is accepted as a synonym).",
     "schema": {"type": "string", "enum": ["cql2-text", "cql-text"], "default": "cql2-text"}},
]


def parse_cql_text(text: str):
    """CQL2 text (the standard: ``NOT (a = 1)``, ``S_INTERSECTS``, ``CASEI``), else the older ECQL."""
    try:
        return parse_cql2_text(text)
    except Exception:  # lark's parse errors; ECQL reports its own below
        return parse_ecql(text)


# pygeoapi 0.21 parses ``filter`` with pygeofilter's ECQL grammar only, which rejects standard CQL2
# such as ``NOT (imd_decile = 1)`` (what GDAL writes for a negation); it gets CQL2 first.
itemtypes.parse_ecql_text = parse_cql_text


class BadParameter(ValueError):
    """A query parameter the API cannot accept; the message says which and what to send."""


def _int(args, name: str, lo: int, hi: int) -> None:
    raw = args.get(name)
    if raw is not None and (not _INT.fullmatch(raw) or not lo <= int(raw) <= hi):
        raise BadParameter(f"{name}={raw[:20]!r}: give a whole number from {lo} to {hi} (ASCII digits)")


def _bbox(args) -> None:
    raw = args.get("bbox")
    if raw is None:
        if "bbox-crs" in args:
            raise BadParameter("bbox-crs without bbox: give bbox=minx,miny,maxx,maxy too")
        return
    parts = raw.split(",")
    if len(parts) not in (4, 6) or not all(_NUM.fullmatch(p.strip()) for p in parts):
        raise BadParameter(f"bbox={raw[:80]!r}: give four numbers minx,miny,maxx,maxy")
    v = [float(p) for p in parts]
    if len(v) == 6:
        v = [v[0], v[1], v[3], v[4]]
    if not all(math.isfinite(x) for x in v) or v[1] > v[3] or v[0] > v[2]:
        raise BadParameter(f"bbox={raw[:80]!r}: give minx,miny,maxx,maxy with min <= max")
    crs = args.get("bbox-crs", CRS84)
    if crs not in CRS_LIST:
        raise BadParameter(f"bbox-crs={crs[:80]!r}: use one of {', '.join(CRS_LIST)}")
    if crs == CRS84 and not (-180 <= v[0] <= 180 and -180 <= v[2] <= 180 and -90 <= v[1] <= v[3] <= 90):
        raise BadParameter(f"bbox={raw[:80]!r}: give minLon,minLat,maxLon,maxLat in degrees (CRS84)")


def _bng_bbox(args) -> tuple[float, float, float, float] | None:
    if args.get("bbox-crs") != BNG or "bbox" not in args:
        return None
    v = [float(p) for p in args["bbox"].split(",")]
    return (v[0], v[1], v[3], v[4]) if len(v) == 6 else (v[0], v[1], v[2], v[3])


def check_item_params(args, collection: CollectionData) -> MultiDict:
    """The query for pygeoapi, after strict checks; ``filter-lang=cql2-text`` is CQL text to it."""
    unknown = sorted(set(args) - ITEM_PARAMS - set(collection.fields))
    if unknown:
        raise BadParameter(f"unknown parameter(s) {unknown}; use {', '.join(sorted(ITEM_PARAMS))} "
                           f"or a queryable: {', '.join(collection.fields)}")
    _int(args, "limit", 1, MAX_LIMIT)
    _int(args, "offset", 0, 10**9 - 1)
    _bbox(args)
    if args.get("crs", CRS84) not in CRS_LIST:
        raise BadParameter(f"crs={args['crs'][:80]!r}: use one of {', '.join(CRS_LIST)}")
    lang = args.get("filter-lang")
    if lang is not None and lang not in ("cql2-text", "cql-text"):
        raise BadParameter(f"filter-lang={lang[:40]!r}: only cql2-text is offered")
    if args.get("f", "json") not in ("json", "html"):
        raise BadParameter(f"f={args['f'][:20]!r}: use json (GeoJSON) or html")
    if "filter" in args:
        try:
            parse_cql_text(args["filter"])
        except Exception as err:  # lark's errors say where the text stopped making sense
            where = str(err).splitlines()[0][:160]
            raise BadParameter(f"filter={args['filter'][:80]!r} is not CQL2 text ({where}); "
                               "write e.g. category = 'library' AND postcode LIKE 'S40%'") from None
    out = MultiDict([(k, v) for k, v in args.items(multi=True) if k != "filter-lang"])
    return out


def check_params(args, allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise BadParameter(f"unknown parameter(s) {unknown}; this resource takes {', '.join(sorted(allowed))}")
    if args.get("f", "json") not in ("json", "html"):
        raise BadParameter(f"f={args['f'][:20]!r}: use json or html")


def pygeoapi_config(collections: dict[str, CollectionData], base_url: str, title: str) -> dict:
    """pygeoapi's configuration for our collections, served at ``base_url``."""
    resources = {}
    for cid, c in collections.items():
        resources[cid] = {
            "type": "collection", "title": c.title, "description": c.description,
            "keywords": ["community assets", "neighbourhoods", "England"],
            "links": [dict(link) for link in c.licences]
            + [{"type": "application/schema+json", "rel": "describedby", "title": "Schema of the features",
                "href": f"{base_url}/collections/{cid}/schema"}],
            "extents": {"spatial": {"bbox": c.extent, "crs": CRS84}},
            "limits": {"default_items": 10, "max_items": MAX_LIMIT, "on_exceed": "error"},
            "providers": [{"type": "feature", "name": "assetmap.ogcapi.provider.AssetmapProvider", "data": c,
                           "id_field": c.id_field, "crs": list(CRS_LIST), "storage_crs": CRS84}],
        }
    return {
        "server": {"bind": {"host": "127.0.0.1", "port": 0}, "url": base_url, "mimetype": "application/json",
                   "encoding": "utf-8", "languages": ["en-GB"], "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": MAX_LIMIT, "on_exceed": "error"},
                   "map": {"url": "", "attribution": ""}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": title, "keywords": ["community assets", "OGC API"],
                               "description": "OGC API – Features for every built area: community assets "
                                              "and LSOA 2021 neighbourhoods.",
                               "terms_of_service": base_url.rsplit("/", 1)[0] + "/about",
                               "url": base_url.rsplit("/", 1)[0] + "/about"},
            "license": {"name": "ODbL 1.0 (assets, OpenStreetMap-derived columns); OGL v3 (ONS and MHCLG data)",
                        "url": "https://opendatacommons.org/licenses/odbl/1-0/"},
            "provider": {"name": "assetmap", "url": base_url.rsplit("/", 1)[0] + "/about"},
            "contact": {"name": "assetmap", "url": base_url.rsplit("/", 1)[0] + "/about"},
        },
        "resources": resources,
    }


def _new_api(cfg: dict) -> core.API:
    """pygeoapi's API without its logging set-up (it would configure the root logger) and
    with an OpenAPI document of only what is served."""
    oas = get_oas(cfg)
    oas["paths"] = {p: v for p, v in oas["paths"].items() if not p.startswith("/jobs")}
    for path, ops in oas["paths"].items():
        if path.endswith("/items") and "get" in ops:  # pygeoapi 0.21 leaves out Part 3's parameters
            ops["get"]["parameters"] += FILTER_PARAMETERS
    saved = core.setup_logger
    core.setup_logger = lambda _config: None
    try:
        return core.API(cfg, oas)
    finally:
        core.setup_logger = saved


# pygeoapi logs every client error (a 400 or 404) at ERROR with a traceback; ours go to the response.
logging.getLogger("pygeoapi").setLevel(logging.CRITICAL)


class OgcService:
    """The collections of the loaded areas, served through pygeoapi; rebuilt on every reload."""

    def __init__(self, collections: dict[str, CollectionData],
                 title: str = "assetmap: community assets and neighbourhoods", source: object = None):
        self.collections = collections
        self.title = title
        self.source = source  # what the collections were made from (the web app's loaded state)
        self._apis: OrderedDict[str, core.API] = OrderedDict()

    def api(self, base_url: str) -> core.API:
        """One pygeoapi API per public base URL (links are absolute), the last few kept."""
        api = self._apis.get(base_url)
        if api is None:
            api = _new_api(pygeoapi_config(self.collections, base_url, self.title))
            self._apis[base_url] = api
            while len(self._apis) > 8:
                self._apis.popitem(last=False)
        self._apis.move_to_end(base_url)
        return api

    def _schema(self, base_url: str, cid: str) -> tuple[int, dict, dict]:
        c = self.collections[cid]
        body = {**c.schema, "$id": f"{base_url}/collections/{c.id}/schema"}
        return 200, {"Content-Type": "application/schema+json"}, body

    @staticmethod
    def _request(api: core.API, args: MultiDict, headers: dict) -> core.APIRequest:
        args = MultiDict([(k, v) for k, v in args.items(multi=True) if k != "f"] + [("f", "json")])
        shim = SimpleNamespace(args=args, headers={k: v for k, v in headers.items()
                                                   if k.lower() in ("accept-language",)},
                               path_info="", data=b"")
        return core.APIRequest.from_flask(shim, api.locales)

    def _check(self, op: str, args: MultiDict, ids: tuple[str, ...]) -> MultiDict:
        if op == "items":
            return check_item_params(args, self.collections[ids[0]])
        if op == "item":
            check_params(args, {"f", "crs", "lang"})
            if args.get("crs", CRS84) not in CRS_LIST:
                raise BadParameter(f"crs={args['crs'][:80]!r}: use one of {', '.join(CRS_LIST)}")
        else:
            check_params(args, {"f", "lang", "profile"} if op == "queryables" else COMMON_PARAMS)
        return args

    def call(self, op: str, base_url: str, args: MultiDict, headers: dict, *ids: str) -> tuple[int, dict, dict | str]:
        """Run one operation; JSON bodies come back parsed (for HTML views) unless op is 'openapi'.
        Raises :class:`BadParameter` for a query the API cannot accept."""
        if ids and ids[0] not in self.collections:
            return 404, {"Content-Type": "application/json"}, {"code": "NotFound",
                                                               "description": f"no collection {ids[0][:60]!r}"}
        args = self._check(op, args, ids)
        if op == "conformance":
            return 200, {"Content-Type": "application/json"}, {"conformsTo": list(CONFORMANCE)}
        if op == "schema":
            return self._schema(base_url, ids[0])
        api = self.api(base_url)
        token = BNG_BBOX.set(_bng_bbox(args) if op == "items" else None)
        try:
            head, status, content = OPERATIONS[op](api, self._request(api, args, headers), *ids)
        finally:
            BNG_BBOX.reset(token)
        status = int(status)
        out = {k: v for k, v in head.items() if k in ("Content-Type", "Content-Crs", "Content-Language")}
        if op == "openapi":
            return status, {**out, "Content-Type": OPENAPI_TYPE}, content
        body = json.loads(content)
        if status >= 400:
            body = {"code": body.get("code", "InvalidParameterValue"), "description": body.get("description", "")}
            return status, {"Content-Type": "application/json"}, body
        if op in ("items", "item"):
            out["Content-Type"] = GEOJSON
        tidy(op, body, base_url)
        return status, out, body


OPERATIONS = {"landing": core.landing_page, "collections": core.describe_collections,
              "items": itemtypes.get_collection_items, "item": itemtypes.get_collection_item,
              "queryables": itemtypes.get_collection_queryables, "openapi": core.openapi_}


def _links(links: list[dict], base_url: str, rels: set[str] | None = None) -> list[dict]:
    out = []
    for link in links:
        href = link.get("href", "")
        if any(s in href for s in DROP_FORMATS) or link.get("type") == "application/ld+json":
            continue
        if rels is not None and link["rel"] not in rels:
            continue
        if href == base_url or href.startswith(base_url + "?"):  # the landing page is base_url + "/"
            link = {**link, "href": base_url + "/" + href[len(base_url):]}
        if link["rel"] == "service-doc":  # the site's browsable API page documents these routes too
            link = {**link, "href": base_url.rsplit("/", 1)[0] + "/api"}
        out.append(link)
    return out


def tidy(op: str, body: dict, base_url: str) -> None:
    """Links we do not serve (JSON-LD, processes, jobs, tiles) are dropped; the landing page's URL
    gets its slash (``/ogc/``), so no link goes through a redirect."""
    for coll in body.get("collections", []):
        coll["links"] = _links(coll["links"], base_url)
    if "links" in body:
        body["links"] = _links(body["links"], base_url, LANDING_RELS if op == "landing" else None)
