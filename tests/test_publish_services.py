"""Registry → build: published services become curated records with the shared contract's columns
(record_kind "service", service_name, cost, access, schedules as HSDS JSON, area_wide): one per
placed location, and one with an empty geometry for an area-wide service of the area; places are
"place"; and a refresh of a real build takes them without failing."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.build import refresh_area
from assetmap.config import load_area
from assetmap.registry.models_services import Service
from assetmap.registry.publish import registry_records
from test_hsds_import import TABLES, _import


@pytest.fixture()
def kept(chesterfield, tmp_path, data_root):
    """A copy of the real Chesterfield build with the inputs it kept (as in test_refresh.py)."""
    out, report = chesterfield
    shutil.copytree(out, tmp_path / "chesterfield")
    return load_area("chesterfield", data_root), tmp_path / "chesterfield", report


def _feed(engine, tmp_path, area="chesterfield"):
    (tmp_path / "feed.json").write_text(json.dumps(TABLES))
    _import(engine, tmp_path / "feed.json", source="council", area=area)
    with Session(engine) as s, s.begin():
        food = s.scalar(select(Service).where(Service.source_id == "s1"))
        food.cost, food.access, food.contact_name = "free", "drop_in", "Jo"


def test_services_as_curated_records(engine, tmp_path):
    _feed(engine, tmp_path)
    with Session(engine) as s:
        frame, authoritative = registry_records(s, (-1.6, 53.1, -1.2, 53.4), area="chesterfield")["registry:council"]
        elsewhere = registry_records(s, (-1.6, 53.1, -1.2, 53.4), area="derby")["registry:council"][0]
        places_only = registry_records(s, services=False)["registry:council"][0]
    assert authoritative and len(places_only) == 4
    assert set(places_only.get("record_kind", pd.Series(dtype=object)).dropna()) <= {"place"}
    kinds = frame["record_kind"].value_counts().to_dict()
    assert kinds == {"place": 4, "service": 6}  # s1, s3 x2, s4, s6 at locations; s2 area-wide
    food = frame[frame["service_name"] == "Food Bank"].iloc[0]
    assert (food["cost"], food["access"], food["contact_name"], food["category"]) == ("free", "drop_in", "Jo",
                                                                                       "food_bank")
    assert json.loads(food["schedules"]) == [{"freq": "WEEKLY", "byday": "TU", "opens_at": "10:30",
                                              "closes_at": "12:00"}]
    assert not food["area_wide"] and not food.geometry.is_empty
    hall = frame[(frame["service_name"] == "Two Halls") & (frame["name"] == "North Hall")].iloc[0]
    assert json.loads(hall["schedules"])[0]["valid_to"] == "2027-03-31"
    phone = frame[frame["service_name"] == "Phone Line"].iloc[0]
    assert phone["area_wide"] and phone.geometry.is_empty
    assert "Phone Line" not in set(elsewhere["service_name"])  # area-wide: only in its own area


def test_a_refresh_takes_service_records(kept, engine, tmp_path):
    cfg, out, _ = kept
    _feed(engine, tmp_path)
    with Session(engine) as s:
        lists = registry_records(s, (-1.6, 53.1, -1.2, 53.4), area="chesterfield")
    report = refresh_area(cfg, out, lists, echo=lambda m: None)
    assert report["curated"]["registry:council"]["in_area"] >= 4
