"""The ids met so far in one import file, with the row that first used each: kept in a temporary
SQLite file (not in memory), so a file of millions of rows is checked for repeated ids in bounded
memory. Deleted when closed."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

PART = 900  # SQLite's default limit is 999 host parameters


class SeenIds:
    def __init__(self, folder: str | None = None):
        self._dir = tempfile.TemporaryDirectory(prefix="assetmap-import-ids-", dir=folder)
        self.db = sqlite3.connect(Path(self._dir.name) / "ids.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID")

    def _known(self, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in range(0, len(ids), PART):
            part = ids[i:i + PART]
            out.update(self.db.execute(f"SELECT id, row FROM seen WHERE id IN ({','.join('?' * len(part))})", part))
        return out

    def first_rows(self, chunk: list[tuple[str, int]]) -> dict[int, int]:
        """For each ``(id, row)`` of ``chunk`` (in file order) whose id an earlier row used: its index in
        ``chunk`` -> that earlier row. Records the ids not seen before."""
        earlier = self._known(list({sid for sid, _ in chunk}))
        repeats, new = {}, []
        for i, (sid, row) in enumerate(chunk):
            if sid in earlier:
                repeats[i] = earlier[sid]
            else:
                earlier[sid] = row
                new.append((sid, row))
        self.db.executemany("INSERT INTO seen VALUES (?, ?)", new)
        return repeats

    def missing(self, ids: list[str]) -> list[str]:
        """The ids of ``ids`` that no row of the file used."""
        known = self._known(ids)
        return [i for i in ids if i not in known]

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()
