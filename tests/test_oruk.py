"""The Open Referral UK API, validated against the ORUK profile's own JSON Schemas, read from
../shared/reference/schemas/openreferral-uk-profile (never copied into the project)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from app_fixtures import app, chesterfield_ar, chesterfield_root, client  # noqa: F401  (fixtures used by name)

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "schemas" / "openreferral-uk-profile" / "schema"


def validator(name: str) -> Draft202012Validator:
    path = SCHEMAS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: put ../shared beside the checkout")
    return Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())


def page_schema() -> dict:
    """The Page object of the profile's OpenAPI description."""
    return json.loads((SCHEMAS / "openapi.json").read_text())["components"]["schemas"]["Page"]


def assert_valid(v: Draft202012Validator, doc) -> None:
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_root_says_version_and_profile(client):
    body = client.get("/api/oruk/").get_json()
    assert body["version"] == "3.0" and body["profile"].startswith("https://") and body["openapi_url"].endswith(".json")


def test_services_pages_validate_against_the_profile(client, chesterfield_ar):
    n = chesterfield_ar.report["assets"]["total"]  # the real build's asset count
    listing, page = validator("compiled/service_list.json"), Draft202012Validator(page_schema())
    first = client.get("/api/oruk/services?per_page=100").get_json()
    assert_valid(page, first)
    assert first["total_items"] == n and first["size"] == 100 and first["first_page"] and not first["last_page"]
    for s in first["contents"]:
        assert_valid(listing, s)
    last = client.get(f"/api/oruk/services?per_page=100&page={first['total_pages']}").get_json()
    assert last["last_page"] and last["size"] == n - 300
    beyond = client.get(f"/api/oruk/services?per_page=100&page={first['total_pages'] + 1}").get_json()
    assert beyond["size"] == 0 and beyond["contents"] == []


def test_every_full_service_validates(client, chesterfield_ar):
    n = chesterfield_ar.report["assets"]["total"]  # the real build's asset count
    full = validator("compiled/service.json")
    ids = [s["id"] for p in range(1, 5) for s in client.get(f"/api/oruk/services?per_page=100&page={p}").get_json()["contents"]]
    assert len(ids) == len(set(ids)) == n
    for sid in ids:
        resp = client.get(f"/api/oruk/services/{sid}")
        assert resp.status_code == 200
        assert_valid(full, resp.get_json())


def test_the_library_in_full(client):
    hits = client.get("/api/oruk/services?search=chesterfield+library").get_json()["contents"]
    assert all("librar" in (h["name"] + h["description"]).lower() for h in hits)
    sid = next(h["id"] for h in hits if h["name"] == "Chesterfield Library")
    lib = client.get(f"/api/oruk/services/{sid}").get_json()
    assert lib["name"] == "Chesterfield Library" and lib["url"].startswith("https://")
    loc = lib["service_at_locations"][0]["location"]
    assert loc["location_type"] == "physical" and 53.2 < loc["latitude"] < 53.3 and -1.5 < loc["longitude"] < -1.4
    assert loc["addresses"][0]["postal_code"] == "S40 1QN"
    terms = {a["taxonomy_term"]["name"] for a in lib["attributes"]}
    assert "Library" in terms


def test_filters_by_term_taxonomy_and_proximity(client, chesterfield_ar):
    n = chesterfield_ar.report["assets"]["total"]  # the real build's asset count
    terms = client.get("/api/oruk/taxonomy_terms?per_page=200").get_json()["contents"]
    term_v = validator("taxonomy_term.json")
    for t in terms:
        assert_valid(term_v, t)
    gp = next(t for t in terms if t["term"] == "gp")
    gps = client.get(f"/api/oruk/services?taxonomy_term_id={gp['id']}&per_page=200").get_json()
    assert gps["total_items"] >= 12
    for s in gps["contents"][:5]:  # each carries the GP term
        full = client.get(f"/api/oruk/services/{s['id']}").get_json()
        assert gp["id"] in {a["taxonomy_term_id"] for a in full["attributes"]}
    tax = client.get("/api/oruk/taxonomies").get_json()["contents"][0]
    assert_valid(validator("taxonomy.json"), tax)
    assert client.get(f"/api/oruk/services?taxonomy_id={tax['id']}").get_json()["total_items"] == n
    assert client.get("/api/oruk/services?taxonomy_id=00000000-0000-0000-0000-000000000000").get_json()["empty"]
    near = client.get("/api/oruk/services?postcode=S40+1LP&proximity=300&per_page=200").get_json()
    assert 0 < near["total_items"] < 100


@pytest.mark.parametrize("query, status", [
    ("services?page=0", 400), ("services?per_page=1000", 400), ("services?proximity=500", 400),
    ("services?postcode=nonsense&proximity=500", 400), ("services?postcode=ZZ99+9ZZ", 404),
    ("services/not-a-service", 404), ("taxonomy_terms/nope", 404), ("taxonomies/nope", 404),
])
def test_bad_requests_get_reasons(client, query, status):
    resp = client.get(f"/api/oruk/{query}")
    assert resp.status_code == status and resp.is_json and resp.get_json()["error"]
