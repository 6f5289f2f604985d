"""Open Referral UK / HSDS JSON imported keeping its structure: organisations, services, services at
locations (locations are curated assets) and schedules; services without a location kept as
area-wide; categories from taxonomy terms, the esd/OpenActive lists, the name and the description,
else "other_activity"; on the real Bristol feed and the validator's fully nested example."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetmap.registry.importer import import_file
from assetmap.registry.models import CuratedAsset, QuarantineRow
from assetmap.registry.models_services import Organization, Schedule, Service, ServiceAtLocation
from assetmap.taxonomy import load_taxonomy
from registry_support import POSTCODES, TODAY

TAXONOMY = load_taxonomy()
BRISTOL = ("oruk-bristol", "bristol_openplace_hservices_2024-12.json.gz")
MOCK = ("oruk-examples", "validator-mock-service_full.json")


def _import(engine, path, source="test", **kw):
    return import_file(engine, path, source, lookup=POSTCODES, taxonomy=TAXONOMY, today=TODAY, **kw)


TABLES = {
    "organizations": [{"id": "o1", "name": "Trust", "url": "https://trust.example.org"}],
    "services": [
        {"id": "s1", "name": "Food Bank", "organization_id": "o1", "status": "active",
         "description": "<p>Food &amp; help<br>Tuesdays</p>"},
        {"id": "s2", "name": "Phone Line", "organization_id": "o1", "status": "active"},
        {"id": "s3", "name": "Two Halls", "status": "active"},
        {"id": "s4", "name": "Mystery", "status": "active"},
        {"id": "s5", "name": "Old club", "status": "defunct"},
        {"id": "s6", "name": "Swim", "status": "active"},
    ],
    "locations": [
        {"id": "l1", "latitude": 53.235, "longitude": -1.42},
        {"id": "l2", "name": "North Hall", "latitude": 53.24, "longitude": -1.41},
        {"id": "l3", "latitude": 53.25, "longitude": -1.40},
        {"id": "l4", "latitude": 53.26, "longitude": -1.39},
    ],
    "service_at_locations": [{"id": "a1", "service_id": "s1", "location_id": "l1"},
                             {"id": "a2", "service_id": "s3", "location_id": "l2"},
                             {"id": "a3", "service_id": "s3", "location_id": "l3"},
                             {"id": "a4", "service_id": "s4", "location_id": "l4"},
                             {"id": "a5", "service_id": "s6", "location_id": "l2"}],
    "physical_addresses": [{"id": "p1", "location_id": "l1", "address_1": "1 High St", "city": "Chesterfield",
                            "postal_code": "S40 1LP"}],
    "taxonomy_terms": [{"id": "t1", "name": "Food Bank"}, {"id": "t2", "name": "Community Hall"},
                       {"id": "t3", "name": "Astrology"}, {"id": "t4", "name": "Swimming"}],
    "attributes": [{"id": "x1", "link_id": "s1", "taxonomy_term_id": "t1"},
                   {"id": "x2", "link_id": "s3", "taxonomy_term_id": "t2"},
                   {"id": "x3", "link_id": "s4", "taxonomy_term_id": "t3"},
                   {"id": "x4", "link_id": "s6", "taxonomy_term_id": "t4"}],
    "schedules": [{"id": "k1", "service_id": "s1", "freq": "WEEKLY", "byday": "TU", "opens_at": "10:30:00",
                   "closes_at": "12:00:00"},
                  {"id": "k2", "service_at_location_id": "a2", "freq": "MONTHLY", "byday": "1WE",
                   "opens_at": "19:00", "closes_at": "21:00", "valid_from": "2026-10-01", "valid_to": "2027-03-31"}],
}


def test_oruk_tables_keep_their_structure(engine, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(TABLES))
    report = _import(engine, path)
    assert report.format == "oruk" and report.notes["services_kept"] == 5 and report.notes["services_area_wide"] == 1
    by_id = {r.source_id: r for r in report.rows}
    assert {k: v.outcome for k, v in by_id.items()} == {"l1": "inserted", "l2": "inserted", "l3": "inserted",
                                                        "l4": "inserted", "s5": "quarantined"}
    assert any(r.startswith("status:") and "'defunct'" in r for r in by_id["s5"].reasons)
    with Session(engine) as s:
        svc = {x.source_id: x for x in s.scalars(select(Service))}
        assert set(svc) == {"s1", "s2", "s3", "s4", "s6"}
        # categories: a taxonomy alias, the esd/OpenActive list, nothing at all (kept as other activity)
        assert (svc["s1"].category, svc["s3"].category, svc["s6"].category, svc["s4"].category) == (
            "food_bank", "community_centre", "sports_centre", "other_activity")
        assert svc["s1"].description == "Food & help\nTuesdays" and svc["s1"].url == "https://trust.example.org"
        assert svc["s2"].area_wide and not svc["s1"].area_wide
        assert s.scalar(select(Organization.name)) == "Trust" and svc["s2"].organization_id is not None
        fb = s.scalar(select(CuratedAsset).where(CuratedAsset.source_id == "l1"))
        assert (fb.category, fb.postcode, fb.address) == ("food_bank", "S40 1LP", "1 High St, Chesterfield")
        halls = s.scalars(select(ServiceAtLocation).where(ServiceAtLocation.service_id == svc["s3"].id)).all()
        assert len(halls) == 2 and all(h.asset_id for h in halls)
        shared = s.scalars(select(ServiceAtLocation.service_id).join(
            CuratedAsset, CuratedAsset.id == ServiceAtLocation.asset_id).where(CuratedAsset.source_id == "l2")).all()
        assert set(shared) == {svc["s3"].id, svc["s6"].id}  # one location, two services
        weekly = s.scalar(select(Schedule).where(Schedule.service_id == svc["s1"].id))
        assert (weekly.freq, weekly.byday, weekly.opens_at, weekly.closes_at) == ("WEEKLY", "TU", "10:30", "12:00")
        monthly = s.scalar(select(Schedule).where(Schedule.service_at_location_id.is_not(None)))
        assert (monthly.byday, monthly.valid_to.isoformat()) == ("1WE", "2027-03-31")
    again = _import(engine, path)  # the same feed again changes nothing
    assert again.notes["services_stored"]["unchanged"] == 5 and again.counts["unchanged"] == 4


def test_real_oruk_bristol_feed_is_kept_as_area_wide_services(engine, data_root):
    report = _import(engine, data_root.joinpath(*BRISTOL), source="bristol-openplace")
    assert report.notes["services"] == 819 and report.notes["services_kept"] == 817
    assert report.notes["services_area_wide"] == 817 and report.notes["locations"] == 0
    # quarantined: the one service with no name, and the second service using an id already used
    assert report.counts["quarantined"] == 2
    reasons = [r for row in report.rows for r in row.reasons]
    assert any(r.startswith("name: the service has no name") for r in reasons)
    assert any(r.startswith("id: duplicate service id '2af617e5") for r in reasons)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Service)) == 817
        assert s.scalar(select(func.count()).select_from(Service).where(Service.area_wide.is_(False))) == 0
        pic = s.scalar(select(Service).where(Service.name == "A Picture of Health"))
        assert pic.last_verified.isoformat() == "2022-10-04" and pic.url.startswith("http://www.apicture")
        assert s.scalar(select(Organization.name).where(Organization.id == pic.organization_id)) == "NHS"
        cats = dict(s.execute(select(Service.category, func.count()).group_by(Service.category)).all())
        assert cats["other_activity"] < 817 // 3 and set(cats) <= set(TAXONOMY.categories)
        drop_in = s.scalars(select(Service.access).where(Service.access.is_not(None))).all()
        assert set(drop_in) == {"drop_in", "self_referral", "referral", "appointment"}


def test_the_fully_nested_example_keeps_every_part(engine, data_root):
    report = _import(engine, data_root.joinpath(*MOCK), source="mock")
    assert report.notes["services_kept"] == 1
    # the location's point (100, 101) and postcode are dummies: only the location row is quarantined
    (loc,) = report.rows
    assert loc.outcome == "quarantined" and loc.reasons[0].startswith("location: the feed's point (100, 101)")
    with Session(engine) as s:
        svc = s.scalar(select(Service))
        assert (svc.name, svc.category, svc.contact_name, svc.cost, svc.eligibility) == (
            "Community Counselling", "support_group", "Ann Persona",
            "£35 per 1 hour session (Under 18s and Over 60s); fees_description", "Ages 12 to 100")
        assert svc.extra["funding"][0]["id"] == "1f2df32c-bf08-4b8e-bd6f-e834014b19bc"
        org = s.get(Organization, svc.organization_id)
        assert org.extra["organization_identifiers"][0]["identifier"] == "1234567"
        sal = s.scalar(select(ServiceAtLocation))
        assert sal.asset_id is None and json.loads(sal.location_json)["name"] == "MyCity Civic Center"
        sched = s.scalar(select(Schedule))
        assert (sched.freq, sched.byday, sched.opens_at, sched.closes_at, sched.interval) == (
            "WEEKLY", "TH,FR", "10:00", "18:00", 1)
        assert sched.extra["notes"].startswith("Some of our staff")
        q = s.scalar(select(QuarantineRow))
        assert q.original["location"]["id"] == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"


def test_a_placed_location_is_a_curated_asset_with_its_accessibility(engine, data_root, tmp_path):
    feed = json.loads(data_root.joinpath(*MOCK).read_text())
    loc = feed["service_at_locations"][0]["location"]
    loc["latitude"], loc["longitude"] = 53.235, -1.42
    loc["addresses"][0]["postal_code"] = "S40 1LP"
    path = tmp_path / "placed.json"
    path.write_text(json.dumps(feed))
    report = _import(engine, path, source="mock")
    assert [r.outcome for r in report.rows] == ["inserted"]
    with Session(engine) as s:
        hall = s.scalar(select(CuratedAsset))
        assert (hall.name, hall.category, hall.step_free, hall.hearing_loop, hall.accessible_toilet) == (
            "MyCity Civic Center", "support_group", True, True, None)
        assert s.scalar(select(ServiceAtLocation.asset_id)) == hall.id
        assert json.loads(hall.extra_json)["hsds"]["external_identifier"] == "10092008082"
