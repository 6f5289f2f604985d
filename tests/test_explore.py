"""assetmap.explore: folium maps of an area's layers for notebooks — composable, escaped, attributed,
and with nothing fetched from a third-party server."""
from __future__ import annotations

import re

import folium
import pytest

import assetmap
from app_fixtures import XSS_IMG
from assetmap.errors import AssetmapError


def test_layers_compose_on_one_map_with_no_third_party_urls(chesterfield_root):
    area = chesterfield_root / "chesterfield"
    m = assetmap.explore(area, layer="imd")
    assert isinstance(m, folium.Map)
    for layer in ("walk:gp", "walk:health", "gap", "priority", "bivariate", "income"):
        assert assetmap.explore(area, layer=layer, m=m) is m
    assert assetmap.explore(area, layer="assets", category="library", m=m) is m
    page = m.get_root().render()
    assert not re.findall(r'(?:src|href)="https?://', page), "a script or stylesheet from another server"
    assert "© OpenStreetMap contributors" in page and "Open Government Licence" in page
    assert "Walking minutes to the nearest gp" in page and "1 (most deprived)" in page


def test_popups_and_tooltips_are_escaped(hostile_root):
    slug = next(p.name for p in hostile_root.iterdir() if (p / "report.json").exists())
    page = assetmap.explore(hostile_root / slug, layer="assets").get_root().render()
    # folium puts popup values into the page as HTML: the name must arrive escaped (the GeoJSON
    # holds "&lt;img …&gt;", JSON-encoded as \u0026lt;…), never as markup
    assert XSS_IMG not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_unknown_layers_and_missing_builds_name_the_fix(chesterfield_root, tmp_path):
    with pytest.raises(AssetmapError, match="use imd, income"):
        assetmap.explore(chesterfield_root / "chesterfield", layer="nonsense")
    with pytest.raises(AssetmapError, match="walk:gp"):
        assetmap.explore(chesterfield_root / "chesterfield", layer="walk:nonsense")
    with pytest.raises(AssetmapError, match="assetmap build"):
        assetmap.explore(tmp_path / "nowhere")
