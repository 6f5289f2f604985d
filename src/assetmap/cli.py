"""The ``assetmap`` command line."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from .config import PROJECT_ROOT, list_areas, load_area
from .errors import AssetmapError, RegistryError

DEFAULT_BUILD_ROOT = Path(PROJECT_ROOT / "build")
COMMAND_PLUGINS = "assetmap.commands"


def _registry_url(args) -> str | None:
    """The registry to read: --registry, else $ASSETMAP_DATABASE_URL or the default SQLite file when
    it exists; None with --no-registry or when there is none."""
    if getattr(args, "no_registry", False):
        return None
    from .registry.db import ENV_VAR, default_url

    if args.registry or os.environ.get(ENV_VAR):
        return args.registry or default_url()
    url = default_url()
    return url if Path(url.removeprefix("sqlite:///")).exists() else None


def _registry_lists(args, area: str | None = None) -> dict:
    url = _registry_url(args)
    if url is None:
        return {}
    from .registry.publish import read_registry

    lists = read_registry(url, area=area)  # the area's own area-wide services; every placed record
    print(f"registry: {sum(len(r) for r, _ in lists.values())} published assets from {len(lists)} source(s)",
          file=sys.stderr)
    return lists


def _build(args) -> int:
    from .build import build_area

    for area in args.areas:
        cfg = load_area(area, args.data_root)
        extra = _registry_lists(args, cfg.slug)
        out = Path(args.out) if args.out and len(args.areas) == 1 else Path(args.build_root) / cfg.slug
        if cfg.view_of:  # a district cut from a bigger build (assetmap.national.views): no walks searched
            from .national.views import build_view

            report = build_view(cfg, out)
        else:
            report = build_area(cfg, out, extra_curated=extra)
        a, n, m = report["assets"], report["neighbourhoods"], report["merge"]
        print(f"{cfg.name}: {n['lsoas']} LSOAs ({n['with_deprivation']} with IoD2025, {n['with_population']} with "
              f"population); {a['total']} assets in {a['categories_present']} categories; merge: {m['matched']} "
              f"matched, {m['osm_only']} OSM only, {m['curated_only']} curated only, {m.get('flagged_for_review', 0)} "
              f"flagged for review; "
              f"{report['timings']['total']:.1f} s; report: {out / 'report.json'}")
    return 0


def _not_a_view(cfg, verb: str) -> None:
    if cfg.view_of:
        raise AssetmapError(f"{cfg.slug} is a view of {cfg.view_of}: {verb} {cfg.view_of} (`assetmap {verb} "
                            f"{cfg.view_of}`), then cut the view again (`assetmap build {cfg.slug}`)")


def _refresh(args) -> int:
    from .registry.publish import publish_area, publish_summary

    cfg = load_area(args.area, args.data_root)
    _not_a_view(cfg, "refresh")
    url = _registry_url(args)
    if url is None:
        raise RegistryError("there is no registry database to publish from: create it with 'assetmap db upgrade' "
                            "(or pass --registry URL / set $ASSETMAP_DATABASE_URL)")
    done = publish_summary(cfg, publish_area(cfg, args.build_root, url))
    if args.json:
        print(json.dumps(done))
    else:
        print(f"{cfg.name}: refreshed in {done['seconds']:.1f} s with {done['registry']} registry assets "
              f"({', '.join(f'{k}: {v}' for k, v in done['by_source'].items()) or 'none'}); {done['assets']} assets")
    if args.reload_pid:
        pid = int(Path(args.reload_pid).read_text().strip())
        os.kill(pid, signal.SIGHUP)
        print(f"sent SIGHUP to the server (pid {pid}): workers restart on the refreshed build", file=sys.stderr)
    return 0


def _update(args) -> int:
    cfg = load_area(args.area, args.data_root)
    _not_a_view(cfg, "update")
    out = Path(args.build_root) / cfg.slug
    if bool(args.changes) == bool(args.replication):
        raise AssetmapError("give either --changes FILE.osc[.gz] … or --replication URL")
    if args.replication:
        from .update.replication import follow

        report = follow(cfg, out, args.replication, args.max_diffs)
        if report is None:
            return 0
    else:
        from .update.stage import update_area

        report = update_area(cfg, out, list(args.changes))
    up, t = report["update"], report["timings"]
    print(f"{cfg.name}: {up['nodes']} nodes, {up['ways']} ways, {up['relations']} relations changed; network "
          f"{up['network']}, base map tiles {up['basemap'].get('tiles')}; {report['assets']['total']} assets; "
          f"{t['update_total']:.1f} s")
    return 0


def _export(args) -> int:
    from .outputs import exports

    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        if args.registry is not None:
            from .registry.db import make_engine, require_current, session_factory
            from .taxonomy import load_taxonomy

            engine = make_engine(args.registry or None)
            require_current(engine)
            with session_factory(engine)() as session:
                if args.format == "oruk":
                    json.dump(exports.registry_oruk(session, load_taxonomy().as_dict(), args.include_hidden), out,
                              ensure_ascii=False, indent=1)
                else:
                    from .registry.export import write_assets_csv

                    write_assets_csv(session, out, include_hidden=args.include_hidden)
        else:
            from .outputs.read import AreaResults

            if not args.area:
                raise AssetmapError("name an area to export (assetmap export AREA), or --registry for the registry")
            ar = AreaResults(Path(args.build_root) / load_area(args.area, args.data_root).slug)
            if args.format == "oruk":
                json.dump(exports.area_oruk(ar), out, ensure_ascii=False, indent=1)
            else:
                exports.area_csv(ar, out)
    finally:
        if args.out:
            out.close()
    return 0


def _fetch(args) -> int:
    from .ingest.fetch import fetch_area

    cfg = load_area(args.area, args.data_root)
    root = Path(args.data_root) if args.data_root else cfg.data_root
    print(f"Fetching sources of {cfg.name} into {root}")
    status = fetch_area(cfg, root, force=args.force, only=set(args.only) if args.only else None)
    print(json.dumps(status, indent=1))
    return 0


def _areas(args) -> int:
    for slug in list_areas():
        cfg = load_area(slug, args.data_root)
        print(f"{slug:16} {cfg.name:24} LADs {', '.join(cfg.lads):24} OSM {cfg.osm.file}")
    return 0


def _lookup(args) -> int:
    from .outputs.read import find_postcode_area, load_results

    results = load_results(args.build_root)
    ar = find_postcode_area(results, args.postcode)
    found = ar.lookup(args.postcode, limit=args.limit, category=args.category)
    print(f"{found.postcode} ({ar.name}), nearest on foot:")
    for r in found.results:
        print(f"  {r['walk_m']:>6} m {r['walk_minutes']:>4} min  {r['name'] or '(unnamed)'} — {r['category_label']}"
              + (f", {r['address']}" if r["address"] else ""))
    return 0


def _check(args) -> int:
    cfg = load_area(args.area, args.data_root)
    from .ingest.fetch import downloads_for

    missing = [d for d in downloads_for(cfg) if not d.dest.exists()]
    for d in downloads_for(cfg):
        print(f"  {'ok     ' if d.dest.exists() else 'MISSING'} {d.name:16} {d.dest}")
    if missing:
        print(f"{len(missing)} file(s) missing: run `assetmap fetch {cfg.slug}` or fix the paths", file=sys.stderr)
        return 1
    print(f"{cfg.name}: configuration valid and every file present")
    return 0


def _lonlat(text: str) -> tuple[float, float]:
    """"LON,LAT" (WGS84) -> x, y in EPSG:27700."""
    from pyproj import Transformer

    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"--at {text!r}: give longitude,latitude, e.g. --at -1.4216,53.2356") from None
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _model(args):
    from .gap.scenarios import ScenarioModel

    cfg = load_area(args.area, args.data_root)
    d = Path(args.build_root) / cfg.slug
    if not (d / "network.npz").exists():
        raise AssetmapError(f"{d} holds no walking-access build; run `assetmap build {args.area}` first")
    return ScenarioModel(d)


def _scenario(args) -> int:
    from .gap.scenarios import Change

    model = _model(args)
    changes = [Change("close", asset_id=a) for a in args.close or []]
    if args.open:
        if args.inside:
            changes.append(Change("open", category=args.open, asset_id=args.inside))
        elif args.at:
            x, y = _lonlat(args.at)
            changes.append(Change("open", category=args.open, x=x, y=y))
        else:
            raise ValueError("--open needs --at LON,LAT or --in ASSET_ID")
    if not changes:
        raise ValueError("say what changes: --open CATEGORY (--at LON,LAT | --in ASSET_ID) and/or --close ASSET_ID")
    result = model.run(changes)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    for cat, r in result["categories"].items():
        print(f"{cat}: {r['postcodes_changed']} postcodes change; {r['people_gaining']:,} people gain, "
              f"{r['people_losing']:,} lose; within {model.threshold:g} min: "
              f"{r['people_within_threshold_before']:,} -> {r['people_within_threshold_after']:,}; "
              f"priority {r['priority_before']:,} -> {r['priority_after']:,}")
        for n in r["lsoas"][:10]:
            name = n.get("display_name") or n["lsoa21_name"]
            print(f"    {name:60} {n['before_min']:6.1f} -> {n['after_min']:6.1f} min")
    if not result["categories"]:
        print("no walking time changes")
    return 0


def _siting(args) -> int:
    from .gap.siting import site

    result = site(_model(args), args.category, args.k, args.candidates)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"{result['category']}: weighted shortfall {result['weighted_shortfall_before']:,} -> "
          f"{result['weighted_shortfall_after']:,} "
          f"({result['candidates_considered']} {result['candidates']} candidates)")
    for p in result["picks"]:
        print(f"  {p['rank']}. {p['name'] or p['candidate']} ({p['host_category'] or 'network point'}): "
              f"gain {p['gain']:,}, {p['people_newly_within_threshold']:,} people newly within "
              f"{result['threshold_min']:g} min")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assetmap", description=__doc__)
    p.add_argument("--data-root",
                   help="folder holding the raw data (default ../shared/data/raw, or $ASSETMAP_DATA_ROOT)")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="run the pipeline for one or more areas")
    b.add_argument("areas", nargs="+", help="area names (data/areas/<name>.toml) or paths to .toml files")
    b.add_argument("--build-root", default=DEFAULT_BUILD_ROOT, help="where builds go (default ./build)")
    b.add_argument("--out", help="exact output folder (one area only)")
    reg_help = ("registry database URL to read published curated assets from (default $ASSETMAP_DATABASE_URL, "
                "else instance/registry.sqlite when it exists)")
    b.add_argument("--registry", help=reg_help)
    b.add_argument("--no-registry", action="store_true", help="build from the files alone")
    b.set_defaults(func=_build)
    r = sub.add_parser("refresh", help="publish registry changes: rerun merge → outputs from the last build's kept "
                                       "inputs (seconds)")
    r.add_argument("area")
    r.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    r.add_argument("--registry", help=reg_help)
    r.add_argument("--reload-pid", metavar="FILE", help="then send SIGHUP to the server whose pid is in FILE "
                                                        "(assetmap serve --pid FILE)")
    r.add_argument("--json", action="store_true", help="print what was done as one line of JSON")
    r.set_defaults(func=_refresh)
    u = sub.add_parser("update", help="apply OpenStreetMap changes to a build: changed features, network and tiles, "
                                      "then the measures after them")
    u.add_argument("area")
    u.add_argument("--changes", nargs="+", metavar="FILE", help="OSM change file(s), .osc or .osc.gz, oldest first")
    u.add_argument("--replication", metavar="URL", help="fetch the next diffs from this replication server "
                                                         "(the folder holding state.txt)")
    u.add_argument("--max-diffs", type=int, default=100, help="with --replication: at most this many diffs at once")
    u.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    u.set_defaults(func=_update)
    ex = sub.add_parser("export", help="an area's merged assets, or the registry, as Open Referral UK JSON or CSV")
    ex.add_argument("area", nargs="?", help="area to export from its build (omit with --registry)")
    ex.add_argument("--format", choices=("oruk", "csv"), default="oruk")
    ex.add_argument("--registry", nargs="?", const="", metavar="URL",
                    help="export the registry instead (URL default $ASSETMAP_DATABASE_URL or instance/registry.sqlite)")
    ex.add_argument("--include-hidden", action="store_true", help="registry: hidden assets too")
    ex.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    ex.add_argument("--out", help="file to write (default: standard output)")
    ex.set_defaults(func=_export)
    f = sub.add_parser("fetch", help="download an area's sources from their official addresses")
    f.add_argument("area")
    f.add_argument("--force", action="store_true", help="download again even if present")
    f.add_argument("--only", nargs="*", help="only these sources (names as in the config)")
    f.set_defaults(func=_fetch)
    a = sub.add_parser("areas", help="list configured areas")
    a.set_defaults(func=_areas)
    c = sub.add_parser("check", help="validate an area's configuration and that its files are present")
    c.add_argument("area")
    c.set_defaults(func=_check)
    lk = sub.add_parser("lookup", help="nearest assets to a postcode, from built areas")
    lk.add_argument("postcode")
    lk.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    lk.add_argument("--limit", type=int, default=10)
    lk.add_argument("--category")
    lk.set_defaults(func=_lookup)
    _add_what_if_commands(sub)
    from .registry.cli import add_commands

    add_commands(sub)
    _add_plugin_commands(sub)
    return p


def _add_what_if_commands(sub) -> None:
    """`scenario` and `siting`: what changes if a place opens or closes, and where one would help most."""
    sc = sub.add_parser("scenario", help="what if a place opens or closes: the change in walking times")
    sc.add_argument("area")
    sc.add_argument("--open", metavar="CATEGORY", help="open a place of this category …")
    sc.add_argument("--at", metavar="LON,LAT", help="… at this point (write --at=-1.42,53.23 for a western longitude)")
    sc.add_argument("--in", dest="inside", metavar="ASSET_ID", help="… in this existing building")
    sc.add_argument("--close", metavar="ASSET_ID", action="append", help="close this asset (repeatable)")
    sc.add_argument("--json", action="store_true", help="print the whole result as JSON")
    sc.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    sc.set_defaults(func=_scenario)
    si = sub.add_parser("siting", help="the best sites for a new place of a category, greedily")
    si.add_argument("area")
    si.add_argument("--category", required=True)
    si.add_argument("-k", type=int, default=5, help="how many sites (default 5)")
    si.add_argument("--candidates", choices=("buildings", "network"), default="buildings",
                    help="existing community buildings (default) or points on a 250 m grid")
    si.add_argument("--json", action="store_true")
    si.add_argument("--build-root", default=DEFAULT_BUILD_ROOT)
    si.set_defaults(func=_siting)



def _add_plugin_commands(sub) -> None:
    """Commands that other installed packages add through the entry-point group ``assetmap.commands``
    (a function taking the sub-parsers): the web app adds ``serve`` this way (``app.server``), so the
    library never imports the web layer."""
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=COMMAND_PLUGINS), key=lambda e: e.name):
        ep.load()(sub)

def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except AssetmapError as exc:
        print(f"assetmap: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. an unknown category given on the command line
        print(f"assetmap: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a full disk or a broken database: a sentence, not a traceback
        from .registry.failures import explain

        why = explain(exc, None, f"`assetmap {args.command}`")
        if why is None:
            raise
        print(f"assetmap: error: {why}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
