"""one-thing bundles, and the item a multi-instance step works on

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bundles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.Column('loaded_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['users.id'], name=op.f('fk_bundles_loaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundles')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_bundles_key_version'))
    )
    op.create_index(op.f('ix_bundles_key'), 'bundles', ['key'], unique=False)
    op.create_index(op.f('ix_bundles_process_key'), 'bundles', ['process_key'], unique=False)
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('item', sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('item')
    op.drop_index(op.f('ix_bundles_process_key'), table_name='bundles')
    op.drop_index(op.f('ix_bundles_key'), table_name='bundles')
    op.drop_table('bundles')
