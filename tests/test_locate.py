""""Use my location" on the server: POST /lookup/here gives the postcode nearest a coarsened point
(assetmap.serving.locate), keeps nothing, and answers bad or far-away positions with a reason."""
from __future__ import annotations

import pytest

from assetmap.serving.coords import lonlat_to_bng
from assetmap.serving.locate import LocationError, coarse, nearest_postcode

S41_7TD = (-1.423513, 53.236266)


def test_the_point_is_rounded_to_about_100_m_before_use():
    assert coarse("53.2362661", 49.8, 60.9, "latitude") == 53.236
    with pytest.raises(LocationError, match="not in Great Britain"):
        coarse(40.0, 49.8, 60.9, "latitude")
    with pytest.raises(LocationError, match="not a number"):
        coarse("nan-ish", 49.8, 60.9, "latitude")


def test_the_nearest_postcode_of_the_build(chesterfield_ar):
    near = nearest_postcode({"chesterfield": chesterfield_ar}, *S41_7TD)
    assert near.area == "chesterfield" and near.metres < 150
    # it is the nearest: no postcode of the area is closer to the rounded point
    x, y = lonlat_to_bng(round(S41_7TD[0], 3), round(S41_7TD[1], 3))
    px, py = chesterfield_ar.postcode_xy(near.postcode)
    assert abs(((px - x) ** 2 + (py - y) ** 2) ** 0.5 - near.metres) <= 1
    with pytest.raises(LocationError, match="outside the areas this site covers"):
        nearest_postcode({"chesterfield": chesterfield_ar}, -0.1278, 51.5074)


def test_here_takes_the_position_in_the_body_only(client):
    r = client.post("/lookup/here", json={"lat": S41_7TD[1], "lon": S41_7TD[0]})
    assert r.status_code == 200 and r.get_json()["postcode"].startswith("S41 ")
    assert r.headers["Cache-Control"] == "no-store"
    assert client.post("/lookup/here", data={"lat": str(S41_7TD[1]), "lon": str(S41_7TD[0])}).status_code == 200
    assert client.get("/lookup/here?lat=53.2&lon=-1.4").status_code == 405  # never in an address


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"lat": 51.5074, "lon": -0.1278}, 404, "outside the areas"),
    ({"lat": "x", "lon": -1.4}, 400, "not a number"),
    ({}, 400, "send lat and lon"),
    ([1, 2], 400, "send lat and lon"),
    ({"lat": 1e308, "lon": -1.4}, 400, "not in Great Britain"),
])
def test_here_explains_what_it_cannot_use(client, body, status, words):
    r = client.post("/lookup/here", json=body)
    assert r.status_code == status and words in r.get_json()["error"]
