"""Connecting to the registry database and migrating it with the Alembic scripts shipped in this package.

The database is SQLite by default (``instance/registry.sqlite`` under the working directory: no
server needed) or PostgreSQL when ``ASSETMAP_DATABASE_URL`` (or ``--url``) says
``postgresql+psycopg://user:password@host/dbname``. SQLite connections enforce foreign keys, use
write-ahead logging and let SQLAlchemy emit ``BEGIN`` itself, so transactions (and savepoints) are
real on both backends.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import DatabaseError

ENV_VAR = "ASSETMAP_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url(cwd: str | Path | None = None) -> str:
    """``$ASSETMAP_DATABASE_URL``, else SQLite in ``instance/registry.sqlite`` under ``cwd`` (default: here)."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    path = Path(cwd or Path.cwd()).resolve() / "instance" / "registry.sqlite"
    return f"sqlite:///{path}"


def _normalise(url: str) -> str:
    """Use psycopg 3 for bare ``postgresql://`` URLs (SQLAlchemy would otherwise pick psycopg2)."""
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _sqlite_begin)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA busy_timeout = 5000")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kw) -> Engine:
    """An engine for ``url`` (default :func:`default_url`), with the SQLite settings applied."""
    url = _normalise(url or default_url())
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"{url!r} is not a database URL; use sqlite:///path/to/registry.sqlite or "
            f"postgresql+psycopg://user:password@host/dbname (via --url or ${ENV_VAR})") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"database backend {parsed.get_backend_name()!r} is not supported; "
                            f"use SQLite (sqlite:///…) or PostgreSQL (postgresql+psycopg://…)")
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **kw)
    except NoSuchModuleError as exc:
        raise DatabaseError(f"no driver for {parsed.drivername} ({exc}); install psycopg[binary] for "
                            f"PostgreSQL and use a postgresql+psycopg:// URL") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(url_or_engine: str | Engine | None = None, revision: str = "head") -> str:
    """Create or migrate the schema to ``revision``; returns the revision the database is at."""
    from alembic import command

    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    cfg = _alembic_config(engine)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise DatabaseError(f"cannot reach the registry database at {engine.url!r} ({str(exc.orig).strip()[:200]}); "
                            f"check the URL (--url or ${ENV_VAR}) and that the server is running") from None
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://"))).get_current_head()


def require_current(engine: Engine) -> None:
    """Raise :class:`DatabaseError` (naming ``assetmap db upgrade``) unless the schema is at head."""
    have, want = current_revision(engine), head_revision()
    if have != want:
        state = "has no registry tables" if have is None else f"is at revision {have}, not {want}"
        raise DatabaseError(f"the registry database {engine.url!r} {state}; run `assetmap db upgrade` first")


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
