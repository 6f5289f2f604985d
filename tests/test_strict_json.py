"""Every JSON response is strict JSON (no NaN, Infinity or -Infinity, which browsers refuse), and the
what-if APIs answer for every category of every area.

The endpoints are enumerated from ``app.url_map``: every GET rule is requested with representative
arguments (every area, every category, ids taken from the APIs' own listings) and every response
that says it is JSON (``application/json``, ``application/geo+json`` …) is parsed with a parser that
raises on the non-JSON constants. A rule this test cannot fill in fails, naming the rule, so a new
endpoint is covered as soon as it exists.
"""
from __future__ import annotations

import json
from itertools import product

import pytest

COLLECTION = ("cid", "collection_id", "collectionId", "collection")
FEATURE = ("fid", "item_id", "featureId", "feature_id")
SKIP = {"static", "assets.asset"}  # files of the site itself (CSS, JS, images)


def _refuse(name: str):
    raise ValueError(f"{name} is not JSON")


def strict(text: str):
    return json.loads(text, parse_constant=_refuse)


def is_json(resp) -> bool:
    return resp.mimetype == "application/json" or resp.mimetype.endswith(("+json", "/json"))


def _ids(client, path: str, key: str = "id") -> list[str]:
    body = client.get(path).get_json()
    return [x[key] for x in body["contents"][:3]]


def arguments(app, client) -> dict[str, list[str]]:
    """Representative values of every URL variable the app's rules use."""
    state = app.extensions["assetmap"]
    slugs = list(state.results)
    ogc = client.get("/ogc/collections").get_json() or {}
    cids = [c["id"] for c in ogc.get("collections", [])]
    fids = []
    for cid in cids:
        items = client.get(f"/ogc/collections/{cid}/items?limit=2").get_json() or {}
        fids += [str(f["id"]) for f in items.get("features", [])]
    first = state.views[slugs[0]]
    return {
        "slug": slugs,
        "name": ["assets.geojson", "neighbourhoods.geojson", "streets.geojson", "equity.json", "nope.json"],
        "sid": _ids(client, "/api/oruk/services?per_page=3") + ["not-a-service", "1"],
        "sal_id": _ids(client, "/api/oruk/service_at_locations?per_page=3") + ["nope"],
        "tid": _ids(client, "/api/oruk/taxonomies") + _ids(client, "/api/oruk/taxonomy_terms?per_page=3") + ["nope"],
        **{k: cids + ["no-such-collection"] for k in COLLECTION},
        **{k: fids + ["no-such-feature"] for k in FEATURE},
        "asset_id": list(first.ar.assets["asset_id"][:2]),
        "code": list(first.ar.neighbourhoods["lsoa21_code"][:2]),
        "kind": ["suggestion", "report"], "qid": ["1"], "pid": ["1"], "job_id": ["1"], "username": ["admin"],
        "digest": ["x"], "filename": ["x"], "schedule_id": ["1"],
    }


def query_strings(app, rule: str) -> list[str]:
    """Query strings for the endpoints that take them: every category on the what-if APIs."""
    state = app.extensions["assetmap"]
    if rule.endswith("/siting"):
        return [f"?category={c}&candidates={k}" for c, k in product(_categories(app), ("buildings", "network"))] + \
               ["?category=nope", "?category=gp&k=%C2%B2"]
    if rule.endswith("/scenario"):
        asset = state.views[next(iter(state.views))].ar.assets["asset_id"].iloc[0]
        return [f"?open={c}&lon=-1.4216&lat=53.2356" for c in _categories(app)] + \
               [f"?close={asset}", "?open=gp&lon=x&lat=1", "?open=gp&lon=nan&lat=nan"]
    if rule == "/api/lookup":
        return ["?postcode=S40+1LP", "?postcode=S40+1LP&limit=%C2%B2", "?postcode=ZZ99+9ZZ"] + \
               [f"?postcode=S40+1LP&category={c}" for c in state.category_labels]
    if rule.startswith("/api/oruk/") and not rule.endswith(">"):
        return ["", "?per_page=5&page=2", "?taxonomy_term_id=food_bank", "?postcode=S40+1LP&proximity=800",
                "?page=%C2%B2", "?search=library"]
    if rule.endswith("/items"):
        return ["", "?limit=3", "?bbox=-1.5,53.2,-1.4,53.3"]
    return [""]


def _categories(app) -> list[str]:
    models = app.extensions["assetmap"].models
    return sorted({c for m in models.values() for c in m.base})


def urls(app, client) -> dict[str, list[str]]:
    args = arguments(app, client)
    out = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        missing = [a for a in rule.arguments if a not in args]
        if missing:
            pytest.fail(f"no representative values for {missing} of {rule.rule}: add them to tests/test_strict_json.py")
        paths = []
        for combo in product(*(args[a] for a in sorted(rule.arguments))):
            values = dict(zip(sorted(rule.arguments), combo, strict=False))
            try:
                paths.append(rule.build(values, append_unknown=False)[1])
            except Exception:  # a converter refuses this value (e.g. <int:…>, <any(…)>)
                continue
        if not paths:
            pytest.fail(f"none of the representative values fit {rule.rule}: add some to tests/test_strict_json.py")
        out[rule.rule] = [p + q for p in paths for q in query_strings(app, rule.rule)]
    return out


def test_every_json_response_is_strict_json(app, client):
    checked, bad, answered = 0, [], {}
    for rule, paths in urls(app, client).items():
        for path in paths:
            resp = client.get(path, headers={"Accept": "application/json"})
            if not is_json(resp):
                continue
            answered.setdefault(rule, set()).add(resp.status_code)
            try:
                strict(resp.get_data(as_text=True))
                checked += 1
            except ValueError as exc:
                bad.append(f"{path} ({resp.status_code}): {exc}")
    assert not bad, "\n".join(bad[:20])
    # every API rule answered JSON at least once, and successfully
    api_rules = [r for r in urls(app, client) if r.startswith(("/api/", "/ogc"))]
    assert not [r for r in api_rules if 200 not in answered.get(r, ())], answered
    assert checked > 150


def test_siting_and_scenarios_answer_for_every_category(app, client):
    cats = _categories(app)
    assert len(cats) >= 20
    for slug, cat in product(app.extensions["assetmap"].models, cats):
        site = client.get(f"/api/area/{slug}/siting?category={cat}")
        assert site.status_code == 200, (cat, site.get_data(as_text=True)[:200])
        picks = strict(site.get_data(as_text=True))["picks"]
        assert picks and all(p["name"] is None or p["name"].strip() for p in picks)
        scen = client.get(f"/api/area/{slug}/scenario?open={cat}&lon=-1.4216&lat=53.2356")
        assert scen.status_code == 200, (cat, scen.get_data(as_text=True)[:200])
        strict(scen.get_data(as_text=True))


def test_the_app_refuses_to_send_nan(app, client, monkeypatch):
    """The JSON provider itself refuses NaN/Infinity: a view that tries is a 500 with a strict body."""
    from flask import jsonify

    monkeypatch.setitem(app.view_functions, "api.lookup", lambda: jsonify({"x": float("nan")}))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    resp = client.get("/api/lookup?postcode=S40+1LP")
    assert resp.status_code == 500 and strict(resp.get_data(as_text=True))["status"] == 500
    with app.app_context(), pytest.raises(ValueError):
        app.json.dumps({"x": float("inf")})


def test_pre_serialised_features_and_downloads_are_strict():
    """The GeoJSON the app serves from text made at load (map data, OGC items) and the build's
    JSON files: NaN and ±infinity become null, never bare constants."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import Point

    from assetmap.outputs.write import _plain, features_json

    g = gpd.GeoDataFrame({"id": ["a", "b"], "v": [np.nan, np.inf], "w": [-np.inf, np.float32(1.5)]},
                         geometry=[Point(-1.4, 53.2), Point(-1.41, 53.21)], crs="EPSG:4326")
    feats = [strict(f) for f in features_json(g, id_column="id")]
    assert [(f["properties"]["v"], f["properties"]["w"]) for f in feats] == [(None, None), (None, 1.5)]
    assert _plain({"x": [float("inf"), 2]}) == {"x": [None, 2]}


@pytest.mark.parametrize("query", [
    "/api/lookup?postcode=S40+1LP&limit=%C2%B2", "/api/lookup?postcode=S40+1LP&limit=%D9%A3",
    "/api/lookup?postcode=S40+1LP&limit=%EF%BC%95", "/api/area/chesterfield/siting?category=gp&k=%C2%B2",
    "/api/area/chesterfield/siting?category=gp&k=%D9%A3", "/api/oruk/services?page=%C2%B2",
    "/api/oruk/services?per_page=%EF%BC%95", "/api/oruk/taxonomy_terms?page=%C2%B9",
])
def test_unicode_digits_are_a_400_not_a_500(client, query):
    """``str.isdigit()`` accepts ², ٣ and ５; integer parameters take ASCII digits only."""
    resp = client.get(query)
    assert resp.status_code == 400 and "digits 0-9" in strict(resp.get_data(as_text=True))["error"]
