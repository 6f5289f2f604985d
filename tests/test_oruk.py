"""The Open Referral UK API, validated against the ORUK profile's own JSON Schemas, read from
../shared/reference/schemas/openreferral-uk-profile (never copied into the project)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

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
    assert client.get("/api/oruk").get_json() == body
    assert body["version"] == "HSDS-UK-3.0" and body["profile"].startswith("https://") and body["openapi_url"].endswith(".json")


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
    assert beyond["size"] == 0 and beyond["contents"] == [] and beyond["empty"] and not beyond["first_page"]


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
    ("services?page=%C2%B2", 400), ("services?per_page=%C2%B2", 400), ("services?page=%D9%A3", 400),
    ("service_at_locations?page=%C2%B2", 400), ("service_at_locations/nope", 404),
    ("services?postcode=S40+1LP&proximity=%C2%B2", 400), ("taxonomy_terms/?per_page=%C2%B2", 400),
])
def test_bad_requests_get_reasons(client, query, status):
    resp = client.get(f"/api/oruk/{query}")
    assert resp.status_code == status and resp.is_json and resp.get_json()["error"]


@pytest.mark.parametrize("path", ["services", "service_at_locations", "taxonomies", "taxonomy_terms"])
def test_every_list_answers_with_and_without_a_trailing_slash(client, path):
    plain = client.get(f"/api/oruk/{path}?page=1&per_page=5")
    slash = client.get(f"/api/oruk/{path}/?page=1&per_page=5")
    assert plain.status_code == slash.status_code == 200 and plain.get_json() == slash.get_json()
    first = plain.get_json()["contents"][0]["id"]
    assert client.get(f"/api/oruk/{path}/{first}").status_code == 200
    assert client.get(f"/api/oruk/{path}/{first}/").status_code == 200


def test_service_at_locations_list_and_by_id_validate(client, chesterfield_ar):
    n = chesterfield_ar.report["assets"]["total"]
    listing = client.get("/api/oruk/service_at_locations?per_page=200").get_json()
    assert listing["total_items"] == n and listing["size"] == 200
    item = validator("compiled/service_at_location.json")
    for s in listing["contents"][:40]:
        assert s["location"]["latitude"] and s["service"]["id"] == s["service_id"]
        full = client.get(f"/api/oruk/service_at_locations/{s['id']}").get_json()
        assert full["id"] == s["id"] and full["service"]["id"] == s["service_id"]
        assert_valid(item, full)
    near = client.get("/api/oruk/service_at_locations?postcode=S40+1LP&proximity=300&per_page=200").get_json()
    assert 0 < near["total_items"] < 100


def _full(client, asset_id: str) -> dict:
    sid = next(s["service_id"] for p in range(1, 3) for s in
               client.get(f"/api/oruk/service_at_locations?per_page=200&page={p}").get_json()["contents"]
               if s["location"]["external_identifier"] == asset_id)
    return client.get(f"/api/oruk/services/{sid}").get_json()


def test_services_carry_phones_hours_dates_and_addresses(client, chesterfield_ar):
    a = chesterfield_ar.assets
    phone_v = Draft202012Validator(json.loads((SCHEMAS.parents[1] / "hsds-3.0" / "schema" / "phone.json").read_text()))
    with_phone = a[a["phone"].notna() & a["opening_hours"].notna()].iloc[0]
    s = _full(client, with_phone["asset_id"])
    assert [p["number"] for p in s["phones"]] == [p.strip() for p in with_phone["phone"].split(";")]
    for p in s["phones"]:
        assert p["service_id"] == s["id"]
        assert_valid(phone_v, {k: v for k, v in p.items() if k != "service_id"})
    assert s["schedules"] and all(h["service_id"] == s["id"] for h in s["schedules"])
    # every asset with hours has schedules; every asset's date is its own, not the build's
    for _, r in a.sample(60, random_state=15).iterrows():
        s = _full(client, r["asset_id"])
        assert bool(s["schedules"]) == isinstance(r["opening_hours"], str)
        assert s["last_modified"] == f"{r['last_verified']}T00:00:00Z" and s["assured_date"] == r["last_verified"]
        loc = s["service_at_locations"][0]["location"]
        assert loc["external_identifier"] == r["asset_id"]
        assert bool(loc.get("addresses")) == (isinstance(r["address"], str) and isinstance(r["postcode"], str))
    osm_2018 = a[a["asset_id"].str.startswith("osm-") & (a["last_verified"] == "2018-05-21")].iloc[0]
    assert _full(client, osm_2018["asset_id"])["last_modified"] == "2018-05-21T00:00:00Z"


def test_library_hours_as_weekly_schedules(client):
    sid = next(h["id"] for h in client.get("/api/oruk/services?search=brimington+library").get_json()["contents"])
    hours = client.get(f"/api/oruk/services/{sid}").get_json()["schedules"]
    assert [(h["freq"], h["byday"], h["opens_at"], h["closes_at"]) for h in hours] == [
        ("WEEKLY", "MO", "10:00", "19:00"), ("WEEKLY", "TU", "10:00", "17:00"), ("WEEKLY", "TH", "10:00", "17:00"),
        ("WEEKLY", "FR", "13:30", "17:00"), ("WEEKLY", "SA", "09:30", "12:30")]


def test_taxonomy_term_id_takes_codes_as_well_as_ids(client):
    terms = {t["term"]: t["id"] for t in client.get("/api/oruk/taxonomy_terms?per_page=200").get_json()["contents"]}
    by_code = client.get("/api/oruk/services?taxonomy_term_id=food_bank&per_page=200").get_json()
    by_id = client.get(f"/api/oruk/services?taxonomy_term_id={terms['food_bank']}&per_page=200").get_json()
    assert by_code["total_items"] >= 1 and by_code == by_id
    both = client.get(f"/api/oruk/services?taxonomy_term_id=food_bank,{terms['gp']}&per_page=200").get_json()
    gps = client.get("/api/oruk/services?taxonomy_term_id=gp&per_page=200").get_json()
    assert both["total_items"] == by_code["total_items"] + gps["total_items"]
    assert client.get("/api/oruk/services?taxonomy_term_id=no_such_term").get_json()["empty"]


def test_every_oruk_response_states_its_licence(client):
    """The licence in Link headers (rel="license": ODbL for data derived from OpenStreetMap; the
    downloads page's licences section for each curated source's terms), the JSON left as the profile's."""
    for url in ("/api/oruk/", "/api/oruk/services?per_page=1", "/api/oruk/taxonomies", "/api/oruk/services/nope"):
        resp = client.get(url)
        links = resp.headers.getlist("Link")
        assert '<https://opendatacommons.org/licenses/odbl/1-0/>; rel="license"' in links, url
        assert any(link.endswith('/downloads#licences-title>; rel="describedby"') for link in links), url
