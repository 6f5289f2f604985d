"""Typed configuration: one :class:`AreaConfig` per area, read from TOML.

An area is *data*: ``data/areas/<slug>.toml`` names the area, its local authority districts,
its OpenStreetMap extract and any local curated lists. The national sources every English
area shares (LSOA21 boundaries, IoD2025, Census 2021, Code-Point Open, the national curated
lists) are declared once in ``data/sources.toml``; an area file may override any field of
any source, disable one (``enabled = false``) or add its own.

Files are read from a *data root* (by default ``../shared/data/raw`` beside the checkout),
never from the repository.
"""
from __future__ import annotations

import copy
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("ASSETMAP_DATA_DIR", PROJECT_ROOT / "data"))
DEFAULT_DATA_ROOT = PROJECT_ROOT.parent / "shared" / "data" / "raw"

SOURCE_KINDS = ("boundaries", "deprivation", "population", "postcodes", "curated")
REQUIRED_KINDS = ("boundaries", "deprivation", "population", "postcodes")
LAD_CODE = re.compile(r"^E0[6-9]\d{6}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class SourceConfig:
    """One input file: where it lives locally, where it is officially published, how to read it."""

    name: str
    kind: str
    file: str
    url: str | None = None
    landing: str | None = None
    licence: str = ""
    attribution: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def path(self, data_root: Path) -> Path:
        return Path(data_root) / self.file

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class OsmConfig:
    """The area's OpenStreetMap extract and the ground it covers."""

    file: str
    url: str | None = None
    format: str = "pbf"  # "pbf" (read with pyosmium) or "gdal" (GDAL/osmextract layers in a GPKG)
    coverage: str | tuple[float, float, float, float] = "header"  # "header", "lads" or a lon/lat bbox
    layers: dict[str, str] = field(default_factory=dict)  # for format "gdal": points/lines/multipolygons
    date: str | None = None

    def path(self, data_root: Path) -> Path:
        return Path(data_root) / self.file


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
    def from_dict(cls, raw: dict, where: str) -> "WalkSettings":
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: [walking] must be a table of settings, e.g. speed_kmh = 4.8")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"{where}: [walking] has unknown setting(s) {unknown}; use {sorted(known)}")
        values = {}
        for k, v in raw.items():
            typ = int if k.startswith("lookup_k") else float
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (v > 0) or v != v or v == float("inf"):
                raise ConfigError(f"{where}: [walking] {k} = {v!r}; it must be a positive number")
            values[k] = typ(v)
        return cls(**values)


@dataclass(frozen=True)
class MergeSettings:
    """Merging OSM features and curated records (see merge.py and matching.py)."""

    radius_m: float = 250.0  # candidates within this straight-line distance (building centroid vs entrance, postcode points)
    merge_score: float = 0.8  # a pair scoring at least this is merged…
    review_score: float = 0.55  # …between this and merge_score it goes to the curators' review list
    margin: float = 0.1  # two candidates within this of each other (both >= merge_score) are ambiguous: review
    unnamed_m: float = 125.0  # an unnamed OSM feature of the record's own category this close may be it

    @classmethod
    def from_dict(cls, raw: dict, where: str, radius_m: float | None = None) -> "MergeSettings":
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: [merge] must be a table of settings, e.g. radius_m = 250")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"{where}: [merge] has unknown setting(s) {unknown}; use {sorted(known)}")
        v = {} if radius_m is None else {"radius_m": radius_m}
        for k, x in raw.items():
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x < 1e5 or (k != "radius_m" and k != "unnamed_m" and x > 2):
                raise ConfigError(f"{where}: [merge] {k} = {x!r}; it must be a positive number "
                                  f"(metres for radius_m/unnamed_m, a score of about 0-1 otherwise)")
            v[k] = float(x)
        out = cls(**v)
        if out.review_score > out.merge_score:
            raise ConfigError(f"{where}: [merge] review_score ({out.review_score}) is above merge_score "
                              f"({out.merge_score}); review_score must be the lower threshold")
        return out


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

    @classmethod
    def from_dict(cls, raw: dict, where: str) -> "GapSettings":
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: [gaps] must be a table of settings, e.g. threshold_min = 15")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"{where}: [gaps] has unknown setting(s) {unknown}; use {sorted(known)}")
        v = dict(raw)
        if v.get("decay", "step") not in ("step", "logistic"):
            raise ConfigError(f"{where}: [gaps] decay = {v['decay']!r}; use \"step\" or \"logistic\"")
        for k in ("threshold_min", "catchment_min", "logistic_median_min", "logistic_sd_min", "sa_alpha"):
            if k in v and (isinstance(v[k], bool) or not isinstance(v[k], (int, float)) or not 0 < v[k] < 1e6):
                raise ConfigError(f"{where}: [gaps] {k} = {v[k]!r}; it must be a positive number")
        for k in ("double_disadvantage_share", "england_share"):
            if k in v and (isinstance(v[k], bool) or not isinstance(v[k], (int, float)) or not 0 < v[k] <= 1):
                raise ConfigError(f"{where}: [gaps] {k} = {v[k]!r}; it must be a share between 0 and 1")
        if "steps" in v:
            st = v["steps"]
            if not (isinstance(st, list) and st and all(isinstance(x, list) and len(x) == 2 for x in st)):
                raise ConfigError(f"{where}: [gaps] steps must be [[minutes, weight], …], e.g. [[10, 1], [20, 0.68], [30, 0.22]]")
            v["steps"] = tuple((float(a), float(b)) for a, b in st)
        if "need_weights" in v:
            bad = sorted(set(v["need_weights"]) - set(NEED_WEIGHTS))
            if bad:
                raise ConfigError(f"{where}: [gaps] need_weights names unknown domain(s) {bad}; use {sorted(NEED_WEIGHTS)}")
            v["need_weights"] = {**{d: 0.0 for d in NEED_WEIGHTS}, **{k: float(x) for k, x in v["need_weights"].items()}}
            if sum(v["need_weights"].values()) <= 0:
                raise ConfigError(f"{where}: [gaps] need_weights must give at least one domain a positive weight")
        return cls(**v)

    def as_dict(self) -> dict:
        return {k: (list(map(list, v)) if k == "steps" else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class AreaConfig:
    slug: str
    name: str
    lads: tuple[str, ...]
    osm: OsmConfig
    sources: dict[str, SourceConfig]
    data_root: Path
    neighbourhoods: str = "covered"  # "covered": every LSOA the extract covers; "lads": only the named LADs'
    coverage_threshold: float = 0.99
    match_radius_m: float = 250.0  # = merge.radius_m (kept for older area files: [options] match_radius_m)
    edge_buffer_m: float = 2000.0
    walking: WalkSettings = field(default_factory=WalkSettings)
    merge: MergeSettings = field(default_factory=MergeSettings)
    gaps: GapSettings = field(default_factory=GapSettings)
    config_path: Path | None = None

    def sources_of(self, kind: str) -> list[SourceConfig]:
        return [s for s in self.sources.values() if s.kind == kind]

    def source(self, kind: str) -> SourceConfig:
        found = self.sources_of(kind)
        if not found:
            raise ConfigError(
                f"area '{self.slug}' has no '{kind}' source; declare one under [sources.<name>] "
                f"with kind = \"{kind}\" in data/sources.toml or the area file"
            )
        return found[0]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist; check the path or the area name") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the syntax at the position given") from None


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


_SOURCE_FIELDS = {"kind", "file", "url", "landing", "licence", "attribution", "enabled"}


def _source(name: str, raw: dict[str, Any], where: Path) -> SourceConfig:
    kind = raw.get("kind")
    if kind not in SOURCE_KINDS:
        raise ConfigError(
            f"{where}: [sources.{name}] has kind = {kind!r}; use one of {', '.join(SOURCE_KINDS)}"
        )
    if not raw.get("file"):
        raise ConfigError(
            f"{where}: [sources.{name}] has no 'file'; give the path of the file relative to the data root"
        )
    options = {k: v for k, v in raw.items() if k not in _SOURCE_FIELDS}
    if kind == "curated":
        if "category" not in options and "category_field" not in options:
            raise ConfigError(
                f"{where}: curated source '{name}' needs 'category' (a taxonomy category for every "
                f"record) or 'category_field' (the column holding each record's type)"
            )
        fields = options.get("fields", {})
        if "name" not in fields:
            raise ConfigError(f"{where}: curated source '{name}' needs fields.name (the column holding the name)")
        has_coords = ("lat" in fields and "lon" in fields) or "latlon" in fields or (
            "easting" in fields and "northing" in fields)
        if not has_coords and "postcode" not in fields:
            raise ConfigError(
                f"{where}: curated source '{name}' has neither coordinates (fields.lat/lon, fields.latlon, "
                f"fields.easting/northing) nor fields.postcode to geocode from; map one of them"
            )
    return SourceConfig(
        name=name,
        kind=kind,
        file=str(raw["file"]),
        url=raw.get("url"),
        landing=raw.get("landing"),
        licence=raw.get("licence", ""),
        attribution=raw.get("attribution", ""),
        options=options,
    )


def area_path(area: str | Path) -> Path:
    """Resolve an area name (``chesterfield``) or a path to its TOML file."""
    p = Path(area)
    if p.suffix == ".toml" or p.exists():
        return p
    candidate = DATA_DIR / "areas" / f"{area}.toml"
    if not candidate.exists():
        known = ", ".join(sorted(x.stem for x in (DATA_DIR / "areas").glob("*.toml")))
        raise ConfigError(
            f"no area called '{area}'; known areas: {known or 'none'}. Write data/areas/{area}.toml "
            f"(see README, 'Area configuration') or pass the path of a .toml file"
        )
    return candidate


def list_areas() -> list[str]:
    return sorted(p.stem for p in (DATA_DIR / "areas").glob("*.toml"))


def load_area(area: str | Path, data_root: str | Path | None = None) -> AreaConfig:
    """Read and validate an area configuration.

    The data root is, first that applies: the ``data_root`` argument; ``data_root`` in the area
    file (relative to the file); ``$ASSETMAP_DATA_ROOT``; ``../shared/data/raw`` beside the checkout.
    """
    path = area_path(area)
    raw = _read_toml(path)
    defaults_file = raw.get("defaults", str(DATA_DIR / "sources.toml"))
    defaults_path = Path(defaults_file)
    if not defaults_path.is_absolute():
        defaults_path = (path.parent / defaults_path) if (path.parent / defaults_path).exists() else DATA_DIR / defaults_path
    merged_sources = _read_toml(defaults_path).get("sources", {}) if raw.get("use_defaults", True) else {}
    merged_sources = _deep_merge(merged_sources, raw.get("sources", {}))

    a = raw.get("area")
    if not isinstance(a, dict):
        raise ConfigError(f"{path}: missing [area] table; add one with slug, name and lads")
    slug = a.get("slug", path.stem)
    if not SLUG.match(slug):
        raise ConfigError(f"{path}: area slug {slug!r} must be lower-case letters, digits, '-' or '_'")
    lads = tuple(a.get("lads", ()))
    if not lads:
        raise ConfigError(f"{path}: [area] lads is empty; list the area's local authority district codes, e.g. [\"E07000034\"]")
    for code in lads:
        if not LAD_CODE.match(str(code)):
            raise ConfigError(
                f"{path}: {code!r} is not an English local authority district code (E06…, E07…, E08… or "
                f"E09… followed by six digits); look it up in the ONS LAD list"
            )
    mode = a.get("neighbourhoods", "covered")
    if mode not in ("covered", "lads"):
        raise ConfigError(f"{path}: [area] neighbourhoods = {mode!r}; use \"covered\" or \"lads\"")

    o = raw.get("osm")
    if not isinstance(o, dict) or not o.get("file"):
        raise ConfigError(f"{path}: missing [osm] file; give the OpenStreetMap extract's path relative to the data root")
    cov = o.get("coverage", "header")
    if isinstance(cov, list):
        if len(cov) != 4 or not (cov[0] < cov[2] and cov[1] < cov[3]):
            raise ConfigError(f"{path}: [osm] coverage must be [min_lon, min_lat, max_lon, max_lat]")
        cov = tuple(float(x) for x in cov)
    elif cov not in ("header", "lads", "hull"):
        raise ConfigError(f"{path}: [osm] coverage = {cov!r}; use \"header\", \"lads\", \"hull\" or a lon/lat bbox list")
    fmt = o.get("format") or ("gdal" if str(o["file"]).endswith((".gpkg", ".gpkg.gz")) else "pbf")
    if fmt not in ("pbf", "gdal"):
        raise ConfigError(f"{path}: [osm] format = {fmt!r}; use \"pbf\" or \"gdal\"")
    osm = OsmConfig(file=o["file"], url=o.get("url"), format=fmt, coverage=cov,
                    layers=dict(o.get("layers", {})), date=o.get("date"))

    sources: dict[str, SourceConfig] = {}
    for name, s in merged_sources.items():
        if not isinstance(s, dict):
            raise ConfigError(f"{path}: [sources.{name}] must be a table")
        if s.get("enabled", True) is False:
            continue
        sources[name] = _source(name, s, path)
    for kind in REQUIRED_KINDS:
        if not any(s.kind == kind for s in sources.values()):
            raise ConfigError(f"{path}: no enabled source of kind '{kind}'; every area needs one")

    if data_root:
        root_path = Path(data_root)
    elif raw.get("data_root"):
        root_path = Path(raw["data_root"])
        if not root_path.is_absolute():
            root_path = path.parent / root_path
    elif os.environ.get("ASSETMAP_DATA_ROOT"):
        root_path = Path(os.environ["ASSETMAP_DATA_ROOT"])
    else:
        root_path = DEFAULT_DATA_ROOT

    opts = raw.get("options", {})
    legacy = opts.get("match_radius_m")
    merge = MergeSettings.from_dict(raw.get("merge", {}), str(path),
                                    None if legacy is None else float(legacy))
    return AreaConfig(
        slug=slug,
        name=a.get("name", slug.title()),
        lads=lads,
        osm=osm,
        sources=sources,
        data_root=root_path,
        neighbourhoods=mode,
        coverage_threshold=float(opts.get("coverage_threshold", 0.99)),
        match_radius_m=merge.radius_m,
        edge_buffer_m=float(opts.get("edge_buffer_m", 2000.0)),
        walking=WalkSettings.from_dict(raw.get("walking", {}), str(path)),
        merge=merge,
        gaps=GapSettings.from_dict(raw.get("gaps", {}), str(path)),
        config_path=path,
    )
