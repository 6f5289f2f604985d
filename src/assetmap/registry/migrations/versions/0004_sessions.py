"""Server-side sessions and login throttling for curator accounts.

``session_version`` is part of every session cookie of the user; logging out, deactivating,
changing the role or the password increments it, which ends every existing session (a cookie
made before never works again, even after reactivation). ``failed_logins`` and ``locked_until``
count failed password attempts in the database, so the per-account throttle holds across
workers and servers.

Revision ID: 0004_sessions
Revises: 0003_import_jobs
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_sessions"
down_revision = "0003_import_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("session_version")
