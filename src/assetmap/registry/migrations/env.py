"""Alembic environment for the registry: runs on the connection handed over by ``db.upgrade``.

Without one (``alembic`` run by hand with ``-x url=…`` or ``sqlalchemy.url`` set), it makes its own
engine through :func:`assetmap.registry.db.make_engine`, so SQLite gets the same settings.
"""
from __future__ import annotations

from alembic import context

from assetmap.registry.db import default_url, make_engine
from assetmap.registry.models import Base
from assetmap.registry.models_services import Service  # noqa: F401  (its tables join Base.metadata)

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = (context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
           or default_url())
    engine = make_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url") or default_url(),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
