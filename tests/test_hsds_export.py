"""Lossless export: the shared ORUK files imported into the registry and exported back to ORUK JSON
give the same records (services, organisations, services at locations, locations, schedules),
valid against the profile's schema; a curator's change is written into the record; a service made
in the registry is exported from its columns."""
from __future__ import annotations

import gzip
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.registry.hsds_export import export_services, repair
from assetmap.registry.hsds_store import record_id
from assetmap.registry.models_services import Schedule, Service, ServiceAtLocation
from test_hsds_import import BRISTOL, MOCK, _import
from test_oruk import assert_valid, validator

NEW = record_id("service", "mock", "local-1")


def _exported(engine, source: str) -> list[dict]:
    with Session(engine) as s:
        return export_services(s, source)


def test_the_nested_example_round_trips(engine, data_root):
    original = json.loads(data_root.joinpath(*MOCK).read_text())
    _import(engine, data_root.joinpath(*MOCK), source="mock")
    (out,) = _exported(engine, "mock")
    assert_valid(validator("compiled/service.json"), out)
    # everything as given, but the location's refused dummy point (100, 101): it waits in quarantine
    expected = json.loads(json.dumps(original))
    loc = expected["service_at_locations"][0]["location"]
    del loc["latitude"], loc["longitude"]
    assert out == expected


def test_the_bristol_feed_round_trips(engine, data_root):
    with gzip.open(data_root.joinpath(*BRISTOL)) as f:
        original = json.load(f)
    _import(engine, data_root.joinpath(*BRISTOL), source="bristol")
    out = _exported(engine, "bristol")
    # as given, but for what the profile's schema refuses: empty web addresses and emails (812 of the
    # organisations' "uri" are ""), bare hosts such as "www.yateparish.org.uk" (given "http://")
    original = [repair(s) for s in original]
    kept = {s["id"]: s for s in original if s["name"].strip()}  # the nameless one is quarantined
    assert len(out) == 817
    full = validator("compiled/service.json")
    for s in out:
        assert_valid(full, s)
        if s["id"] != "2af617e5-4532-bebe-1036-ffdf2e93ce55":  # the repeated id: the first one is kept
            assert s == kept[s["id"]]
    first = next(s for s in original if s["id"] == "2af617e5-4532-bebe-1036-ffdf2e93ce55")
    assert next(s for s in out if s["id"] == first["id"]) == first


def test_a_curators_change_is_exported_and_a_new_service_from_its_columns(engine, data_root, tmp_path):
    _import(engine, data_root.joinpath(*MOCK), source="mock")
    with Session(engine) as s, s.begin():
        svc = s.scalar(select(Service))
        svc.name = "Community Counselling (Tuesdays)"
        s.scalar(select(Schedule)).closes_at = "17:30"
        s.add(Service(id=NEW, source="mock", source_id="local-1", name="Singing group", category="support_group",
                      cost="free", access="drop_in", contact_name="Jo", status="published"))
        s.flush()
        s.add(Schedule(service_id=NEW, freq="WEEKLY", byday="TU", opens_at="10:30", closes_at="12:00"))
    old, new = _exported(engine, "mock")
    assert old["name"] == "Community Counselling (Tuesdays)" and old["schedules"][0]["closes_at"] == "17:30"
    assert old["schedules"][0]["opens_at"] == "10:00:00"  # unchanged: the feed's own text
    full = validator("compiled/service.json")
    assert_valid(full, old)
    assert_valid(full, new)
    assert (new["name"], new["fees"], new["contacts"][0]["name"], new["service_at_locations"]) == (
        "Singing group", "free", "Jo", [])
    assert {k: new["schedules"][0][k] for k in ("freq", "byday", "opens_at", "closes_at", "service_id")} == {
        "freq": "WEEKLY", "byday": "TU", "opens_at": "10:30", "closes_at": "12:00", "service_id": new["id"]}
    with Session(engine) as s:
        assert s.scalar(select(ServiceAtLocation.asset_id)) is None
