"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

# A copy, not an import: a migration must not change when the code's role list later does.
ROLES = {
    "citizen": ("市民/企业", "Citizen"),
    "operator": ("话务员/受理员", "Operator"),
    "dispatcher": ("分拨员", "Dispatcher"),
    "handler": ("处置人员", "Handler"),
    "inspector": ("核查员", "Inspector"),
    "clerk": ("窗口人员", "Window clerk"),
    "approver": ("审批人员", "Approver"),
    "supervisor": ("督办员", "Supervisor"),
    "leader": ("领导", "Leader"),
    "admin": ("系统管理员", "Administrator"),
    "sensor": ("物联感知设备", "Sensor (machine client)"),
}

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('case_counters',
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_case_counters'))
    )
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)

    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_units.id'], name=op.f('fk_org_units_parent_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('code', name=op.f('uq_org_units_code'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_units_path'), ['path'], unique=False)

    op.create_table('roles',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('label_zh', sa.String(length=64), nullable=False),
    sa.Column('label_en', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_roles'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('process_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('dmn_xml', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('deployed_by_id', sa.Integer(), nullable=True),
    sa.Column('deployed_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deployed_by_id'], ['users.id'], name=op.f('fk_process_definitions_deployed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definitions')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_process_definitions_key_version'))
    )
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_definitions_checksum'), ['checksum'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_definitions_key'), ['key'], unique=False)

    op.create_table('user_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_user_roles_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['role'], ['roles.name'], name=op.f('fk_user_roles_role_roles')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_roles')),
    sa.UniqueConstraint('user_id', 'role', 'org_unit_id', name=op.f('uq_user_roles_user_id_role_org_unit_id'))
    )
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_roles_user_id'), ['user_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('district', sa.String(length=64), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.LargeBinary(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_cases_definition_id_process_definitions')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_cases_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_cases_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_cases_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_process_key'), ['process_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('form_key', sa.String(length=128), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('due_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('warn_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tasks_assignee_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_tasks_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_tasks_completed_by_id_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_tasks_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_assignee_state', ['assignee_id', 'state'], unique=False)
        batch_op.create_index('ix_tasks_case_state', ['case_id', 'state'], unique=False)
        batch_op.create_index('ix_tasks_inbox_role', ['state', 'role', 'org_unit_id'], unique=False)
        batch_op.create_index('ix_tasks_state_due', ['state', 'due_at'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_audit_events_case_id_cases')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_audit_events_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_events_seq'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_case_id'), ['case_id'], unique=False)

    op.create_table('task_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_task_candidates_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_candidates_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_candidates'))
    )
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_task_candidates_match', ['role', 'org_unit_id', 'task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_candidates_task_id'), ['task_id'], unique=False)

    op.create_table('timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('fire_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fired_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_timers_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_timers_due', ['state', 'fire_at'], unique=False)

    roles = sa.table("roles", sa.column("name"), sa.column("label_zh"), sa.column("label_en"))
    op.bulk_insert(roles, [{"name": n, "label_zh": zh, "label_en": en} for n, (zh, en) in ROLES.items()])
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_due')
        batch_op.drop_index(batch_op.f('ix_timers_case_id'))

    op.drop_table('timers')
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_candidates_task_id'))
        batch_op.drop_index('ix_task_candidates_match')

    op.drop_table('task_candidates')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_case_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_due')
        batch_op.drop_index('ix_tasks_inbox_role')
        batch_op.drop_index('ix_tasks_case_state')
        batch_op.drop_index('ix_tasks_assignee_state')

    op.drop_table('tasks')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_requester_id'))
        batch_op.drop_index(batch_op.f('ix_cases_process_key'))
        batch_op.drop_index(batch_op.f('ix_cases_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cases_district'))
        batch_op.drop_index(batch_op.f('ix_cases_definition_id'))
        batch_op.drop_index(batch_op.f('ix_cases_category'))

    op.drop_table('cases')
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_roles_user_id'))

    op.drop_table('user_roles')
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definitions_key'))
        batch_op.drop_index(batch_op.f('ix_process_definitions_checksum'))

    op.drop_table('process_definitions')
    op.drop_table('users')
    op.drop_table('roles')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_path'))
        batch_op.drop_index(batch_op.f('ix_org_units_parent_id'))

    op.drop_table('org_units')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))

    op.drop_table('login_failures')
    op.drop_table('case_counters')
    op.drop_table('audit_head')
