"""The library API the curator pages use, on both backends: quarantine, users, suggestions, problem
reports, asset status and review dates, audit, and the formula-safe CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.errors import RegistryError, RowValidationError
from assetmap.registry import assets, community, quarantine, users
from assetmap.registry.audit import history
from assetmap.registry.export import safe_csv_cell, write_assets_csv
from assetmap.registry.importer import import_file
from assetmap.registry.models import CuratedAsset
from registry_support import POSTCODES, TODAY, small_csv, write_csv


def _quarantined(engine, tmp_path, checks):
    path = tmp_path / "q.csv"
    write_csv(path, ["id", "name", "category", "postcode", "url"], [
        ["q1", "", "library", "S40 1LP", "javascript:alert(1)"],
        ["q2", "Hall", "spaceship", "S41 7TD", ""],
        ["q3", "Park", "park", "S40 9ZZ", ""],
    ])
    return import_file(engine, path, "council", lookup=POSTCODES, taxonomy=checks.taxonomy, today=TODAY)


def test_quarantine_list_fix_resubmit_discard(engine, tmp_path, checks):
    report = _quarantined(engine, tmp_path, checks)
    assert report.counts["quarantined"] == 3
    with Session(engine) as s, s.begin():
        rows = quarantine.list_quarantine(s, source="council")
        assert [r.row_number for r in rows] == [1, 2, 3] and quarantine.count_quarantine(s) == 3
        q1, q2, q3 = rows
        assert q1.original == {"id": "q1", "name": "", "category": "library", "postcode": "S40 1LP",
                               "url": "javascript:alert(1)"}
        # still wrong after a partial fix: stays open, with the new reasons
        res = quarantine.resubmit_quarantine(s, q1.id, "alice", checks=checks, changes={"name": "Library"})
        assert not res.ok and q1.status == "open" and q1.reasons == res.result.reasons
        assert len(q1.reasons) == 1 and q1.reasons[0].startswith("url:")
        res = quarantine.resubmit_quarantine(s, q1.id, "alice", checks=checks, changes={"url": "https://lib.example.org"})
        assert res.ok and res.outcome == "inserted" and q1.status == "resubmitted" and q1.resolved_by == "alice"
        asset = s.get(CuratedAsset, q1.asset_id)
        assert (asset.name, asset.source, asset.source_id, asset.located_by) == ("Library", "council", "q1", "postcode")
        assert q1.original["name"] == ""  # the original is never edited
        quarantine.fix_quarantine(s, q2.id, {"category": "community hall"}, "bob")
        assert quarantine.resubmit_quarantine(s, q2.id, "bob", checks=checks).outcome == "inserted"
        quarantine.discard_quarantine(s, q3.id, "bob", note="closed years ago")
        assert q3.status == "discarded" and quarantine.count_quarantine(s) == 0
        assert quarantine.count_quarantine(s, status="resubmitted") == 2
        with pytest.raises(RegistryError, match="not open"):
            quarantine.fix_quarantine(s, q3.id, {"name": "x"}, "bob")
        with pytest.raises(RegistryError, match="cannot set"):
            quarantine.fix_quarantine(s, q2.id, {"colour": "red"}, "bob")
        with pytest.raises(RegistryError, match="no quarantined row"):
            quarantine.get_quarantine(s, 9999)
        actions = [e.action for e in history(s, table="quarantine_row")]
        assert actions.count("fix") == 3 and actions.count("resubmit") == 2 and actions.count("discard") == 1


def test_users(engine):
    with Session(engine) as s, s.begin():
        users.create_user(s, "ada", "a long enough password", role="admin", who="cli")  # so mod.one is never the last
        u = users.create_user(s, "Mod.One", "a long enough password", role="moderator", who="admin")
        assert u.username == "mod.one" and u.password_hash != "a long enough password"
        assert users.verify_user(s, "MOD.ONE", "a long enough password").id == u.id
        assert users.verify_user(s, "mod.one", "wrong password") is None
        assert users.verify_user(s, "nobody", "whatever") is None
        users.set_role(s, "mod.one", "admin", who="admin")
        assert u.role == "admin"
        users.set_active(s, "mod.one", False, who="admin")
        assert users.verify_user(s, "mod.one", "a long enough password") is None
        users.set_active(s, "mod.one", True, who="admin")
        users.set_password(s, "mod.one", "a brand new password", who="admin")
        assert users.verify_user(s, "mod.one", "a brand new password") is not None
        with pytest.raises(RegistryError, match="already a user"):
            users.create_user(s, "mod.one", "another long password")
        with pytest.raises(RegistryError, match="too short"):
            users.create_user(s, "two", "short")
        with pytest.raises(RegistryError, match="role"):
            users.set_role(s, "mod.one", "god", who="admin")
        with pytest.raises(RegistryError, match="username"):
            users.create_user(s, "bad name!", "a long enough password")
        assert [e.action for e in history(s, table="user")] == ["set_password", "set_active", "set_active",
                                                                 "set_role", "create_user", "create_user"]


def test_suggestions(engine, checks):
    with Session(engine) as s, s.begin():
        with pytest.raises(RowValidationError) as err:
            community.create_suggestion(s, {"name": "", "category": "library", "url": "javascript:x"}, checks)
        assert any(r.startswith("name:") for r in err.value.reasons) and any(r.startswith("url:") for r in err.value.reasons)
        h = community.client_hash("203.0.113.9", "Firefox", salt="pepper")
        good = community.create_suggestion(s, {"name": "<b>Lunch club</b>", "category": "lunch club",
                                               "postcode": "S43 3QA"}, checks, client=h)
        other = community.create_suggestion(s, {"name": "Knit group", "category": "support group",
                                                "lat": "53.25", "lon": "-1.41"})
        assert [x.id for x in community.list_suggestions(s)] == [good.id, other.id]
        community.approve_suggestion(s, good.id, "mod", checks)
        asset = s.get(CuratedAsset, good.asset_id)
        assert (asset.source, asset.source_id, asset.name, asset.category) == ("suggestions", f"s{good.id}",
                                                                              "<b>Lunch club</b>", "lunch_club")
        assert good.status == "approved" and good.decided_by == "mod" and good.client_hash == h
        with pytest.raises(RegistryError, match="already approved"):
            community.reject_suggestion(s, good.id, "mod")
        community.reject_suggestion(s, other.id, "mod", note="duplicate of an existing group")
        assert other.status == "rejected" and community.list_suggestions(s) == []
        assert [e.action for e in history(s, table="suggestion")] == ["reject", "approve", "suggest", "suggest"]


def test_approve_with_changes_and_invalid(engine, checks):
    with Session(engine) as s, s.begin():
        sg = community.create_suggestion(s, {"name": "Hall", "category": "nothing-known"})
        with pytest.raises(RowValidationError, match="category"):
            community.approve_suggestion(s, sg.id, "mod", checks)
        assert sg.status == "pending"
        community.approve_suggestion(s, sg.id, "mod", checks, changes={"category": "village hall",
                                                                       "postcode": "S40 1LP"})
        assert s.get(CuratedAsset, sg.asset_id).category == "community_centre"
        assert sg.fields["category"] == "village hall"


def test_problem_reports_status_and_review(engine, tmp_path, checks):
    path = tmp_path / "list.csv"
    small_csv(path)
    report = import_file(engine, path, "council", lookup=POSTCODES, taxonomy=checks.taxonomy, today=TODAY)
    ids = {r.source_id: r.asset_id for r in report.rows}
    with Session(engine) as s, s.begin():
        p = community.report_problem(s, ids["a1"], "closed", "  Shut since March <script>x</script> ")
        assert p.text == "Shut since March <script>x</script>" and p.status == "open"
        with pytest.raises(RegistryError, match="topic"):
            community.report_problem(s, ids["a1"], "haunted")
        with pytest.raises(RegistryError, match="no curated asset"):
            community.report_problem(s, "nope", "other")
        with pytest.raises(RegistryError, match="control"):
            community.report_problem(s, ids["a1"], "other", "bad\x00text")
        assert [x.id for x in community.list_problems(s, asset_id=ids["a1"])] == [p.id]
        community.resolve_problem(s, p.id, "mod", note="hidden the asset")
        assert p.status == "resolved" and community.list_problems(s) == []

        assets.set_status(s, ids["a1"], "hidden", "mod")
        with pytest.raises(RegistryError, match="status"):
            assets.set_status(s, ids["a1"], "deleted", "mod")
        # a1 verified 2024-05-01 (hidden), a3 2023-01-15, a2 and the id-less row never
        due = assets.due_for_review(s, months=12, today=date(2025, 6, 1))
        rose = next(k for k in ids if k.startswith("h-"))
        assert [a.source_id for a in due] == ["a2", rose, "a3"]  # never verified (by name), then the oldest
        assert "a1" in [a.source_id for a in assets.due_for_review(s, months=12, today=date(2025, 6, 1),
                                                                   include_hidden=True)]
        assert [a.source_id for a in assets.due_for_review(s, months=12, today=date(2025, 4, 1))][-1] == "a3"
        assets.mark_verified(s, ids["a3"], "mod", on=date(2025, 5, 30))
        assert "a3" not in [a.source_id for a in assets.due_for_review(s, months=12, today=date(2025, 6, 1))]
        actions = [e.action for e in history(s, record_id=ids["a3"])]
        assert actions == ["verify", "insert"]
        assert history(s, record_id=ids["a1"])[0].after == {"status": "hidden"}


@pytest.mark.parametrize("value, shown", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    # one rule for every CSV the project writes (assetmap.util.csv_cell): numbers written as text are
    # prefixed too, so "+441246..." stays a phone number
    ("-1.42", "'-1.42"), ("+44", "'+44"), ("Hall", "Hall"), ("a=b", "a=b"), ("", ""), (None, ""), (53.2, 53.2),
    (-1.4, -1.4),
])
def test_safe_csv_cell(value, shown):
    assert safe_csv_cell(value) == shown


def test_csv_export_neutralises_formulas(engine, tmp_path, checks):
    path = tmp_path / "f.csv"
    write_csv(path, ["id", "name", "category", "lat", "lon", "description"],
              [["f1", "=HYPERLINK(\"http://evil\")", "park", "53.2", "-1.4", "@SUM(1)"]])
    import_file(engine, path, "council", lookup=POSTCODES, taxonomy=checks.taxonomy, today=TODAY)
    out = io.StringIO()
    with Session(engine) as s:
        assert s.scalar(select(CuratedAsset.name)) == "=HYPERLINK(\"http://evil\")"  # stored as given
        assert write_assets_csv(s, out) == 1
    row = list(csv.DictReader(io.StringIO(out.getvalue())))[0]
    assert row["name"] == "'=HYPERLINK(\"http://evil\")" and row["description"] == "'@SUM(1)"
    assert row["lon"] == "-1.4"
