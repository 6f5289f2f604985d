"""The ORUK API publishes the registry's services with their schedules and services at locations
(read once when the registry is attached, and again after a publish), valid against the profile;
the validator's Levels 1 and 2 still pass with them in."""
from __future__ import annotations

import json

import pytest

from oruk_validator import ProfileRunner, report
from test_hsds_import import MOCK, TABLES, _import
from test_oruk import assert_valid, validator
from test_oruk_validator import BASE, _get


@pytest.fixture
def oruk_client(curate_app, engine, registry_url, data_root, tmp_path):
    from app.registry_setup import init_registry

    (tmp_path / "feed.json").write_text(json.dumps(TABLES))
    _import(engine, tmp_path / "feed.json", source="council")
    feed = json.loads(data_root.joinpath(*MOCK).read_text())
    loc = feed["service_at_locations"][0]["location"]
    loc["latitude"], loc["longitude"] = 53.2362, -1.4265
    loc["addresses"][0]["postal_code"] = "S40 1LP"
    (tmp_path / "mock.json").write_text(json.dumps(feed))
    _import(engine, tmp_path / "mock.json", source="mock")
    init_registry(curate_app, registry_url)
    yield curate_app.test_client()
    state = curate_app.extensions["assetmap"]
    state.oruk.add_registry([], {})  # back to the build's services only
    curate_app.extensions["registry"].dispose()


def _find(client, search: str) -> dict:
    found = client.get(f"/api/oruk/services?search={search}&per_page=5").get_json()["contents"]
    assert found, f"no service found for {search!r}"
    return client.get(f"/api/oruk/services/{found[0]['id']}").get_json()


def test_registry_services_with_schedules_and_locations(oruk_client):
    full = validator("compiled/service.json")
    counselling = _find(oruk_client, "counselling")
    assert_valid(full, counselling)
    assert counselling["schedules"][0]["byday"] == "TH,FR" and counselling["contacts"][0]["name"] == "Ann Persona"
    (sal,) = counselling["service_at_locations"]
    assert sal["location"]["name"] == "MyCity Civic Center" and sal["location"]["latitude"] == 53.2362
    food = _find(oruk_client, "food+help+tuesdays")
    assert food["schedules"][0]["opens_at"] == "10:30:00"  # the feed's own text, unchanged
    by_term = oruk_client.get("/api/oruk/services?taxonomy_term_id=food_bank&per_page=200").get_json()["contents"]
    assert food["id"] in {s["id"] for s in by_term}
    near = oruk_client.get("/api/oruk/services?postcode=S40+1LP&proximity=2000&per_page=200").get_json()
    assert counselling["id"] in {s["id"] for s in near["contents"]}


def test_service_at_locations_one_per_link(oruk_client):
    halls = _find(oruk_client, "two+halls")
    assert len(halls["service_at_locations"]) == 2
    listing = oruk_client.get("/api/oruk/service_at_locations?search=two+halls").get_json()["contents"]
    assert {s["id"] for s in listing} == {s["id"] for s in halls["service_at_locations"]}
    item = validator("compiled/service_at_location.json")
    monthly = [oruk_client.get(f"/api/oruk/service_at_locations/{s['id']}").get_json() for s in listing]
    for s in monthly:
        assert_valid(item, s)
        assert s["service"]["id"] == halls["id"]
    assert any(x.get("schedules", [{}])[0].get("byday") == "1WE" for x in monthly)


def test_an_area_wide_service_is_listed_but_not_at_a_location(oruk_client):
    phone = _find(oruk_client, "phone+line")
    assert phone.get("service_at_locations", []) == [] and phone["name"] == "Phone Line"
    assert not oruk_client.get("/api/oruk/service_at_locations?search=phone+line").get_json()["contents"]
    near = oruk_client.get("/api/oruk/services?search=phone+line&postcode=S40+1LP&proximity=5000").get_json()
    assert near["contents"] == []


def test_levels_1_and_2_pass_with_registry_services(oruk_client):
    groups = ProfileRunner(_get(oruk_client), BASE, seed=3).run()
    assert [g.success for g in groups] == [True, True], report(groups)
