"""Problem reports about any place on the map, not only registry assets.

Most places on the map come from OpenStreetMap or a curated file, not from the registry, and a
report that one of them has closed matters as much. A report now names either a registry asset
(``asset_id``) or a place of a built area (``area`` + ``map_asset_id``, with ``place_name`` as
the public saw it); at least one of the two.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("problem_report") as batch:
        batch.alter_column("asset_id", existing_type=sa.String(36), nullable=True)
        batch.add_column(sa.Column("area", sa.String(64), nullable=True))
        batch.add_column(sa.Column("map_asset_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("place_name", sa.String(200), nullable=True))
        batch.create_check_constraint("place", "asset_id IS NOT NULL OR map_asset_id IS NOT NULL")
        batch.create_index(batch.f("ix_problem_report_map_asset_id"), ["map_asset_id"])


def downgrade() -> None:
    with op.batch_alter_table("problem_report") as batch:
        batch.drop_index(batch.f("ix_problem_report_map_asset_id"))
        batch.drop_constraint("ck_problem_report_place", type_="check")
        batch.drop_column("place_name")
        batch.drop_column("map_asset_id")
        batch.drop_column("area")
        batch.alter_column("asset_id", existing_type=sa.String(36), nullable=False)
