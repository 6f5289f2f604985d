"""What went wrong with the registry database or the disk, as one sentence naming the fix.

The command line turns these into ``assetmap: error: …`` and exit status 2 (never a traceback);
:func:`explain` returns ``None`` for an error that is not about the database or the disk.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import tempfile

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

_FULL = ("database or disk is full", "no space left on device", "disk full", "could not extend file")
_BROKEN = ("file is not a database", "database disk image is malformed", "no such table", "no such column",
           "does not exist")
_UNREACHABLE = ("unable to open database file", "connection refused", "could not connect", "connection to server",
                "timeout expired", "name or service not known", "server closed the connection",
                "terminating connection", "password authentication failed")


def _text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    if not str(exc).strip():
        return type(exc).__name__
    return str(orig if orig is not None else exc).strip().splitlines()[0][:200]


def explain(exc: BaseException, url: str | None, doing: str = "the command") -> str | None:
    """A sentence for a disk or database failure during ``doing``, or ``None`` if ``exc`` is neither.
    ``url``: the registry database's (password hidden), or None when the command has none in hand."""
    text = _text(exc)
    low = str(getattr(exc, "orig", None) or exc).lower()
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    is_db = isinstance(exc, (SQLAlchemyError, sqlite3.Error))
    if (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or sqlstate == "53100" \
            or (is_db and any(w in low for w in _FULL)):
        where = f"the registry database ({url})" if url else "the output (build folder or registry database)"
        kept = " and nothing was changed" if url else ""
        return (f"the disk is full ({text}), so {doing} stopped{kept}; free space on the disk "
                f"that holds {where} and the temporary folder ({tempfile.gettempdir()}, or set TMPDIR), then run it "
                f"again")
    if not is_db:
        return None
    url = url or "the configured URL"
    if any(w in low for w in _BROKEN):
        return (f"the registry database at {url} is damaged or is not an assetmap registry ({text}), so {doing} "
                f"stopped and nothing was changed; point --url (or $ASSETMAP_DATABASE_URL) at the right database, "
                f"restore it from a backup, or run `assetmap db upgrade` on a new one")
    if any(w in low for w in _UNREACHABLE) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return (f"cannot reach the registry database at {url} ({text}), so {doing} stopped and nothing was changed; "
                f"check the URL (--url or $ASSETMAP_DATABASE_URL), that the server is running and that "
                f"{os.path.basename(url) or 'the file'} can be opened, then run it again")
    return (f"the registry database at {url} refused {doing} ({text}); nothing was changed; check the database "
            f"(`assetmap db upgrade` brings its tables up to date) and run it again")
