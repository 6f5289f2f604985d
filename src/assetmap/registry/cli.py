"""``assetmap db upgrade``, ``assetmap db create-admin`` and ``assetmap import``."""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from ..errors import RegistryError

ROLES = ("admin", "moderator")
FORMATS = ("csv", "geojson", "oruk")


def _engine(args):
    from .db import make_engine

    return make_engine(args.url)


def _guarded(func):
    """Run a registry command; a full disk or a broken or unreachable database becomes a
    :class:`RegistryError` (one sentence naming the fix: exit 2 from ``assetmap``), never a traceback."""
    def run(args) -> int:
        from .db import default_url
        from .failures import explain

        try:
            return func(args)
        except RegistryError:
            raise
        except Exception as exc:
            url = args.url or default_url()
            doing = {"_import": f"the import of {getattr(args, 'file', '')}", "_upgrade": "the upgrade",
                     "_create_admin": "adding the account"}.get(func.__name__, "the command")
            why = explain(exc, _shown_url(url), doing)
            if why is None:
                raise
            raise RegistryError(why) from None
    return run


def _shown_url(url: str) -> str:
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured URL"


def _upgrade(args) -> int:
    from .db import current_revision, upgrade

    engine = _engine(args)
    before = current_revision(engine)
    after = upgrade(engine)
    state = "created" if before is None else ("already up to date" if before == after else f"migrated from {before}")
    print(f"registry database {engine.url.render_as_string(hide_password=True)}: {state} (revision {after})")
    return 0


def _read_password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass(f"Password for {args.username}: ")
    if getpass.getpass("Again: ") != first:
        raise RegistryError("the two passwords differ; run the command again and type the same password twice")
    return first


def _create_admin(args) -> int:
    from sqlalchemy.orm import Session

    from .db import require_current
    from .users import create_user

    engine = _engine(args)
    require_current(engine)
    password = _read_password(args)
    with Session(engine) as session, session.begin():
        user = create_user(session, args.username, password, role=args.role, who="cli")
        print(f"created {user.role} {user.username!r} in {engine.url.render_as_string(hide_password=True)}")
    return 0


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        col, sep, fld = pair.partition("=")
        if not sep or not col.strip() or not fld.strip():
            raise RegistryError(f"--map {pair!r} must be COLUMN=field, e.g. --map 'Site name=name'")
        out[col.strip()] = fld.strip()
    return out


def _import(args) -> int:
    from .db import require_current
    from .importer import import_file

    engine = _engine(args)
    require_current(engine)
    lookup = None
    if not args.no_postcode_lookup:
        from .geocode import codepoint_lookup

        print("loading Code-Point Open for postcodes…", file=sys.stderr)
        lookup = codepoint_lookup(args.data_root)
    report = import_file(engine, args.file, args.source, format=args.format, encoding=args.encoding,
                         mapping=_mapping(args.map), lookup=lookup, area=args.area, who=args.who,
                         complete=args.complete)
    print(report.summary())
    if report.withdrawn:
        print(f"  withdrawn (hidden, kept): {', '.join(report.withdrawn[:args.show])}"
              + (" …" if len(report.withdrawn) > args.show else ""))
    for kind, n in report.reasons_by_kind().items():
        print(f"  {n:6} rejection(s) for {kind}")
    for r in report.rejected[: args.show]:
        print(f"  row {r.row} ({r.source_id}): " + "; ".join(r.reasons))
    shown = min(len(report.rejected), args.show)
    if report.counts["quarantined"] > shown:
        print(f"  … {report.counts['quarantined'] - shown} more; see `--report FILE` or the quarantine")
    if args.report:
        try:
            with open(args.report, "w", encoding="utf-8") as fh:
                json.dump(report.as_dict(), fh, indent=1, ensure_ascii=True)
        except OSError as exc:
            raise RegistryError(f"the import was stored (batch {report.batch_id}), but the report could not be "
                                f"written to {args.report} ({exc.strerror}); free space or choose another --report "
                                f"path, and see the batch on the curator's import page") from None
    return 0


def add_commands(sub) -> None:
    """Add the registry's commands to the ``assetmap`` sub-command parser."""
    url_help = "database URL (default $ASSETMAP_DATABASE_URL, else sqlite:///instance/registry.sqlite here)"
    d = sub.add_parser("db", help="the curated registry database: create or migrate it, add an administrator")
    dsub = d.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="create the registry tables, or migrate them to the current revision")
    up.add_argument("--url", help=url_help)
    up.set_defaults(func=_guarded(_upgrade))
    ca = dsub.add_parser("create-admin", help="add a curator account (asks for the password)")
    ca.add_argument("username")
    ca.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    ca.add_argument("--role", choices=ROLES, default="admin")
    ca.add_argument("--url", help=url_help)
    ca.set_defaults(func=_guarded(_create_admin))

    im = sub.add_parser("import", help="import a file of curated assets into the registry (rejects go to quarantine)",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Formats: CSV (columns id, name, category, description, address, postcode, lat, "
                                    "lon, url, email, phone, opening_hours, wheelchair, last_verified), GeoJSON "
                                    "points with those properties, Open Referral UK JSON. See docs/registry.md.")
    im.add_argument("file")
    im.add_argument("--source", required=True, help="the list's name, e.g. chesterfield-council (ids are per source)")
    im.add_argument("--format", choices=FORMATS, help="default: from the file name (.csv, .geojson, .json)")
    im.add_argument("--encoding", help="the file's text encoding when not UTF-8: cp1252 (Windows-1252, Excel's "
                                       "'ANSI'), "
                                         "latin-1, utf-16, …; rows with bytes not in it are quarantined")
    im.add_argument("--map", action="append", metavar="COLUMN=field", help="read a column as a field (repeatable)")
    im.add_argument("--area", help="tag every asset with this area slug")
    im.add_argument("--complete", action="store_true",
                    help="the file is the source's whole list: hide (withdraw) its published records the file no "
                         "longer has")
    im.add_argument("--who", help="name written to the audit log (default import:<source>)")
    im.add_argument("--no-postcode-lookup", action="store_true",
                    help="do not load Code-Point Open: postcodes are checked for form only; rows need lat/lon")
    im.add_argument("--report", metavar="FILE", help="write the full per-row report as JSON")
    im.add_argument("--show", type=int, default=20, help="rejected rows to print (default 20)")
    im.add_argument("--url", help=url_help)
    im.set_defaults(func=_guarded(_import))
