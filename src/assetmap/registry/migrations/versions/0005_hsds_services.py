"""Open Referral (HSDS 3.0 / ORUK): organisations, services, services at locations and schedules.

Today's curated assets are the locations: each keeps its row and gains accessibility
(``step_free``, ``accessible_toilet``, ``hearing_loop``: unknown until set) and ``extra_json``
(an imported HSDS location's other fields). A service runs at locations through
``service_at_location`` or, with none, across its area (``area_wide``); schedules hang off a
service or a service at a location.

Revision ID: 0005_hsds_services
Revises: 0004_sessions
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_hsds_services"
down_revision = "0004_sessions"
branch_labels = None
depends_on = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _stamps() -> list:
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    with op.batch_alter_table("curated_asset") as batch:  # ADD COLUMN only: no table rebuild on SQLite
        for col in ("step_free", "accessible_toilet", "hearing_loop"):
            batch.add_column(sa.Column(col, sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("extra_json", sa.Text(), nullable=True))
    op.create_table(
        "organization",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("extra_json", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("source", "source_id", name="uq_organization_source_source_id"),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("organization_id", sa.String(36), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("cost", sa.String(300), nullable=True),
        sa.Column("eligibility", sa.Text(), nullable=True),
        sa.Column("access", sa.String(16), nullable=True),
        sa.Column("contact_name", sa.String(200), nullable=True),
        sa.Column("languages", sa.String(300), nullable=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("area_wide", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("area", sa.String(64), nullable=True),
        sa.Column("last_verified", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("extra_json", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("source", "source_id", name="uq_service_source_source_id"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="SET NULL",
                                name=op.f("fk_service_organization_id_organization")),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], ondelete="SET NULL",
                                name=op.f("fk_service_batch_id_import_batch")),
        sa.CheckConstraint(_in("status", ("published", "hidden")), name=op.f("ck_service_status")),
        sa.CheckConstraint("access IS NULL OR " + _in("access", ("drop_in", "self_referral", "referral",
                                                                 "appointment")), name=op.f("ck_service_access")),
    )
    op.create_index(op.f("ix_service_organization_id"), "service", ["organization_id"])
    op.create_index(op.f("ix_service_category"), "service", ["category"])
    _links()


def _links() -> None:
    """The tables that link services to locations and times."""
    op.create_table(
        "service_at_location",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("service_id", sa.String(36), nullable=False),
        sa.Column("asset_id", sa.String(36), nullable=True),
        sa.Column("source_id", sa.String(100), nullable=True),
        sa.Column("location_json", sa.Text(), nullable=True),
        sa.Column("extra_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_at_location")),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_service_at_location_service_id_service")),
        sa.ForeignKeyConstraint(["asset_id"], ["curated_asset.id"], ondelete="SET NULL",
                                name=op.f("fk_service_at_location_asset_id_curated_asset")),
    )
    op.create_index(op.f("ix_service_at_location_service_id"), "service_at_location", ["service_id"])
    op.create_index(op.f("ix_service_at_location_asset_id"), "service_at_location", ["asset_id"])
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(36), nullable=True),
        sa.Column("service_at_location_id", sa.String(36), nullable=True),
        sa.Column("source_id", sa.String(100), nullable=True),
        sa.Column("freq", sa.String(8), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("byday", sa.String(100), nullable=True),
        sa.Column("bymonthday", sa.String(100), nullable=True),
        sa.Column("opens_at", sa.String(8), nullable=True),
        sa.Column("closes_at", sa.String(8), nullable=True),
        *[sa.Column(c, sa.Date(), nullable=True) for c in ("valid_from", "valid_to", "dtstart", "until")],
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extra_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_service_id_service")),
        sa.ForeignKeyConstraint(["service_at_location_id"], ["service_at_location.id"], ondelete="CASCADE",
                                name=op.f("fk_schedule_service_at_location_id_service_at_location")),
        sa.CheckConstraint("service_id IS NOT NULL OR service_at_location_id IS NOT NULL",
                           name=op.f("ck_schedule_link")),
        sa.CheckConstraint("freq IS NULL OR " + _in("freq", ("WEEKLY", "MONTHLY")), name=op.f("ck_schedule_freq")),
    )
    op.create_index(op.f("ix_schedule_service_id"), "schedule", ["service_id"])
    op.create_index(op.f("ix_schedule_service_at_location_id"), "schedule", ["service_at_location_id"])


def downgrade() -> None:
    for table in ("schedule", "service_at_location", "service", "organization"):
        op.drop_table(table)
    # native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of curated_asset would run its
    # foreign keys' ON DELETE actions on SQLite and delete the problem reports
    for col in ("extra_json", "hearing_loop", "accessible_toilet", "step_free"):
        op.execute(f"ALTER TABLE curated_asset DROP COLUMN {col}")
