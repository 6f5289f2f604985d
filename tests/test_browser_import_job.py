"""In Chromium under the site's strict CSP: a large upload on the import page becomes a job whose page
updates its counts by itself (js/import-job.js, no inline script) and shows the outcome when it ends."""
from __future__ import annotations

import re

import pytest

from browser_support import LiveServer, Watched
from curate_support import PASSWORD

pytestmark = pytest.mark.browser
ROWS = 20_000


def test_import_job_page_follows_the_job_to_its_end(browser, capp):
    from playwright.sync_api import expect

    server = LiveServer(capp)
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        w = Watched(ctx.new_page(), server.url)
        w.goto("/curate/login")
        w.page.fill("#field-username", "mo")
        w.page.fill("#field-password", PASSWORD)
        w.page.click("button[type=submit]")
        w.goto("/curate/import")
        data = "id,name,category,lat,lon\n" + "".join(f"r{i},Place {i},library,53.236,-1.429\n" for i in range(ROWS))
        w.page.set_input_files("#field-file", {"name": "big.csv", "mimeType": "text/csv", "buffer": data.encode()})
        w.page.fill("#field-source", "council")
        w.page.select_option("#field-encoding", "cp1252")  # plain ASCII reads the same
        w.page.click("form.stacked-form button[type=submit]")
        w.page.wait_for_url(re.compile(r"/curate/import/jobs/\d+$"))
        counts = w.page.locator('[data-field="rows_read"]')
        seen = []
        w.page.on("response", lambda r: seen.append(r.url) if r.url.endswith(".json") else None)
        expect(w.page.locator('[data-field="status"]')).to_have_text("done", timeout=90_000)
        w.page.wait_for_load_state()
        assert seen, "the page never asked for the job's progress"
        assert counts.text_content().strip() == str(ROWS)
        assert w.page.locator('[data-field="accepted"]').text_content().strip() == str(ROWS)
        assert "council" in w.page.content() and "Import another file" in w.page.content()
        w.assert_clean()  # no CSP violation, no console error
    finally:
        ctx.close()
        server.stop()
