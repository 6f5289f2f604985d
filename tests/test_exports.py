"""Exports: an area's merged assets and the registry as Open Referral UK JSON (validated against
the profile's JSON Schemas in ../shared) and as spreadsheet-safe CSV."""
from __future__ import annotations

import csv
import io
import json

from assetmap.cli import main
from assetmap.outputs import exports
from assetmap.registry.db import make_engine, session_factory, upgrade
from assetmap.registry.export import write_assets_csv
from assetmap.registry.importer import import_file
from assetmap.taxonomy import load_taxonomy
from test_oruk import Draft202012Validator, assert_valid, page_schema, validator


def _check(doc: dict, n: int) -> None:
    assert doc["total_items"] == n == len(doc["contents"]) and doc["hsds_version"] == "HSDS-UK-3.0"
    page = {k: v for k, v in doc.items() if k not in ("hsds_version", "profile", "generated", "taxonomy_terms")}
    assert_valid(Draft202012Validator(page_schema()), page)
    full, term = validator("compiled/service.json"), validator("taxonomy_term.json")
    for s in doc["contents"]:
        assert_valid(full, s)
    for t in doc["taxonomy_terms"]:
        assert_valid(term, {k: v for k, v in t.items() if k != "term"})
    assert len({s["id"] for s in doc["contents"]}) == n


def test_an_areas_merged_assets_as_oruk(chesterfield_ar):
    doc = exports.area_oruk(chesterfield_ar)
    _check(doc, chesterfield_ar.report["assets"]["total"])
    lib = next(s for s in doc["contents"] if s["name"] == "Chesterfield Library")
    assert lib["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "S40 1QN"


HOSTILE = ("id,name,category,postcode,lat,lon,url,description\n"
           'a1,"<script>alert(1)</script> Club",lunch_club,S40 1LP,53.2352,-1.4230,https://example.org,"=HYPERLINK(""x"")"\n'
           'a2,"@Carers Group",support_group,S40 1LP,53.2355,-1.4232,,"-2+3"\n')


def test_the_registry_as_oruk_and_csv(registry_url, tmp_path):
    engine = make_engine(registry_url)
    upgrade(engine)
    (tmp_path / "in.csv").write_text(HOSTILE)
    assert import_file(engine, tmp_path / "in.csv", "council").counts["accepted"] == 2
    with session_factory(engine)() as session:
        doc = exports.registry_oruk(session, load_taxonomy().as_dict())
        buf = io.StringIO()
        assert write_assets_csv(session, buf) == 2
    _check(doc, 2)
    assert {s["name"] for s in doc["contents"]} == {"<script>alert(1)</script> Club", "@Carers Group"}
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    cells = [v for r in rows for v in r.values()]
    assert "'=HYPERLINK(\"x\")" in cells and "'@Carers Group" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "@", "+")) for c in cells)
    engine.dispose()


def test_export_command_writes_oruk_for_an_area(chesterfield_root, tmp_path, capsys):
    out = tmp_path / "services.json"
    assert main(["export", "chesterfield", "--build-root", str(chesterfield_root), "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["total_items"] > 300 and doc["contents"][0]["service_at_locations"]
