"""The public suggests an activity or group with its times; a curator approving it creates a service
with its session, at the venue's registry place when one matches (SQLite and PostgreSQL). Wrong
times are refused with the field and the fix; hostile text stays text."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.registry.models import AuditLog, Suggestion
from assetmap.registry.models_services import Schedule, Service, ServiceAtLocation
from assetmap.registry.publish_services import service_records
from curate_support import XSS_IMG, XSS_SCRIPT, assert_escaped, login, page, post
from test_curate_services import _place


@pytest.fixture
def client(curate_client):
    return curate_client


ACTIVITY = {"kind": "activity", "activity": "Tuesday choir", "category": "community_centre",
            "description": "Sing together", "venue": "St Mary", "postcode": "s40 1lp", "byday": "Tuesday",
            "often": "weekly", "opens_at": "10:30", "closes_at": "12:00", "cost": "free", "access": "drop_in",
            "contact": "me@example.org"}


def _suggestions(engine) -> list[Suggestion]:
    with Session(engine) as s:
        return list(s.scalars(select(Suggestion).order_by(Suggestion.id)))


def test_the_form_offers_an_activity_and_refuses_wrong_times(client, engine):
    html = page(client.get("/suggest?kind=activity"))
    assert 'name="activity"' in html and 'name="opens_at"' in html and 'value="fortnightly"' in html
    assert 'name="activity"' not in page(client.get("/suggest"))
    resp = post(client, "/suggest", {**ACTIVITY, "byday": "Someday", "opens_at": "14:00", "closes_at": "13:00",
                                     "venue": "", "postcode": ""})
    text = page(resp)
    assert resp.status_code == 400 and _suggestions(engine) == []
    assert "is not a day of the week" in text and "is not after the start" in text
    assert "give where it happens" in text
    assert post(client, "/suggest", {**ACTIVITY, "often": "monthly-9"}).status_code == 400


def test_suggestion_approved_becomes_a_service_at_the_venue(client, engine):
    hall = _place(engine)
    assert post(client, "/suggest", ACTIVITY).status_code == 303
    (sug,) = _suggestions(engine)
    assert sug.status == "pending" and sug.fields["kind"] == "activity" and sug.fields["postcode"] == "S40 1LP"
    with Session(engine) as s:
        assert s.scalars(select(Service)).all() == []  # nothing published before approval
    login(client, "mo")
    assert "Tuesday choir" in page(client.get("/curate/suggestions"))
    assert 'name="often"' in page(client.get(f"/curate/suggestions/{sug.id}"))
    resp = post(client, f"/curate/suggestions/{sug.id}", {**ACTIVITY, "action": "approve"})
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/curate/services/")
    with Session(engine) as s:
        svc = s.scalars(select(Service)).one()
        assert (svc.name, svc.source, svc.cost, svc.access) == ("Tuesday choir", "suggestions", "free", "drop_in")
        (sched,) = s.scalars(select(Schedule).where(Schedule.service_id == svc.id)).all()
        assert (sched.freq, sched.byday, sched.opens_at, sched.closes_at) == ("WEEKLY", "TU", "10:30", "12:00")
        assert s.scalars(select(ServiceAtLocation.asset_id)).all() == [hall]
        (rec,) = service_records(s)
        assert json.loads(rec["schedules"])[0]["byday"] == "TU"
        assert s.get(Suggestion, sug.id).status == "approved"
        assert "approve" in s.scalars(select(AuditLog.action).where(AuditLog.table_name == "suggestion")).all()
    assert "Tuesdays 10:30–12:00" in page(client.get(resp.headers["Location"]))


def test_monthly_without_a_matching_venue_and_moderator_edits(client, engine):
    post(client, "/suggest", {**ACTIVITY, "venue": "Nowhere Hall", "often": "monthly-last", "byday": "fri"})
    (sug,) = _suggestions(engine)
    login(client, "mo")
    resp = post(client, f"/curate/suggestions/{sug.id}", {**ACTIVITY, "venue": "Nowhere Hall",
                                                          "often": "monthly-last", "byday": "fri",
                                                          "closes_at": "09:00", "action": "approve"})
    assert resp.status_code == 400 and "is not after the start" in page(resp)
    resp = post(client, f"/curate/suggestions/{sug.id}", {**ACTIVITY, "venue": "Nowhere Hall",
                                                          "often": "monthly-last", "byday": "fri",
                                                          "action": "approve"})
    assert resp.status_code == 303
    with Session(engine) as s:
        assert s.scalars(select(Schedule.byday)).all() == ["-1FR"]
        assert s.scalars(select(ServiceAtLocation)).all() == []
    assert "last Friday of the month" in page(client.get(resp.headers["Location"]))


def test_hostile_text_stays_text(client, engine):
    hostile = {**ACTIVITY, "activity": f"Choir {XSS_SCRIPT}", "description": XSS_IMG, "venue": XSS_SCRIPT,
               "cost": "=HYPERLINK(\"http://x\")"}
    assert post(client, "/suggest", hostile).status_code == 303
    (sug,) = _suggestions(engine)
    assert sug.fields["activity"] == f"Choir {XSS_SCRIPT}"
    login(client, "mo")
    assert_escaped(page(client.get("/curate/suggestions")))
    assert_escaped(page(client.get(f"/curate/suggestions/{sug.id}")))
    resp = post(client, f"/curate/suggestions/{sug.id}", {**hostile, "action": "approve"})
    assert resp.status_code == 303
    assert_escaped(page(client.get(resp.headers["Location"])))
    assert_escaped(page(client.get("/curate/services")))
