"""The neighbourhood table page as a working tool, on the server side: priority for a chosen kind of
place, columns chosen, sorting, "Shade by" and the filter (the browser side is in
tests/test_browser_table.py)."""
from __future__ import annotations

import re

from app_fixtures import CHESTERFIELD
from page_support import text

BASE = f"/area/{CHESTERFIELD}/neighbourhoods"


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def headings(page: str) -> list[str]:
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col" data-col="([^"]+)"(?![^>]*hidden)', head)


def test_priority_for_a_kind_of_place_sorted_first(client, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods.sort_values(["priority_warm_space", "lsoa21_code"], ascending=[False, True])
    page = text(client.get(f"{BASE}?category=warm_space&sort=priority"))
    found = rows(page)
    assert len(found) == len(nb)
    assert [re.search(r'id="lsoa-([^"]+)"', r).group(1) for r in found[:5]] == nb["lsoa21_code"].head(5).tolist()
    assert "Priority: warm space" in page and "Places inside: warm space" in page
    assert re.search(r'<th scope="col" data-col="priority"[^>]*aria-sort="descending"', page)
    first = nb.iloc[0]
    assert f'data-col="priority" data-label="Priority: warm space" data-sort="{first["priority_warm_space"]}"' in found[0]
    # the default columns: gap, need, priority, walking minutes and counts
    assert headings(page) == ["name", "code", "decile", "residents", "gap", "need", "priority", "priority_rank",
                              "inside", "walk_min", "assets"]


def test_columns_sort_measure_and_filter_from_the_address(client, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    page = text(client.get(f"{BASE}?cols=residents,gap,nonsense&sort=residents&dir=asc&measure=income&q=008"))
    assert headings(page) == ["name", "residents", "gap"]
    found = rows(page)
    smallest = nb.sort_values(["residents", "lsoa21_code"]).iloc[0]
    assert f'id="lsoa-{smallest["lsoa21_code"]}"' in found[0]
    assert "Income decile" in page and "deprivation: Income" in page  # "Shade by" is honoured
    row = nb.iloc[0]
    tr = next(r for r in found if f'id="lsoa-{row["lsoa21_code"]}"' in r)
    assert f'data-col="decile" data-label="Income decile" data-sort="{float(row["income_decile"])}"' in tr
    shown = [r for r in found if " hidden>" not in r.split(">", 1)[0] + ">"]
    assert shown and all("008" in r.split(">", 1)[0] or "008" in r for r in shown)
    assert len(shown) < len(found)


def test_hostile_choices_fall_back_and_are_escaped(client):
    resp = client.get(f'{BASE}?category=<script>&sort=<b>&dir=up&cols=<i>&q="><svg onload=alert(1)>')
    page = text(resp)
    assert resp.status_code == 200
    assert "<svg onload" not in page and "<script>alert" not in page
    assert 'data-col="imd_rank"' in page and "priority for the overall score" in page
