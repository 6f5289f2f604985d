"""Import jobs: a large upload from the curator pages is imported in the background, and its
progress (rows read, accepted, quarantined; then saved) is kept in ``import_job`` so that any web
worker can show it. ``worker`` names the process running it (host, pid, start time), so a job
whose process died is shown as failed, not running for ever.

Revision ID: 0003_import_jobs
Revises: 0002
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_import_jobs"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = ("queued", "checking", "saving", "done", "failed")


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("format", sa.String(16), nullable=True),
        sa.Column("encoding", sa.String(32), nullable=True),
        sa.Column("area", sa.String(64), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("rows_saved", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("report_json", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], name=op.f("fk_import_job_batch_id_import_batch"),
                                ondelete="SET NULL"),
        sa.CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
                           name=op.f("ck_import_job_status")),
    )
    op.create_index(op.f("ix_import_job_status"), "import_job", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_import_job_status"), table_name="import_job")
    op.drop_table("import_job")
