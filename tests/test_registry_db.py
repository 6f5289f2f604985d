"""The registry database: default URL, migrations on an empty and an upgraded database (both backends),
models matching the migrated schema, SQLite settings, and the `assetmap db` / `assetmap import` commands."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from assetmap.cli import main
from assetmap.errors import DatabaseError
from assetmap.registry import db
from assetmap.registry.models import Base, CuratedAsset, User
from assetmap.registry.models_services import Schedule, Service, ServiceAtLocation
from assetmap.registry.users import verify_user
from registry_support import small_csv

TABLES = {"curated_asset", "import_batch", "quarantine_row", "suggestion", "problem_report", "user", "audit_log", "import_job",
          "organization", "service", "service_at_location", "schedule"}


def test_default_url(monkeypatch, tmp_path):
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    assert db.default_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'instance' / 'registry.sqlite'}"
    monkeypatch.chdir(tmp_path)
    assert db.default_url() == f"sqlite:///{tmp_path.resolve() / 'instance' / 'registry.sqlite'}"
    monkeypatch.setenv(db.ENV_VAR, "postgresql+psycopg://u@localhost/x")
    assert db.default_url() == "postgresql+psycopg://u@localhost/x"


def test_bad_urls():
    with pytest.raises(DatabaseError, match="not a database URL"):
        db.make_engine("not a url")
    with pytest.raises(DatabaseError, match="not supported"):
        db.make_engine("mysql://u@h/db")
    assert db.make_engine("postgresql://u@localhost/x").url.drivername == "postgresql+psycopg"


def test_upgrade_empty_then_again(registry_url):
    eng = db.make_engine(registry_url)
    with pytest.raises(DatabaseError, match="assetmap db upgrade"):
        db.require_current(eng)
    assert db.current_revision(eng) is None
    assert db.upgrade(eng) == db.head_revision() == "0005_hsds_services"
    assert TABLES <= set(db.table_names(eng))
    assert db.upgrade(registry_url) == "0005_hsds_services"  # already at head: nothing to do, no error
    db.require_current(eng)
    with eng.connect() as conn, warnings.catch_warnings():  # the models and the migration agree
        warnings.simplefilter("ignore", SAWarning)  # PostGIS's geometry type
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # PostGIS adds curated_asset.geom (and its index) and, in its own schema, spatial_ref_sys
    diff = [d for d in diff if not (d[0] in ("remove_column", "remove_index") and "geom" in str(d))
            and not (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")]
    assert diff == []
    eng.dispose()


def test_0005_keeps_todays_assets_as_locations_with_services_and_schedules(registry_url):
    """From 0004 with a place in it: the place is still there (a location, accessibility unknown); a
    service runs there on Tuesdays; deleting the service deletes its schedules, not the place."""
    eng = db.make_engine(registry_url)
    db.upgrade(eng, "0004_sessions")
    with eng.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO curated_asset (id, source, source_id, name, category, lat, lon, located_by, status, "
            "created_at, updated_at) VALUES ('a1', 's', '1', 'St Mary''s Hall', 'community_centre', 53.2, -1.4, "
            "'coordinates', 'published', '2026-01-01', '2026-01-01')")
    assert db.upgrade(eng) == "0005_hsds_services"
    with Session(eng) as s, s.begin():
        hall = s.get(CuratedAsset, "a1")
        assert (hall.name, hall.step_free, hall.hearing_loop) == ("St Mary's Hall", None, None)
        hall.step_free = True
        s.add(Service(id="s1", source="s", source_id="sing", name="Singing group", category="choir",
                      access="drop_in", cost="free", status="published"))
        s.flush()
        s.add(ServiceAtLocation(id="sal1", service_id="s1", asset_id="a1"))
        s.flush()
        s.add(Schedule(service_at_location_id="sal1", freq="WEEKLY", byday="TU", opens_at="10:30",
                       closes_at="12:00"))
    with Session(eng) as s, s.begin():
        assert s.scalar(select(Schedule.byday)) == "TU" and s.get(CuratedAsset, "a1").step_free is True
        s.delete(s.get(Service, "s1"))
    with Session(eng) as s:
        assert s.scalars(select(Schedule)).all() == [] and s.scalars(select(ServiceAtLocation)).all() == []
        assert s.get(CuratedAsset, "a1") is not None
    with pytest.raises(Exception, match="(?i)check"), Session(eng) as s, s.begin():
        s.add(Service(id="s2", source="s", source_id="x", name="X", category="choir", access="whenever",
                      status="published"))
    eng.dispose()


def test_sqlite_settings(tmp_path):
    eng = db.make_engine(f"sqlite:///{tmp_path / 'sub' / 'r.sqlite'}")
    db.upgrade(eng)
    assert (tmp_path / "sub" / "r.sqlite").exists()
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    eng.dispose()


def test_postgis_geometry_follows_lat_lon(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("PostGIS only on PostgreSQL")
    with engine.connect() as conn:
        has = conn.exec_driver_sql("SELECT 1 FROM information_schema.columns WHERE table_name = 'curated_asset' "
                                   "AND column_name = 'geom' AND table_schema = current_schema()").scalar()
    if not has:
        pytest.skip("PostGIS is not installed on this server")
    with Session(engine) as s, s.begin():
        s.add(CuratedAsset(id="x", source="t", source_id="1", name="A", category="park", lat=53.2, lon=-1.4,
                           located_by="coordinates"))
    with Session(engine) as s, s.begin():
        s.get(CuratedAsset, "x").lon = -1.5
    with engine.connect() as conn:
        x, y, srid = conn.exec_driver_sql("SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM curated_asset").one()
    assert (round(x, 6), round(y, 6), srid) == (-1.5, 53.2, 4326)


def test_cli_db_upgrade_create_admin_and_import(registry_url, tmp_path, monkeypatch, capsys):
    assert main(["db", "upgrade", "--url", registry_url]) == 0
    assert f"created (revision {db.head_revision()})" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", registry_url]) == 0
    assert "already up to date" in capsys.readouterr().out

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["db", "create-admin", "Alice", "--password-stdin", "--url", registry_url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["db", "create-admin", "alice", "--password-stdin", "--url", registry_url]) == 2
    assert "already a user called 'alice'" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["db", "create-admin", "bob", "--password-stdin", "--url", registry_url]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    prompts = iter(["typed password 1", "typed password 1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(prompts))
    assert main(["db", "create-admin", "carol", "--role", "moderator", "--url", registry_url]) == 0

    eng = db.make_engine(registry_url)
    with Session(eng) as s:
        alice = verify_user(s, "alice", "correct horse battery", record_login=False)
        assert alice is not None and alice.role == "admin" and alice.password_hash.startswith("scrypt:")
        assert verify_user(s, "alice", "wrong password!!") is None
        assert verify_user(s, "carol", "typed password 1").role == "moderator"
        assert s.scalars(select(User.username).order_by(User.username)).all() == ["alice", "carol"]

    path = tmp_path / "list.csv"
    small_csv(path)
    # without Code-Point, rows placed only by postcode are quarantined with a reason saying so
    assert main(["import", str(path), "--source", "council", "--no-postcode-lookup", "--url", registry_url,
                 "--report", str(tmp_path / "report.json")]) == 0
    out = capsys.readouterr().out
    assert "4 rows: 1 inserted, 0 updated, 0 unchanged, 3 quarantined" in out and "no postcode lookup" in out
    assert Path(tmp_path / "report.json").read_text().count('"outcome"') == 4
    eng.dispose()


def test_cli_refuses_unmigrated_database(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert main(["import", "x.csv", "--source", "s", "--no-postcode-lookup", "--url", url]) == 2
    assert "run `assetmap db upgrade` first" in capsys.readouterr().err


def test_the_last_active_administrator_cannot_be_removed(engine):
    from assetmap.errors import RegistryError
    from assetmap.registry.users import create_user, set_active, set_role

    with Session(engine) as s, s.begin():
        create_user(s, "ada", "a long enough password", "admin")
        create_user(s, "mo", "a long enough password", "moderator")
    with Session(engine) as s, s.begin():
        for change in (lambda: set_role(s, "ada", "moderator", "t"), lambda: set_active(s, "ada", False, "t")):
            with pytest.raises(RegistryError, match="only active administrator.*make another account"):
                change()
        set_role(s, "mo", "admin", "t")  # with a second administrator the first may step down
        set_role(s, "ada", "moderator", "t")
        with pytest.raises(RegistryError, match="only active administrator"):
            set_active(s, "mo", False, "t")
        set_active(s, "ada", False, "t")  # a moderator may always be deactivated
    with Session(engine) as s:
        assert {(u.username, u.role, u.active) for u in s.scalars(select(User))} == {
            ("ada", "moderator", False), ("mo", "admin", True)}


def test_0005_downgrades_without_losing_places_or_their_reports(registry_url):
    """Down to 0004 and up again: the HSDS tables go, the places and the problem reports about them stay
    (a rebuild of curated_asset on SQLite would have run ON DELETE CASCADE on the reports)."""
    from alembic import command

    eng = db.make_engine(registry_url)
    db.upgrade(eng)
    with eng.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO curated_asset (id, source, source_id, name, category, lat, lon, located_by, status, "
            "created_at, updated_at) VALUES ('a1', 's', '1', 'Hall', 'community_centre', 53.2, -1.4, "
            "'coordinates', 'published', '2026-01-01', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO problem_report (asset_id, topic, status, created_at) "
                             "VALUES ('a1', 'closed', 'open', '2026-01-01')")
    cfg = db._alembic_config(eng)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_sessions")
    assert db.current_revision(eng) == "0004_sessions" and "service" not in db.table_names(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM problem_report").scalar() == 1
        assert conn.exec_driver_sql("SELECT name FROM curated_asset").scalar() == "Hall"
    assert db.upgrade(eng) == "0005_hsds_services"
    eng.dispose()
