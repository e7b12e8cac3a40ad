"""KPI facts: on PostgreSQL the received-at index of kpi_case_facts carries every other column,
so a KPI query reads a period's facts by an index-only scan instead of visiting the table for
each case (10–20 % of a month's query, bench/RESULTS.md). SQLite keeps
the plain index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

INCLUDED = ['case_id', 'district', 'category', 'process_key', 'unit_id', 'flags', 'completed_at',
            'hours_to_complete']


def _index(**include) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_kpi_case_facts_created_at', table_name='kpi_case_facts')
    op.create_index('ix_kpi_case_facts_created_at', 'kpi_case_facts', ['created_at'], **include)


def upgrade() -> None:
    _index(postgresql_include=INCLUDED)


def downgrade() -> None:
    _index()
