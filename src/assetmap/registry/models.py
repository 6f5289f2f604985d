"""The registry's tables as typed SQLAlchemy 2 models.

The schema itself is created by the Alembic migrations in ``migrations/versions``; a test checks
that these models and the migrated schema agree. JSON payloads (original rows, reasons, audit
snapshots) are stored as JSON *text* (ASCII-escaped), identical on SQLite and PostgreSQL and able
to hold any string a file contained, NUL included; bytes that were not UTF-8 are kept as visible
``\\xff`` escapes (see :func:`displayable`), so every payload can be shown on a page.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ASSET_STATUSES = ("published", "hidden")
QUARANTINE_STATUSES = ("open", "resubmitted", "discarded")
SUGGESTION_STATUSES = ("pending", "approved", "rejected")
PROBLEM_TOPICS = ("closed", "moved", "details_wrong", "other")
PROBLEM_STATUSES = ("open", "resolved", "dismissed")
ROLES = ("admin", "moderator")
JOB_STATUSES = ("queued", "checking", "saving", "done", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _mark(m: re.Match, replacement: str | None) -> str:
    c = ord(m.group())
    if replacement is not None:
        return replacement
    return f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}"


def displayable(value: Any, replacement: str | None = None) -> Any:
    """``value`` with every lone surrogate (a byte that was not UTF-8, kept by ``surrogateescape``, or a
    JSON ``\\udXXX`` escape) made printable: as the text ``\\xff`` / ``\\ud800``, or as ``replacement``
    (e.g. U+FFFD). Lone surrogates cannot be encoded, so a page showing one would fail."""
    if isinstance(value, str):
        return _SURROGATES.sub(lambda m: _mark(m, replacement), value) if _SURROGATES.search(value) else value
    if isinstance(value, dict):
        return {displayable(k, replacement): displayable(v, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [displayable(v, replacement) for v in value]
    return value


def dumps(value: Any, sort_keys: bool = True) -> str:
    """JSON text for a payload column (ASCII-escaped; dates as ISO strings; lone surrogates made
    displayable, see :func:`displayable`)."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=sort_keys, default=str)
    if "\\ud" in text:  # maybe a lone surrogate (ASCII-escaped): store it displayably
        text = json.dumps(displayable(value), ensure_ascii=True, sort_keys=sort_keys, default=str)
    return text


def loads(text: str | None) -> Any:
    """The payload; lone surrogates stored before they were escaped are escaped as read."""
    if text is None:
        return None
    value = json.loads(text)
    return displayable(value) if "\\ud" in text else value


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CuratedAsset(Base):
    """A curated place: also an HSDS location where services run (see :mod:`.models_services`)."""

    __tablename__ = "curated_asset"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_curated_asset_source_source_id"),
        CheckConstraint(_in("status", ASSET_STATUSES), name="status"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
        Index("ix_curated_asset_category", "category"),
        Index("ix_curated_asset_last_verified", "last_verified"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(8))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    located_by: Mapped[str] = mapped_column(String(16))  # "coordinates" or "postcode"
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    wheelchair: Mapped[str | None] = mapped_column(String(8))
    # the asset as an HSDS location (migration 0005_hsds_services): accessibility, and the location
    # record's fields that have no column here (``extra_json``), kept for a lossless export
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    accessible_toilet: Mapped[bool | None] = mapped_column(Boolean)
    hearing_loop: Mapped[bool | None] = mapped_column(Boolean)
    extra_json: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="published")
    last_verified: Mapped[date | None] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImportBatch(Base):
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    user: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    report_json: Mapped[str | None] = mapped_column(Text)


class ImportJob(Base):
    """An import run in the background (see :mod:`.jobs`): its progress, readable by any worker."""

    __tablename__ = "import_job"
    __table_args__ = (CheckConstraint(_in("status", JOB_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    source: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))
    format: Mapped[str | None] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(64))
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[str] = mapped_column(String(100))
    worker: Mapped[str | None] = mapped_column(String(200))  # host:pid:start of the process running it
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    rows_saved: Mapped[int] = mapped_column(Integer, default=0)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    report_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def report(self) -> dict | None:
        return loads(self.report_json)


class QuarantineRow(Base):
    __tablename__ = "quarantine_row"
    __table_args__ = (
        CheckConstraint(_in("status", QUARANTINE_STATUSES), name="status"),
        Index("ix_quarantine_row_source_fingerprint", "source", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    row_number: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of original_json: one open row per original
    original_json: Mapped[str] = mapped_column(Text)  # the row exactly as read, never edited
    values_json: Mapped[str] = mapped_column(Text)  # the row as assetmap fields; a curator edits these
    reasons_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("curated_asset.id", ondelete="SET NULL"))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def original(self) -> dict:
        return loads(self.original_json)

    @property
    def values(self) -> dict:
        """The editable fields; a lone surrogate stored before they were escaped reads as U+FFFD, which
        validation refuses, so such a row is released only once its text is retyped."""
        return displayable(json.loads(self.values_json), "\ufffd")

    @property
    def reasons(self) -> list[str]:
        return loads(self.reasons_json)


class Suggestion(Base):
    __tablename__ = "suggestion"
    __table_args__ = (CheckConstraint(_in("status", SUGGESTION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    fields_json: Mapped[str] = mapped_column(Text)
    client_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str | None] = mapped_column(Text)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("curated_asset.id", ondelete="SET NULL"))

    @property
    def fields(self) -> dict:
        return loads(self.fields_json)


class ProblemReport(Base):
    __tablename__ = "problem_report"
    __table_args__ = (
        CheckConstraint(_in("topic", PROBLEM_TOPICS), name="topic"),
        CheckConstraint(_in("status", PROBLEM_STATUSES), name="status"),
        CheckConstraint("asset_id IS NOT NULL OR map_asset_id IS NOT NULL", name="place"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # a registry asset, or a place of a built area (OSM or a curated file) as the public saw it
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("curated_asset.id", ondelete="CASCADE"), index=True)
    area: Mapped[str | None] = mapped_column(String(64))
    map_asset_id: Mapped[str | None] = mapped_column(String(100), index=True)
    place_name: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    client_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class User(Base):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # sessions and login throttling (migration 0004_sessions): bumping session_version ends every
    # session of the user; failed_logins and locked_until throttle password guessing across workers
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    who: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)

    @property
    def before(self) -> dict | None:
        return loads(self.before_json)

    @property
    def after(self) -> dict | None:
        return loads(self.after_json)
