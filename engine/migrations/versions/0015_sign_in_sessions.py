"""sign-in: the addresses each account signed in from (a lock on the account spares them), web
sessions kept server-side (signing out ends the cookie everywhere), and failures by address

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('last_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                            name=op.f('fk_sign_in_addresses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_addresses')),
    sa.UniqueConstraint('user_id', 'remote_addr', name=op.f('uq_sign_in_addresses_user_id_remote_addr'))
    )
    op.create_table('web_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                            name=op.f('fk_web_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions'))
    )
    op.create_index('ix_web_sessions_user', 'web_sessions', ['user_id', 'ended_at'], unique=False)
    op.create_index('ix_login_failures_remote_addr', 'login_failures', ['remote_addr', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failures_remote_addr', table_name='login_failures')
    op.drop_index('ix_web_sessions_user', table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_table('sign_in_addresses')
