"""card_scans: scan queue rows and their encrypted images and results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from eligo.db.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_scans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.Column("has_back", sa.Boolean(), nullable=False),
        sa.Column("front_bytes", sa.Integer(), nullable=False),
        sa.Column("back_bytes", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.String(length=300), nullable=True),
        sa.Column("card_detected", sa.Boolean(), nullable=True),
        sa.Column("field_count", sa.Integer(), nullable=True),
        sa.Column("low_confidence_count", sa.Integer(), nullable=True),
        sa.Column("scan_ms", sa.Float(), nullable=True),
        sa.Column("images_purged_at", UtcDateTime(), nullable=True),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_card_scans_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_scans")),
    )
    op.create_index("ix_card_scans_tenant_created", "card_scans", ["tenant_id", "created_at"])
    op.create_index("ix_card_scans_status_lease", "card_scans", ["status", "lease_until"])
    op.create_index(
        "ix_card_scans_images_created", "card_scans", ["images_purged_at", "created_at"]
    )
    op.create_table(
        "card_scan_blobs",
        sa.Column("scan_id", sa.String(length=32), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["card_scans.id"], name=op.f("fk_card_scan_blobs_scan_id_card_scans")
        ),
        sa.PrimaryKeyConstraint("scan_id", "part", name=op.f("pk_card_scan_blobs")),
    )


def downgrade() -> None:
    op.drop_table("card_scan_blobs")
    op.drop_index("ix_card_scans_images_created", table_name="card_scans")
    op.drop_index("ix_card_scans_status_lease", table_name="card_scans")
    op.drop_index("ix_card_scans_tenant_created", table_name="card_scans")
    op.drop_table("card_scans")
