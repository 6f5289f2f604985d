"""Alembic migrations of the registry schema (run by :func:`assetmap.registry.db.upgrade`)."""
