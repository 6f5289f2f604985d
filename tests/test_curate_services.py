"""Curators add and edit services and their sessions (HSDS schedules) in the web pages, on SQLite and
PostgreSQL: the checks name the field and the fix, every change is audited, a service is linked to
a registry place, and what curators make is published with the shared contract's columns."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.registry.assets import store_asset
from assetmap.registry.models import AuditLog
from assetmap.registry.models_services import Schedule, Service, ServiceAtLocation
from assetmap.registry.publish_services import service_records
from assetmap.registry.services_edit import check_service, check_session, list_services, parse_days
from assetmap.registry.validate import STORED
from curate_support import XSS_SCRIPT, assert_escaped, login, page, post


@pytest.fixture
def client(curate_client):
    return curate_client


def _place(engine, name="St Mary's Hall") -> str:
    with Session(engine) as s, s.begin():
        values = {k: None for k in STORED} | {"id": "hall-1", "name": name, "category": "community_centre",
                                               "postcode": "S40 1LP", "lat": 53.2352, "lon": -1.4237,
                                               "located_by": "postcode"}
        return store_asset(s, "council", values, "test")[1].id


SESSION = {"freq": "WEEKLY", "byday": "Tuesday", "interval": "1", "opens_at": "10:30", "closes_at": "12:00"}
SERVICE = {"name": "Singing group", "category": "community_centre", "cost": "free", "access": "drop_in",
           "contact_name": "Jo", "languages": "English", "description": "Songs and tea"}


def _audit(engine, table) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditLog.action).where(AuditLog.table_name == table).order_by(AuditLog.id)))


def test_session_checks_name_the_field_and_the_fix():
    bad = check_session({"freq": "WEEKLY", "byday": "Tuesday, Funday", "opens_at": "12:00", "closes_at": "10:30",
                         "valid_from": "2027-03-31", "valid_to": "2026-11-01"})
    assert not bad.ok
    text = " | ".join(bad.reasons)
    assert "byday: 'Funday' is not a day of the week" in text
    assert "closes_at: the end (10:30) is not after the start (12:00)" in text
    assert "valid_to: 2026-11-01 is before valid_from 2027-03-31; put the dates in order" in text
    assert "opens_at: 'noon' is not a time" in " ".join(check_session({**SESSION, "opens_at": "noon"}).reasons)
    assert "nth:" in " ".join(check_session({**SESSION, "freq": "MONTHLY"}).reasons)
    good = check_session({**SESSION, "freq": "MONTHLY", "nth": "-1", "byday": "fri", "opens_at": "9.00"})
    assert good.ok and good.values["byday"] == "-1FR" and good.values["opens_at"] == "09:00"
    assert parse_days("Mon and Wed", []) == ["MO", "WE"]
    svc = check_service({"name": " ", "category": "nope", "access": "whenever"}, {"community_centre"})
    assert [r.split(":")[0] for r in svc.reasons] == ["name", "category", "access"]


def test_curator_creates_a_service_with_sessions_and_a_place(client, engine):
    hall = _place(engine)
    login(client, "mo")
    resp = post(client, "/curate/services/new", SERVICE)
    assert resp.status_code == 303
    sid = resp.headers["Location"].rsplit("/", 1)[1]
    assert post(client, f"/curate/services/{sid}/sessions", SESSION).status_code == 303
    monthly = {**SESSION, "freq": "MONTHLY", "nth": "1", "byday": "Thu", "valid_from": "2026-11-01",
               "valid_to": "2027-03-31"}
    assert post(client, f"/curate/services/{sid}/sessions", monthly).status_code == 303
    assert post(client, f"/curate/services/{sid}/places", {"asset_id": hall}).status_code == 303
    html = page(client.get(f"/curate/services/{sid}"))
    assert "Tuesdays 10:30–12:00" in html and "1st Thursday of the month 10:30–12:00" in html
    assert "from 2026-11-01 until 2027-03-31" in html and "St Mary&#39;s Hall" in html
    with Session(engine) as s:
        rows = service_records(s)
        assert len(rows) == 1 and rows[0]["service_name"] == "Singing group" and rows[0]["name"] == "St Mary's Hall"
        assert [x["byday"] for x in json.loads(rows[0]["schedules"])] == ["TU", "1TH"]
    assert _audit(engine, "service") == ["insert"]
    assert _audit(engine, "schedule") == ["insert", "insert"]
    assert _audit(engine, "service_at_location") == ["insert"]


def _made(client, engine) -> tuple[str, int]:
    login(client, "mo")
    sid = post(client, "/curate/services/new", SERVICE).headers["Location"].rsplit("/", 1)[1]
    post(client, f"/curate/services/{sid}/sessions", SESSION)
    with Session(engine) as s:
        return sid, s.scalar(select(Schedule.id).where(Schedule.service_id == sid))


def test_edit_and_remove_are_audited_and_bad_input_is_refused(client, engine):
    sid, sched = _made(client, engine)
    resp = post(client, f"/curate/services/{sid}/sessions", {**SESSION, "closes_at": "09:00"})
    assert resp.status_code == 400 and "is not after the start" in page(resp)
    resp = post(client, f"/curate/services/{sid}/sessions/{sched}", {**SESSION, "byday": "Wednesday",
                                                                      "opens_at": "25:00"})
    assert resp.status_code == 400 and "is not a time" in page(resp)
    assert "Tuesday" in page(client.get(f"/curate/services/{sid}/sessions/{sched}"))
    assert post(client, f"/curate/services/{sid}/sessions/{sched}", {**SESSION, "byday": "Wed"}).status_code == 303
    resp = post(client, f"/curate/services/{sid}", {**SERVICE, "cost": "£2 a session", "category": "nope"})
    assert resp.status_code == 400 and "is not a known category" in page(resp)
    assert post(client, f"/curate/services/{sid}", {**SERVICE, "cost": "£2 a session"}).status_code == 303
    with Session(engine) as s:
        assert s.get(Service, sid).cost == "£2 a session" and s.get(Schedule, sched).byday == "WE"
        log = s.scalars(select(AuditLog).where(AuditLog.table_name == "schedule").order_by(AuditLog.id)).all()
        assert [e.action for e in log] == ["insert", "update"] and log[1].before == {"byday": "TU"}
    assert post(client, f"/curate/services/{sid}/sessions/{sched}/remove").status_code == 303
    assert _audit(engine, "schedule")[-1] == "delete" and _audit(engine, "service") == ["insert", "update"]
    assert client.get(f"/curate/services/{sid}/sessions/{sched}").status_code == 404
    assert client.get("/curate/services/no-such-service").status_code == 404


def test_list_search_paging_and_hostile_text(client, engine):
    login(client, "mo")
    for n in range(3):
        post(client, "/curate/services/new", {**SERVICE, "name": f"Walk {n} {XSS_SCRIPT}"})
    post(client, "/curate/services/new", {**SERVICE, "name": "Choir"})
    with Session(engine) as s:
        rows, total = list_services(s, "walk", 1, 1)
        assert total == 3 and len(rows) == 1 and rows[0].name.startswith("Walk 1")
        assert list_services(s, "%")[1] == 0
    html = page(client.get("/curate/services?q=walk"))
    assert "3 service(s)" in html and ">Choir<" not in html
    assert_escaped(html)
    assert client.get("/curate/services?page=x").status_code == 400
    with Session(engine) as s:
        sid = s.scalar(select(Service.id).where(Service.name.startswith("Walk 0")))
    assert_escaped(page(client.get(f"/curate/services/{sid}")))


def test_place_link_and_unlink(client, engine):
    hall = _place(engine)
    sid, _ = _made(client, engine)
    assert "St Mary" in page(client.get(f"/curate/services/{sid}?place_q=mary"))
    post(client, f"/curate/services/{sid}/places", {"asset_id": "nope"})
    post(client, f"/curate/services/{sid}/places", {"asset_id": hall})
    post(client, f"/curate/services/{sid}/places", {"asset_id": hall})  # linking twice keeps one link
    with Session(engine) as s:
        links = s.scalars(select(ServiceAtLocation).where(ServiceAtLocation.service_id == sid)).all()
        assert [sal.asset_id for sal in links] == [hall]
    assert post(client, f"/curate/services/{sid}/places/{links[0].id}/remove").status_code == 303
    assert _audit(engine, "service_at_location") == ["insert", "delete"]


def test_posts_need_login(curate_app, engine):
    c = curate_app.test_client()
    assert c.post("/curate/services/new", data=SERVICE).status_code in (400, 403)
    assert c.get("/curate/services").status_code == 302
