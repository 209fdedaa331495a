"""kudos: one row per kudos given (no reason text)

Revision ID: kudos_0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "kudos_0001"
down_revision = None
branch_labels = ("kudos",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('kudos_given',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('giver_id', sa.Integer(), nullable=False),
    sa.Column('receiver_id', sa.Integer(), nullable=False),
    sa.Column('given_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['giver_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['receiver_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(('ix_kudos_given_community_id'), 'kudos_given', ['community_id'], unique=False)
    op.create_index(('ix_kudos_given_giver_id'), 'kudos_given', ['giver_id'], unique=False)
    op.create_index(('ix_kudos_given_receiver_id'), 'kudos_given', ['receiver_id'], unique=False)


def downgrade() -> None:
    op.drop_table('kudos_given')
