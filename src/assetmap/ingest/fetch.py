"""Downloading an area's sources from their official addresses into the data root.

Each source (and the OSM extract) names its ``url``; ``fetch_area`` saves it as the source's
``file`` under the data root, unpacking a zip member (``archive_member``) or gzipping when the
local name ends in ``.gz``. Files already present are kept unless ``force``. Every download goes
to a temporary file first, so an interrupted fetch never leaves a half file behind.
"""
from __future__ import annotations

import gzip
import io
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import AreaConfig, present
from ..errors import FetchError

USER_AGENT = f"assetmap/{__version__} (+https://github.com/assetmap)"


@dataclass(frozen=True)
class Download:
    name: str
    url: str | None
    dest: Path
    landing: str | None = None
    archive_member: str | None = None


def downloads_for(cfg: AreaConfig, data_root: Path | None = None) -> list[Download]:
    root = Path(data_root or cfg.data_root)
    paths, urls = cfg.osm.paths(root), cfg.osm.urls or (cfg.osm.url,)
    items = [Download("openstreetmap" if i == 0 else f"openstreetmap-{i + 1}", urls[i] if i < len(urls) else None, p)
             for i, p in enumerate(paths)]  # several extracts (``[osm] files``): each its own download
    for s in cfg.sources.values():
        items.append(Download(s.name, s.url, s.path(root), s.landing, s.option("archive_member")))
    return items


def _get(url: str, timeout: float) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code} ({exc.reason}); check the address in the config") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"could not reach {url} ({getattr(exc, 'reason', exc)}); check your connection or proxy, then "
                         "run fetch again") from None


def save(item: Download, payload: bytes) -> None:
    if item.archive_member:
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as zf:
                names = {Path(n).name: n for n in zf.namelist()}
                if item.archive_member not in names:
                    raise FetchError(f"{item.url} has no member {item.archive_member!r} (it has {sorted(names)[:10]}); "
                                     "fix archive_member")
                payload = zf.read(names[item.archive_member])
        except zipfile.BadZipFile:
            raise FetchError(f"{item.url} is not a zip file, but the source names archive_member; fix the "
                             "config") from None
    if item.dest.name.endswith(".gz") and not payload.startswith(b"\x1f\x8b"):
        payload = gzip.compress(payload, compresslevel=6)
    item.dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = item.dest.with_name(item.dest.name + ".part")
    tmp.write_bytes(payload)
    tmp.replace(item.dest)


def fetch_area(cfg: AreaConfig, data_root: Path | None = None, force: bool = False, only: set[str] | None = None,
               timeout: float = 120.0, echo: Callable[[str], None] = print) -> dict[str, str]:
    """Download what is missing; returns name -> "fetched" | "present" | "no-url"."""
    status = {}
    failures = []
    for item in downloads_for(cfg, data_root):
        if only and item.name not in only:
            continue
        if present(item.dest) and not force:
            status[item.name] = "present"
            echo(f"  {item.name}: present at {item.dest}")
            continue
        if not item.url:
            status[item.name] = "no-url"
            where = f" from {item.landing}" if item.landing else ""
            echo(f"  {item.name}: no download address is known; download it by hand{where} and save it as {item.dest}")
            continue
        echo(f"  {item.name}: downloading {item.url}")
        try:
            save(item, _get(item.url, timeout))
        except FetchError as exc:
            failures.append(f"{item.name}: {exc}")
            status[item.name] = "failed"
            continue
        status[item.name] = "fetched"
    if failures:
        raise FetchError("some downloads failed (files already present were kept):\n  " + "\n  ".join(failures))
    return status


