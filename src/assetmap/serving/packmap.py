"""Map images for the committee pack, drawn with matplotlib from the build's own data only: the
neighbourhood polygons, the base map's streets (the build's ``streets.parquet``) and the assets.
No tiles are fetched from anywhere. :class:`PackImages` keeps each rendered image (a bounded
cache per area), so a render costs once per choice of categories, not once per request.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .pack import priority_classes, set_priority

OSM_CREDIT = ("Streets and places © OpenStreetMap contributors (ODbL). "
              "Boundaries: ONS, OGL v3.0; contains OS data © Crown copyright.")
CACHE_SIZE = 24
# pyplot is not thread-safe: one render at a time in the process, whichever area asks
_RENDER = threading.RLock()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _small_png(png: bytes) -> bytes:
    """The PNG in 128 colours (a map of flat fills: about a quarter of the bytes, no visible change)."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128).save(out, format="PNG", optimize=True)
    return out.getvalue()


class PackImages:
    """One area's pack images (PNG bytes), rendered on first use and kept (at most CACHE_SIZE)."""

    def __init__(self, ar):
        self.ar = ar
        self._cache: dict[tuple, Any] = {}
        self._lock = _RENDER
        self._streets: gpd.GeoDataFrame | None = None

    def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()``'s value for ``key``, made once (an image's bytes, or the pack's figures)."""
        found = self._cache.get(key)
        if found is None:
            with self._lock:
                found = self._cache.get(key)
                if found is None:
                    found = make()
                    if len(self._cache) >= CACHE_SIZE:
                        self._cache.clear()
                    self._cache[key] = found
        return found

    def streets(self) -> gpd.GeoDataFrame | None:
        if self._streets is None:
            path = self.ar.dir / "streets.parquet"
            self._streets = gpd.read_parquet(path).to_crs("EPSG:4326") if path.exists() else gpd.GeoDataFrame()
        return self._streets if len(self._streets) else None

    def priority_map(self, categories: list[str], top: list[dict]) -> bytes:
        """Neighbourhoods shaded by priority for ``categories``, the top ones numbered, the places drawn."""
        return self.cached(("priority", tuple(categories)), lambda: self._priority_map(categories, top))

    def _priority_map(self, categories: list[str], top: list[dict]) -> bytes:
        from .colours import PRIORITY_COLOURS

        nb = self.ar.neighbourhoods
        cls, _ = priority_classes(set_priority(nb, categories))
        fills = [PRIORITY_COLOURS[int(c) - 1] for c in cls]
        assets = self.ar.assets[[bool(set(cs) & set(categories)) for cs in self.ar.assets["categories"]]]
        colours = self.ar.taxonomy["categories"]
        points = [(g.x, g.y, colours.get(c, {}).get("colour", "#333333")) for g, c in
                  zip(assets.geometry, assets["category"], strict=True)]
        labels = {t["lsoa21_code"]: str(t["rank"]) for t in top}
        return self._draw(fills, points, labels)

    def change_map(self, key: tuple, change_min: dict[str, float], site: tuple[float, float] | None) -> bytes:
        """Neighbourhoods shaded by how many minutes shorter their walk gets (a scenario), the site marked."""
        return self.cached(("change", *key), lambda: self._change_map(change_min, site))

    def _change_map(self, change_min: dict[str, float], site: tuple[float, float] | None) -> bytes:
        fills = []
        for code in self.ar.neighbourhoods["lsoa21_code"]:
            c = change_min.get(code)
            fills.append("#eeeeee" if c is None else "#006d2c" if c <= -10 else "#31a354" if c <= -5
                         else "#74c476" if c <= -2 else "#c7e9c0")
        points = [(site[0], site[1], "#000000")] if site else []
        return self._draw(fills, points, {}, big_points=bool(site))

    def _draw(self, fills: list[str], points: list, labels: dict[str, str], big_points: bool = False) -> bytes:
        plt = _pyplot()
        from matplotlib.collections import LineCollection

        nb = self.ar.neighbourhoods
        min_lon, min_lat, max_lon, max_lat = nb.total_bounds
        aspect = 1 / np.cos(np.radians((min_lat + max_lat) / 2))
        ratio = (max_lat - min_lat) * aspect / max(max_lon - min_lon, 1e-9)
        fig, ax = plt.subplots(figsize=(8, max(4.0, min(11.0, 8 * ratio))), dpi=120)
        nb.plot(ax=ax, color=fills, edgecolor="#ffffff", linewidth=0.6, alpha=0.85, zorder=1)
        streets = self.streets()
        if streets is not None:
            segs = [np.asarray(g.coords) for g in streets.geometry.explode(index_parts=False)
                    if g is not None and g.geom_type == "LineString"]
            ax.add_collection(LineCollection(segs, colors="#6b6b6b", linewidths=0.25, alpha=0.45, zorder=2))
        nb.boundary.plot(ax=ax, color="#444444", linewidth=0.35, zorder=3)
        if points:
            xs, ys, cs = zip(*points, strict=True)
            ax.scatter(xs, ys, s=120 if big_points else 14, c=list(cs), edgecolors="#ffffff",
                       linewidths=1.2 if big_points else 0.5, marker="*" if big_points else "o", zorder=4)
        for code, text in labels.items():
            row = nb[nb["lsoa21_code"] == code]
            if len(row):
                p = row.geometry.iloc[0].representative_point()
                ax.annotate(text, (p.x, p.y), ha="center", va="center", fontsize=9, fontweight="bold", zorder=5,
                            bbox={"boxstyle": "circle,pad=0.25", "fc": "#ffffff", "ec": "#000000", "lw": 0.8})
        ax.set_xlim(min_lon, max_lon)
        ax.set_ylim(min_lat, max_lat)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        fig.text(0.01, 0.005, OSM_CREDIT, fontsize=6, color="#333333")
        fig.tight_layout(pad=0.3)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        return _small_png(buf.getvalue())

    def equity_chart(self, by_decile: pd.DataFrame | list, labels: dict[str, str], categories: list[str],
                     threshold: float, fmt: str = "png") -> bytes:
        """The equity chart (mean walk by IMD decile) of ``categories``, as PNG or SVG bytes."""
        from ..gap.equity import equity_chart

        frame = pd.DataFrame(by_decile)

        def make() -> bytes:
            buf = io.BytesIO()
            equity_chart(frame, labels, categories, buf, f"{self.ar.name}: walking time by deprivation", threshold,
                         fmt=fmt)
            return buf.getvalue()
        return self.cached(("equity", fmt, tuple(categories)), make)
