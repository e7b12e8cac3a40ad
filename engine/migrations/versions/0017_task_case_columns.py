"""Inbox filters on the tasks table alone: each task carries its case's process, category and
district (filtering through an EXISTS on cases fetched a case row per candidate task: the
category filter took twice the plain inbox at 1,000,000 tasks, bench/RESULTS.md)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

COLUMNS = {'process_key': 128, 'category': 64, 'district': 64}


def upgrade() -> None:
    for name, size in COLUMNS.items():  # plain ALTER TABLE: batch mode would rebuild the table
        op.add_column('tasks', sa.Column(name, sa.String(length=size), nullable=True))
    op.execute("UPDATE tasks SET " + ", ".join(
        f"{name} = (SELECT cases.{name} FROM cases WHERE cases.id = tasks.case_id)" for name in COLUMNS))


def downgrade() -> None:
    for name in COLUMNS:  # SQLite 3.35+ drops a column in place, keeping the KPI triggers of 0014
        op.drop_column('tasks', name)
