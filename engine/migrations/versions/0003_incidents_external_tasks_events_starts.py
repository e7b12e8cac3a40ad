"""incidents external tasks events process starts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('timer', sa.String(length=200), nullable=True),
    sa.Column('next_fire_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fires_left', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_process_starts_definition_id_process_definitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_starts'))
    )
    with op.batch_alter_table('process_starts', schema=None) as batch_op:
        batch_op.create_index('ix_process_starts_due', ['kind', 'state', 'next_fire_at'], unique=False)
        batch_op.create_index('ix_process_starts_name', ['kind', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_starts_process_key'), ['process_key'], unique=False)

    op.create_table('event_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_event_subscriptions_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_subscriptions'))
    )
    with op.batch_alter_table('event_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_subscriptions_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_event_subscriptions_name', ['kind', 'name'], unique=False)

    op.create_table('external_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('topic', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('lock_owner', sa.String(length=128), nullable=True),
    sa.Column('lock_expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('retries', sa.Integer(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_external_tasks_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_tasks'))
    )
    with op.batch_alter_table('external_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_external_tasks_case_state', ['case_id', 'state'], unique=False)
        batch_op.create_index('ix_external_tasks_fetch', ['topic', 'state', 'lock_expires_at'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('external_task_id', sa.Integer(), nullable=True),
    sa.Column('timer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_incidents_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['external_task_id'], ['external_tasks.id'], name=op.f('fk_incidents_external_task_id_external_tasks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_incidents_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['timer_id'], ['timers.id'], name=op.f('fk_incidents_timer_id_timers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_case_open', ['case_id', 'resolved_at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_key', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('parent_case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_spiff_task_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_business_key'), ['business_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_parent_case_id'), ['parent_case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_parent_case_id_cases'), 'cases', ['parent_case_id'], ['id'])

    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_task_candidates_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_task_candidates_user_id_users'), 'users', ['user_id'], ['id'])

    roles = sa.table("roles", sa.column("name"), sa.column("label_zh"), sa.column("label_en"))
    op.bulk_insert(roles, [{"name": "worker", "label_zh": "外部任务执行程序", "label_en": "Worker (machine client)"}])



def downgrade() -> None:
    op.execute("DELETE FROM user_roles WHERE role = 'worker'")
    op.execute("DELETE FROM roles WHERE name = 'worker'")
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_task_candidates_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_task_candidates_user_id'))
        batch_op.drop_column('user_id')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_parent_case_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_parent_case_id'))
        batch_op.drop_index(batch_op.f('ix_cases_business_key'))
        batch_op.drop_column('parent_spiff_task_id')
        batch_op.drop_column('parent_case_id')
        batch_op.drop_column('business_key')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_case_open')

    op.drop_table('incidents')
    with op.batch_alter_table('external_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_external_tasks_fetch')
        batch_op.drop_index('ix_external_tasks_case_state')

    op.drop_table('external_tasks')
    with op.batch_alter_table('event_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_event_subscriptions_name')
        batch_op.drop_index(batch_op.f('ix_event_subscriptions_case_id'))

    op.drop_table('event_subscriptions')
    with op.batch_alter_table('process_starts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_starts_process_key'))
        batch_op.drop_index('ix_process_starts_name')
        batch_op.drop_index('ix_process_starts_due')

    op.drop_table('process_starts')
