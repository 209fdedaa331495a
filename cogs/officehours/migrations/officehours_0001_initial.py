"""officehours: help queues and visits

Revision ID: officehours_0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "officehours_0001"
down_revision = None
branch_labels = ("officehours",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('help_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(('ix_help_queue_community_id'), 'help_queue', ['community_id'], unique=False)
    op.create_table('queue_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('joined_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('called_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('called_by', sa.Integer(), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['called_by'], ['member.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['queue_id'], ['help_queue.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(('ix_queue_entry_community_id'), 'queue_entry', ['community_id'], unique=False)
    op.create_index(('ix_queue_entry_member_id'), 'queue_entry', ['member_id'], unique=False)
    op.create_index(('ix_queue_entry_queue_id'), 'queue_entry', ['queue_id'], unique=False)


def downgrade() -> None:
    op.drop_table('queue_entry')
    op.drop_table('help_queue')
