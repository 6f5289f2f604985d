"""Place and street names from the area's own OpenStreetMap extract, as lookup starting points.

Residents do not always know a postcode; they know "Brimington", "Holbeck" or "Saltergate". A
build writes a small gazetteer (``places.parquet``): the extract's named ``place=*`` nodes
(towns, villages, suburbs, neighbourhoods…) and its named streets — one entry per stretch of a
street name (same-named streets more than ``STREET_GAP_M`` apart are different streets, told apart
by the nearest place: "Church Street, Brimington") — each with the nearest postcode that lies in
one of the area's neighbourhoods, so a lookup from a place reuses that postcode's precomputed
walking results. :class:`PlaceIndex` finds entries by name: exact, then by word prefix, then
by fuzzy similarity (rapidfuzz), all on normalised names, built once at load.
"""
from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial import cKDTree

from ..constants import BNG, WGS84

STREET_GAP_M = 800.0
PLACE_COLUMNS = ["name", "label", "kind", "key", "postcode", "lon", "lat"]
_ABBREV = {"st": "street", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "cres": "crescent",
           "ct": "court", "dr": "drive", "gdns": "gardens", "gr": "grove", "pl": "place", "sq": "square",
           "tce": "terrace", "cl": "close", "pk": "park", "mt": "mount"}


def normalise_name(text: str) -> str:
    """'St. John's Rd' -> 'st johns road': lower case, no punctuation, street abbreviations spelt out
    (a leading 'St' stays: it is usually Saint)."""
    words = re.sub(r"[^\w\s]", "", str(text).lower().replace("&", " and ")).split()
    return " ".join(_ABBREV.get(w, w) if i else w for i, w in enumerate(words))


def _street_entries(streets: gpd.GeoDataFrame) -> list[tuple[str, gpd.GeoSeries]]:
    """(name, midpoint of the stretch's middle segment) for each stretch of each street name."""
    named = streets[streets["name"].notna() & (streets["name"].astype(str).str.strip() != "")].reset_index(drop=True)
    out = []
    mids = shapely.line_interpolate_point(named.geometry.values, 0.5, normalized=True)
    xy = shapely.get_coordinates(mids)  # one point per street line, in order
    for name, pos in named.groupby("name").indices.items():
        pts = xy[pos]
        labels = fcluster(linkage(pts, "single"), STREET_GAP_M, "distance") if len(pts) > 1 else np.ones(1, int)
        for lab in np.unique(labels):
            group = pts[labels == lab]
            centre = group.mean(axis=0)
            out.append((str(name), group[np.argmin(np.hypot(*(group - centre).T))]))
    return out


def build_gazetteer(places: gpd.GeoDataFrame | None, streets: gpd.GeoDataFrame, postcodes: pd.DataFrame,
                    coverage) -> pd.DataFrame:
    """The gazetteer (``PLACE_COLUMNS``) of places and streets inside ``coverage`` (EPSG:27700).

    ``postcodes``: the area's postcodes with x, y and lsoa21_code; ``streets`` and ``places`` in
    EPSG:4326 as the OSM reader gives them."""
    inside = postcodes[postcodes["lsoa21_code"].notna()].reset_index(drop=True)
    if len(inside) == 0:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    tree = cKDTree(np.column_stack([inside["x"], inside["y"]]))
    rows = []
    town_names, town_xy = [], []
    if places is not None and len(places):
        pl = places.to_crs(BNG)
        pl = pl[pl.within(coverage)]
        for name, kind, g in zip(pl["name"], pl["place"], pl.geometry, strict=False):
            rows.append((name, name, kind, g.x, g.y))
            town_names.append(name)
            town_xy.append((g.x, g.y))
    if len(streets):
        st = streets.to_crs(BNG)
        st = st[st.intersects(coverage)]
        entries = _street_entries(st)
        counts = pd.Series([n for n, _ in entries]).value_counts()
        near = cKDTree(np.array(town_xy)) if town_xy else None
        for name, (x, y) in entries:
            label = name
            if counts[name] > 1 and near is not None:
                label = f"{name}, {town_names[near.query((x, y))[1]]}"
            rows.append((name, label, "street", x, y))
    frame = pd.DataFrame(rows, columns=["name", "label", "kind", "x", "y"])
    frame["key"] = frame["name"].map(normalise_name)
    frame["postcode"] = inside["postcode"].to_numpy()[tree.query(frame[["x", "y"]].to_numpy())[1]]
    lonlat = gpd.GeoSeries(gpd.points_from_xy(frame["x"], frame["y"]), crs=BNG).to_crs(WGS84)
    frame["lon"], frame["lat"] = lonlat.x.round(6), lonlat.y.round(6)
    frame = frame.drop_duplicates(["label", "kind"]).sort_values(["key", "kind"]).reset_index(drop=True)
    return frame[PLACE_COLUMNS]


class PlaceIndex:
    """Finds gazetteer entries by name; everything is prepared at load."""

    KIND_ORDER = {"city": 0, "town": 1, "village": 2, "suburb": 3, "quarter": 4, "neighbourhood": 5,
                  "hamlet": 6, "locality": 7, "street": 8}

    def __init__(self, gazetteer: pd.DataFrame, area: str):
        self.area = area
        self.entries = [{**r, "area": area} for r in gazetteer.to_dict("records")]
        self.keys = [e["key"] for e in self.entries]
        self.by_key: dict[str, list[int]] = {}
        for i, k in enumerate(self.keys):
            self.by_key.setdefault(k, []).append(i)
        self.by_label = {e["label"]: e for e in self.entries}

    def _ranked(self, idx) -> list[dict]:
        return [self.entries[i] for i in sorted(idx, key=lambda i: (self.KIND_ORDER.get(self.entries[i]["kind"], 9),
                                                                       self.entries[i]["label"]))]

    def find(self, text: str, limit: int = 8) -> list[dict]:
        """Entries named ``text``: exact matches, else names starting with it word by word, else
        fuzzy matches (score ≥ 85), best first (places before streets)."""
        key = normalise_name(text)
        if len(key) < 3:
            return []
        if key in self.by_key:
            return self._ranked(self.by_key[key])[:limit]
        prefix = [i for i, k in enumerate(self.keys) if k.startswith(key)]
        if prefix:
            return self._ranked(prefix)[:limit]
        from rapidfuzz import fuzz, process, utils

        hits = process.extract(key, self.keys, scorer=fuzz.ratio, processor=utils.default_process,
                               score_cutoff=85, limit=limit)
        return [self.entries[i] for _, _, i in hits]
