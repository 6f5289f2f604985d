"""The planner's search box: a neighbourhood name or code, a postcode or an OSM place, to fly to.

:class:`PlannerSearch` is built once per area at load from what the build wrote: every
neighbourhood under its local name, ONS name, ward, code and the OSM places inside it; the
gazetteer's places and streets (``places.parquet``, with the neighbourhood each lies in); and the
area's postcodes. A query then only compares normalised strings (no geometry, no file reads):
a postcode is a dictionary look-up, a name a scan of a few hundred keys.
"""
from __future__ import annotations

import pandas as pd

from ..ingest.places import normalise_name
from ..ingest.postcode_format import _POSTCODE, normalise
from .values import present

MAX_RESULTS = 8


def _key(text) -> str:
    return normalise_name(str(text)) if present(text) else ""


class PlannerSearch:
    """Search entries for one area: ``find(q)`` gives up to MAX_RESULTS hits, best first."""

    def __init__(self, neighbourhoods: pd.DataFrame, gazetteer: pd.DataFrame, postcodes: pd.DataFrame,
                 unmapped: pd.DataFrame | None = None, unmapped_postcodes: dict[str, str] | None = None):
        """``neighbourhoods`` and ``unmapped`` (the district's LSOAs outside the extract): rows with the
        name columns and a point (lon, lat); ``postcodes``: postcode, lsoa21_code, lon, lat."""
        self.nb: dict[str, dict] = {}
        self.entries: list[tuple[str, int, dict]] = []  # (normalised key, rank, hit)
        for r in neighbourhoods.to_dict("records"):
            code = r["lsoa21_code"]
            label = r.get("display_name") or r.get("lsoa21_name") or code
            hit = {"label": label, "kind": "neighbourhood", "code": code,
                   "detail": ", ".join(x for x in (f"{r['ward_name']} ward" if present(r.get("ward_name")) else "",
                                                   code) if x),
                   "lon": round(float(r["lon"]), 6), "lat": round(float(r["lat"]), 6)}
            self.nb[code] = hit
            for rank, text in ((0, r.get("local_name")), (0, r.get("lsoa21_name")), (0, code),
                               (1, r.get("ward_name"))):
                if present(text):
                    self.entries.append((_key(text), rank, hit))
        pc_code = dict(zip(postcodes["postcode"], postcodes["lsoa21_code"], strict=True))
        for g in gazetteer.to_dict("records"):
            code = pc_code.get(g["postcode"])
            if not present(code) or code not in self.nb:
                continue
            hit = {"label": g["label"], "kind": g["kind"], "code": code,
                   "detail": f"{g['kind']} in {self.nb[code]['label']}", "lon": g["lon"], "lat": g["lat"]}
            self.entries.append((_key(g["name"]), 3 if g["kind"] != "street" else 4, hit))
        self.postcodes = {pc: c for pc, c in pc_code.items() if present(c) and c in self.nb}
        self.xy = {pc: (lon, lat) for pc, lon, lat in zip(postcodes["postcode"], postcodes.get("lon", []),
                                                             postcodes.get("lat", []), strict=False)}
        self.outside: dict[str, dict] = {}
        for r in ([] if unmapped is None else unmapped.to_dict("records")):
            label = r.get("display_name") or r.get("lsoa21_name") or r["lsoa21_code"]
            hit = {"label": label, "kind": "unmapped", "code": r["lsoa21_code"],
                   "detail": "not mapped: outside the OpenStreetMap extract",
                   "lon": round(float(r["lon"]), 6), "lat": round(float(r["lat"]), 6)}
            self.outside[r["lsoa21_code"]] = hit
            for text in (r.get("local_name"), r.get("lsoa21_name"), r["lsoa21_code"], r.get("ward_name")):
                if present(text):
                    self.entries.append((_key(text), 5, hit))
        self.outside_postcodes = {pc: c for pc, c in (unmapped_postcodes or {}).items() if c in self.outside}

    def _postcode(self, text: str) -> list[dict]:
        code = normalise(text)
        lsoa = self.postcodes.get(code)
        if lsoa is None:
            out = self.outside.get(self.outside_postcodes.get(code, ""))
            return [{**out, "kind": "postcode", "label": code, "detail": f"not mapped: in {out['label']}",
                     "unmapped": True}] if out else []
        hit = {**self.nb[lsoa], "kind": "postcode", "label": code, "detail": f"in {self.nb[lsoa]['label']}"}
        if code in self.xy:
            hit["lon"], hit["lat"] = (round(float(v), 6) for v in self.xy[code])
        return [hit]

    def find(self, text: str) -> list[dict]:
        """Hits for ``text``: a postcode; else names equal to it, then starting with it, then containing it."""
        text = str(text or "").strip()[:80]
        compact = text.upper().replace(" ", "")
        if _POSTCODE.match(compact):
            return self._postcode(text)
        key = _key(text)
        if len(key) < 2:
            return []
        scored = []
        for k, rank, hit in self.entries:
            if k == key:
                scored.append((0, rank, hit))
            elif k.startswith(key) or any(w.startswith(key) for w in k.split()):
                scored.append((1, rank, hit))
            elif len(key) >= 3 and key in k:
                scored.append((2, rank, hit))
        scored.sort(key=lambda s: (s[0], s[1], s[2]["label"]))
        out, seen = [], set()
        for _, _, hit in scored:
            ident = (hit["kind"], hit["label"], hit["code"])
            if ident not in seen:
                seen.add(ident)
                out.append(hit)
        return out[:MAX_RESULTS]
