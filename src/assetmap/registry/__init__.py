"""The curated registry: a database of curated community assets, imports with quarantine, and
the moderation API (suggestions, problem reports, users, audit) that the curator pages use.

Modules: :mod:`.db` (engine, default URL, Alembic migrations), :mod:`.models` (tables),
:mod:`.validate` (one record's rules), :mod:`.readers` / :mod:`.oruk_reader` (files to rows,
within :mod:`.limits`), :mod:`.importer` (``import_file``, streaming; :mod:`.seen`), :mod:`.jobs`
(background imports), :mod:`.failures` (disk and database errors as sentences), :mod:`.quarantine`,
:mod:`.assets` (store, hide, verify, ``due_for_review``), :mod:`.community` (suggestions, problem
reports), :mod:`.users`, :mod:`.audit`, :mod:`.export` (``safe_csv_cell``). The names below are importable from here;
they load on first use so that ``assetmap`` commands that need no database stay quick.
"""
from __future__ import annotations

import importlib

_API = {
    "default_url": "db", "make_engine": "db", "session_factory": "db", "upgrade": "db", "require_current": "db",
    "import_file": "importer", "ImportReport": "importer",
    "Checks": "validate", "validate": "validate",
    "list_quarantine": "quarantine", "count_quarantine": "quarantine", "get_quarantine": "quarantine",
    "fix_quarantine": "quarantine", "resubmit_quarantine": "quarantine", "discard_quarantine": "quarantine",
    "store_asset": "assets", "get_asset": "assets", "set_status": "assets", "mark_verified": "assets",
    "due_for_review": "assets", "count_due": "assets", "find_assets": "assets",
    "create_suggestion": "community", "list_suggestions": "community", "approve_suggestion": "community",
    "reject_suggestion": "community", "report_problem": "community", "list_problems": "community",
    "resolve_problem": "community", "client_hash": "community", "update_suggestion": "community",
    "get_suggestion": "community", "count_suggestions": "community", "count_problems": "community",
    "create_user": "users", "verify_user": "users", "set_role": "users", "set_active": "users",
    "set_password": "users", "get_user": "users", "list_users": "users",
    "write_audit": "audit", "history": "audit",
    "safe_csv_cell": "export", "write_assets_csv": "export",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
