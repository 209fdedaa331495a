"""polls: sealed ballots — anonymous votes wait here, encrypted, until counted in batches

Revision ID: polls_0002
Revises: polls_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "polls_0002"
down_revision = "polls_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('poll_sealed_ballot',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_poll_sealed_ballot_community_id', 'poll_sealed_ballot', ['community_id'])
    op.create_index('ix_poll_sealed_ballot_poll_id', 'poll_sealed_ballot', ['poll_id'])


def downgrade() -> None:
    op.drop_index('ix_poll_sealed_ballot_poll_id', table_name='poll_sealed_ballot')
    op.drop_index('ix_poll_sealed_ballot_community_id', table_name='poll_sealed_ballot')
    op.drop_table('poll_sealed_ballot')
