"""One error hierarchy for assetmap.

Every message names the problem *and* how to fix it, so that a curator or a planner reading
it in a terminal or on a page knows what to change.
"""
from __future__ import annotations


class AssetmapError(Exception):
    """Base class of every error assetmap raises on purpose."""


class ConfigError(AssetmapError):
    """An area or source configuration is missing, malformed or inconsistent."""


class DataSourceError(AssetmapError):
    """A source file is missing, unreadable, or lacks the columns its mapping names."""


class FetchError(DataSourceError):
    """A source could not be downloaded."""


class BuildError(AssetmapError):
    """The pipeline produced something it must not publish (e.g. no neighbourhoods)."""


class ResultsError(AssetmapError):
    """A build directory is missing or incomplete."""


class PostcodeError(AssetmapError, ValueError):
    """Base for postcode problems; ``status`` is the HTTP status a web view should use."""

    status = 400


class MalformedPostcodeError(PostcodeError):
    status = 400


class UnknownPostcodeError(PostcodeError):
    status = 404


class OutsideMappedAreaError(UnknownPostcodeError):
    """A real postcode in one of an area's districts, but outside the part its extract maps;
    ``outside`` says where (area slug and name, district, neighbourhood code and name)."""

    def __init__(self, message: str, outside: dict):
        super().__init__(message)
        self.outside = outside


class RegistryError(AssetmapError):
    """The curated registry database refused an operation (bad input, missing record, wrong state)."""


class DatabaseError(RegistryError):
    """The registry database cannot be reached, or its schema is not at the current revision."""


class ImportFileError(RegistryError, DataSourceError):
    """A whole import file was refused (unreadable, wrong encoding, wrong shape) before any row was stored."""


class RowValidationError(RegistryError, ValueError):
    """A record (suggestion, quarantined row) failed validation; ``reasons`` lists every problem."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons) or "invalid record")
