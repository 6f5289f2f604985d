"""Fixtures and helpers for the registry tests, on SQLite and (when available) PostgreSQL.

``registry_url`` runs each test on a fresh SQLite file and, when ``ASSETMAP_TEST_PG_URL`` is set
(``scripts/pg-test.sh`` sets it; ``make test`` uses that script), in a fresh PostgreSQL schema that
is dropped afterwards. Without that variable the PostgreSQL runs are skipped, except under CI
(``CI`` set), where they fail: CI must test both backends.

Test modules import the fixtures they use: ``from registry_support import registry_url, engine, checks``.
"""
from __future__ import annotations

import csv
import io
import os
import uuid
import warnings
from datetime import date

import pytest
from sqlalchemy import MetaData, make_url, select
from sqlalchemy.exc import SAWarning

from assetmap.registry.db import make_engine, upgrade
from assetmap.registry.validate import Checks
from assetmap.taxonomy import load_taxonomy

PG_ENV = "ASSETMAP_TEST_PG_URL"
TODAY = date(2025, 6, 1)
# A tiny synthetic postcode lookup: canonical postcode -> (lat, lon), around Chesterfield.
POSTCODES = {
    "S40 1LP": (53.2352, -1.4237),
    "S41 7TD": (53.2401, -1.4195),
    "S40 3DF": (53.2330, -1.4460),
    "S43 3QA": (53.2720, -1.3390),
    "RG30 1EE": (51.4590, -0.9930),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set, but CI must test the registry on PostgreSQL too: run pytest through "
                        f"scripts/pg-test.sh (as `make test` does)")
        pytest.skip(f"PostgreSQL: set {PG_ENV}, or run through scripts/pg-test.sh (make test)")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = make_engine(base, pool_pre_ping=True)  # survives tests that restart the server
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(make_engine(base).url).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def engine(registry_url):
    eng = make_engine(registry_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def checks():
    return Checks(load_taxonomy(), POSTCODES, today=TODAY)


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table (ordered), to compare the whole database before and after."""
    meta = MetaData()
    with warnings.catch_warnings():  # PostGIS's geometry type is not known to SQLAlchemy: read as raw values
        warnings.simplefilter("ignore", SAWarning)
        meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


def write_csv(path, header: list[str], rows: list[list], bom: bool = False, encoding: str = "utf-8") -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def small_csv(path, phone_of_first: str = "01246 345345") -> None:
    write_csv(path, ["id", "name", "category", "postcode", "lat", "lon", "phone", "last_verified"], [
        ["a1", "Market Hall", "community centre", "S40 1LP", "", "", phone_of_first, "2024-05-01"],
        ["a2", "Central Library", "library", "", "53.2360", "-1.4290", "", ""],
        ["a3", "Food Bank", "foodbank", "S41 7TD", "", "", "", "2023-01-15"],
        ["", "Rose Garden", "park", "S40 3DF", "", "", "", ""],
    ])
