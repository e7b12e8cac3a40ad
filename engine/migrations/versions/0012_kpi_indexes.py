"""KPI indexes: the KPI query reads the cases received in a date range (engine/kpis/facts.py),
then their step rows through ix_tasks_case_state

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_created_at', 'cases', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_cases_created_at', table_name='cases')
