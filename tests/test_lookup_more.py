"""More results on the lookup page: server-side pages of the same search, kept in the link, with no
JavaScript needed (app/blueprints/public.py, MAX_PAGES)."""
from __future__ import annotations

import html as htmllib
import re

from app.blueprints.public import MAX_PAGES


def _page(client, url):
    r = client.get(url)
    text = r.get_data(as_text=True)
    names = re.findall(r'<h3 class="result-name">(.*?)</h3>', text)
    more = re.search(r'class="more-results"><a class="button secondary" href="([^"]*)"', text)
    return r.status_code, names, htmllib.unescape(more.group(1)) if more else None


def test_more_results_continue_the_same_search(client, chesterfield_ar):
    status, first, more = _page(client, "/lookup?postcode=S41+7TD&category=&access=&q=")
    assert status == 200 and len(first) == 10
    assert more == "/lookup?postcode=S41+7TD&page=2#result-11"
    status, both, more2 = _page(client, more.split("#")[0])
    assert len(both) == 20 and both[:10] == first  # the same ten, then the next ten, nearest first
    from assetmap.serving.search import CANDIDATES, rank_by_trust

    # nearest on foot after the trust penalties (a record not recently checked ranks as if 800 m farther)
    expected = [r["name"] or f"Unnamed {r['category_label'].lower()}"
                for r in rank_by_trust(chesterfield_ar.lookup("S41 7TD", limit=CANDIDATES).results)[:20]]
    assert [htmllib.unescape(n) for n in both] == expected
    assert more2.endswith("page=3#result-21")


def test_the_link_keeps_the_words_type_and_filters(client):
    _, _, more = _page(client, "/lookup?postcode=S41+7TD&q=exercise&category=&utm_source=x")
    assert more == "/lookup?postcode=S41+7TD&q=exercise&page=2#result-11"  # the words kept, the rest not
    _, names, more = _page(client, "/lookup?postcode=Brimington&category=park")
    if names and more:
        assert "postcode=Brimington" in more and "category=park" in more


def test_no_more_link_when_there_is_no_more(client):
    _, names, more = _page(client, "/lookup?postcode=S41+7TD&q=food+bank")
    assert len(names) < 10 and more is None
    _, names, more = _page(client, f"/lookup?postcode=S41+7TD&page={MAX_PAGES}")
    assert len(names) == 10 * MAX_PAGES and more is None


def test_a_page_out_of_range_is_named(client):
    for bad in ("0", "x", str(MAX_PAGES + 1)):
        r = client.get(f"/lookup?postcode=S41+7TD&page={bad}")
        assert r.status_code == 400 and "page" in r.get_data(as_text=True)
