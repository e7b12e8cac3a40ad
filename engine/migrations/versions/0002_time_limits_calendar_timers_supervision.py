"""time limits calendar timers supervision

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('periodic_runs',
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('ran_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('job', 'period', name=op.f('pk_periodic_runs'))
    )
    op.create_table('time_limits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('stage', sa.String(length=128), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('limit', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_limits')),
    sa.UniqueConstraint('process_key', 'stage', 'category', 'urgency', name=op.f('uq_time_limits_process_key_stage_category_urgency'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_calendar_years_confirmed_by_id_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('supervision_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_supervision_items_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_supervision_items_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_supervision_items_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_items'))
    )
    with op.batch_alter_table('supervision_items', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_board', ['org_unit_id', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_items_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_limit', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sla_started_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_s', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('due_provisional', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('sla_extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))

    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='{}'))

    op.create_table('case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('master_case_id', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_links_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['master_case_id'], ['cases.id'], name=op.f('fk_case_links_master_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_links_case_id'))
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_links_master_case_id'), ['master_case_id'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('lng', sa.Double(), nullable=True))

    _seed_calendar()


def _seed_calendar() -> None:
    """Official years from chinese-calendar, as rows admins can then edit."""
    from engine.calendar import known_years, official_days
    days = sa.table("calendar_days", sa.column("day", sa.Date), sa.column("working", sa.Boolean),
                    sa.column("note", sa.String), sa.column("source", sa.String))
    years = sa.table("calendar_years", sa.column("year", sa.Integer), sa.column("status", sa.String))
    rows = [{"day": d, "working": w, "note": "调休上班" if w else "法定节假日", "source": "official"}
            for y in known_years() for d, w in sorted(official_days(y).items())]
    op.bulk_insert(days, rows)
    op.bulk_insert(years, [{"year": y, "status": "confirmed"} for y in known_years()])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('lng')
        batch_op.drop_column('lat')
    op.drop_table('case_links')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_column('payload')
        batch_op.drop_column('last_error')

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('sla_extensions')
        batch_op.drop_column('due_provisional')
        batch_op.drop_column('paused_s')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('sla_started_at')
        batch_op.drop_column('sla_limit')

    with op.batch_alter_table('supervision_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_items_case_id'))
        batch_op.drop_index('ix_supervision_board')

    op.drop_table('supervision_items')
    op.drop_table('calendar_years')
    op.drop_table('time_limits')
    op.drop_table('periodic_runs')
    op.drop_table('calendar_days')
