"""Helpers shared by the tests that read the app's pages: text, embedded JSON, visible text, and
the check that hostile markup never appears raw."""
from __future__ import annotations

import html
import json
import re

from app_fixtures import XSS_IMG, XSS_SCRIPT, XSS_SVG

OSM_LINE = "© OpenStreetMap contributors (ODbL)"
OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0"
OS_LINE = "Contains OS data © Crown copyright and database right"
# Chesterfield and its surroundings, generously: every coordinate served must fall inside.
CHESTERFIELD_BOX = (-1.60, 53.15, -1.30, 53.32)
RAW = (XSS_IMG, XSS_SCRIPT, XSS_SVG, "<b>Test</b>", "<b>bold</b>")


def text(resp) -> str:
    return resp.get_data(as_text=True)


def script_json(page: str, element_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S)
    assert m, f"no <script id={element_id}> in the page"
    return json.loads(m.group(1))


def visible_text(page: str) -> str:
    """The page's text with tags stripped and entities decoded (roughly what a reader sees)."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    return html.unescape(re.sub(r" ([,.;:])", r"\1", flat)).replace("\xad", "")


def assert_no_raw_markup(page: str, where: str) -> None:
    for raw in RAW:
        assert raw not in page, f"{where}: unescaped {raw!r}"
    assert 'href="javascript:' not in page.lower(), where
