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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .settings import ComputeSettings, GapSettings, MergeSettings, TrustSettings, WalkSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("ASSETMAP_DATA_DIR", PROJECT_ROOT / "data"))
DEFAULT_DATA_ROOT = PROJECT_ROOT.parent / "shared" / "data" / "raw"

SOURCE_KINDS = ("boundaries", "deprivation", "population", "postcodes", "curated", "neighbourhood_names", "wards")
REQUIRED_KINDS = ("boundaries", "deprivation", "population", "postcodes")
LAD_CODE = re.compile(r"^E0[6-9]\d{6}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def present(path: Path) -> bool:
    """Whether ``path`` exists, or for a glob pattern (``tiles/10/*/*.geojson``) whether it matches a file."""
    path = Path(path).absolute()
    if "*" not in str(path):
        return path.exists()
    return any(f.is_file() for f in Path(path.anchor).glob(str(path.relative_to(path.anchor))))


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

    def present(self, data_root: Path) -> bool:
        """Whether the file is there (a ``file`` with ``*`` in it: whether it matches any file)."""
        return present(self.path(data_root))

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class OsmConfig:
    """The area's OpenStreetMap extract and the ground it covers.

    ``files``: several extracts read as one (``[osm] files = [...]``; ``file`` is the first), with
    ``coverages`` the ground each covers (the area's coverage is their union). :meth:`path` of a
    several-file config is the merged extract, once :func:`assetmap.ingest.extracts.resolve` made it.
    """

    file: str
    url: str | None = None
    format: str = "pbf"  # "pbf" (read with pyosmium) or "gdal" (GDAL/osmextract layers in a GPKG)
    coverage: str | tuple[float, float, float, float] = "header"  # "header", "lads" or a lon/lat bbox
    layers: dict[str, str] = field(default_factory=dict)  # for format "gdal": points/lines/multipolygons
    date: str | None = None
    files: tuple[str, ...] = ()  # every extract (one: the same as ``file``)
    coverages: tuple = ()  # per extract: "header", "hull", a bbox or a tuple of LAD codes
    urls: tuple = ()  # per extract: where it is published (None where not given)
    merged: str | None = None  # several extracts: the merged file (set by assetmap.ingest.extracts.resolve)

    def path(self, data_root: Path) -> Path:
        if len(self.files) > 1:
            if not self.merged:
                raise ConfigError(f"[osm] files names {len(self.files)} extracts: merge them first "
                                  f"(assetmap.ingest.extracts.resolve, as `assetmap build` does)")
            return Path(self.merged)
        return Path(data_root) / self.file

    def paths(self, data_root: Path) -> list[Path]:
        """Every extract's own path (none for a view, which reads no extract)."""
        return [Path(data_root) / f for f in (self.files or (self.file,)) if f]


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
    trust: TrustSettings = field(default_factory=TrustSettings)
    compute: ComputeSettings = field(default_factory=ComputeSettings)
    config_path: Path | None = None
    view_of: str | None = None  # [area] view_of: cut from this bigger area's build (assetmap.national.views)

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
            f"(see docs/configuration.md) or pass the path of a .toml file"
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
    merged_sources = _merged_sources(raw, path)
    a = raw.get("area")
    if not isinstance(a, dict):
        raise ConfigError(f"{path}: missing [area] table; add one with slug, name and lads")
    slug, lads, mode = _area_table(a, path)
    # a view ([area] view_of) reads no extract: its bigger build did
    osm = OsmConfig(file="") if a.get("view_of") and raw.get("osm") is None else _osm_table(raw.get("osm"), path, lads)
    sources = _sources(merged_sources, path)
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
        data_root=_data_root(data_root, raw, path),
        neighbourhoods=mode,
        coverage_threshold=float(opts.get("coverage_threshold", 0.99)),
        match_radius_m=merge.radius_m,
        edge_buffer_m=float(opts.get("edge_buffer_m", 2000.0)),
        walking=WalkSettings.from_dict(raw.get("walking", {}), str(path)),
        merge=merge,
        gaps=GapSettings.from_dict(raw.get("gaps", {}), str(path)),
        trust=TrustSettings.from_dict(raw.get("trust", {}), str(path)),
        compute=ComputeSettings.from_dict(raw.get("compute", {}), str(path)),
        config_path=path,
        view_of=_view_of(a, path),
    )


def _view_of(a: dict, path: Path) -> str | None:
    """[area] view_of: the slug of the bigger area this one is cut from, checked."""
    v = a.get("view_of")
    if v is not None and (not isinstance(v, str) or not SLUG.match(v)):
        raise ConfigError(f"{path}: [area] view_of = {v!r}; give the slug of the bigger area's build, e.g. \"england\"")
    return v


def _area_table(a: dict, path: Path) -> tuple[str, tuple[str, ...], str]:
    """The [area] table's slug, LAD codes and neighbourhood mode, checked."""
    slug = a.get("slug", path.stem)
    if not SLUG.match(slug):
        raise ConfigError(f"{path}: area slug {slug!r} must be lower-case letters, digits, '-' or '_'")
    mode = a.get("neighbourhoods", "covered")
    lads = tuple(a.get("lads", ()))
    if mode == "england" and not lads:
        return slug, (), mode  # every LSOA21 in England, whatever its district
    if not lads:
        raise ConfigError(f"{path}: [area] lads is empty; list the area's local authority district codes, "
                          f"e.g. [\"E07000034\"]")
    for code in lads:
        if not LAD_CODE.match(str(code)):
            raise ConfigError(
                f"{path}: {code!r} is not an English local authority district code (E06…, E07…, E08… or "
                f"E09… followed by six digits); look it up in the ONS LAD list"
            )
    if mode not in ("covered", "lads", "england"):
        raise ConfigError(f"{path}: [area] neighbourhoods = {mode!r}; use \"covered\", \"lads\" or \"england\"")
    return slug, lads, mode


def _coverage(cov, path: Path, lads: tuple = ()):
    """One [osm] coverage value, checked: "header", "lads", "hull", a lon/lat bbox or (several extracts)
    a list of the area's LAD codes the extract covers."""
    if isinstance(cov, list) and cov and all(isinstance(x, str) for x in cov):
        unknown = [x for x in cov if x not in lads]
        if unknown:
            raise ConfigError(f"{path}: [osm] coverage names {unknown}, not in [area] lads; add them there")
        return tuple(cov)
    if isinstance(cov, list):
        if len(cov) != 4 or not (cov[0] < cov[2] and cov[1] < cov[3]):
            raise ConfigError(f"{path}: [osm] coverage must be [min_lon, min_lat, max_lon, max_lat]")
        return tuple(float(x) for x in cov)
    if cov not in ("header", "lads", "hull"):
        raise ConfigError(f"{path}: [osm] coverage = {cov!r}; use \"header\", \"lads\", \"hull\" or a lon/lat "
                          f"bbox list")
    return cov


def _osm_table(o, path: Path, lads: tuple = ()) -> OsmConfig:
    """The [osm] table, checked (``files = [...]``: several extracts read as one)."""
    files = o.get("files") if isinstance(o, dict) else None
    if files is not None and (not isinstance(files, list) or not files or not all(isinstance(f, str) and f
                                                                                    for f in files)):
        raise ConfigError(f"{path}: [osm] files = {files!r}; give a list of extract paths relative to the data root")
    if not isinstance(o, dict) or not (o.get("file") or files):
        raise ConfigError(f"{path}: missing [osm] file; give the OpenStreetMap extract's path relative to the "
                          f"data root")
    files = tuple(files or (o["file"],))
    raw_cov = o.get("coverage", "header")
    per_file = len(files) > 1 and isinstance(raw_cov, list) and len(raw_cov) == len(files) and \
        any(isinstance(x, (str, list)) for x in raw_cov)
    if per_file:
        coverages = tuple(_coverage(c, path, lads) for c in raw_cov)
        cov = coverages[0]
    else:
        cov = _coverage(raw_cov, path, lads)
        coverages = (cov,) * len(files)
    if len(files) == 1 and isinstance(cov, tuple) and isinstance(cov[0], str):
        raise ConfigError(f"{path}: [osm] coverage = {raw_cov!r}: a list of districts is for several extracts "
                          f"([osm] files); for one extract of whole districts write coverage = \"lads\"")
    fmt = o.get("format") or ("gdal" if str(files[0]).endswith((".gpkg", ".gpkg.gz")) else "pbf")
    if fmt not in ("pbf", "gdal"):
        raise ConfigError(f"{path}: [osm] format = {fmt!r}; use \"pbf\" or \"gdal\"")
    if len(files) > 1 and fmt != "pbf":
        raise ConfigError(f"{path}: [osm] files: several extracts are read as one only in .osm.pbf form; merge "
                          f"the GDAL layers into one file, or give .osm.pbf extracts")
    urls = o.get("urls") or [o.get("url")] + [None] * (len(files) - 1)
    if len(urls) != len(files):
        raise ConfigError(f"{path}: [osm] urls has {len(urls)} entries for {len(files)} files; give one url a file")
    return OsmConfig(file=files[0], url=urls[0], format=fmt, coverage=cov,
                     layers=dict(o.get("layers", {})), date=o.get("date"), files=files, coverages=coverages,
                     urls=tuple(urls))


def _merged_sources(raw: dict, path: Path) -> dict:
    """The defaults file's [sources] (unless ``use_defaults = false``) merged with the area's."""
    defaults_path = Path(raw.get("defaults", str(DATA_DIR / "sources.toml")))
    if not defaults_path.is_absolute():
        beside = path.parent / defaults_path
        defaults_path = beside if beside.exists() else DATA_DIR / defaults_path
    merged_sources = _read_toml(defaults_path).get("sources", {}) if raw.get("use_defaults", True) else {}
    return _deep_merge(merged_sources, raw.get("sources", {}))


def _sources(merged_sources: dict, path: Path) -> dict[str, SourceConfig]:
    """The enabled sources, checked."""
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
    return sources


def with_sources_enabled(cfg: AreaConfig, names) -> AreaConfig:
    """``cfg`` with the named sources read even where its area file turns them off (the merge
    evaluation reads the lists its labels were drawn from, e.g. the 2024 warm spaces)."""
    if cfg.config_path is None:
        return cfg
    path = Path(cfg.config_path)
    merged = _merged_sources(_read_toml(path), path)
    extra = {n: _source(n, merged[n], path) for n in names if n not in cfg.sources and isinstance(merged.get(n), dict)}
    return replace(cfg, sources={**cfg.sources, **extra}) if extra else cfg


def _data_root(data_root: str | Path | None, raw: dict, path: Path) -> Path:
    if data_root:
        return Path(data_root)
    if raw.get("data_root"):
        root_path = Path(raw["data_root"])
        return root_path if root_path.is_absolute() else path.parent / root_path
    if os.environ.get("ASSETMAP_DATA_ROOT"):
        return Path(os.environ["ASSETMAP_DATA_ROOT"])
    return DEFAULT_DATA_ROOT
