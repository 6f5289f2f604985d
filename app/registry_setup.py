"""The registry database in the web app: settings, one engine per app, one session per request.

Settings (``create_app(test_config)`` wins over environment variables, which win over defaults):

``DATABASE_URL``          the registry (env ``ASSETMAP_DATABASE_URL``; default
                          :func:`assetmap.registry.db.default_url`: SQLite in ``instance/registry.sqlite``)
``REGISTRY_AUTO_UPGRADE`` create or migrate the schema at startup. Default: yes for SQLite (so
                          ``make demo`` needs no setup step), no for PostgreSQL, where
                          ``assetmap db upgrade`` is an explicit step and the app refuses to start
                          (naming that command) until the schema is current
``SECRET_KEY``            signs sessions and CSRF tokens (env ``ASSETMAP_SECRET_KEY``); otherwise
                          generated once into ``<INSTANCE_DIR>/secret_key`` (mode 0600), so every
                          gunicorn worker, and every restart, shares it
``INSTANCE_DIR``          where that file lives (env ``ASSETMAP_INSTANCE_DIR``, default ``./instance``,
                          beside the default SQLite database)

Views call :func:`db_session` (created on first use, closed when the request ends) and commit
what they change. A lost database connection (server restarted, network down) becomes a 503 page
asking to try again: connections are checked before use (``pool_pre_ping``), and nothing half-done
is ever committed.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import date
from functools import cached_property
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from assetmap.errors import ConfigError, DatabaseError
from assetmap.registry.db import default_url, make_engine, require_current, session_factory, upgrade
from assetmap.registry.geocode import results_lookup
from assetmap.registry.validate import Checks
from assetmap.taxonomy import load_taxonomy

from .error_pages import error_response

UNAVAILABLE = ("The database is not available at the moment, so this could not be done. Nothing you sent was "
               "saved. Please try again in a minute.")


def registry_defaults() -> dict:
    return {
        "DATABASE_URL": os.environ.get("ASSETMAP_DATABASE_URL", "").strip() or None,
        "REGISTRY_AUTO_UPGRADE": None,
        "SECRET_KEY": os.environ.get("ASSETMAP_SECRET_KEY") or None,
        "INSTANCE_DIR": os.environ.get("ASSETMAP_INSTANCE_DIR") or str(Path.cwd() / "instance"),
    }


def secret_key(instance_dir: str | Path) -> str:
    """The key in ``instance_dir/secret_key``, made (0600, atomically: workers racing agree) if missing."""
    path = Path(instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mkstemp creates it 0600
        try:
            os.write(fd, secrets.token_hex(32).encode())
            os.close(fd)
            os.link(tmp, path)  # fails if another process got there first; then use theirs
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable secret key; delete it (a new one is made) or set "
                            f"ASSETMAP_SECRET_KEY")
    return key


def prepare_database(url: str, auto_upgrade: bool | None = None, **engine_options):
    """An engine for ``url`` whose schema is current: migrated first when ``auto_upgrade`` says so
    (``None``: only for SQLite). Raises :class:`DatabaseError` naming ``assetmap db upgrade`` otherwise."""
    engine = make_engine(url, pool_pre_ping=True, **engine_options)
    if auto_upgrade is None:
        auto_upgrade = engine.dialect.name == "sqlite"
    try:
        require_current(engine)
    except DatabaseError:
        if not auto_upgrade:
            engine.dispose()
            raise
        upgrade(engine)
    return engine


class Registry:
    """What the app keeps for the registry: the engine, its session maker and the validation checks."""

    def __init__(self, app: Flask, url: str | None = None):
        self.url = url or app.config.get("DATABASE_URL") or default_url()
        # under gevent workers a request never waits for a pooled connection (app/server.py)
        options = {"max_overflow": -1} if app.config.get("SERVED_BY_GEVENT") else {}
        self.engine = prepare_database(self.url, app.config.get("REGISTRY_AUTO_UPGRADE"), **options)
        self.sessions = session_factory(self.engine)
        self._extensions = app.extensions

    @property
    def results(self):
        """The built areas the site serves now (after a publish, the new ones)."""
        return self._extensions["assetmap"].results

    @cached_property
    def taxonomy(self):
        return load_taxonomy()

    @cached_property
    def category_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """``[(family label, [(category key, label)])]`` for a grouped select."""
        tx = self.taxonomy
        groups = [(fam.label, [(k, c.label) for k, c in tx.categories.items() if c.family == fk])
                  for fk, fam in tx.families.items()]
        return [g for g in groups if g[1]]

    @cached_property
    def category_keys(self) -> set[str]:
        """Every category key (what a form's category must be one of)."""
        return set(self.taxonomy.categories)

    def checks(self) -> Checks:
        """Validation as for imports; postcodes are placed with the built areas' postcodes."""
        return Checks(self.taxonomy, results_lookup(self.results), date.today())

    def dispose(self) -> None:
        self.engine.dispose()


def current_registry() -> Registry:
    return current_app.extensions["registry"]


def db_session() -> Session:
    """This request's session (closed, and rolled back if not committed, when the request ends)."""
    if "db_session" not in g:
        g.db_session = current_registry().sessions()
    return g.db_session


def init_registry(app: Flask, url: str | None = None) -> Registry:
    """Connect ``app`` to the registry at ``url`` (default ``DATABASE_URL``); tests call it again to
    point a running app at another database."""
    old = app.extensions.get("registry")
    app.extensions["registry"] = Registry(app, url)
    if old is not None:
        old.dispose()
    attach_registry_services(app)
    return app.extensions["registry"]


def register_registry(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.config["INSTANCE_DIR"])
    init_registry(app)

    @app.teardown_appcontext
    def close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc):
        app.logger.warning("registry database unavailable: %s", str(exc).splitlines()[0][:300])
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except Exception:  # the connection is already gone; the pool will replace it
                pass
        resp = error_response(503, UNAVAILABLE)
        resp = current_app.make_response(resp)
        resp.headers["Retry-After"] = "30"
        return resp


def attach_registry_services(app: Flask) -> int:
    """Add the registry's published services to the ORUK catalogue of the state just loaded (at start
    and after every publish: read once, not per request); returns how many. A registry that cannot
    be read leaves the catalogue as built, with a warning in the log."""
    from assetmap.registry.hsds_export import catalogue_entries

    registry, state = app.extensions.get("registry"), app.extensions["assetmap"]
    if registry is None:
        return 0
    try:
        with registry.sessions() as session:
            entries = catalogue_entries(session)
    except (SQLAlchemyError, DatabaseError) as exc:
        app.logger.warning("registry services not published in ORUK: %s", str(exc).splitlines()[0][:300])
        return 0
    state.oruk.add_registry(entries, state.views[state.default].ar.taxonomy["categories"])
    return len(entries)
