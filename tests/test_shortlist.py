"""The shortlist for link workers: /shortlist?ids=<slug>:<asset_id>,… rendered from the ids alone,
"Add to shortlist" buttons on lookup results and asset pages, and the list kept in the browser."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app_fixtures import CHESTERFIELD, HOSTILE_SLUG, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT


def _with_contacts(ar, n: int) -> list:
    a = ar.assets
    rows = a[a["phone"].notna() & a["website"].notna() & a["name"].notna()]
    return rows.head(n).to_dict("records")


def test_shortlist_page_is_rendered_from_the_ids(client, chesterfield_ar):
    first, second = _with_contacts(chesterfield_ar, 2)
    ids = f"{CHESTERFIELD}:{first['asset_id']},nowhere:x,{CHESTERFIELD}:no-such-place,{CHESTERFIELD}:{second['asset_id']}"
    resp = client.get(f"/shortlist?ids={ids},{CHESTERFIELD}:{first['asset_id']}")  # the repeat is dropped
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    names = re.findall(r'<h2 class="shortlist-name"><a href="([^"]+)">([^<]+)</a>', html)
    assert [n for _, n in names] == [first["name"], second["name"]]
    assert names[0][0] == f"/area/{CHESTERFIELD}/asset/{first['asset_id']}"
    for r in (first, second):
        assert r["phone"] in html and f'href="{r["website"]}"' in html
    assert "2 places in the link could not be found" in html
    assert "<code>nowhere:x</code>" in html
    # the page's own link holds only the places found, and reopens the same list
    link = re.search(r'id="shortlist-link"[^>]*value="([^"]+)"', html).group(1)
    assert urlsplit(link).query == f"ids={CHESTERFIELD}:{first['asset_id']},{CHESTERFIELD}:{second['asset_id']}"
    again = client.get(urlsplit(link).path + "?" + urlsplit(link).query).get_data(as_text=True)
    assert re.findall(r'<h2 class="shortlist-name">.*?</h2>', again) == re.findall(r'<h2 class="shortlist-name">.*?</h2>', html)
    # each place's "Remove" link is the list without it
    assert f'href="/shortlist?ids={CHESTERFIELD}:{second["asset_id"]}" class="shortlist-remove"' in html


def test_shortlist_is_bounded_and_empty_is_explained(client, chesterfield_ar):
    ids = ",".join(f"{CHESTERFIELD}:{a}" for a in chesterfield_ar.assets["asset_id"].head(35))
    html = client.get(f"/shortlist?ids={ids}").get_data(as_text=True)
    assert html.count('<li class="shortlist-item"') == 30
    assert "at most 30 places; 5 more" in html
    empty = client.get("/shortlist")
    assert empty.status_code == 200 and "The shortlist is empty" in empty.get_data(as_text=True)
    junk = client.get("/shortlist?ids=" + "x" * 10_000 + ",:,,a:,<b>:<i>")
    assert junk.status_code == 200 and "<b>" not in junk.get_data(as_text=True).split("<main", 1)[1]


def test_add_buttons_on_lookup_results_and_asset_pages(client, chesterfield_ar):
    html = client.get("/lookup?postcode=S40+1LP").get_data(as_text=True)
    refs = re.findall(r'<button type="submit" class="button secondary shortlist-add" data-shortlist-ref="([^"]+)"', html)
    from assetmap.serving.search import CANDIDATES, rank_by_trust

    ranked = rank_by_trust(chesterfield_ar.lookup("S40 1LP", limit=CANDIDATES).results)[:10]  # the trust ranking
    expected = [f"{CHESTERFIELD}:{r['asset_id']}" for r in ranked]
    assert refs == expected
    # without JavaScript the button opens a shortlist of that place
    assert html.count('<form class="shortlist-form" action="/shortlist" method="get">') == len(expected)
    lib = chesterfield_ar.assets.loc[chesterfield_ar.assets["name"] == "Chesterfield Library", "asset_id"].iloc[0]
    page = client.get(f"/area/{CHESTERFIELD}/asset/{lib}").get_data(as_text=True)
    assert f'name="ids" value="{CHESTERFIELD}:{lib}"' in page
    assert "Add<span class=\"visually-hidden\"> Chesterfield Library</span> to shortlist" in page


def test_hostile_names_stay_text_on_the_shortlist(hostile_client, hostile_ar):
    a = hostile_ar.assets
    ids = ",".join(f"{HOSTILE_SLUG}:{i}" for i in a.loc[a["name"].isin([XSS_IMG, XSS_SCRIPT]), "asset_id"])
    html = hostile_client.get(f"/shortlist?ids={ids}").get_data(as_text=True)
    main = html.split("<main", 1)[1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in main and "&lt;script&gt;alert(2)&lt;/script&gt;" in main
    assert "<img src=x" not in main and "<script>alert" not in main and "<svg onload" not in main
    assert "&#34;&gt;&lt;svg onload=alert(3)&gt;" in main or "&quot;&gt;&lt;svg onload=alert(3)&gt;" in main
    assert 'href="javascript:' not in main


# --- in the browser ------------------------------------------------------------------------

from browser_support import Watched  # noqa: E402


@pytest.mark.browser
def test_shortlist_in_the_browser_add_open_reload_print(browser, server, chesterfield_ar):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto("/lookup?postcode=S40+1LP")
        from assetmap.serving.search import CANDIDATES, rank_by_trust

        results = rank_by_trust(chesterfield_ar.lookup("S40 1LP", limit=CANDIDATES).results)[:10]
        buttons = w.page.locator("ol.result-list button.shortlist-add")
        assert buttons.first.get_attribute("aria-pressed") == "false"
        assert buttons.first.get_attribute("type") == "button"  # enhanced: a toggle, not a form submit
        buttons.nth(0).click()
        buttons.nth(2).click()
        assert buttons.nth(0).get_attribute("aria-pressed") == "true"
        assert "On shortlist" in buttons.nth(0).inner_text()
        w.page.wait_for_function("() => document.querySelector('#shortlist-nav').innerText === 'Shortlist (2)'",
                                 timeout=5000)
        assert "2 places on it" in w.page.locator("body > p[role=status]").inner_text()
        # a toggle: pressing again removes it, and once more adds it back
        buttons.nth(2).click()
        w.page.wait_for_function("() => document.querySelector('#shortlist-nav').innerText === 'Shortlist (1)'",
                                 timeout=5000)
        buttons.nth(2).click()
        w.page.click("#shortlist-nav")
        w.page.wait_for_url("**/shortlist?ids=*")
        names = w.page.locator(".shortlist-name").all_inner_texts()
        assert names == [results[0]["name"], results[2]["name"]]
        link = w.page.input_value("#shortlist-link")
        assert link == w.page.url
        assert w.page.locator("#shortlist-copy").is_visible()
        # the link reopens the same list in a fresh browser (no sessionStorage)
        other = browser.new_context(viewport={"width": 360, "height": 800})
        try:
            w2 = Watched(other.new_page(), server.url)
            w2.page.goto(link)
            assert w2.page.locator(".shortlist-name").all_inner_texts() == names
            assert w2.page.evaluate("() => document.documentElement.scrollWidth") <= 360
            w2.assert_clean()
        finally:
            other.close()
        # "Shortlist" in the header of any page leads back to this tab's list
        w.goto("/about")
        assert w.page.get_attribute("#shortlist-nav", "href") == urlsplit(link).path + "?" + urlsplit(link).query
        w.goto("/shortlist")  # an empty visit reopens the tab's list
        w.page.wait_for_url("**/shortlist?ids=*")
        assert w.page.locator(".shortlist-name").count() == 2
        w.page.reload()
        assert w.page.locator(".shortlist-name").all_inner_texts() == names
        # print: no navigation, forms or buttons; link addresses spelt out; each place whole
        w.page.emulate_media(media="print")
        assert not w.page.locator(".site-header").is_visible()
        assert not w.page.locator("#shortlist-copy").is_visible()
        assert not w.page.locator(".shortlist-remove").first.is_visible()
        assert w.page.locator(".print-only").first.is_visible()
        after = w.page.evaluate("() => getComputedStyle(document.querySelector('.shortlist-name a'), '::after').content")
        assert f"/area/{CHESTERFIELD}/asset/" in after
        assert w.page.evaluate("() => getComputedStyle(document.querySelector('.shortlist-item')).breakInside") == "avoid"
        w.page.emulate_media(media="screen")
        # removing one (a plain link) leaves the other, and the tab's list follows
        w.page.locator(".shortlist-remove").first.click()
        w.page.wait_for_function("() => document.querySelectorAll('.shortlist-name').length === 1")
        w.page.wait_for_function("() => document.querySelector('#shortlist-nav').innerText === 'Shortlist (1)'",
                                 timeout=5000)
        w.assert_clean()
    finally:
        ctx.close()


@pytest.mark.browser
def test_hostile_names_stay_text_when_shortlisted(browser, hostile_server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    w = Watched(ctx.new_page(), hostile_server.url)
    try:
        w.goto("/lookup?postcode=S40+1LP")
        w.page.locator("ol.result-list button.shortlist-add").nth(0).click()
        w.page.locator("ol.result-list button.shortlist-add").nth(1).click()
        status = w.page.locator("body > p[role=status]").inner_text()
        assert XSS_SCRIPT in status or XSS_IMG in status
        w.page.click("#shortlist-nav")
        w.page.wait_for_url("**/shortlist?ids=*")
        assert sorted(w.page.locator(".shortlist-name").all_inner_texts()) == sorted([XSS_IMG, XSS_SCRIPT])
        assert XSS_ADDRESS in w.page.inner_text(".shortlist")
        w.page.wait_for_timeout(300)
        assert w.page.locator("img[src='x'], svg[onload]").count() == 0
        w.assert_clean()
    finally:
        ctx.close()
