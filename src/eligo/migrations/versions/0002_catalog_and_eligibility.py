"""catalog and eligibility

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:52:39.341055
"""

import sqlalchemy as sa
from alembic import op

from eligo.db.types import JsonType, UtcDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_list_versions',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('based_on', sa.Integer(), nullable=True),
    sa.Column('product_count', sa.Integer(), nullable=False),
    sa.Column('summary', JsonType, nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('activated_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_list_versions'))
    )
    op.create_table('catalog_products',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('source_updated_at', UtcDateTime(), nullable=True),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_products'))
    )
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_products_gtin_from', ['gtin', 'valid_from'], unique=False)
        batch_op.create_index('ix_catalog_products_valid_to', ['valid_to'], unique=False)

    op.create_table('catalog_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('active_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_state'))
    )
    op.execute("INSERT INTO catalog_state (id, active_version, updated_at) VALUES (1, 0, CURRENT_TIMESTAMP)")
    op.create_table('eligibility_reviews',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('match_key', sa.String(length=600), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=True),
    sa.Column('predicted_status', sa.String(length=20), nullable=False),
    sa.Column('predicted_category', sa.String(length=100), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('model_version', sa.String(length=100), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reviewed_status', sa.String(length=20), nullable=True),
    sa.Column('reviewed_category', sa.String(length=100), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('last_seen_at', UtcDateTime(), nullable=False),
    sa.Column('reviewed_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_eligibility_reviews_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_reviews'))
    )
    with op.batch_alter_table('eligibility_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_eligibility_reviews_queue', ['tenant_id', 'state', 'priority'], unique=False)
        batch_op.create_index('uq_eligibility_reviews_tenant_key', ['tenant_id', 'match_key'], unique=True)

    op.create_table('eligibility_tenant_decisions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('match_key', sa.String(length=600), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('review_id', sa.String(length=32), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_eligibility_tenant_decisions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_tenant_decisions'))
    )
    with op.batch_alter_table('eligibility_tenant_decisions', schema=None) as batch_op:
        batch_op.create_index('uq_eligibility_tenant_decisions_key', ['tenant_id', 'match_key'], unique=True)

    op.create_table('merchant_items',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=32), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('status_source', sa.String(length=20), nullable=True),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_merchant_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_items'))
    )
    with op.batch_alter_table('merchant_items', schema=None) as batch_op:
        batch_op.create_index('ix_merchant_items_gtin_tenant', ['gtin', 'tenant_id'], unique=False)
        batch_op.create_index('uq_merchant_items_tenant_sku', ['tenant_id', 'sku'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('merchant_items', schema=None) as batch_op:
        batch_op.drop_index('uq_merchant_items_tenant_sku')
        batch_op.drop_index('ix_merchant_items_gtin_tenant')

    op.drop_table('merchant_items')
    with op.batch_alter_table('eligibility_tenant_decisions', schema=None) as batch_op:
        batch_op.drop_index('uq_eligibility_tenant_decisions_key')

    op.drop_table('eligibility_tenant_decisions')
    with op.batch_alter_table('eligibility_reviews', schema=None) as batch_op:
        batch_op.drop_index('uq_eligibility_reviews_tenant_key')
        batch_op.drop_index('ix_eligibility_reviews_queue')

    op.drop_table('eligibility_reviews')
    op.drop_table('catalog_state')
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_products_valid_to')
        batch_op.drop_index('ix_catalog_products_gtin_from')

    op.drop_table('catalog_products')
    op.drop_table('catalog_list_versions')
