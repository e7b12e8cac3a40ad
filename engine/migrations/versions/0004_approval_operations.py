"""approval operations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_case_copies_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_copies_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_case_copies_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_case_copies_task_id_tasks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_copies_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_copies'))
    )
    with op.batch_alter_table('case_copies', schema=None) as batch_op:
        batch_op.create_index('ix_case_copies_org_unit', ['org_unit_id', 'case_id'], unique=False)
        batch_op.create_index('ix_case_copies_user', ['user_id', 'case_id'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delegation', sa.String(length=16), nullable=True))
        # server defaults: the tasks already stored are plain steps with nothing drafted
        batch_op.add_column(sa.Column('draft', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                                      nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='step'))
        batch_op.add_column(sa.Column('acted_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('parent_task_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signer_position', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_tasks_parent_task_id'), ['parent_task_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tasks_owner_id_users'), 'users', ['owner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_tasks_parent_task_id_tasks'), 'tasks', ['parent_task_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_parent_task_id_tasks'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_tasks_owner_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tasks_parent_task_id'))
        batch_op.drop_column('signer_position')
        batch_op.drop_column('parent_task_id')
        batch_op.drop_column('acted_at')
        batch_op.drop_column('kind')
        batch_op.drop_column('draft')
        batch_op.drop_column('delegation')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('case_copies', schema=None) as batch_op:
        batch_op.drop_index('ix_case_copies_user')
        batch_op.drop_index('ix_case_copies_org_unit')

    op.drop_table('case_copies')
