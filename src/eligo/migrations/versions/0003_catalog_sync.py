"""catalog sync: runs, quarantined rows, leases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from eligo.db.types import JsonType, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_products", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_products_valid_from", ["valid_from"], unique=False)
    op.create_table(
        "catalog_sync_runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("feed", sa.String(500), nullable=False),
        sa.Column("etag", sa.String(200), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("feed_version", sa.String(100), nullable=True),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("list_version", sa.Integer(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("status_changed", sa.Integer(), nullable=False),
        sa.Column("renamed", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("bad_share", sa.Float(), nullable=False),
        sa.Column("removed_share", sa.Float(), nullable=False),
        sa.Column("durations", JsonType, nullable=False),
        sa.Column("detail", JsonType, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_sync_runs")),
    )
    with op.batch_alter_table("catalog_sync_runs", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_sync_runs_started", ["started_at"], unique=False)
    op.create_table(
        "catalog_quarantined_rows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("raw", sa.String(400), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["catalog_sync_runs.id"],
            name=op.f("fk_catalog_quarantined_rows_run_id_catalog_sync_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_quarantined_rows")),
    )
    with op.batch_alter_table("catalog_quarantined_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_quarantined_rows_run", ["run_id", "line_no"], unique=False
        )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("acquired_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.execute("INSERT INTO leases (name) VALUES ('catalog_sync')")


def downgrade() -> None:
    op.drop_table("leases")
    with op.batch_alter_table("catalog_quarantined_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_quarantined_rows_run")
    op.drop_table("catalog_quarantined_rows")
    with op.batch_alter_table("catalog_sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_sync_runs_started")
    op.drop_table("catalog_sync_runs")
    with op.batch_alter_table("catalog_products", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_products_valid_from")
