"""平战切换 switches, leaders' subscription to the monthly supervision report, and attachments on
outbox messages (the report PDF goes out as one)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import engine.models.base

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('command_mode_switches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('scope_org_unit_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('switched_by_id', sa.Integer(), nullable=True),
    sa.Column('switched_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['scope_org_unit_id'], ['org_units.id'],
                            name=op.f('fk_command_mode_switches_scope_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['switched_by_id'], ['users.id'], ondelete='SET NULL',
                            name=op.f('fk_command_mode_switches_switched_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_mode_switches'))
    )
    op.create_index('ix_command_mode_switches_scope', 'command_mode_switches',
                    ['scope_org_unit_id', 'switched_at'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('monthly_report', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('attachments', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('attachments')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('monthly_report')
    op.drop_index('ix_command_mode_switches_scope', table_name='command_mode_switches')
    op.drop_table('command_mode_switches')
