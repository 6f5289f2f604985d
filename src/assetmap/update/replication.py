"""``assetmap update AREA --replication URL``: the next diffs of an OSM replication server, applied.

A replication server (Geofabrik's per-region ``…-updates/`` directories, or OSM's minutely, hourly and
daily diffs) publishes ``state.txt`` (the newest sequence number and its time) and one change file
per sequence (``000/001/234.osc.gz``). The build's extract says where it stands: after a first
update from a server its header holds the server's address and last sequence applied; before
that, the sequence is found from the extract's timestamp (pyosmium's
``ReplicationServer.timestamp_to_sequence``; a diff applied twice changes nothing, as the newest
version of each object wins). Up to ``max_diffs`` diffs after it are downloaded
into the update's work folder and applied as one update (:func:`assetmap.update.stage.update_area`).
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from ..build import _stderr
from ..config import AreaConfig
from ..errors import DataSourceError
from .changes import header_info, stamp_text
from .stage import current_extract, update_area


def start_sequence(server, head: dict, url: str) -> int:
    """The first sequence to fetch for an extract whose header is ``head``."""
    if head.get("sequence") and (head.get("base_url") or "").rstrip("/") == url.rstrip("/"):
        return int(head["sequence"]) + 1
    if not head.get("timestamp"):
        raise DataSourceError("the build's extract has neither a replication sequence nor a timestamp in its "
                              "header; update it once from a change file, or rebuild from a dated extract")
    when = dt.datetime.fromisoformat(head["timestamp"].replace("Z", "+00:00"))
    seq = server.timestamp_to_sequence(when)
    if seq is None:
        raise DataSourceError(f"the replication server {url} has no state for {head['timestamp']}; check the URL "
                              f"(it is the folder holding state.txt)")
    return int(seq) + 1  # the state at or before the extract's time: its diff is already in


def follow(cfg: AreaConfig, out_dir: str | Path, url: str, max_diffs: int = 100,
           echo: Callable[[str], None] = _stderr) -> dict | None:
    """Fetch and apply the diffs after the build's sequence (at most ``max_diffs``): the update's report,
    or None when the build is already at the server's newest sequence."""
    from osmium.replication.server import ReplicationServer

    out_dir = Path(out_dir)
    head = header_info(current_extract(cfg, out_dir))
    with ReplicationServer(url) as server:
        newest = server.get_state_info()
        if newest is None:
            raise DataSourceError(f"no replication state at {url.rstrip('/')}/state.txt; check the server's URL")
        first = start_sequence(server, head, url)
        if first > newest.sequence:
            echo(f"{cfg.name} is up to date (sequence {newest.sequence})")
            return None
        last = min(newest.sequence, first + max_diffs - 1)
        folder = out_dir.with_name(out_dir.name + ".diffs")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        files = []
        for seq in range(first, last + 1):
            path = folder / f"{seq:09d}.osc.gz"
            data = server.get_diff_block(seq)  # typed str, returned as bytes
            path.write_bytes(data if isinstance(data, bytes) else data.encode())
            files.append(path)
        state = server.get_state_info(last)
    echo(f"Fetched diffs {first}..{last} of {newest.sequence} from {url}")
    stamp = stamp_text(state.timestamp) if state is not None else None
    try:
        return update_area(cfg, out_dir, files, echo=echo,
                           replication={"base_url": url, "sequence": last, "timestamp": stamp})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
