"""CORS (app/cors.py): ``Access-Control-Allow-Origin: *`` on every API and open-data response,
errors included, a preflight answered, and never on curator pages, forms or HTML."""
from __future__ import annotations

import pytest

ORIGIN = {"Origin": "https://directory.example.org"}

API = [
    ("/api/oruk/", 200), ("/api/oruk", 200), ("/api/oruk/services/?page=1", 200), ("/api/oruk/service_at_locations", 200),
    ("/api/oruk/taxonomy_terms/food_bank", 404), ("/api/oruk/services?page=%C2%B2", 400),
    ("/api/lookup?postcode=S40+1LP", 200), ("/api/lookup?postcode=S40+1LP&limit=%C2%B2", 400),
    ("/api/lookup?postcode=ZZ99+9ZZ", 404), ("/api/area/chesterfield/siting?category=warm_space", 200),
    ("/api/area/chesterfield/scenario?open=gp&lon=-1.42&lat=53.235", 200),
    ("/api/area/nowhere/siting?category=gp", 404), ("/api/no/such/thing", 404), ("/api/openapi.json", 200),
    ("/ogc/", 200), ("/ogc/collections", 200), ("/ogc/no-such-collection", 404),
    ("/data/chesterfield/assets.geojson", 200), ("/data/chesterfield/nope.geojson", 404),
    ("/download/chesterfield/assets.csv", 200), ("/download/chesterfield/assets.geojson", 200),
]
NOT_API = ["/", "/lookup?postcode=S40+1LP", "/about", "/downloads", "/api", "/curate/login", "/curate/",
           "/suggest", "/report", "/shortlist", "/area/chesterfield/", "/no-such-page"]


@pytest.mark.parametrize("path, status", API)
def test_every_api_response_allows_any_origin(client, path, status):
    resp = client.get(path, headers=ORIGIN)
    assert resp.status_code == status
    assert resp.headers.get("Access-Control-Allow-Origin") == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.mark.parametrize("path", NOT_API)
def test_pages_forms_and_curators_stay_same_origin(client, path):
    resp = client.get(path, headers=ORIGIN)
    assert "Access-Control-Allow-Origin" not in resp.headers, (path, resp.status_code)


@pytest.mark.parametrize("path", ["/api/oruk/services", "/api/lookup", "/ogc/collections", "/api/openapi.json",
                                  "/data/chesterfield/assets.geojson", "/api/not-a-route"])
def test_preflight_is_answered(client, path):
    resp = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "GET",
                                         "Access-Control-Request-Headers": "accept, if-none-match"})
    assert resp.status_code == 204 and resp.get_data() == b""
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert [m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")] == ["GET", "HEAD", "OPTIONS"]
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "if-none-match", "content-type"} <= allowed


@pytest.mark.parametrize("path", ["/curate/login", "/suggest", "/"])
def test_no_preflight_for_pages_and_forms(client, path):
    resp = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in resp.headers and "Access-Control-Allow-Methods" not in resp.headers


def test_a_server_error_on_an_api_path_carries_it_too(app, client, monkeypatch):
    def boom():
        raise RuntimeError("a bug")

    monkeypatch.setitem(app.view_functions, "api.lookup", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    resp = client.get("/api/lookup?postcode=S40+1LP", headers=ORIGIN)
    assert resp.status_code == 500 and resp.is_json and resp.get_json()["status"] == 500
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_the_html_api_page_has_no_cors_but_its_document_does(client):
    assert client.get("/api").mimetype == "text/html"
    assert client.get("/api/openapi.json").headers["Access-Control-Allow-Origin"] == "*"
