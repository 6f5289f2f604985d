"""The curated registry: assets, import batches, quarantine, suggestions, problem reports, users, audit log.

On PostgreSQL with PostGIS available, ``curated_asset.geom`` is a ``geometry(Point,4326)`` column
generated from lon/lat (so always in sync) with a GiST index; everything else is the same on both
backends and the plain lat/lon columns are the source of truth.

Revision ID: 0001
Revises:
Create Date: 2025-06-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        _ts("started_at"),
        _ts("finished_at", True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_index(op.f("ix_import_batch_source"), "import_batch", ["source"])

    op.create_table(
        "curated_asset",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("postcode", sa.String(8), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("located_by", sa.String(16), nullable=False),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("opening_hours", sa.String(500), nullable=True),
        sa.Column("wheelchair", sa.String(8), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=True),
        sa.Column("area", sa.String(64), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curated_asset")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_curated_asset_source_source_id")),
        sa.CheckConstraint("status IN ('published', 'hidden')", name=op.f("ck_curated_asset_status")),
        sa.CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180",
                           name=op.f("ck_curated_asset_coordinates")),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], ondelete="SET NULL",
                                name=op.f("fk_curated_asset_batch_id_import_batch")),
    )
    op.create_index(op.f("ix_curated_asset_category"), "curated_asset", ["category"])
    op.create_index(op.f("ix_curated_asset_last_verified"), "curated_asset", ["last_verified"])

    op.create_table(
        "quarantine_row",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("original_json", sa.Text(), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.Column("reasons_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("asset_id", sa.String(36), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine_row")),
        sa.CheckConstraint("status IN ('open', 'resubmitted', 'discarded')", name=op.f("ck_quarantine_row_status")),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], ondelete="CASCADE",
                                name=op.f("fk_quarantine_row_batch_id_import_batch")),
        sa.ForeignKeyConstraint(["asset_id"], ["curated_asset.id"], ondelete="SET NULL",
                                name=op.f("fk_quarantine_row_asset_id_curated_asset")),
    )
    op.create_index(op.f("ix_quarantine_row_batch_id"), "quarantine_row", ["batch_id"])
    op.create_index(op.f("ix_quarantine_row_source_fingerprint"), "quarantine_row", ["source", "fingerprint"])

    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=True),
        _ts("created_at"),
        _ts("decided_at", True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("asset_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f("ck_suggestion_status")),
        sa.ForeignKeyConstraint(["asset_id"], ["curated_asset.id"], ondelete="SET NULL",
                                name=op.f("fk_suggestion_asset_id_curated_asset")),
    )
    op.create_index(op.f("ix_suggestion_status"), "suggestion", ["status"])

    op.create_table(
        "problem_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("asset_id", sa.String(36), nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=True),
        _ts("created_at"),
        _ts("resolved_at", True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_report")),
        sa.CheckConstraint("topic IN ('closed', 'moved', 'details_wrong', 'other')", name=op.f("ck_problem_report_topic")),
        sa.CheckConstraint("status IN ('open', 'resolved', 'dismissed')", name=op.f("ck_problem_report_status")),
        sa.ForeignKeyConstraint(["asset_id"], ["curated_asset.id"], ondelete="CASCADE",
                                name=op.f("fk_problem_report_asset_id_curated_asset")),
    )
    op.create_index(op.f("ix_problem_report_asset_id"), "problem_report", ["asset_id"])

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("last_login_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
        sa.CheckConstraint("role IN ('admin', 'moderator')", name=op.f("ck_user_role")),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _ts("at"),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_record"), "audit_log", ["table_name", "record_id"])

    _postgis_geometry()


def _postgis_geometry() -> None:
    """On PostgreSQL with PostGIS installable, a generated geometry column beside lat/lon."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    have = bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").scalar()
    if not have:
        if not bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").scalar():
            return
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        except sa.exc.DBAPIError:  # no privilege: plain lat/lon only
            return
    op.execute("ALTER TABLE curated_asset ADD COLUMN geom geometry(Point, 4326) "
               "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED")
    op.execute("CREATE INDEX ix_curated_asset_geom ON curated_asset USING gist (geom)")


def downgrade() -> None:
    for table in ("audit_log", "user", "problem_report", "suggestion", "quarantine_row", "curated_asset", "import_batch"):
        op.drop_table(table)
