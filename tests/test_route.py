"""Walking routes at request time (assetmap.walk.route.Router) and the place map page that draws
them (/area/<slug>/asset/<id>/map?from=<postcode>): the shortest walk on a made-up grid, and on the
real Chesterfield build a route as long as the lookup's own walking distance."""
from __future__ import annotations

import re

import numpy as np
import pytest

from assetmap.serving.coords import lonlat_to_bng
from assetmap.walk.network import WalkNetwork, _components
from assetmap.walk.route import Router


def _grid() -> WalkNetwork:
    """A 3 x 3 grid of 100 m streets, with the middle street of the top row missing."""
    x = np.array([0, 100, 200] * 3, dtype=float)
    y = np.repeat([0.0, 100.0, 200.0], 3)
    edges = [(0, 1), (1, 2), (3, 4), (4, 5), (6, 7), (0, 3), (3, 6), (1, 4), (4, 7), (2, 5), (5, 8)]
    u = np.array([a for a, _ in edges])
    v = np.array([b for _, b in edges])
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    return WalkNetwork(x, y, u, v, length, _components(len(x), u, v), 1)


def test_the_shortest_walk_goes_round_the_missing_street():
    r = Router(_grid())
    # from just off (0, 200) to just off (200, 200): 7-8 is missing, so down, across and up: 200 + 200 + 100
    route = r.route(0, 205, 200, 205)
    assert route is not None
    assert route.metres == pytest.approx(5 + 400 + 5)
    assert route.xy[0] == (0, 205) and route.xy[-1] == (200, 205)
    path = route.xy[2:-2]
    assert (100.0, 100.0) in path and (200.0, 100.0) in path  # via the middle row
    assert sum(np.hypot(*np.subtract(b, a)) for a, b in zip(route.xy, route.xy[1:], strict=False)) == \
        pytest.approx(route.metres)


def test_both_ends_on_one_street_and_a_limit():
    r = Router(_grid())
    route = r.route(10, -3, 90, 4)
    assert route.metres == pytest.approx(3 + 80 + 4)
    assert r.route(0, 205, 200, 205, limit=300) is None


def test_a_route_is_the_lookups_walk(app, chesterfield_ar):
    state = app.extensions["assetmap"]
    router = state.router("chesterfield")
    pages = state.views["chesterfield"].asset_pages
    x0, y0 = chesterfield_ar.postcode_xy("S41 7TD")
    for r in chesterfield_ar.lookup("S41 7TD", limit=30).results:
        a = pages[r["asset_id"]]
        route = router.route(x0, y0, *lonlat_to_bng(a["lon"], a["lat"]))
        assert abs(route.metres - r["walk_m"]) < 2, (a["title"], route.metres, r["walk_m"])
        line = route.latlon()
        assert line[-1] == pytest.approx([a["lat"], a["lon"]], abs=1e-5)


def test_the_lookup_links_each_place_to_its_map_and_route(client):
    html = client.get("/lookup?postcode=S41+7TD&q=food+bank").get_data(as_text=True)
    maps = re.findall(r'<a href="(/area/chesterfield/asset/[^"?]+/map)">Show on map', html)
    routes = re.findall(r'<a href="(/area/chesterfield/asset/[^"]+/map\?from=S41\+7TD)">Walking route', html)
    assert maps and len(routes) == len(maps)
    assert "/area/chesterfield/#asset=" not in html  # no longer the deprivation planner
    page = client.get(routes[0]).get_data(as_text=True)
    assert re.search(r"<strong>\d+ min on foot</strong> from S41 7TD \([\d.]+ k?m along streets", page)
    assert "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&amp;route=53.2" in page


def test_the_place_map_refuses_what_it_cannot_use(client):
    assert client.get("/area/chesterfield/asset/no-such-place/map").status_code == 404
    html = client.get("/lookup?postcode=S41+7TD").get_data(as_text=True)
    url = re.search(r'<a href="(/area/chesterfield/asset/[^"?]+/map)">', html).group(1)
    r = client.get(url + "?from=ZZ99+9ZZ")
    assert r.status_code in (400, 404) and "ZZ99 9ZZ" in r.get_data(as_text=True)


def test_hostile_names_stay_text_on_the_place_map(hostile_client, hostile_ar):
    from app_fixtures import XSS_IMG, XSS_SCRIPT

    html = hostile_client.get("/lookup?postcode=S40+1LP").get_data(as_text=True)
    for url in re.findall(r'<a href="(/area/hostile/asset/[^"]+/map\?from=S40\+1LP)">', html)[:2]:
        page = hostile_client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        assert XSS_IMG not in page and XSS_SCRIPT not in page  # escaped in the page and in its JSON
        assert "&lt;img src=x onerror=alert(1)&gt;" in page or "&lt;script&gt;alert(2)&lt;/script&gt;" in page
