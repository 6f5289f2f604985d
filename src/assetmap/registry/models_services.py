"""The registry's Open Referral (HSDS 3.0 / ORUK) tables: organisations, services, services at
locations and schedules (migration ``0005_hsds_services``).

A *location* is a curated asset (:class:`~.models.CuratedAsset`: a place with a point, its
accessibility in ``step_free``, ``accessible_toilet`` and ``hearing_loop``). A *service* (an
activity, group or session) is run by an organisation, at one or more locations
(``service_at_location``), or across the area with no location at all (``area_wide``). A schedule
belongs to a service or to one service at a location. Every table keeps the fields of the HSDS
record as given in ``extra_json`` (with the columns as read from it), so an import exports back
unchanged, apart from what curators have changed since.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import ASSET_STATUSES, Base, _in, loads, utcnow

ACCESS = ("drop_in", "self_referral", "referral", "appointment")
FREQUENCIES = ("WEEKLY", "MONTHLY")


class Organization(Base):
    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_organization_source_source_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    extra_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def extra(self) -> dict:
        """The HSDS record as the feed gave it (``{}`` for a record made here)."""
        return (loads(self.extra_json) or {}).get("hsds", {})


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_service_source_source_id"),
        CheckConstraint(_in("status", ASSET_STATUSES), name="status"),
        CheckConstraint("access IS NULL OR " + _in("access", ACCESS), name="access"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(100))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64), index=True)
    cost: Mapped[str | None] = mapped_column(String(300))  # "free" when free
    eligibility: Mapped[str | None] = mapped_column(Text)
    access: Mapped[str | None] = mapped_column(String(16))  # one of ACCESS
    contact_name: Mapped[str | None] = mapped_column(String(200))
    languages: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="published")
    area_wide: Mapped[bool] = mapped_column(Boolean, default=False)
    area: Mapped[str | None] = mapped_column(String(64))
    last_verified: Mapped[date | None] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"))
    extra_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def extra(self) -> dict:
        """The HSDS record as the feed gave it (``{}`` for a record made here)."""
        return (loads(self.extra_json) or {}).get("hsds", {})


class ServiceAtLocation(Base):
    """A service at a location. ``asset_id`` is the location (a curated asset); a location the
    import could not place keeps its HSDS record in ``location_json`` (and no asset)."""

    __tablename__ = "service_at_location"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("curated_asset.id", ondelete="SET NULL"), index=True)
    source_id: Mapped[str | None] = mapped_column(String(100))
    location_json: Mapped[str | None] = mapped_column(Text)
    extra_json: Mapped[str | None] = mapped_column(Text)

    @property
    def extra(self) -> dict:
        """The HSDS record as the feed gave it (``{}`` for a record made here)."""
        return (loads(self.extra_json) or {}).get("hsds", {})


class Schedule(Base):
    """An HSDS 3.0 schedule (RFC 5545-style rule) of a service or of a service at a location."""

    __tablename__ = "schedule"
    __table_args__ = (
        CheckConstraint("service_id IS NOT NULL OR service_at_location_id IS NOT NULL", name="link"),
        CheckConstraint("freq IS NULL OR " + _in("freq", FREQUENCIES), name="freq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str | None] = mapped_column(String(100))
    freq: Mapped[str | None] = mapped_column(String(8))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(100))
    bymonthday: Mapped[str | None] = mapped_column(String(100))
    opens_at: Mapped[str | None] = mapped_column(String(8))  # HH:MM
    closes_at: Mapped[str | None] = mapped_column(String(8))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    extra_json: Mapped[str | None] = mapped_column(Text)

    @property
    def extra(self) -> dict:
        """The HSDS record as the feed gave it (``{}`` for a record made here)."""
        return (loads(self.extra_json) or {}).get("hsds", {})
