"""Hostile and large imports through the curator pages, on SQLite and PostgreSQL: quarantine pages
always render (bytes that were not UTF-8 shown escaped), a gzip bomb or deep JSON is a 413 with a
sentence, the encoding choice decodes Windows-1252, and a large upload becomes a background job
whose progress page any worker can show (and which reads failed when its worker is gone)."""
from __future__ import annotations

import gzip
import io
import json
import re
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assetmap.registry.jobs import DIED, create_job
from assetmap.registry.models import CuratedAsset, ImportBatch, ImportJob, QuarantineRow
from curate_support import login, page, post
from registry_support import dump
from test_import_hostile import HEADER, bad_byte_csv, gzip_bomb


@pytest.fixture
def client(curate_client):
    """The curator app's test client (``client`` elsewhere is the read-only app's)."""
    return curate_client


LAT, LON = "53.2360", "-1.4290"  # inside the Chesterfield build


def _upload(client, data: bytes, filename: str = "list.csv", source: str = "council", **form):
    return post(client, "/curate/import", {"file": (io.BytesIO(data), filename), "source": source, "format": "",
                                           **form}, content_type="multipart/form-data")


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return ("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode(encoding)


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html


def test_bad_byte_rows_show_on_every_quarantine_page_before_and_after_discarding(client, engine, tmp_path):
    login(client, "mo")
    path = tmp_path / "bad.csv"
    bad_byte_csv(path)
    resp = _upload(client, path.read_bytes())
    assert resp.status_code == 200 and "1 quarantined" in page(resp)
    with Session(engine) as s:
        qid = s.scalars(select(QuarantineRow.id)).one()
        # a row as stored before this fix: raw surrogates in its JSON (json.dumps escapes them as \udcff)
        s.add(QuarantineRow(batch_id=s.scalars(select(ImportBatch.id)).one(), source="council", row_number=9,
                            fingerprint="f" * 64, original_json='{"name": "Old \\udcff row"}',
                            values_json='{"name": "Old \\udcff row"}', reasons_json='["name: not UTF-8 \\udcfe"]'))
        s.commit()
        old = s.scalars(select(QuarantineRow.id).where(QuarantineRow.row_number == 9)).one()
    for status in ("open", "discarded"):
        listing = client.get(f"/curate/quarantine?status={status}")
        assert listing.status_code == 200
        for q in (qid, old):
            resp = client.get(f"/curate/quarantine/{q}")
            assert resp.status_code == 200
            html = page(resp)
            assert "Caf\\xff\\xfe Bar" in html if q == qid else "Old \\xff row" in html  # the original
            if status == "open":  # the form to fix the editable values
                assert "Caf\ufffd\ufffd Bar" in html if q == qid else "Old \ufffd row" in html
        if status == "open":
            assert "Caf\\xff\\xfe Bar" in page(listing) or "Caf\ufffd\ufffd Bar" in page(listing)
            for q in (qid, old):
                assert post(client, f"/curate/quarantine/{q}/discard", {"note": "stray byte"}).status_code == 303


def test_gzip_bomb_and_deep_json_are_413_and_store_nothing(client, engine, tmp_path):
    login(client, "mo")
    before = dump(engine)
    bomb = tmp_path / "bomb.csv.gz"
    gzip_bomb(bomb)
    resp = _upload(client, bomb.read_bytes(), filename="bomb.csv.gz")
    assert resp.status_code == 413 and "decompression bomb" in page(resp)
    resp = _upload(client, b"[" * 100_000 + b"]" * 100_000, filename="deep.json")
    assert resp.status_code == 413 and "more than 64 levels deep" in page(resp)
    resp = _upload(client, gzip.compress(b"\0" * 40_000_000), filename="zeros.csv.gz")  # 40 MB of NUL: 40 KB
    assert resp.status_code == 413
    assert dump(engine) == before


def test_encoding_choice_decodes_windows_1252(client, engine):
    login(client, "mo")
    data = _csv([["c1", "Café “Ñandú” – £5", "library", "Crème brûlée", LAT, LON]], encoding="cp1252")
    resp = _upload(client, data)  # as UTF-8: the row is quarantined, naming the encoding
    assert resp.status_code == 400 and "encoding" in page(resp).lower()
    form = page(client.get("/curate/import"))
    assert '<option value="cp1252"' in form and 'name="encoding"' in form
    resp = _upload(client, data, source="council2", encoding="cp1252")
    assert resp.status_code == 200 and "1 accepted" in page(resp)
    with Session(engine) as s:
        a = s.scalars(select(CuratedAsset)).one()
        assert (a.name, a.description) == ("Café “Ñandú” – £5", "Crème brûlée")
    assert _upload(client, data, encoding="ebcdic-or-so").status_code == 400


def test_an_oruk_upload_reports_its_services(client, engine):
    from test_hsds_import import TABLES

    login(client, "mo")
    resp = _upload(client, json.dumps(TABLES).encode(), filename="feed.json")
    html = page(resp)
    assert resp.status_code == 200, html[:500]
    assert "<strong>5 of 6 kept</strong>, 1 of them area-wide (no location), at 4 location(s)" in html
    assert "other activity: 2" in html and "openactive: 1" in html
    _no_inline_code(html)


def test_large_upload_runs_as_a_job_with_progress(client, engine, registry_url):
    login(client, "mo")
    # the job's mechanics, with progress seen mid-way, on both databases; the 200,000-row upload itself runs
    # through the production server in tests/test_import_server.py
    n = 20_000
    rows = [[f"r{i}", f"Place {i}", "library", "", LAT, LON] for i in range(1, n + 1)]
    rows[99][4] = "999"  # one bad latitude
    resp = _upload(client, _csv(rows), filename="big.csv")
    assert resp.status_code == 303, page(resp)[:500]
    url = resp.headers["Location"]
    job_id = int(url.rsplit("/", 1)[1])
    html = page(client.get(url))
    _no_inline_code(html)
    assert "js/import-job.js" in html and 'data-status-url="' in html
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(f"{url}.json").get_json()
        seen.append((state["status"], state["rows_read"]))
        if not state["active"]:
            break
        time.sleep(0.3)
    assert state["status"] == "done", (state, seen[-5:])
    assert (state["rows_read"], state["accepted"], state["quarantined"], state["rows_saved"]) == (n, n - 1, 1, n)
    assert any(s == "checking" and 0 < r < n for s, r in seen) or any(s == "saving" for s, _ in seen), seen[:10]
    html = page(client.get(url))
    assert "done" in html and f"{n} rows" in html and "Fix the quarantined rows" in html
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(CuratedAsset)) == n - 1
        assert s.get(ImportJob, job_id).batch_id == s.scalars(select(ImportBatch.id)).one()


def test_a_failing_job_ends_failed_with_a_sentence_and_stores_nothing(client, engine):
    login(client, "mo")
    before = dump(engine)
    rows = [[f"c{i}", f"Café {i}", "library", "", LAT, LON] for i in range(3000)]
    resp = _upload(client, _csv(rows, encoding="cp1252"), filename="ansi.csv")  # read as UTF-8: refused at the end
    assert resp.status_code == 303
    url = resp.headers["Location"]
    deadline = time.monotonic() + 60
    while (state := client.get(f"{url}.json").get_json())["active"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state["status"] == "failed" and "does not look like UTF-8" in state["error"], state
    assert "--encoding" in state["error"] and "does not look like UTF-8" in page(client.get(url))
    after = dump(engine)
    assert after.pop("import_job") != before.pop("import_job") and after == before


def test_a_job_whose_worker_died_reads_failed(client, engine):
    login(client, "mo")
    with Session(engine) as s:
        job = create_job(s, source="council", filename="gone.csv", who="mo")
        job.status, job.worker = "checking", job.worker.split(":")[0] + ":999999999:1"  # no such process
        s.commit()
        job_id = job.id
    state = client.get(f"/curate/import/jobs/{job_id}.json").get_json()
    assert state["status"] == "failed" and not state["active"] and state["error"] == DIED
    html = page(client.get(f"/curate/import/jobs/{job_id}"))
    assert "The import failed" in html and "import the file again" in html
    assert client.get("/curate/import/jobs/999999.json").status_code == 404
