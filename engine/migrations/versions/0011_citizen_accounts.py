"""citizen accounts: self-registration by phone (verification codes), enterprise accounts with
their 统一社会信用代码, and the large-text mode remembered per user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('account_kind', sa.String(length=16), server_default='personal', nullable=False))
        batch.add_column(sa.Column('organisation', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('credit_code', sa.String(length=18), nullable=True))
        batch.add_column(sa.Column('large_text', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('verification_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_codes'))
    )
    op.create_index('ix_verification_codes_phone', 'verification_codes', ['phone', 'created_at'], unique=False)
    op.create_index('ix_verification_codes_address', 'verification_codes', ['address', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_verification_codes_address', table_name='verification_codes')
    op.drop_index('ix_verification_codes_phone', table_name='verification_codes')
    op.drop_table('verification_codes')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('large_text')
        batch.drop_column('credit_code')
        batch.drop_column('organisation')
        batch.drop_column('account_kind')
