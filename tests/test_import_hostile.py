"""Hostile import files, through the library and the ``assetmap import`` command, on SQLite and
PostgreSQL: a bad byte, a 240,000-character cell, a gzip bomb, deeply nested JSON, a full disk, a
broken or unreachable database. Each is quarantined row by row or refused with a sentence (exit 2
from the command, never a traceback), and a refused import leaves the registry exactly as it was."""
from __future__ import annotations

import errno
import gzip
import json

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from assetmap.cli import main
from assetmap.registry import db as db_module
from assetmap.registry.failures import explain
from assetmap.registry.importer import KEPT_CELL, import_file
from assetmap.registry.limits import ImportLimitError
from assetmap.registry.models import CuratedAsset, QuarantineRow
from assetmap.taxonomy import load_taxonomy
from registry_support import POSTCODES, TODAY, dump, small_csv, write_csv

TAXONOMY = load_taxonomy()
HEADER = ["id", "name", "category", "description", "lat", "lon"]


def _import(engine, path, source="test", **kw):
    kw.setdefault("lookup", POSTCODES)
    kw.setdefault("taxonomy", TAXONOMY)
    kw.setdefault("today", TODAY)
    return import_file(engine, path, source, **kw)


def _rows(n: int, start: int = 1) -> list[list[str]]:
    return [[f"r{i}", f"Place {i}", "library", f"Meets on day {i}", "53.2", "-1.4"] for i in range(start, start + n)]


def bad_byte_csv(path) -> None:
    """Twenty rows; row 3's name holds the bytes 0xff 0xfe, which are not UTF-8 (one row in twenty: a
    stray byte, not a file in another encoding, which is refused whole)."""
    lines = [",".join(HEADER).encode()] + [",".join(r).encode() for r in _rows(20)]
    lines[3] = b"r3,Caf\xff\xfe Bar,library,Meets,53.2,-1.4"
    path.write_bytes(b"\n".join(lines) + b"\n")


def _cli(registry_url, *args) -> list[str]:
    return ["import", *map(str, args), "--no-postcode-lookup", "--url", registry_url]


def _seeded(engine, tmp_path) -> dict:
    small = tmp_path / "small.csv"
    small_csv(small)
    _import(engine, small, source="seed")
    return dump(engine)


def test_bad_byte_is_quarantined_displayably_and_can_be_fixed(engine, tmp_path):
    from assetmap.registry.quarantine import resubmit_quarantine
    from assetmap.registry.validate import Checks

    path = tmp_path / "bad.csv"
    bad_byte_csv(path)
    report = _import(engine, path)
    assert report.counts["accepted"] == 19 and report.counts["quarantined"] == 1
    with Session(engine) as s:
        [q] = s.scalars(select(QuarantineRow)).all()
        assert q.row_number == 3
        assert q.original["name"] == "Caf\\xff\\xfe Bar"  # the bytes, visibly
        assert q.values["name"] == "Caf\ufffd\ufffd Bar"  # the editable value: replacement characters
        assert any(r.startswith("name:") and "not UTF-8" in r and "shown as \\xff" in r for r in q.reasons)
        q.original_json.encode("ascii")  # nothing undisplayable stored
        json.dumps([q.original, q.values, q.reasons], ensure_ascii=False).encode("utf-8")
        # releasing it unchanged fails (the U+FFFD marks are not text); with the name retyped it passes
        checks = Checks(TAXONOMY, POSTCODES, TODAY)
        assert not resubmit_quarantine(s, q.id, "ada", checks=checks).ok
        assert "U+FFFD" in " ".join(q.reasons)
        done = resubmit_quarantine(s, q.id, "ada", checks=checks, changes={"name": "Café Bar"})
        assert done.ok and done.asset.name == "Café Bar"
        s.commit()


def test_a_240000_character_cell_quarantines_its_row_only(engine, tmp_path):
    rows = _rows(5)
    rows[1][3] = "x" * 240_000
    path = tmp_path / "long.csv"
    write_csv(path, HEADER, rows)
    report = _import(engine, path)
    assert report.counts["accepted"] == 4 and report.counts["quarantined"] == 1
    [bad] = report.rejected
    assert bad.row == 2 and any("description: too long (240000 characters" in r for r in bad.reasons)
    with Session(engine) as s:
        [q] = s.scalars(select(QuarantineRow)).all()
        kept = q.original["description"]
        assert kept.startswith("x" * KEPT_CELL) and "cut here: the file's text was 240,000 characters" in kept
        assert len(q.original_json) < 20_000
        assert s.scalar(select(CuratedAsset.name).where(CuratedAsset.source_id == "r5")) == "Place 5"


def test_an_unclosed_quote_refuses_the_file_and_leaves_the_registry_alone(engine, tmp_path):
    before = _seeded(engine, tmp_path)
    path = tmp_path / "quote.csv"
    path.write_text(",".join(HEADER) + "\n" + "r1,\"Place 1,library,x,53.2,-1.4\n" + "y" * 1_100_000 + "\n")
    with pytest.raises(ImportLimitError.__mro__[1], match="quote is probably not closed"):
        _import(engine, path)
    assert dump(engine) == before


def gzip_bomb(path, unpacked_mb: int = 64) -> int:
    """A .gz of valid-looking CSV rows that unpacks to ``unpacked_mb`` MB (about 1,000 times its size)."""
    row = b"r1,Place,library,x,53.2,-1.4\n" * 36_000  # ~1 MB
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(",".join(HEADER).encode() + b"\n")
        for _ in range(unpacked_mb):
            fh.write(row)
    return path.stat().st_size


def test_gzip_bomb_stops_at_the_stated_limit(engine, registry_url, tmp_path, capsys):
    before = _seeded(engine, tmp_path)
    path = tmp_path / "bomb.csv.gz"
    assert gzip_bomb(path) < 1_000_000
    with pytest.raises(ImportLimitError, match="more than 100 times its packed size.*decompression bomb"):
        _import(engine, path)
    assert dump(engine) == before
    assert main(_cli(registry_url, path, "--source", "bomb")) == 2
    err = capsys.readouterr().err
    assert "decompression bomb" in err and "Traceback" not in err and err.count("\n") == 1
    assert dump(engine) == before


@pytest.mark.parametrize("suffix", [".json", ".geojson"])
def test_deeply_nested_json_is_refused_with_a_sentence(engine, registry_url, tmp_path, capsys, suffix):
    before = _seeded(engine, tmp_path)
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 100_000 + "]" * 100_000)  # 200 KB
    with pytest.raises(ImportLimitError, match="more than 64 levels deep"):
        _import(engine, path)
    assert main(_cli(registry_url, path, "--source", "deep")) == 2
    err = capsys.readouterr().err
    assert "levels deep" in err and "Traceback" not in err and "RecursionError" not in err
    assert dump(engine) == before


def test_full_disk_ends_with_exit_2_and_a_sentence(tmp_path, monkeypatch, capsys):
    """SQLite's max_page_count makes the database file unable to grow: the real "database or disk is
    full" error, raised part-way through the import's transaction."""
    url = f"sqlite:///{tmp_path / 'full.sqlite'}"
    eng = db_module.make_engine(url)
    db_module.upgrade(eng)
    before = dump(eng)
    with eng.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    eng.dispose()
    real = db_module.make_engine

    def small_disk(*a, **kw):
        e = real(*a, **kw)
        event.listen(e, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count = {pages + 4}"))
        return e

    monkeypatch.setattr(db_module, "make_engine", small_disk)
    path = tmp_path / "many.csv"
    write_csv(path, HEADER, _rows(3000))
    assert main(_cli(url, path, "--source", "many")) == 2
    err = capsys.readouterr().err
    assert "the disk is full (database or disk is full)" in err and "free space" in err
    assert "Traceback" not in err and err.count("\n") == 1
    monkeypatch.setattr(db_module, "make_engine", real)
    assert dump(real(url)) == before


def test_report_on_a_full_device_and_enospc(engine, registry_url, tmp_path, capsys):
    path = tmp_path / "ok.csv"
    write_csv(path, HEADER, _rows(3))
    assert main(_cli(registry_url, path, "--source", "ok", "--report", "/dev/full")) == 2  # ENOSPC, really
    err = capsys.readouterr().err
    assert "the report could not be written to /dev/full (No space left on device)" in err
    assert "Traceback" not in err
    why = explain(OSError(errno.ENOSPC, "No space left on device"), "sqlite:///r.sqlite", "the import")
    assert why.startswith("the disk is full") and "free space" in why


def test_broken_or_unreachable_database_ends_with_exit_2(tmp_path, capsys):
    path = tmp_path / "ok.csv"
    write_csv(path, HEADER, _rows(3))
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    assert main(_cli(f"sqlite:///{junk}", path, "--source", "ok")) == 2
    err = capsys.readouterr().err
    assert "damaged or is not an assetmap registry (file is not a database)" in err and "Traceback" not in err
    assert main(_cli("postgresql+psycopg://nobody@127.0.0.1:9/none", path, "--source", "ok")) == 2
    err = capsys.readouterr().err
    assert "cannot reach the registry database" in err and "Traceback" not in err
    assert main(_cli(f"sqlite:///{tmp_path / 'nodir' / 'x' / 'r.sqlite'}", path, "--source", "ok")) == 2
    assert "assetmap db upgrade" in capsys.readouterr().err  # an empty new file: not a registry yet


def test_cli_encoding_decodes_windows_1252(engine, registry_url, tmp_path, capsys):
    path = tmp_path / "cp.csv"
    write_csv(path, HEADER, [["c1", "Café “Ñandú” – £5", "library", "Crème brûlée", "53.2", "-1.4"]],
              encoding="cp1252")
    assert main(_cli(registry_url, path, "--source", "cp", "--encoding", "cp1252")) == 0
    with Session(engine) as s:
        a = s.scalars(select(CuratedAsset)).one()
        assert (a.name, a.description) == ("Café “Ñandú” – £5", "Crème brûlée")


def test_other_commands_on_a_full_device_or_broken_database_end_with_exit_2(engine, registry_url, tmp_path,
                                                                            capsys):
    _seeded(engine, tmp_path)
    assert main(["export", "--registry", registry_url, "--format", "csv", "--out", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "`assetmap export` stopped" in err and "Traceback" not in err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    assert main(["export", "--registry", f"sqlite:///{junk}", "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert "damaged or is not an assetmap registry" in err and "Traceback" not in err
