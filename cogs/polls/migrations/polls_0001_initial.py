"""polls: polls, options, ballots, has-voted guards, survey questions/responses/answers, schedules

Revision ID: polls_0001
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "polls_0001"
down_revision = None
branch_labels = ("polls",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('poll_schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('community_id', 'kind', 'key', name='uq_poll_schedule_key'),
    )
    op.create_index('ix_poll_schedule_community_id', 'poll_schedule', ['community_id'])
    op.create_table('poll',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('multi', sa.Boolean(), nullable=False),
        sa.Column('max_picks', sa.Integer(), nullable=True),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('scale', sa.Integer(), nullable=True),
        sa.Column('answer', sa.Integer(), nullable=True),
        sa.Column('explain', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('schedule_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('server_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('thread_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['member.id']),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_poll_closes_at', 'poll', ['closes_at'])
    op.create_index('ix_poll_community_id', 'poll', ['community_id'])
    op.create_table('poll_option',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('votes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('poll_id', 'position', name='uq_poll_option_position'),
    )
    op.create_index('ix_poll_option_community_id', 'poll_option', ['community_id'])
    op.create_index('ix_poll_option_poll_id', 'poll_option', ['poll_id'])
    op.create_table('poll_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('options', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('poll_id', 'position', name='uq_poll_question_position'),
    )
    op.create_index('ix_poll_question_community_id', 'poll_question', ['community_id'])
    op.create_index('ix_poll_question_poll_id', 'poll_question', ['poll_id'])
    op.create_table('poll_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_poll_response_community_id', 'poll_response', ['community_id'])
    op.create_index('ix_poll_response_poll_id', 'poll_response', ['poll_id'])
    op.create_table('poll_vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('voted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('poll_id', 'member_id', 'position', name='uq_poll_vote_member_option'),
    )
    op.create_index('ix_poll_vote_community_id', 'poll_vote', ['community_id'])
    op.create_index('ix_poll_vote_poll_id', 'poll_vote', ['poll_id'])
    op.create_table('poll_voter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('first_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('poll_id', 'member_id', name='uq_poll_voter_member'),
    )
    op.create_index('ix_poll_voter_community_id', 'poll_voter', ['community_id'])
    op.create_index('ix_poll_voter_poll_id', 'poll_voter', ['poll_id'])
    op.create_table('poll_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['poll_id'], ['poll.id']),
        sa.ForeignKeyConstraint(['response_id'], ['poll_response.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_poll_answer_community_id', 'poll_answer', ['community_id'])
    op.create_index('ix_poll_answer_poll_id', 'poll_answer', ['poll_id'])
    op.create_index('ix_poll_answer_response_id', 'poll_answer', ['response_id'])


def downgrade() -> None:
    op.drop_index("ix_poll_answer_response_id", table_name="poll_answer")
    op.drop_index("ix_poll_answer_poll_id", table_name="poll_answer")
    op.drop_index("ix_poll_answer_community_id", table_name="poll_answer")
    op.drop_index("ix_poll_voter_poll_id", table_name="poll_voter")
    op.drop_index("ix_poll_voter_community_id", table_name="poll_voter")
    op.drop_index("ix_poll_vote_poll_id", table_name="poll_vote")
    op.drop_index("ix_poll_vote_community_id", table_name="poll_vote")
    op.drop_index("ix_poll_response_poll_id", table_name="poll_response")
    op.drop_index("ix_poll_response_community_id", table_name="poll_response")
    op.drop_index("ix_poll_question_poll_id", table_name="poll_question")
    op.drop_index("ix_poll_question_community_id", table_name="poll_question")
    op.drop_index("ix_poll_option_poll_id", table_name="poll_option")
    op.drop_index("ix_poll_option_community_id", table_name="poll_option")
    op.drop_index("ix_poll_community_id", table_name="poll")
    op.drop_index("ix_poll_closes_at", table_name="poll")
    op.drop_index("ix_poll_schedule_community_id", table_name="poll_schedule")
    op.drop_table("poll_answer")
    op.drop_table("poll_voter")
    op.drop_table("poll_vote")
    op.drop_table("poll_response")
    op.drop_table("poll_question")
    op.drop_table("poll_option")
    op.drop_table("poll")
    op.drop_table("poll_schedule")
