"""``assetmap.explore``: an area's layers on a folium map, for analysts in notebooks.

Works like geopandas' ``GeoDataFrame.explore``: it returns a :class:`folium.Map`, and passing
``m=`` adds the layer to a map you already have, so layers compose::

    m = assetmap.explore("chesterfield", layer="imd")
    assetmap.explore("chesterfield", layer="assets", category="library", m=m)
    assetmap.explore("chesterfield", layer="walk:gp", m=m)

Layers: ``imd`` (IMD 2025 decile), ``<domain>`` (an IoD2025 domain decile: income, employment,
education, health, crime, housing, environment), ``walk:<category or family>`` (walking minutes
to the nearest), ``gap`` (the gap index), ``priority`` (priority score), ``bivariate`` (need–gap
class), ``double_disadvantage``, and ``assets`` (points coloured by category, optionally one
``category`` or ``family``).

The map needs no third-party server: with ``offline=True`` (the default) Leaflet's script and
stylesheet are embedded from the copy ``scripts/vendor.py`` installed from npm
(``app/static/vendor/leaflet``), or, when that is missing, the map keeps folium's defaults. No
tile layer is drawn unless ``tiles=`` names one. Text in tooltips and popups is escaped, and the
attributions (© OpenStreetMap contributors, OGL, OS data) are on the map.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .config import PROJECT_ROOT
from .constants import IOD_DOMAINS
from .errors import AssetmapError
from .outputs.read import AreaResults

VENDOR = PROJECT_ROOT / "app" / "static" / "vendor" / "leaflet"
ATTRIBUTION = ("© OpenStreetMap contributors (ODbL) · Contains OS data © Crown copyright and database right · "
               "MHCLG and ONS data, Open Government Licence v3.0")
DOMAINS = IOD_DOMAINS
DECILE_COLOURS = "RdYlBu"  # decile 1 (most deprived) red … 10 blue


def _area(area) -> AreaResults:
    if isinstance(area, AreaResults):
        return area
    path = Path(area)
    if not (path / "report.json").exists():
        path = PROJECT_ROOT / "build" / str(area)
    if not (path / "report.json").exists():
        raise AssetmapError(f"no build of {area!r} at {path}: run 'assetmap build {area}' first, or pass the "
                            f"build folder or an AreaResults")
    return AreaResults(path)


def _escaped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Text columns HTML-escaped: folium writes tooltip and popup values as HTML."""
    out = frame[columns].copy()
    for c in columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: html.escape(str(v)) if isinstance(v, str) else v)
    return out


def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _new_map(ar: AreaResults, tiles, offline: bool):
    import folium

    minx, miny, maxx, maxy = ar.bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=12, tiles=tiles,
                   attr=ATTRIBUTION if tiles else None, control_scale=True)
    if offline and (VENDOR / "leaflet.js").exists():
        # only Leaflet itself: the layers below need neither jQuery nor Bootstrap
        m.default_js = [("leaflet", _data_uri(VENDOR / "leaflet.js", "text/javascript"))]
        m.default_css = [("leaflet_css", _data_uri(VENDOR / "leaflet.css", "text/css"))]
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    if not tiles:  # no tile layer to carry them: the sources' attributions go on the map itself
        _html_box(m, f'<div style="position:absolute;bottom:0;right:60px;z-index:1000;background:rgba(255,255,255,.85);'
                     f'padding:1px 5px;font:11px sans-serif">{html.escape(ATTRIBUTION)}</div>')
    return m


def _column(ar: AreaResults, layer: str) -> tuple[str, str, bool]:
    """(column, legend caption, higher is worse) for a neighbourhood layer."""
    nb = ar.neighbourhoods
    if layer == "imd":
        return "imd_decile", "IMD 2025 decile (1 = most deprived 10% in England)", False
    if layer in DOMAINS:
        return f"{layer}_decile", f"IoD2025 {layer} domain decile (1 = most deprived)", False
    if layer.startswith("walk:"):
        key = layer[5:]
        for col in (f"walk_{key}_min", f"walk_family_{key}_min"):
            if col in nb.columns:
                return col, f"Walking minutes to the nearest {key.replace('_', ' ')}", True
        raise AssetmapError(f"no walking layer for {key!r} in {ar.slug}: use a category or family key "
                            f"(e.g. walk:gp, walk:health)")
    named = {"gap": ("gap_score", "Gap index (higher = bigger gap)", True),
             "priority": ("priority_score", "Priority score (higher = more people in need lacking places)", True),
             "bivariate": ("bivariate_class", "Need–gap class (need-gap terciles, 3-3 = high need, big gap)", True),
             "double_disadvantage": ("double_disadvantage", "Double disadvantage (most deprived and biggest "
                                                            "gap)", True)}
    if layer in named and named[layer][0] in nb.columns:
        return named[layer]
    raise AssetmapError(f"unknown layer {layer!r}: use imd, {', '.join(DOMAINS)}, walk:<category>, gap, priority, "
                        f"bivariate, double_disadvantage or assets")


def explore(area, layer: str = "imd", m=None, category: str | None = None, family: str | None = None,
            tiles: str | None = None, offline: bool = True, **kwargs):
    """A folium map of one of the area's layers (see the module docstring); ``m`` to add to a map.

    Extra keyword arguments go to geopandas' ``explore`` (e.g. ``cmap``, ``style_kwds``)."""
    ar = _area(area)
    if m is None:
        m = _new_map(ar, tiles, offline)
    if layer == "assets":
        pts = ar.assets
        if category:
            pts = pts[pts["categories"].map(lambda cs: category in list(cs))]
        if family:
            pts = pts[pts["family"] == family]
        if len(pts) == 0:
            raise AssetmapError(f"no assets of {category or family!r} in {ar.slug}")
        cats = ar.taxonomy["categories"]
        cols = ["name", "category", "family", "address", "postcode"]
        shown = _escaped(pts, cols).assign(category=pts["category"].map(lambda c: cats.get(c, {}).get("label", c)))
        colours = pts["category"].map(lambda c: cats.get(c, {}).get("colour", "#555555"))
        for colour in colours.unique():
            sel = (colours == colour).to_numpy()
            gpd.GeoDataFrame(shown[sel], geometry=pts.geometry[sel].values, crs=pts.crs).explore(
                m=m, color=colour, marker_kwds={"radius": 5}, tooltip=["name", "category"], popup=cols,
                name=f"assets ({category or family or 'all'})", **kwargs)
        return m
    column, caption, worse_high = _column(ar, layer)
    nb = ar.neighbourhoods
    cols = ["lsoa21_code", "lsoa21_name", column]
    shown = gpd.GeoDataFrame(_escaped(nb, cols), geometry=nb.geometry.values, crs=nb.crs)
    classes = _classes(nb[column], column, kwargs.pop("cmap", "YlOrRd" if worse_high else DECILE_COLOURS))
    shown["_fill"] = classes.colours
    shown.explore(m=m, color="_fill", tooltip=cols, popup=cols, name=caption, legend=False,
                  style_kwds={"weight": 0.5, "color": "#333333", "fillOpacity": 0.7}, **kwargs)
    _legend(m, caption, classes.legend)
    return m


class _Classes:
    def __init__(self, colours: pd.Series, legend: list[tuple[str, str]]):
        self.colours, self.legend = colours, legend


def _classes(values: pd.Series, column: str, cmap: str) -> _Classes:
    """Fill colours and legend rows: deciles and categories as they are, other numbers in quintiles."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    ramp = colormaps[cmap]
    missing = "#bbbbbb"
    if column.endswith("_decile"):
        keys = list(range(1, 11))
        colour = {k: to_hex(ramp(i / 9)) for i, k in enumerate(keys)}
        legend = [(colour[k], f"{k}{' (most deprived)' if k == 1 else ''}") for k in keys]
        return _Classes(values.map(lambda v: colour.get(int(v), missing) if pd.notna(v) else missing), legend)
    if not pd.api.types.is_numeric_dtype(values) or values.dropna().isin([0, 1, True, False]).all():
        keys = sorted(values.dropna().astype(str).unique())
        colour = {k: to_hex(ramp(i / max(1, len(keys) - 1))) for i, k in enumerate(keys)}
        return _Classes(values.map(lambda v: colour.get(str(v), missing) if pd.notna(v) else missing),
                        [(colour[k], k) for k in keys])
    edges = sorted(set(values.dropna().quantile([0, 0.2, 0.4, 0.6, 0.8, 1]).round(2)))
    if len(edges) < 2:
        edges = [float(values.min()), float(values.max())]
    bins = pd.cut(values, edges, include_lowest=True, labels=False, duplicates="drop")
    n = max(1, len(edges) - 1)
    colour = [to_hex(ramp(i / max(1, n - 1))) for i in range(n)]
    legend = [(colour[i], f"{edges[i]:g} – {edges[i + 1]:g}") for i in range(n)]
    return _Classes(bins.map(lambda b: colour[int(b)] if pd.notna(b) else missing), legend)


def _html_box(m, box: str) -> None:
    from branca.element import MacroElement, Template

    el = MacroElement()
    el._template = Template("{% macro html(this, kwargs) %}" + box + "{% endmacro %}")
    m.get_root().add_child(el)


def _legend(m, caption: str, rows: list[tuple[str, str]]) -> None:
    """A plain HTML legend (no script, so nothing to fetch); each further layer's legend beside the last."""
    n = getattr(m, "_assetmap_legends", 0)
    m._assetmap_legends = n + 1
    items = "".join(f'<div><span style="display:inline-block;width:14px;height:14px;background:{html.escape(c)};'
                    f'margin-right:6px;vertical-align:middle;border:1px solid #555"></span>{html.escape(t)}</div>'
                    for c, t in rows)
    box = (f'<div style="position:absolute;bottom:24px;left:{10 + 250 * n}px;z-index:1000;background:#fff;padding:6px '
           '8px;'
           f'font:12px sans-serif;border:1px solid #999;width:230px"><strong>{html.escape(caption)}</strong>'
           f'{items}</div>')
    _html_box(m, box)
