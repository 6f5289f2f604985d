"""Reading an import file's bytes within stated limits: gzip unpacked as a stream with a cap on its
size and on its packing ratio (a decompression bomb stops early), the raw file hashed as it is
read, JSON read whole only up to a size and a nesting depth.

Every limit broken raises :class:`ImportLimitError` (an :class:`~assetmap.errors.ImportFileError`
whose ``status`` is 413), naming the limit and what to do, before anything is stored.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportFileError

MB = 1024 * 1024


class ImportLimitError(ImportFileError):
    """The file breaks a stated limit (unpacked size, packing ratio, JSON size or depth, cell size)."""

    status = 413


@dataclass(frozen=True)
class Limits:
    max_unpacked: int = 4096 * MB  # bytes a .gz may unpack to
    max_ratio: int = 100  # unpacked / packed, checked once past ``ratio_after`` bytes
    ratio_after: int = 16 * MB
    max_json: int = 256 * MB  # JSON is parsed whole: bytes (unpacked)
    max_depth: int = 64  # JSON nesting of arrays and objects
    max_cell: int = 1_000_000  # characters in one CSV cell; more means broken quoting

    @property
    def described(self) -> str:
        return (f"a .gz may unpack to {self.max_unpacked // MB} MB and at most {self.max_ratio} times its size; "
                f"JSON up to {self.max_json // MB} MB and {self.max_depth} levels deep")


WEB_LIMITS = Limits(max_unpacked=256 * MB, max_json=32 * MB)  # JSON parsed whole takes ~10x its size


class HashingReader(io.RawIOBase):
    """Reads a binary file, keeping the SHA-256 of every byte read (``hexdigest`` after the end)."""

    def __init__(self, fh):
        self.fh, self.sha, self.count = fh, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.fh.read(len(b))
        n = len(data)
        b[:n] = data
        self.sha.update(data)
        self.count += n
        return n

    def finish(self) -> str:
        """Hash of the whole file: reads what the reader did not need (e.g. after a gzip trailer)."""
        while chunk := self.fh.read(MB):
            self.sha.update(chunk)
        return self.sha.hexdigest()

    def release(self) -> None:
        """Close the file (closing this reader does not, so :meth:`finish` works after the text layer is gone)."""
        self.fh.close()


class CappedGzip(io.RawIOBase):
    """Unpacks gzip from ``packed`` (a :class:`HashingReader`) and stops at the limits."""

    def __init__(self, packed: HashingReader, name: str, limits: Limits):
        self.packed, self.name, self.limits = packed, name, limits
        self.gz = gzip.GzipFile(fileobj=packed, mode="rb")
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        try:
            data = self.gz.read(len(b))
        except (OSError, EOFError, zlib.error) as exc:
            raise ImportFileError(f"{self.name} is not a valid gzip file ({exc}); unpack it or fix the name") from None
        n = len(data)
        b[:n] = data
        self.count += n
        lim = self.limits
        if self.count > lim.max_unpacked:
            raise ImportLimitError(f"{self.name} unpacks to more than {lim.max_unpacked // MB} MB, the limit for a "
                                   f".gz import; unpack it yourself and import the plain file (or split it)")
        if self.count > lim.ratio_after and self.count > lim.max_ratio * max(self.packed.count, 1):
            raise ImportLimitError(
                f"{self.name} unpacks to more than {lim.max_ratio} times its packed size ({self.packed.count // MB} MB "
                f"became over {self.count // MB} MB before import stopped): that is a decompression bomb, not a list "
                f"of places; if the file is genuine, unpack it yourself and import the plain file")
        return n

    def close(self) -> None:
        self.gz.close()
        super().close()


def open_bytes(path: Path, limits: Limits) -> tuple[io.BufferedReader, HashingReader]:
    """A buffered binary stream of the file's content (unpacked when it ends in .gz), and its raw hasher."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise ImportFileError(f"cannot read {path} ({exc.strerror}); check the path") from None
    raw = HashingReader(fh)  # release() it when done
    if path.name.lower().endswith(".gz"):
        return io.BufferedReader(CappedGzip(raw, path.name, limits), 256 * 1024), raw
    return io.BufferedReader(raw, 256 * 1024), raw


def read_whole(stream: io.BufferedReader, name: str, limits: Limits) -> bytes:
    """All of ``stream`` for a JSON file, refusing more than ``limits.max_json`` bytes."""
    data = stream.read(limits.max_json + 1)
    if len(data) > limits.max_json:
        raise ImportLimitError(f"{name} is over {limits.max_json // MB} MB of JSON, the most read in one import (JSON "
                               f"is parsed whole); split it into smaller files, or convert it to CSV")
    return data


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def check_depth(text: str, name: str, limit: int) -> None:
    """Refuse JSON nested deeper than ``limit`` (arrays and objects), before it is parsed."""
    if text.count("[") + text.count("{") <= limit:
        return
    depth = 0
    for m in _TOKENS.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, m.start()) + 1
                raise ImportLimitError(f"{name} nests arrays or objects more than {limit} levels deep (line {line}); "
                                       f"no list of places needs that: check the file is the export you meant")
        elif c in "]}":
            depth -= 1
