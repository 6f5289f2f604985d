"""The neighbourhood table as a working tool in a real headless Chromium (js/table.js): sorting
from the keyboard with aria-sort, the column chooser, the filter, a CSV of exactly what is shown,
and the phone layout without sideways scroll. See tests/browser_support.py."""
from __future__ import annotations

import csv
import io

import pytest

from app_fixtures import CHESTERFIELD
from browser_support import SHOTS, Watched

pytestmark = pytest.mark.browser

BASE = f"/area/{CHESTERFIELD}/neighbourhoods"


def shown_table(page) -> list[list[str]]:
    """The table as a person sees it: visible headings, then each visible row's visible cells
    (numbers as their raw values, the same as the CSV gives them)."""
    return page.evaluate("""() => {
        const t = document.getElementById('nb-table');
        const heads = [...t.tHead.rows[0].cells].filter(th => !th.hidden);
        const out = [heads.map(th => th.getAttribute('data-label'))];
        for (const r of t.tBodies[0].rows) {
            if (r.hidden) continue;
            out.push(heads.map(th => {
                const key = th.getAttribute('data-col');
                const cell = key === 'name' ? r.cells[0] : r.querySelector(`[data-col="${key}"]`);
                return cell.classList.contains('num') ? cell.getAttribute('data-sort') : cell.textContent.trim();
            }));
        }
        return out; }""")


def test_sort_by_priority_from_the_keyboard_and_export_what_is_shown(page, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    page.goto(f"{BASE}?category=warm_space&sort=imd_rank")
    p = page.page
    p.wait_for_selector("#table-csv:not([hidden])")
    button = p.locator('th[data-col="priority"] button')
    button.focus()
    p.keyboard.press("Enter")  # a real button in the heading: the keyboard sorts too
    assert p.get_attribute('th[data-col="priority"]', "aria-sort") == "descending"
    assert p.locator("th[aria-sort]").count() == 1
    codes = p.eval_on_selector_all("#nb-table tbody tr", "rs => rs.map(r => r.id.slice(5))")
    best = nb.sort_values(["priority_warm_space", "lsoa21_code"], ascending=[False, True])["lsoa21_code"].tolist()
    assert codes == best
    p.keyboard.press("Enter")
    assert p.get_attribute('th[data-col="priority"]', "aria-sort") == "ascending"
    p.keyboard.press("Enter")
    # choose columns: hide Code, show Assets per 1,000 residents; filter the rows
    p.click("#column-chooser summary")
    p.uncheck('#column-chooser input[value="code"]')
    p.check('#column-chooser input[value="per1k"]')
    assert p.locator('th[data-col="code"]').is_hidden()
    p.fill("#table-filter", "Chesterfield 00")
    p.wait_for_function("() => location.search.includes('q=Chesterfield')", timeout=10_000)  # the filter's debounce
    assert "sort=priority" in p.url and "dir=desc" in p.url and "per1k" in p.url and "q=Chesterfield" in p.url
    with p.expect_download() as info:
        p.click("#table-csv")
    download = info.value
    assert download.suggested_filename == f"assetmap-{CHESTERFIELD}-neighbourhoods.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    seen = shown_table(p)
    assert rows == seen  # the same columns, order and rows as the table shows
    assert 1 < len(rows) < len(nb) + 1 and "Code" not in rows[0] and "Assets per 1,000 residents" in rows[0]
    assert rows[0][:1] == ["Neighbourhood"] and rows[1][0] == nb.set_index("lsoa21_code").loc[
        [c for c in best if "Chesterfield 00" in nb.set_index("lsoa21_code").at[c, "lsoa21_name"]][0], "display_name"]
    # the address gives the same view back
    p.goto(p.url)
    p.wait_for_selector("#table-csv:not([hidden])")
    assert shown_table(p) == seen
    page.assert_clean()


def test_csv_neutralises_formulas(page):
    page.goto(BASE)
    page.page.wait_for_selector("#table-csv:not([hidden])")
    out = page.page.evaluate("""() => {
        const cell = document.querySelector('#nb-table tbody tr th a');
        cell.textContent = '=HYPERLINK("http://x")';
        return window.assetmapTable.csv(); }""")
    assert "'=HYPERLINK(\"\"http://x\"\")" in out.splitlines()[1]


def test_phone_table_has_no_sideways_scroll(browser, server):
    ctx = browser.new_context(viewport={"width": 360, "height": 800})
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto(f"{BASE}?category=warm_space&sort=priority")
        w.page.wait_for_selector("#table-csv:not([hidden])")
        width = w.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360
        assert w.page.locator("#nb-table tbody tr").first.bounding_box()["width"] <= 360
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / "table-360.png"), clip={"x": 0, "y": 900, "width": 360, "height": 900}, full_page=True)
        w.assert_clean()
    finally:
        ctx.close()
