"""The pipeline, one function per stage, each with its inputs and outputs named:

deprivation (IoD for all of England, read once) -> read_inputs (osm, neighbourhoods, postcodes,
curated) -> venues_stage -> merge_stage (and the trust stage) -> sessions_stage -> measures_stage ->
network_stage -> access_stage -> gaps_stage -> write_stage (outputs) -> basemap_stage -> build_report -> swap_in.

``build_area`` does all the heavy work once and writes a build directory the web app only
reads. It builds into a temporary sibling directory and swaps it in at the end, so a failed
build never destroys the previous good one.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .activities.stage import sessions_table, write_sessions
from .activities.supply import weekly_supply
from .activities.venues import join_venues
from .config import AreaConfig
from .constants import BNG
from .errors import BuildError
from .gap.measures import assign_lsoa, category_counts, nearest_distances, origin_counts, per_thousand
from .gap.stage import gap_measures
from .ingest.curated import read_area_lists
from .ingest.extracts import require_extracts, resolve
from .ingest.inputs import BuildInputs
from .ingest.names import name_neighbourhoods
from .ingest.neighbourhoods import read_deprivation, select_neighbourhoods
from .ingest.osm import area_coverage, read_extract
from .ingest.outside import postcodes_inside
from .ingest.places import build_gazetteer
from .ingest.postcodes import Geocoder, read_codepoint
from .locks import area_lock
from .merging.merge import merge_assets
from .national.ranks import national_ranks
from .outputs.dictionary import download_licences, write_data_docs
from .outputs.write import write_access, write_equity, write_outputs, write_report, write_review, write_unmapped
from .report import OSM_ATTRIBUTION, build_report, extract_date, source_records
from .taxonomy import Taxonomy, load_taxonomy
from .tiles.basemap import MAXZOOM, MINZOOM, build_basemap
from .trust.stage import trust_stage
from .walk.access import metres_per_minute
from .walk.network import WalkNetwork, read_walk_network
from .walk.stage import walking_access


class Stages:
    """Times each stage and reports progress through ``echo``."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, what: str):
        self.echo(f"[{len(self.timings) + 1}] {what} …")
        t0 = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - t0, 3)
        self.echo(f"    done in {self.timings[name]:.1f} s")


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def read_inputs(cfg: AreaConfig, tx: Taxonomy, st: Stages, deprivation: pd.DataFrame | None = None) -> BuildInputs:
    """The reading stages: OSM extract, neighbourhoods, postcodes and the curated files, cut to the area
    (``deprivation``: the IoD for all of England when already read)."""
    echo = st.echo
    with st.stage("osm", f"Reading OpenStreetMap extract {' + '.join(cfg.osm.files or (cfg.osm.file,))}"):
        extract = read_extract(cfg.osm, cfg.data_root, tx)
        cov_lonlat, cov_lads = area_coverage(cfg.osm, cfg.data_root, extract, cfg.lads)
        echo(f"    {len(extract.features)} classified features, {len(extract.streets)} street lines")

    with st.stage("neighbourhoods", "Selecting LSOA21 neighbourhoods; joining IoD2025 and Census 2021"):
        nb = select_neighbourhoods(cfg, cov_lonlat, deprivation, cov_lads)
        lsoas = nb.frame
        coverage = nb.coverage.iloc[0]
        # curated lists do not depend on the extract: keep their records (and postcodes) up to
        # edge_buffer_m beyond its edge, so an asset just outside still counts for distances
        region = coverage.buffer(cfg.edge_buffer_m)
        echo(f"    {len(lsoas)} LSOAs; {len(nb.report['not_covered'])} of the named districts' LSOAs not covered")

    with st.stage("names", "Naming neighbourhoods: MSOA names (House of Commons Library), wards, OSM places"):
        lsoas, unmapped = name_neighbourhoods(cfg, [lsoas, nb.left_out], extract.places)
        names = dict(zip(unmapped["lsoa21_code"], unmapped["display_name"], strict=True))
        for entry in nb.report["not_covered"]:
            entry["display_name"] = names.get(entry["lsoa21_code"])
        echo(f"    {int(lsoas['local_name'].notna().sum())} of {len(lsoas)} with a local name, "
             f"{int(lsoas['osm_places'].notna().sum())} containing a named OSM place")

    with st.stage("postcodes", "Reading Code-Point Open postcodes"):
        all_pc = read_codepoint(cfg.source("postcodes"), cfg.data_root)
        geocoder = Geocoder(all_pc)
        minx, miny, maxx, maxy = region.bounds
        area_pc = all_pc[all_pc.x.between(minx, maxx) & all_pc.y.between(miny, maxy)].copy()
        area_pc["lsoa21_code"] = assign_lsoa(gpd.GeoSeries(gpd.points_from_xy(area_pc.x, area_pc.y),
                                                           index=area_pc.index, crs=BNG), lsoas)
        area_pc = area_pc.reset_index(drop=True)
        unmapped_pc = postcodes_inside(all_pc, unmapped)
        echo(f"    {len(all_pc):,} postcodes read; {len(area_pc):,} in and around the area; "
             f"{len(unmapped_pc):,} in the named districts outside the extract")

    with st.stage("curated", "Reading curated lists and geocoding by postcode"):
        curated, curated_report = read_area_lists(cfg, tx, geocoder, region, coverage, echo)
    osm_meta = {"bounds": list(extract.bounds) if extract.bounds else None, "timestamp": extract.timestamp,
                "counts": extract.counts}
    return BuildInputs(extract.features, extract.streets, osm_meta, lsoas, nb.coverage, nb.report, len(all_pc),
                       area_pc, curated, curated_report, places=extract.places, unmapped=unmapped,
                       unmapped_pc=unmapped_pc)


def _previous_report(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def build_area(cfg: AreaConfig, out_dir: str | Path, taxonomy: Taxonomy | None = None,
               echo: Callable[[str], None] = _stderr, inputs: BuildInputs | None = None,
               extra_curated: dict[str, tuple[gpd.GeoDataFrame, bool]] | None = None,
               hooks: UpdateHooks | None = None) -> dict:
    """Run the whole pipeline for one area into ``out_dir``; returns the report.

    With ``inputs`` (what an earlier build of the area read, :meth:`BuildInputs.load`) the reading
    stages are skipped: that is a *refresh*. ``extra_curated`` adds curated lists that are not
    files (the registry's published assets), as ``{name: (records in EPSG:27700, authoritative)}``.
    Builds and refreshes of one area queue on ``<out_dir>.lock`` (:func:`assetmap.locks.area_lock`).
    ``hooks`` (with ``inputs``): an OSM change file's update (assetmap.update), already under the lock.
    """
    if hooks is not None:
        return _build_area(cfg, Path(out_dir), taxonomy, echo, inputs, extra_curated, hooks)
    with area_lock(out_dir):
        return _build_area(cfg, Path(out_dir), taxonomy, echo, inputs, extra_curated)


@dataclass
class UpdateHooks:
    """What an update (assetmap.update) gives a refresh: the patched walk network, the base-map step
    (``basemap(tmp, files) -> report``) and ``keep(tmp, report)``, run before the report is written."""

    network: WalkNetwork
    basemap: Callable[[Path, dict], dict]
    keep: Callable[[Path, dict], None]


def _build_area(cfg: AreaConfig, out_dir: str | Path, taxonomy: Taxonomy | None, echo: Callable[[str], None],
                inputs: BuildInputs | None, extra_curated: dict[str, tuple[gpd.GeoDataFrame, bool]] | None,
                hooks: UpdateHooks | None = None) -> dict:
    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".building")
    if tmp.exists():
        shutil.rmtree(tmp)
    st = Stages(echo)
    echo(f"{'Refreshing' if inputs else 'Building'} {cfg.name} ({cfg.slug}) from {cfg.data_root}")
    tx = taxonomy or load_taxonomy()
    refreshing = inputs is not None
    if not refreshing:
        require_extracts(cfg.osm, cfg.data_root, cfg.slug)  # a missing extract fails at once, naming it
        cfg = resolve(cfg)  # several extracts ([osm] files): read as one merged file
    with st.stage("deprivation", "Reading IoD2025 for all of England (national ranks)"):
        deprivation = read_deprivation(cfg.source("deprivation"), cfg.data_root, None)
    if inputs is None:
        inputs = read_inputs(cfg, tx, st, deprivation)
    coverage = inputs.coverage.iloc[0]
    region = coverage.buffer(cfg.edge_buffer_m)
    curated, curated_report = add_extra_curated(inputs, region, extra_curated)
    curated, activities, venues = venues_stage(st, inputs, coverage, curated)
    merged = merge_stage(cfg, tx, st, inputs, coverage, curated)
    sessions, sessions_report = sessions_stage(cfg, st, curated, activities, merged)
    for name, stats in merged.report["by_source"].items():
        curated_report[name].update(stats)
    counts, per1k, dist = measures_stage(tx, st, merged.assets, inputs.lsoas, inputs.area_pc)
    net = hooks.network if hooks else network_stage(cfg, st, out_dir / "network.npz" if refreshing else None)
    walk = access_stage(cfg, tx, st, net, merged.assets, inputs.area_pc, inputs.lsoas)
    lsoas = pd.concat([inputs.lsoas, origin_counts(inputs.area_pc, inputs.lsoas), counts, per1k, dist, walk.lsoa],
                      axis=1)
    lsoas = gpd.GeoDataFrame(lsoas, geometry="geometry", crs=BNG)
    gaps, lsoas = gaps_stage(cfg, tx, st, walk, merged.assets, lsoas, deprivation, sessions)
    lsoas = national_ranks(cfg, out_dir.parent, lsoas, gaps.report)  # England's ranks, when there are any
    with st.stage("outputs", f"Writing outputs to {out_dir}"):
        tmp.mkdir(parents=True)
        files = write_stage(cfg, tx, tmp, inputs, coverage, merged, lsoas, net, walk, gaps, sessions)
    if hooks:
        with st.stage("basemap", "Base map: re-cutting the tiles the changes touch"):
            basemap = hooks.basemap(tmp, files)
    else:
        basemap = basemap_stage(cfg, st, tmp, region, out_dir if refreshing else None, files)
    if len(lsoas) == 0:
        raise BuildError("the build produced no neighbourhoods; nothing was published")
    report = build_report(cfg, tx, inputs, merged, curated_report, lsoas, net, walk, gaps, basemap, files)
    report["sessions"] = {**sessions_report, "venues": venues}
    report["timings"] = {**st.timings, "total": round(time.perf_counter() - t_start, 3)}
    report["refresh"] = refreshing
    if hooks:
        hooks.keep(tmp, report)
    write_report(tmp, report)
    swap_in(tmp, out_dir)
    echo(f"Built {cfg.name} in {report['timings']['total']:.1f} s -> {out_dir}")
    return report


def add_extra_curated(inputs: BuildInputs, region, extra_curated: dict[str, tuple[gpd.GeoDataFrame, bool]] | None
                      ) -> tuple[dict[str, tuple[gpd.GeoDataFrame, bool]], dict[str, dict]]:
    """The curated lists (and their report) with ``extra_curated`` (a refresh's registry lists) cut to ``region``."""
    coverage = inputs.coverage.iloc[0]
    curated = dict(inputs.curated)
    curated_report = {k: dict(v) for k, v in inputs.curated_report.items()}
    for name, (records, authoritative) in (extra_curated or {}).items():
        inside = records[records.within(region)].reset_index(drop=True)
        curated[name] = (inside, authoritative)
        curated_report[name] = {"label": name, "rows": int(len(records)), "in_area": int(len(inside)),
                                "inside_coverage": int(inside.within(coverage).sum())}
    return curated, curated_report


@dataclass
class Merged:
    """The merge stage's output: OSM features in the coverage, the merged assets (with their LSOA),
    the merge report (without its review rows) and the review rows."""

    osm: gpd.GeoDataFrame
    assets: gpd.GeoDataFrame
    report: dict
    review: list


def merge_stage(cfg: AreaConfig, tx: Taxonomy, st: Stages, inputs: BuildInputs, coverage,
                curated: dict[str, tuple[gpd.GeoDataFrame, bool]]) -> Merged:
    with st.stage("merge", "Merging OSM and curated assets"):
        osm = inputs.features.to_crs(BNG)
        osm = osm[osm.within(coverage)].reset_index(drop=True)
        dates = {src.name: src.option("date") for src in cfg.sources_of("curated")}
        osm_date = cfg.osm.date or extract_date(inputs.osm_meta["timestamp"])
        assets, merge_report = merge_assets(osm, curated, tx, cfg.merge, dates, osm_date)
        review = merge_report.pop("review")
        assets["lsoa21_code"] = assign_lsoa(assets.geometry, inputs.lsoas)
        st.echo(f"    {merge_report['assets']} assets: {merge_report['matched']} matched, "
                f"{merge_report['osm_only']} OSM only, {merge_report['curated_only']} curated only, "
                f"{merge_report['flagged_for_review']} records flagged for review")
    with st.stage("trust", "Trust: freshness, plausibility, duplicates, accessibility and food help"):
        lists = {src.name: (src.option("date"), src.option("category")) for src in cfg.sources_of("curated")}
        food = ({s.name: s.option("way_in") for s in cfg.sources_of("curated") if s.option("way_in")},
                {s.name: s.option("label", s.name) for s in cfg.sources_of("curated")})
        trusted = trust_stage(assets, tx, cfg.trust, lists, osm, inputs.area_pc, merge_report=merge_report, food=food)
        merge_report["trust"] = trusted.report
        fr = trusted.report["freshness"]
        st.echo(f"    {fr['not_recently_checked']} of {len(trusted.assets)} records not recently checked "
                f"(as of {fr['reference_date']}); {trusted.report['checks']['records_with_cautions']} with a caution; "
                f"duplicates: {trusted.report['duplicates']['merged']} merged, "
                f"{trusted.report['duplicates']['flagged']} flagged")
    return Merged(osm, trusted.assets, merge_report, review)


def venues_stage(st: Stages, inputs: BuildInputs, coverage, curated: dict[str, tuple[gpd.GeoDataFrame, bool]]):
    """Activities (``record_kind = "service"``) joined to the place they are held at (assetmap.activities.venues):
    the curated lists for the merge, the activities and the figures."""
    with st.stage("venues", "Joining activities to the places they are held at"):
        osm = inputs.features.to_crs(BNG)
        curated, activities, report = join_venues(osm[osm.within(coverage)], curated)
        st.echo(f"    {report['activities']} activities, {report['joined_to_venue']} joined to their venue")
    return curated, activities, report


def sessions_stage(cfg: AreaConfig, st: Stages, curated, activities, merged: Merged):
    """The sessions table (assetmap.activities.table) with the asset each session is held at, and its report."""
    with st.stage("sessions", "Sessions: activities' and session-like sources' days and times"):
        table, report = sessions_table(cfg.sources, curated, activities, merged.assets)
        st.echo(f"    {report['sessions']} sessions at {report['places_with_sessions']} places")
    return table, report


def measures_stage(tx: Taxonomy, st: Stages, assets: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame,
                   area_pc: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per LSOA: assets per category, the same per 1,000 residents, straight-line distances to the nearest."""
    cats = list(tx.categories)
    with st.stage("measures", "Neighbourhood measures: counts, per 1,000 residents, nearest distances"):
        counts = category_counts(assets, lsoas, cats)
        per1k = per_thousand(counts, lsoas["residents"])
        dist = nearest_distances(assets, lsoas, area_pc, cats)
    return counts, per1k, dist


def network_stage(cfg: AreaConfig, st: Stages, kept_net: Path | None) -> WalkNetwork:
    """The walk network: read from the extract, or ``kept_net`` (the last build's, on a refresh) if it exists."""
    with st.stage("network", "Reading the walk network (ways usable on foot) from the OSM extract"):
        # a refresh reuses the network the last build made from the same extract
        if kept_net is not None and kept_net.exists():
            net = WalkNetwork.load(kept_net)
        else:
            net = read_walk_network(cfg.osm, cfg.data_root)
        st.echo(f"    {net.n_nodes:,} nodes, {net.n_segments:,} segments, {net.length.sum() / 1000:,.0f} km; "
                f"main component {net.summary()['main_component_share']:.1%} of nodes")
    return net


def access_stage(cfg: AreaConfig, tx: Taxonomy, st: Stages, net: WalkNetwork, assets: gpd.GeoDataFrame,
                 area_pc: pd.DataFrame, lsoas: pd.DataFrame):
    """Walking access from every postcode to the nearest asset of every category and family."""
    with st.stage("access", "Walking access: nearest asset of every category and family from every postcode"):
        catchment_m = cfg.gaps.catchment_min * metres_per_minute(cfg.walking.speed_kmh)
        walk = walking_access(net, assets, area_pc, lsoas, tx, cfg.walking, pairs_radius_m=catchment_m,
                              compute=cfg.compute, log=lambda m: st.echo(f"    bounded walks per grid cell: {m}"))
        st.echo(f"    {len(tx.categories)} categories + {len(tx.families)} families from {len(walk.origins):,} "
                f"origins; {walk.report['snap']['origins_beyond_warn']} origins over "
                f"{cfg.walking.snap_warn_m:.0f} m from a walkable way")
    return walk


def gaps_stage(cfg: AreaConfig, tx: Taxonomy, st: Stages, walk, assets: gpd.GeoDataFrame,
               lsoas: gpd.GeoDataFrame, deprivation: pd.DataFrame, sessions: pd.DataFrame | None = None):
    """The gap measures (with sessions a week for ``[gaps] session_weighted``), and the LSOAs with their columns."""
    with st.stage("gaps", "Gap measure: supply-aware access, gap index, need, priority, equity by decile"):
        supply = weekly_supply(sessions, assets["asset_id"].tolist(), cfg.gaps.session_weighted, dt.date.today()) \
            if sessions is not None and cfg.gaps.session_weighted else None
        gaps = gap_measures(walk.origins, walk.pairs, assets, lsoas, deprivation, tx, cfg.walking, cfg.gaps, supply)
        lsoas = gpd.GeoDataFrame(pd.concat([lsoas, gaps.lsoa], axis=1), geometry="geometry", crs=BNG)
        first = gaps.report["top_priority"][0] if gaps.report["top_priority"] else None
        if first:
            st.echo(f"    top priority: {first.get('display_name') or first['lsoa21_name']} ({first['lsoa21_code']}), "
                    f"score {first['priority_score']}")
    return gaps, lsoas


def write_stage(cfg: AreaConfig, tx: Taxonomy, tmp: Path, inputs: BuildInputs, coverage, merged: Merged,
                lsoas: gpd.GeoDataFrame, net: WalkNetwork, walk, gaps, sessions: pd.DataFrame) -> dict[str, int]:
    """Every output file into ``tmp`` (the data dictionary last, over every download): the sizes by name."""
    streets = inputs.streets
    if len(streets):
        s_bng = streets.to_crs(BNG)
        streets = streets[s_bng.intersects(coverage.buffer(500))].reset_index(drop=True)
    assets_out = merged.assets.sort_values(["category", "name", "asset_id"], na_position="last").reset_index(drop=True)
    sources = source_records(cfg, inputs)
    files = write_outputs(tmp, cfg.slug, assets_out, lsoas, inputs.area_pc, streets, tx.as_dict(),
                          download_licences({"sources": sources}))
    files.update(write_review(tmp, merged.review))
    files.update(write_access(tmp, net, walk))
    files.update(write_equity(tmp, gaps, {k: c.label for k, c in tx.categories.items()}, cfg.name,
                              cfg.gaps.threshold_min))
    files.update(write_sessions(tmp, sessions))
    files.update(write_data_docs(tmp, cfg.name, cfg.slug, tx.as_dict(), sources))
    gazetteer = build_gazetteer(inputs.places, inputs.streets, inputs.area_pc, coverage)
    gazetteer.to_parquet(tmp / "places.parquet")
    files["places.parquet"] = (tmp / "places.parquet").stat().st_size
    files.update(write_unmapped(tmp, inputs.unmapped, inputs.unmapped_pc))
    inputs.save(tmp)
    return files


def basemap_stage(cfg: AreaConfig, st: Stages, tmp: Path, region, previous: Path | None, files: dict[str, int]) -> dict:
    """The base map tiles into ``tmp`` (copied from ``previous``, the last build, on a refresh): their report."""
    with st.stage("basemap", "Base map: vector tiles of streets, water, green space, buildings and places"):
        if previous is not None and (previous / "basemap.pmtiles").exists():
            # a refresh reads no extract: the last build's tiles stand
            shutil.copy2(previous / "basemap.pmtiles", tmp / "basemap.pmtiles")
            basemap = _previous_report(previous).get("basemap", {})
        else:
            basemap = build_basemap(cfg.osm, cfg.data_root, region, tmp / "basemap.pmtiles", OSM_ATTRIBUTION)
        files["basemap.pmtiles"] = (tmp / "basemap.pmtiles").stat().st_size
        st.echo(f"    {basemap.get('tiles', 0)} tiles, z{MINZOOM}-{MAXZOOM}, {files['basemap.pmtiles'] / 1e6:.1f} MB")
    return basemap


def swap_in(tmp: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the finished build in ``tmp``, atomically enough: the old build survives
    until the new one is complete."""
    old = out_dir.with_name(out_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if out_dir.exists():
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old.exists():
        shutil.rmtree(old)


def refresh_area(cfg: AreaConfig, out_dir: str | Path, extra_curated: dict[str, tuple[gpd.GeoDataFrame, bool]],
                 taxonomy: Taxonomy | None = None, echo: Callable[[str], None] = _stderr) -> dict:
    """Rebuild ``out_dir`` from the inputs its last full build kept, plus ``extra_curated`` (seconds)."""
    with area_lock(out_dir):  # the kept inputs are read under the lock too: a refresh before may be swapping them
        return build_area(cfg, out_dir, taxonomy, echo, inputs=BuildInputs.load(out_dir), extra_curated=extra_curated)
