"""welcome: one row per member welcomed (when, introduced, rules read, first active; no text)

Revision ID: welcome_0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "welcome_0001"
down_revision = None
branch_labels = ("welcome",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('welcome_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('welcomed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('introduced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('rules_read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('first_active_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'member_id', name='uq_welcome_member')
    )
    op.create_index(('ix_welcome_member_community_id'), 'welcome_member', ['community_id'], unique=False)
    op.create_index(('ix_welcome_member_member_id'), 'welcome_member', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('welcome_member')
