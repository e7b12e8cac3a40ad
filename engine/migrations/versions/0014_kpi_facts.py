"""KPI per-case facts: kpi_case_facts (one summable row per case), kpi_dirty_cases (the cases
changed since their row was written) and the triggers that list a case whenever its case row,
its step rows or its merge link change. Every existing case starts listed; the scheduler's
fold writes their rows (engine/kpis/store.py), and KPI queries compute listed cases afresh.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# table → (the column naming the case, the columns whose change can change a KPI)
WATCHED = {
    'cases': ('id', 'created_at, process_key, status, category, district, org_unit_id, data, closed_at'),
    'tasks': ('case_id', 'case_id, element_id, org_unit_id, state, due_at, completed_at'),
    'case_links': ('case_id', 'case_id'),
}
PG_FUNCTION = """
CREATE FUNCTION kpi_list_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- DO UPDATE, not DO NOTHING: the row stays locked until this transaction ends, so a fold
    -- running meanwhile skips it instead of unlisting a case whose change it cannot see yet
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.{column} IS DISTINCT FROM NEW.{column}) THEN
        INSERT INTO kpi_dirty_cases (case_id) VALUES (OLD.{column})
        ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO kpi_dirty_cases (case_id) VALUES (NEW.{column})
        ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id;
    END IF;
    RETURN NULL;
END $$
"""
SQLITE_LIST = "INSERT INTO kpi_dirty_cases (case_id) VALUES ({row}.{column}) ON CONFLICT (case_id) DO NOTHING;"


def _events(table: str, columns: str) -> dict[str, str]:
    events = {'insert': 'INSERT', 'update': f'UPDATE OF {columns}', 'delete': 'DELETE'}
    if table == 'cases':  # a deleted case takes its facts row with it (ON DELETE CASCADE)
        del events['delete']
    return events


def _create_triggers() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, (column, columns) in WATCHED.items():
        if postgres:
            op.execute(PG_FUNCTION.format(table=table, column=column))
        for suffix, event in _events(table, columns).items():
            name = f'kpi_list_{table}_{suffix}'
            if postgres:
                op.execute(f'CREATE TRIGGER {name} AFTER {event} ON {table} '
                           f'FOR EACH ROW EXECUTE FUNCTION kpi_list_{table}()')
                continue
            rows = {'insert': ('NEW',), 'update': ('OLD', 'NEW'), 'delete': ('OLD',)}[suffix]
            body = ' '.join(SQLITE_LIST.format(row=row, column=column) for row in rows)
            op.execute(f'CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END')


def upgrade() -> None:
    op.create_table('kpi_case_facts',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('district', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('completed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hours_to_complete', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE',
                            name=op.f('fk_kpi_case_facts_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_kpi_case_facts'))
    )
    op.create_index('ix_kpi_case_facts_created_at', 'kpi_case_facts', ['created_at'], unique=False)
    op.create_table('kpi_dirty_cases',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_kpi_dirty_cases'))
    )
    _create_triggers()
    op.execute('INSERT INTO kpi_dirty_cases (case_id) SELECT id FROM cases')


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, (_, columns) in WATCHED.items():
        for suffix in _events(table, columns):
            op.execute(f'DROP TRIGGER kpi_list_{table}_{suffix}' + (f' ON {table}' if postgres else ''))
        if postgres:
            op.execute(f'DROP FUNCTION kpi_list_{table}()')
    op.drop_table('kpi_dirty_cases')
    op.drop_index('ix_kpi_case_facts_created_at', table_name='kpi_case_facts')
    op.drop_table('kpi_case_facts')
