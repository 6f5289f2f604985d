"""The settings tables of an area file: [walking], [merge], [gaps], [trust] and [compute], each a frozen dataclass
with defaults, read and checked by ``from_dict``. :mod:`assetmap.config` re-exports them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError


def _check_table(cls, raw: Any, where: str, section: str, example: str) -> None:
    """``[section]`` of an area file is a table whose keys are all fields of the settings class ``cls``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{section}] must be a table of settings, e.g. {example}")
    known = set(cls.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: [{section}] has unknown setting(s) {unknown}; use {sorted(known)}")

def _check_rank_against(value: Any, where: str) -> None:
    """[gaps] rank_against: a national build's slug (or "" for none)."""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: [gaps] rank_against = {value!r}; give the slug of a national build, "
                          "e.g. \"england\"")


@dataclass(frozen=True)
class WalkSettings:
    """Walking access: speeds, the snap distance worth reporting, and what the lookup keeps."""

    speed_kmh: float = 4.8  # the common default walking speed
    reduced_kmh: float = 3.0  # reduced mobility (older people, limited mobility), reported alongside
    snap_warn_m: float = 250.0  # origins/assets farther than this from any walkable way are counted
    lookup_radius_m: float = 3000.0  # the public lookup lists assets within this walk of a postcode…
    lookup_k: int = 25  # …the nearest k of any kind…
    lookup_k_category: int = 10  # …and the nearest k of each category (plus each category's nearest)

    @classmethod
    def from_dict(cls, raw: dict, where: str) -> WalkSettings:
        _check_table(cls, raw, where, "walking", "speed_kmh = 4.8")
        values: dict[str, Any] = {}
        for k, v in raw.items():
            typ = int if k.startswith("lookup_k") else float
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (v > 0) or v != v or v == float("inf"):
                raise ConfigError(f"{where}: [walking] {k} = {v!r}; it must be a positive number")
            values[k] = typ(v)
        return cls(**values)


@dataclass(frozen=True)
class MergeSettings:
    """Merging OSM features and curated records (see merging/merge.py and merging/matching.py)."""

    # candidates within this straight-line distance (building centroid vs entrance, postcode points)
    radius_m: float = 250.0
    merge_score: float = 0.8  # a pair scoring at least this is merged…
    review_score: float = 0.55  # …between this and merge_score it goes to the curators' review list
    margin: float = 0.1  # two candidates within this of each other (both >= merge_score) are ambiguous: review
    unnamed_m: float = 125.0  # an unnamed OSM feature of the record's own category this close may be it

    @classmethod
    def from_dict(cls, raw: dict, where: str, radius_m: float | None = None) -> MergeSettings:
        _check_table(cls, raw, where, "merge", "radius_m = 250")
        v = {} if radius_m is None else {"radius_m": radius_m}
        for k, x in raw.items():
            is_score = k not in ("radius_m", "unnamed_m")
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x < 1e5 or (is_score and x > 2):
                raise ConfigError(f"{where}: [merge] {k} = {x!r}; it must be a positive number "
                                  f"(metres for radius_m/unnamed_m, a score of about 0-1 otherwise)")
            v[k] = float(x)
        out = cls(**v)
        if out.review_score > out.merge_score:
            raise ConfigError(f"{where}: [merge] review_score ({out.review_score}) is above merge_score "
                              f"({out.merge_score}); review_score must be the lower threshold")
        return out


@dataclass(frozen=True)
class TrustSettings:
    """Trust checks at build (see assetmap.trust and docs/methodology.md#trust)."""

    reference_date: str | None = None  # ISO date freshness is judged against; None: the day of the build
    postcode_far_m: float = 1000.0  # a point farther than this from its postcode's centre is a caution
    duplicate_m: float = 150.0  # same-named records of one category this close are one place

    @classmethod
    def from_dict(cls, raw: dict, where: str) -> TrustSettings:
        import datetime as dt

        _check_table(cls, raw, where, "trust", 'reference_date = "2026-12-03"')
        v: dict[str, Any] = {}
        for k, x in raw.items():
            if k == "reference_date":
                try:
                    v[k] = dt.date.fromisoformat(str(x)).isoformat()
                except ValueError:
                    raise ConfigError(f"{where}: [trust] reference_date = {x!r}; write a date as YYYY-MM-DD") from None
            elif isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x < 1e6:
                raise ConfigError(f"{where}: [trust] {k} = {x!r}; it must be a positive number of metres")
            else:
                v[k] = float(x)
        return cls(**v)


NEED_WEIGHTS = {"income": 22.5, "employment": 22.5, "education": 13.5, "health": 13.5,
                "crime": 9.3, "housing": 0.0, "environment": 9.3}


@dataclass(frozen=True)
class GapSettings:
    """The gap measure: thresholds, catchment and decay, weights (see docs/methodology.md)."""

    threshold_min: float = 15.0  # z: a walk longer than this is a shortfall (FGT)
    catchment_min: float = 30.0  # floating catchments reach this far on foot
    decay: str = "step"  # "step" (E2SFCA bands) or "logistic"
    steps: tuple = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))  # (upper minutes, weight)
    logistic_median_min: float = 15.0
    logistic_sd_min: float = 5.0
    sa_alpha: float = 1.0  # spatial availability's population exponent
    family_weights: dict = field(default_factory=dict)  # family -> weight in the gap score; 1 when absent
    need_weights: dict = field(default_factory=lambda: dict(NEED_WEIGHTS))  # IoD2025 domain -> weight
    double_disadvantage_share: float = 0.2  # worst share of the area on both need and gap
    england_share: float = 0.1  # the left-behind form: England's worst 10% on need
    session_weighted: tuple = ()  # categories also measured by sessions a week within the walk
    # the kinds of place the overall priority score averages the shortfall over; empty = every kind mapped
    priority_categories: tuple = ()
    # the slug of a national build (e.g. "england") whose per-LSOA gap ranks are added (assetmap.national)
    rank_against: str = ""

    @classmethod
    def from_dict(cls, raw: dict, where: str) -> GapSettings:
        _check_table(cls, raw, where, "gaps", "threshold_min = 15")
        v = dict(raw)
        if v.get("decay", "step") not in ("step", "logistic"):
            raise ConfigError(f"{where}: [gaps] decay = {v['decay']!r}; use \"step\" or \"logistic\"")
        for k in ("threshold_min", "catchment_min", "logistic_median_min", "logistic_sd_min", "sa_alpha"):
            if k in v and (isinstance(v[k], bool) or not isinstance(v[k], (int, float)) or not 0 < v[k] < 1e6):
                raise ConfigError(f"{where}: [gaps] {k} = {v[k]!r}; it must be a positive number")
        for k in ("double_disadvantage_share", "england_share"):
            if k in v and (isinstance(v[k], bool) or not isinstance(v[k], (int, float)) or not 0 < v[k] <= 1):
                raise ConfigError(f"{where}: [gaps] {k} = {v[k]!r}; it must be a share between 0 and 1")
        if "session_weighted" in v:
            sw = v["session_weighted"]
            if not (isinstance(sw, list) and all(isinstance(x, str) for x in sw)):
                raise ConfigError(f"{where}: [gaps] session_weighted must be a list of taxonomy categories, "
                                  "e.g. [\"warm_space\", \"lunch_club\"]")
            v["session_weighted"] = tuple(sw)
        if "priority_categories" in v:
            pc = v["priority_categories"]
            if not (isinstance(pc, list) and all(isinstance(x, str) and x for x in pc)):
                raise ConfigError(f"{where}: [gaps] priority_categories = {pc!r}; it must be a list of category "
                                  "keys from data/taxonomy.toml, e.g. [\"warm_space\", \"food_bank\"] (or [] for all)")
            v["priority_categories"] = tuple(pc)
        _check_rank_against(v.get("rank_against", ""), where)
        if "steps" in v:
            st = v["steps"]
            if not (isinstance(st, list) and st and all(isinstance(x, list) and len(x) == 2 for x in st)):
                raise ConfigError(f"{where}: [gaps] steps must be [[minutes, weight], …], e.g. [[10, 1], [20, 0.68], "
                                  "[30, 0.22]]")
            v["steps"] = tuple((float(a), float(b)) for a, b in st)
        if "need_weights" in v:
            bad = sorted(set(v["need_weights"]) - set(NEED_WEIGHTS))
            if bad:
                raise ConfigError(f"{where}: [gaps] need_weights names unknown domain(s) {bad}; use "
                                  f"{sorted(NEED_WEIGHTS)}")
            v["need_weights"] = {**{d: 0.0 for d in NEED_WEIGHTS}, **{k: float(x) for k,
                                                                      x in v["need_weights"].items()}}
            if sum(v["need_weights"].values()) <= 0:
                raise ConfigError(f"{where}: [gaps] need_weights must give at least one domain a positive weight")
        return cls(**v)

    def as_dict(self) -> dict:
        return {k: (list(map(list, v)) if k == "steps" else list(v) if k == "priority_categories" else v)
                for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class ComputeSettings:
    """Where the build's per-cell bounded searches run (see assetmap.compute and docs/configuration.md)."""

    scheduler: str = "local"  # "local": a LocalCluster when worth it; "none": in-process; or "tcp://host:8786"
    workers: int = 0  # LocalCluster worker processes; 0 = one per core
    cell_km: float = 5.0  # grid cell side for the bounded searches; 0 = one search over the whole graph

    @classmethod
    def from_dict(cls, raw: dict, where: str) -> ComputeSettings:
        _check_table(cls, raw, where, "compute", 'scheduler = "local"')
        v: dict[str, Any] = {}
        for k, x in raw.items():
            if k == "scheduler":
                v[k] = check_scheduler(x, f"{where}: [compute] scheduler")
            elif (isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x < 1e4
                  or (k == "workers" and x != int(x))):
                raise ConfigError(f"{where}: [compute] {k} = {x!r}; it must be a number >= 0 "
                                  f"({'a whole number of processes' if k == 'workers' else 'kilometres'})")
            else:
                v[k] = int(x) if k == "workers" else float(x)
        return cls(**v)


def check_scheduler(x: Any, where: str) -> str:
    """A scheduler setting: "local", "none" or a Dask scheduler address such as "tcp://host:8786"."""
    if not isinstance(x, str) or not (x in ("local", "none") or re.match(r"^(tcp|tls|inproc|ucx)://\S+$", x)):
        raise ConfigError(f"{where} = {x!r}; use \"local\" (a LocalCluster on this machine), \"none\" "
                          "(in this process) or a Dask scheduler address such as \"tcp://10.0.0.5:8786\"")
    return x
