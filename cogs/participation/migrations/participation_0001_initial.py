"""participation: events, daily rollups, per-member state, erased members, digest schedules

Revision ID: participation_0001
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "participation_0001"
down_revision = None
branch_labels = ("participation",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('participation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_participation_event_time', 'participation_event', ['community_id', 'created_at', 'member_id'])
    op.create_table('participation_daily',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('messages', sa.Integer(), nullable=False),
    sa.Column('thread_replies', sa.Integer(), nullable=False),
    sa.Column('prompt_responses', sa.Integer(), nullable=False),
    sa.Column('reactions', sa.Integer(), nullable=False),
    sa.Column('poll_votes', sa.Integer(), nullable=False),
    sa.Column('quiz_answers', sa.Integer(), nullable=False),
    sa.Column('quiz_correct', sa.Integer(), nullable=False),
    sa.Column('survey_answers', sa.Integer(), nullable=False),
    sa.Column('mentor_meetings', sa.Integer(), nullable=False),
    sa.Column('joins', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('community_id', 'day', 'member_id'),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_participation_daily_member', 'participation_daily', ['community_id', 'member_id', 'day'])
    op.create_index('ix_participation_daily_points', 'participation_daily', ['community_id', 'day', 'points'])
    op.create_table('participation_member',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('first_event_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_event_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('joined_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('points_total', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('community_id', 'member_id'),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_participation_member_last', 'participation_member', ['community_id', 'last_event_at'])
    op.create_table('participation_erased',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('external_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.PrimaryKeyConstraint('community_id', 'external_hash')
    )
    op.create_table('participation_digest',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('when_text', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.PrimaryKeyConstraint('community_id')
    )


def downgrade() -> None:
    op.drop_table('participation_digest')
    op.drop_table('participation_erased')
    op.drop_index('ix_participation_member_last', table_name='participation_member')
    op.drop_table('participation_member')
    op.drop_index('ix_participation_daily_points', table_name='participation_daily')
    op.drop_index('ix_participation_daily_member', table_name='participation_daily')
    op.drop_table('participation_daily')
    op.drop_index('ix_participation_event_time', table_name='participation_event')
    op.drop_table('participation_event')
