"""Importing files into the registry, on SQLite and PostgreSQL: every row accounted for, hostile text
kept as text, one transaction per file, idempotent re-imports, audited updates."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetmap.errors import ImportFileError, RegistryError
from assetmap.registry import importer as importer_module
from assetmap.registry.importer import import_file
from assetmap.registry.models import AuditLog, CuratedAsset, ImportBatch, QuarantineRow
from assetmap.taxonomy import load_taxonomy
from registry_hostile import hostile_csv
from registry_support import POSTCODES, TODAY, dump, small_csv, write_csv

TAXONOMY = load_taxonomy()


def _import(engine, path, source="test", **kw):
    kw.setdefault("lookup", POSTCODES)
    kw.setdefault("taxonomy", TAXONOMY)
    kw.setdefault("today", TODAY)
    return import_file(engine, path, source, **kw)


def test_hostile_csv_every_row_accounted_for(engine, tmp_path):
    path = tmp_path / "hostile.csv"
    n, expected, verbatim = hostile_csv(path)
    report = _import(engine, path)
    c = report.counts
    assert c["rows"] == n == c["accepted"] + c["quarantined"]
    assert c["quarantined"] == len(expected)
    assert c["inserted"] == n - len(expected) and c["updated"] == c["unchanged"] == 0
    by_row = {r.row: r for r in report.rows}
    for row, wanted in expected.items():
        got = by_row[row]
        assert got.outcome == "quarantined", (row, got)
        for prefix, words in wanted:
            assert any(r.startswith(prefix) and words in r for r in got.reasons), (row, prefix, words, got.reasons)
    accepted = [r for r in report.rows if r.outcome != "quarantined"]
    assert all(not r.reasons for r in accepted)

    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CuratedAsset)) == c["accepted"]
        assert s.scalar(select(func.count()).select_from(QuarantineRow)) == c["quarantined"]
        batch = s.scalars(select(ImportBatch)).one()
        assert (batch.rows, batch.inserted, batch.quarantined) == (n, c["inserted"], c["quarantined"])
        # hostile text is data: stored exactly, never escaped or neutralised in the database
        for row, (fld, text) in verbatim.items():
            asset = s.get(CuratedAsset, by_row[row].asset_id)
            assert getattr(asset, fld) == text
        # quarantined rows keep their original strings exactly, NUL included; bytes that were not UTF-8
        # are kept visibly (\\xff in the original, U+FFFD in the editable values) so every page can show them
        q_by_row = {q.row_number: q for q in s.scalars(select(QuarantineRow))}
        assert set(q_by_row) == set(expected)
        for row, q in q_by_row.items():
            assert q.reasons == by_row[row].reasons and q.status == "open"
        nul = [q for q in q_by_row.values() if "\x00" in (q.original["name"] or "")]
        assert len(nul) == 3 and all(q.original["name"] == "Bad\x00Name" for q in nul)
        undecodable = [q for q in q_by_row.values() if "\\xff" in (q.original["name"] or "")]
        assert len(undecodable) == 3
        assert undecodable[0].original["name"] == "Caf\\xff\\xfe Bar"
        assert undecodable[0].values["name"] == "Caf\ufffd\ufffd Bar"
        assert "shown as \\xff" in undecodable[0].reasons[0]
        for q in q_by_row.values():
            q.original_json.encode("ascii"), q.values_json.encode("ascii")  # noqa: B018 (no lone surrogate stored)
            json.dumps(q.original, ensure_ascii=False).encode("utf-8")  # would fail on a lone surrogate
        assert len([q for q in q_by_row.values() if len(q.original["description"] or "") == 5000]) == 3


def test_failure_mid_file_leaves_database_as_before(engine, tmp_path):
    small = tmp_path / "small.csv"
    small_csv(small)
    _import(engine, small)  # the database is not empty before the failing import
    before = dump(engine)
    path = tmp_path / "hostile.csv"
    hostile_csv(path)

    def explode(number, row):
        if number == 600:
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError, match="injected"):
        _import(engine, path, on_row=explode)
    assert dump(engine) == before
    # the same, failing inside the store step (monkeypatched) and with a caller's session
    calls = {"n": 0}
    real = importer_module.new_asset  # new rows are stored in bulk, a chunk at a time

    def failing_store(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 300:
            raise RuntimeError("injected store failure")
        return real(*a, **kw)

    mp = pytest.MonkeyPatch()
    mp.setattr(importer_module, "new_asset", failing_store)
    try:
        with Session(engine) as s, pytest.raises(RuntimeError, match="store failure"):
            _import(s, path)
    finally:
        mp.undo()
    assert dump(engine) == before


def test_reimport_is_idempotent(engine, tmp_path):
    path = tmp_path / "hostile.csv"
    hostile_csv(path, n=300)
    first = _import(engine, path)
    before = dump(engine)
    second = _import(engine, path)
    after = dump(engine)
    c = second.counts
    assert c["inserted"] == c["updated"] == 0 and c["unchanged"] == first.counts["accepted"]
    assert c["quarantined"] == first.counts["quarantined"]
    assert all(r.already_quarantined for r in second.rejected)
    for table in ("curated_asset", "audit_log", "quarantine_row", "user"):
        assert after[table] == before[table], table
    assert len(after["import_batch"]) == len(before["import_batch"]) + 1  # the second import is logged


def test_changed_row_updates_asset_with_audit(engine, tmp_path):
    path = tmp_path / "list.csv"
    small_csv(path)
    first = _import(engine, path)
    assert first.counts["inserted"] == 4
    small_csv(path, phone_of_first="01246 000000")
    second = _import(engine, path)
    assert (second.counts["updated"], second.counts["unchanged"]) == (1, 3)
    changed = next(r for r in second.rows if r.outcome == "updated")
    with Session(engine) as s:
        asset = s.get(CuratedAsset, changed.asset_id)
        assert asset.phone == "01246 000000" and asset.source_id == "a1"
        assert asset.batch_id == second.batch_id
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "update")).one()
        assert entry.record_id == asset.id and entry.table_name == "curated_asset"
        assert entry.before == {"phone": "01246 345345"} and entry.after == {"phone": "01246 000000"}
        assert entry.who == "import:test"


def test_a_complete_list_withdraws_what_it_no_longer_has_and_reinstates_what_returns(engine, tmp_path):
    from assetmap.registry.assets import set_status

    header = ["id", "name", "category", "postcode", "lat", "lon", "phone", "last_verified"]
    rows = [["a1", "Market Hall", "community centre", "S40 1LP", "", "", "", ""],
            ["a2", "Central Library", "library", "", "53.2360", "-1.4290", "", ""],
            ["a3", "Food Bank", "foodbank", "S41 7TD", "", "", "", ""],
            ["a4", "Rose Garden", "park", "S40 3DF", "", "", "", ""]]
    path = tmp_path / "list.csv"
    write_csv(path, header, rows)
    _import(engine, path)
    with Session(engine) as s, s.begin():  # a curator hides a4 for their own reasons
        set_status(s, s.scalar(select(CuratedAsset.id).where(CuratedAsset.source_id == "a4")), "hidden", "ada")
    # a partial file (no --complete) hides nothing
    write_csv(path, header, [rows[0]])
    assert _import(engine, path).withdrawn == []

    def status() -> dict[str, str]:
        with Session(engine) as s:
            return {a.source_id: a.status for a in s.scalars(select(CuratedAsset))}

    assert status() == {"a1": "published", "a2": "published", "a3": "published", "a4": "hidden"}
    # the complete list drops a2 and a3 (a3's row is present but invalid: it still counts as there)
    write_csv(path, header, [rows[0], ["a3", "Food Bank", "no such category", "S41 7TD", "", "", "", ""]])
    report = _import(engine, path, complete=True)
    assert report.withdrawn == ["a2"] and report.counts["quarantined"] == 1
    assert "1 withdrawn (hidden), 0 reinstated" in report.summary()
    assert status() == {"a1": "published", "a2": "hidden", "a3": "published", "a4": "hidden"}
    with Session(engine) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "withdraw")).one()
        assert entry.after["status"] == "hidden" and "list.csv" in entry.after["reason"] and entry.who == "import:test"
        assert s.scalar(select(func.count()).select_from(CuratedAsset)) == 4  # nothing deleted
    # a2 and a4 come back: a2 (withdrawn by an import) is published again, a4 (hidden by a curator) is not
    write_csv(path, header, rows)
    again = _import(engine, path, complete=True)
    assert again.reinstated == ["a2"] and again.withdrawn == []
    assert status() == {"a1": "published", "a2": "published", "a3": "published", "a4": "hidden"}


def test_rows_without_id_get_a_stable_id(engine, tmp_path):
    path = tmp_path / "list.csv"
    small_csv(path)
    a = _import(engine, path)
    b = _import(engine, path)
    ids = [r.source_id for r in a.rows]
    assert ids[:3] == ["a1", "a2", "a3"] and ids[3].startswith("h-")
    assert [r.source_id for r in b.rows] == ids


def test_bom_mapping_and_encodings(engine, tmp_path):
    header = ["Ref", "Site name", "Type", "Latitude", "Longitude"]
    rows = [["x1", "Café Hall", "community centre", "53.2", "-1.4"], ["x2", "Crèche", "nursery", "53.21", "-1.41"]]
    bom = tmp_path / "bom.csv"
    write_csv(bom, header, rows, bom=True)
    with pytest.raises(ImportFileError, match="--map COLUMN=name"):
        _import(engine, bom)
    report = _import(engine, bom, mapping={"Ref": "id", "Site name": "name", "Type": "category"})
    assert report.counts["inserted"] == 2
    with Session(engine) as s:
        assert sorted(s.scalars(select(CuratedAsset.name))) == ["Café Hall", "Crèche"]

    cp = tmp_path / "cp1252.csv"
    write_csv(cp, ["id", "name", "category", "lat", "lon"],
              [[f"c{i}", f"Café {i}", "library", "53.2", "-1.4"] for i in range(5)], encoding="cp1252")
    with pytest.raises(ImportFileError, match="--encoding") as err:
        _import(engine, cp, source="cp")
    assert "not UTF-8" in str(err.value)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 1  # nothing stored for the refused file
    report = _import(engine, cp, source="cp", encoding="cp1252")
    assert report.counts["inserted"] == 5
    with Session(engine) as s:
        assert s.scalar(select(CuratedAsset.name).where(CuratedAsset.source_id == "c0")) == "Café 0"

    u16 = tmp_path / "utf16.csv"
    write_csv(u16, ["id", "name"], [["1", "A"]], encoding="utf-16")
    with pytest.raises(ImportFileError, match="--encoding utf-16"):
        _import(engine, u16, source="u16")
    with pytest.raises(ImportFileError, match="--encoding"):
        _import(engine, cp, source="cp", encoding="no-such-codec")


def test_bad_source_name_and_unknown_format(engine, tmp_path):
    path = tmp_path / "list.csv"
    small_csv(path)
    with pytest.raises(RegistryError, match="source name"):
        _import(engine, path, source="Bad Source!")
    odd = tmp_path / "list.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(ImportFileError, match="--format"):
        _import(engine, odd)


def test_geojson(engine, tmp_path):
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.42, 53.23]},
         "properties": {"id": 1, "name": "Library", "category": "library", "wheelchair": True}},
        {"type": "Feature", "geometry": None, "properties": {"id": "2", "name": "Hall", "category": "community hall",
                                                             "postcode": "S41 7TD"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]]},
         "properties": {"id": "3", "name": "Park", "category": "park"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.42, 95]},
         "properties": {"id": "4", "name": "<b>Bold</b>", "category": "park"}},
        "not a feature",
    ]
    path = tmp_path / "assets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = _import(engine, path)
    assert report.format == "geojson"
    out = {r.row: r for r in report.rows}
    assert [out[i].outcome for i in (1, 2)] == ["inserted", "inserted"]
    assert any(r.startswith("geometry:") for r in out[3].reasons)
    assert any(r.startswith("lat:") and "not a latitude" in r for r in out[4].reasons)
    assert any(r.startswith("feature:") for r in out[5].reasons)
    assert report.counts["accepted"] + report.counts["quarantined"] == 5
    with Session(engine) as s:
        hall = s.scalar(select(CuratedAsset).where(CuratedAsset.source_id == "2"))
        assert (hall.located_by, hall.lat, hall.postcode) == ("postcode", POSTCODES["S41 7TD"][0], "S41 7TD")
        assert s.scalar(select(CuratedAsset.wheelchair).where(CuratedAsset.source_id == "1")) == "yes"


@pytest.fixture(scope="module")
def codepoint(data_root):
    from assetmap.registry.geocode import codepoint_lookup

    return codepoint_lookup(data_root)


@pytest.mark.slow
def test_real_codepoint_geocoding(engine, tmp_path, codepoint):
    lookup = codepoint
    path = tmp_path / "list.csv"
    write_csv(path, ["id", "name", "category", "postcode"],
              [["1", "Battle Library", "library", "RG30 1EE"], ["2", "Nowhere", "library", "ZZ1 1ZZ"]])
    report = _import(engine, path, lookup=lookup)
    assert [r.outcome for r in report.rows] == ["inserted", "quarantined"]
    with Session(engine) as s:
        lib = s.scalar(select(CuratedAsset).where(CuratedAsset.source_id == "1"))
        assert 51.40 < lib.lat < 51.50 and -1.05 < lib.lon < -0.93
