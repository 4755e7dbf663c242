"""mlops: model alias events, drift windows, review dataset versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from eligo.db.types import JsonType, UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mlops_model_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("alias", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("previous_version", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("gate", JsonType, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mlops_model_events")),
    )
    op.create_index(
        "ix_mlops_model_events_model",
        "mlops_model_events",
        ["model_name", "alias", "created_at"],
    )
    op.create_table(
        "mlops_drift_windows",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("stats", JsonType, nullable=False),
        sa.Column("drift", sa.Boolean(), nullable=False),
        sa.Column("reasons", JsonType, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mlops_drift_windows")),
    )
    op.create_index(
        "ix_mlops_drift_windows_model", "mlops_drift_windows", ["model_name", "ended_at"]
    )
    op.create_table(
        "mlops_review_datasets",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("statuses", JsonType, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_mlops_review_datasets")),
    )


def downgrade() -> None:
    op.drop_table("mlops_review_datasets")
    op.drop_index("ix_mlops_drift_windows_model", table_name="mlops_drift_windows")
    op.drop_table("mlops_drift_windows")
    op.drop_index("ix_mlops_model_events_model", table_name="mlops_model_events")
    op.drop_table("mlops_model_events")
