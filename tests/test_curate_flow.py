"""The moderation workflow through the pages, on SQLite and PostgreSQL: suggestion → approve (asset +
audit) or reject; problem reports; quarantine fix and re-submit; upload import; review; users;
and hostile text shown escaped everywhere."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.registry.models import AuditLog, CuratedAsset, ProblemReport, QuarantineRow, Suggestion, User
from curate_support import POSTCODE, XSS_IMG, XSS_SCRIPT, assert_escaped, login, page, post, suggestion_form


@pytest.fixture
def client(curate_client):
    """The curator app's test client (``client`` elsewhere is the read-only app's)."""
    return curate_client



def _one(engine, model, *where):
    with Session(engine) as s:
        return s.scalars(select(model).where(*where)).all()


def _audit(engine, table, record) -> list[str]:
    """The record's audit actions, newest first."""
    with Session(engine) as s:
        return list(s.scalars(select(AuditLog.action).where(AuditLog.table_name == table,
                                                            AuditLog.record_id == str(record)).order_by(AuditLog.id.desc())))


def test_public_suggestion_is_validated_and_waits_for_approval(client, engine):
    resp = post(client, "/suggest", suggestion_form(postcode="S99 9ZZ", phone="123", url="javascript:alert(1)"))
    html = page(resp)
    assert resp.status_code == 400
    assert 'href="#field-postcode"' in html and 'href="#field-phone"' in html and 'href="#field-url"' in html
    assert "We could not find this postcode" in html
    assert 'value="Hollow Lane Community Hall"' in html  # the form is refilled
    assert 'id="field-phone" name="phone" type="tel" value="123"' in html
    assert _one(engine, Suggestion) == []
    resp = post(client, "/suggest", suggestion_form())
    assert resp.status_code == 303 and resp.headers["Location"] == "/thanks/suggestion"
    assert "checked by a moderator before it is published" in page(client.get("/thanks/suggestion"))
    [s] = _one(engine, Suggestion)
    assert s.status == "pending" and s.fields["contact"] == "me@example.org"
    assert _one(engine, CuratedAsset) == []  # nothing published before approval


def test_honeypot_stores_nothing(client, engine):
    resp = post(client, "/suggest", suggestion_form(homepage="http://spam.example"))
    assert resp.status_code == 303
    assert _one(engine, Suggestion) == []


def test_approve_with_edits_publishes_an_audited_asset(client, engine):
    post(client, "/suggest", suggestion_form())
    [s] = _one(engine, Suggestion)
    login(client, "mo")
    assert "Hollow Lane Community Hall" in page(client.get("/curate/suggestions"))
    resp = post(client, f"/curate/suggestions/{s.id}", suggestion_form(phone="12", action="approve"))
    assert resp.status_code == 400 and "not a UK phone number" in page(resp)
    assert _one(engine, CuratedAsset) == []
    resp = post(client, f"/curate/suggestions/{s.id}", suggestion_form(name="Hollow Lane Hall", action="save"))
    assert resp.status_code == 303
    resp = post(client, f"/curate/suggestions/{s.id}", suggestion_form(name="Hollow Lane Hall", action="approve"))
    assert resp.status_code == 303
    [asset] = _one(engine, CuratedAsset)
    assert (asset.name, asset.source, asset.status, asset.postcode) == ("Hollow Lane Hall", "suggestions", "published",
                                                                       POSTCODE)
    assert _audit(engine, "suggestion", s.id) == ["approve", "edit", "suggest"]
    assert _audit(engine, "curated_asset", asset.id) == ["insert"]
    html = page(client.get(f"/curate/suggestions/{s.id}"))
    assert "Published as" in html and "approve" in html and "mo" in html
    assert "contact" not in {k for k in vars(asset)}  # the contact is never published


def test_reject_with_note(client, engine):
    post(client, "/suggest", suggestion_form())
    [s] = _one(engine, Suggestion)
    login(client, "mo")
    assert post(client, f"/curate/suggestions/{s.id}/reject", {"note": "Duplicate of an OSM place"}).status_code == 303
    [s] = _one(engine, Suggestion)
    assert (s.status, s.decided_by, s.decision_note) == ("rejected", "mo", "Duplicate of an OSM place")
    assert _audit(engine, "suggestion", s.id)[0] == "reject"
    resp = post(client, f"/curate/suggestions/{s.id}", suggestion_form(action="approve"))
    assert resp.status_code == 303 and _one(engine, CuratedAsset) == []  # decided suggestions stay decided
    assert "already rejected" in page(client.get(resp.headers["Location"]))


def test_problem_report_and_resolution(client, engine):
    post(client, "/suggest", suggestion_form())
    [s] = _one(engine, Suggestion)
    login(client, "mo")
    post(client, f"/curate/suggestions/{s.id}", suggestion_form(action="approve"))
    [asset] = _one(engine, CuratedAsset)
    public = client.application.test_client()
    assert "Hollow Lane" in page(public.get("/report?q=hollow"))
    assert public.get("/report?asset=nope").status_code == 404
    form = page(public.get(f"/report?asset={asset.id}"))
    assert 'name="topic" value="closed"' in form and "Report a problem with Hollow Lane" in form
    resp = post(public, "/report", {"asset": asset.id, "topic": "bogus"})
    assert resp.status_code == 400 and "Choose what is wrong" in page(resp)
    resp = post(public, "/report", {"asset": asset.id, "topic": "moved", "text": XSS_SCRIPT})
    assert resp.status_code == 303 and resp.headers["Location"] == "/thanks/report"
    [p] = _one(engine, ProblemReport)
    html = page(client.get("/curate/problems"))
    assert_escaped(html)
    assert f'/curate/assets/{asset.id}' in html
    assert post(client, f"/curate/problems/{p.id}", {"action": "dismiss", "note": "spam"}).status_code == 303
    [p] = _one(engine, ProblemReport)
    assert (p.status, p.resolved_by) == ("dismissed", "mo")
    assert _audit(engine, "problem_report", p.id) == ["dismiss", "report"]


def _csv(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "name", "category", "postcode", "lat", "lon", "phone", "url"])
    w.writerows(rows)
    return buf.getvalue().encode()


def _upload(client, data: bytes, source="council", filename="list.csv", complete: bool = False):
    form = {"file": (io.BytesIO(data), filename), "source": source, "format": "", **({"complete": "1"} if complete else {})}
    return post(client, "/curate/import", form, content_type="multipart/form-data")


def test_upload_import_then_fix_and_resubmit_quarantine(client, engine):
    login(client, "mo")
    rows = [["a1", "Market Hall", "community centre", POSTCODE, "", "", "01246 345345", ""],
            ["a2", XSS_SCRIPT, "library", "", "53.2360", "-1.4290", "", ""],
            ["a3", XSS_IMG, "library", "", "53.2360", "-1.4290", "12", "javascript:alert(1)"]]
    resp = _upload(client, _csv(rows))
    html = page(resp)
    assert resp.status_code == 200, html[:2000]
    assert "2 accepted" in html and "1 quarantined" in html
    assert_escaped(html, present=False)  # the report lists ids and reasons
    assert len(_one(engine, CuratedAsset)) == 2
    [q] = _one(engine, QuarantineRow)
    html = page(client.get("/curate/quarantine"))
    assert_escaped(html)
    assert "council, batch" in html and "not a UK phone number" in html
    html = page(client.get(f"/curate/quarantine/{q.id}"))
    assert_escaped(html)
    assert 'href="#field-phone"' in html and 'href="#field-url"' in html
    values = {k: ("" if v is None else str(v)) for k, v in q.values.items()}
    resp = post(client, f"/curate/quarantine/{q.id}", {**values, "phone": "01246 000000", "action": "resubmit"})
    assert resp.status_code == 400 and "is still" not in page(resp) and "javascript" in page(resp)
    resp = post(client, f"/curate/quarantine/{q.id}", {**values, "phone": "01246 000000", "url": "",
                                                       "action": "resubmit"})
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/curate/assets/")
    [q] = _one(engine, QuarantineRow)
    assert q.status == "resubmitted" and q.original["phone"] == "12"  # the original is never edited
    assert _audit(engine, "quarantine_row", q.id) == ["resubmit", "fix", "fix"]
    assert len(_one(engine, CuratedAsset)) == 3
    resp = _upload(client, _csv(rows))  # same file again: nothing new; the bad row is quarantined again
    assert "0 new" in page(resp)
    # the council's complete list without a1: a1 is hidden, kept and listed in the report
    resp = _upload(client, _csv(rows[1:]), complete=True)
    html = page(resp)
    assert resp.status_code == 200 and "Withdrawn (hidden)" in html and "hidden (kept in the registry" in html
    assert {a.source_id: a.status for a in _one(engine, CuratedAsset)}["a1"] == "hidden"


def test_discard_and_bad_uploads(client, engine):
    login(client, "mo")
    resp = _upload(client, _csv([["b1", "No place", "library", "", "", "", "", ""]]))
    assert "1 quarantined" in page(resp)
    [q] = _one(engine, QuarantineRow)
    assert post(client, f"/curate/quarantine/{q.id}/discard", {"note": "not ours"}).status_code == 303
    assert _one(engine, QuarantineRow)[0].status == "discarded"
    resp = _upload(client, b"", source="Bad Source!")
    assert resp.status_code == 400 and "source name" in page(resp)
    resp = post(client, "/curate/import", {"source": "council"}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "Choose a file" in page(resp)
    resp = _upload(client, b"\xff\xfe\x00junk", filename="x.csv")
    assert resp.status_code == 400 and 'href="#field-file"' in page(resp)


def test_review_and_mark_verified(client, engine):
    login(client, "mo")
    _upload(client, _csv([["r1", "Old Hall", "community centre", POSTCODE, "", "", "", ""]]))
    [asset] = _one(engine, CuratedAsset)
    assert "Old Hall" in page(client.get("/curate/review"))
    resp = post(client, f"/curate/assets/{asset.id}/verify", {"next": "/curate/review"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/curate/review"
    assert f"/curate/assets/{asset.id}" not in page(client.get("/curate/review"))
    assert _audit(engine, "curated_asset", asset.id)[0] == "verify"
    assert post(client, f"/curate/assets/{asset.id}/status", {"status": "hidden"}).status_code == 303
    assert _one(engine, CuratedAsset)[0].status == "hidden"


def test_admin_manages_users(client, engine):
    login(client, "ada")
    resp = post(client, "/curate/users/", {"username": "bo", "password": "short", "role": "moderator"})
    assert resp.status_code == 400 and "too short" in page(resp)
    assert post(client, "/curate/users/", {"username": "bo", "password": "a long enough password",
                                           "role": "moderator"}).status_code == 303
    assert post(client, "/curate/users/bo/role", {"role": "admin"}).status_code == 303
    assert post(client, "/curate/users/bo/active", {"active": "0"}).status_code == 303
    assert post(client, "/curate/users/bo/password", {"password": "another long password"}).status_code == 303
    [bo] = _one(engine, User, User.username == "bo")
    assert (bo.role, bo.active) == ("admin", False)
    assert _audit(engine, "user", bo.id) == ["set_password", "set_active", "set_role", "create_user"]
    post(client, "/curate/users/ada/active", {"active": "0"})  # not oneself
    assert _one(engine, User, User.username == "ada")[0].active
    html = page(client.get("/curate/users/"))
    assert "bo" in html and "cannot change your own" in html


def test_hostile_text_is_escaped_in_queue_audit_and_csv(client, engine):
    post(client, "/suggest", suggestion_form(name=XSS_SCRIPT, description=XSS_IMG, contact=XSS_IMG,
                                             opening_hours="=HYPERLINK(\"http://x\")"))
    [s] = _one(engine, Suggestion)
    assert s.fields["name"] == XSS_SCRIPT  # stored as text
    login(client, "mo")
    for path in ("/curate/suggestions", f"/curate/suggestions/{s.id}", "/curate/audit", "/curate/"):
        assert_escaped(page(client.get(path)))
    post(client, f"/curate/suggestions/{s.id}", suggestion_form(name=XSS_SCRIPT, description=XSS_IMG,
                                                                action="approve"))
    [asset] = _one(engine, CuratedAsset)
    for path in (f"/curate/assets/{asset.id}", "/curate/review", "/curate/audit", f"/report?asset={asset.id}",
                 "/report?q=script"):
        assert_escaped(page(client.get(path)))
    rows = list(csv.reader(io.StringIO(page(client.get("/curate/audit.csv")))))
    assert rows[0][:4] == ["id", "at", "who", "action"]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert re.search(r"HYPERLINK", page(client.get("/curate/audit.csv")))


def test_a_problem_with_any_place_on_the_map(client, engine):
    """Most places on the map are OpenStreetMap's: the asset page's "Report a problem" link works for
    them too, and curators see the report with the place's name and a link to its page."""
    from app.state import current_state

    with client.application.test_request_context():
        view = current_state().area("chesterfield")
    asset_id = next(a for a, p in view.asset_pages.items() if a.startswith("osm-") and p.get("name"))
    name = view.asset_pages[asset_id]["title"]
    form = page(client.get(f"/report?asset={asset_id}&area=chesterfield"))
    assert f"Report a problem with {html.escape(name)}" in form
    resp = post(client, f"/report?asset={asset_id}&area=chesterfield",
                {"asset": asset_id, "topic": "closed", "text": "Shut since May <script>alert(1)</script>"})
    assert resp.status_code == 303
    [p] = _one(engine, ProblemReport)
    assert (p.asset_id, p.area, p.map_asset_id, p.place_name, p.topic) == (None, "chesterfield", asset_id, name, "closed")
    login(client, "mo")
    queue = page(client.get("/curate/problems"))
    assert f"/area/chesterfield/asset/{asset_id}" in queue and "Shut since May" in queue
    assert_escaped(queue)
    assert client.get("/report?asset=osm-node-0&area=chesterfield").status_code == 404
