"""Group queues: a task whose one candidate is a group names it in ``tasks.queue``
(permissions.queue_of), and a partial index keeps each queue's waiting tasks in the inbox's
order, so that an inbox page is a few short index ranges instead of a sort of every candidate
row that fits (2,000 per user at 1,000,000 tasks over 500 org units: bench/RESULTS.md, inbox).
The tasks already there join their queues.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

WAITING_IN_QUEUE = sa.text("state = 'open' AND assignee_id IS NULL AND queue IS NOT NULL")
UNQUEUED = sa.text('NOT queued')
CANDIDATES = sa.table('task_candidates', sa.column('task_id'), sa.column('role'), sa.column('org_unit_id'),
                      sa.column('user_id'), sa.column('queued', sa.Boolean))
# a queue's waiting tasks in the inbox's order, and for its category and district filters
QUEUE_INDEXES = {'ix_tasks_queue_order': [], 'ix_tasks_queue_category': ['category'],
                 'ix_tasks_queue_district': ['district']}
TASKS = sa.table('tasks', sa.column('id'), sa.column('queue'))


def upgrade() -> None:
    op.add_column('tasks', sa.Column('queue', sa.String(length=48), nullable=True))
    op.add_column('task_candidates', sa.Column('queued', sa.Boolean(), nullable=False, server_default=sa.false()))
    _join_queues()
    for name, column in QUEUE_INDEXES.items():
        op.create_index(name, 'tasks', ['queue', *column, sa.text('priority DESC'), sa.text('(due_at IS NULL)'),
                                        'due_at', 'id'],
                        postgresql_where=WAITING_IN_QUEUE, sqlite_where=WAITING_IN_QUEUE)
    op.create_index('ix_task_candidates_unqueued', 'task_candidates', ['role', 'org_unit_id', 'task_id'],
                    postgresql_where=UNQUEUED, sqlite_where=UNQUEUED)


def _join_queues() -> None:
    """The same rule as permissions.queue_of, in SQL: one candidate row, and a group."""
    c = CANDIDATES.c
    single = sa.select(c.task_id).group_by(c.task_id).having(sa.func.count() == 1)
    op.execute(CANDIDATES.update().where(c.user_id.is_(None), sa.or_(c.role.is_not(None), c.org_unit_id.is_not(None)),
                                         c.task_id.in_(single)).values(queued=True))
    key = (sa.func.coalesce(c.role, '') + '@'
           + sa.func.coalesce(sa.cast(c.org_unit_id, sa.String), ''))
    sole = sa.select(key).where(c.task_id == TASKS.c.id, c.queued.is_(True)).scalar_subquery()
    queued = sa.select(c.task_id).where(c.queued.is_(True))
    op.execute(TASKS.update().where(TASKS.c.id.in_(queued)).values(queue=sole))


def downgrade() -> None:
    op.drop_index('ix_task_candidates_unqueued', table_name='task_candidates')
    for name in QUEUE_INDEXES:
        op.drop_index(name, table_name='tasks')
    op.drop_column('task_candidates', 'queued')
    op.drop_column('tasks', 'queue')
