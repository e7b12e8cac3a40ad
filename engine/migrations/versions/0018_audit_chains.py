"""The audit trail in 16 chains, a case's rows all in one (engine/audit.py): an append locks
only its chain's head, so state changes of different cases no longer queue behind one row (two
timer schedulers fired at the rate of one, bench/RESULTS.md). The rows written so far are chain 1.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

CHAINS = 16
GENESIS = '0' * 64


def upgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('chain', sa.Integer(), nullable=False, server_default='1'))
        batch.drop_constraint('uq_audit_events_seq', type_='unique')
        batch.create_unique_constraint('uq_audit_events_chain_seq', ['chain', 'seq'])
    head = sa.table('audit_head', sa.column('id'), sa.column('seq'), sa.column('hash'))
    op.bulk_insert(head, [{'id': chain, 'seq': 0, 'hash': GENESIS} for chain in range(2, CHAINS + 1)])


def downgrade() -> None:
    """Only while chains 2..16 are empty: their rows cannot join chain 1's hashes."""
    rows = op.get_bind().execute(sa.text('SELECT count(*) FROM audit_events WHERE chain <> 1')).scalar()
    if rows:
        raise RuntimeError(f'{rows} audit rows are in chains 2..{CHAINS}: they cannot be merged into one chain')
    op.execute('DELETE FROM audit_head WHERE id <> 1')
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint('uq_audit_events_chain_seq', type_='unique')
        batch.create_unique_constraint('uq_audit_events_seq', ['seq'])
        batch.drop_column('chain')
