"""prompts: schedules, banks, questions, posts, responses, suggestions

Revision ID: prompts_0001
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "prompts_0001"
down_revision = None
branch_labels = ("prompts",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('prompt_bank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'name', name='uq_prompt_bank_name')
    )
    op.create_index('ix_prompt_bank_community_id', 'prompt_bank', ['community_id'])
    op.create_table('prompt_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('suggested_by', sa.Integer(), nullable=True),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['prompt_bank.id']),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['suggested_by'], ['member.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bank_id', 'text', name='uq_prompt_question_text')
    )
    op.create_index('ix_prompt_question_bank_id', 'prompt_question', ['bank_id'])
    op.create_index('ix_prompt_question_community_id', 'prompt_question', ['community_id'])
    op.create_table('prompt_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('when_text', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('bank', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('questions_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rotation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('thread', sa.Boolean(), nullable=False),
    sa.Column('mention', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('skip_json', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('grace', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('inactive_reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('config_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('active_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['created_by'], ['member.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'key', name='uq_prompt_schedule_key')
    )
    op.create_index('ix_prompt_schedule_community_id', 'prompt_schedule', ['community_id'])
    op.create_table('prompt_suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('bank', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('server_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['handled_by'], ['member.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_prompt_suggestion_community_id', 'prompt_suggestion', ['community_id'])
    op.create_index('ix_prompt_suggestion_member_id', 'prompt_suggestion', ['member_id'])
    op.create_table('prompt_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('server_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('thread_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('posted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('posted_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['posted_by'], ['member.id']),
    sa.ForeignKeyConstraint(['schedule_id'], ['prompt_schedule.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'due_at', name='uq_prompt_post_schedule_due')
    )
    op.create_index('ix_prompt_post_community_id', 'prompt_post', ['community_id'])
    op.create_index('ix_prompt_post_message_id', 'prompt_post', ['message_id'])
    op.create_index('ix_prompt_post_schedule_id', 'prompt_post', ['schedule_id'])
    op.create_index('ix_prompt_post_thread_id', 'prompt_post', ['thread_id'])
    op.create_table('prompt_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('first_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.ForeignKeyConstraint(['post_id'], ['prompt_post.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('post_id', 'member_id', name='uq_prompt_response_member')
    )
    op.create_index('ix_prompt_response_community_id', 'prompt_response', ['community_id'])
    op.create_index('ix_prompt_response_member_id', 'prompt_response', ['member_id'])


def downgrade() -> None:
    op.drop_index('ix_prompt_response_member_id', table_name='prompt_response')
    op.drop_index('ix_prompt_response_community_id', table_name='prompt_response')
    op.drop_table('prompt_response')
    op.drop_index('ix_prompt_post_thread_id', table_name='prompt_post')
    op.drop_index('ix_prompt_post_schedule_id', table_name='prompt_post')
    op.drop_index('ix_prompt_post_message_id', table_name='prompt_post')
    op.drop_index('ix_prompt_post_community_id', table_name='prompt_post')
    op.drop_table('prompt_post')
    op.drop_index('ix_prompt_suggestion_member_id', table_name='prompt_suggestion')
    op.drop_index('ix_prompt_suggestion_community_id', table_name='prompt_suggestion')
    op.drop_table('prompt_suggestion')
    op.drop_index('ix_prompt_schedule_community_id', table_name='prompt_schedule')
    op.drop_table('prompt_schedule')
    op.drop_index('ix_prompt_question_community_id', table_name='prompt_question')
    op.drop_index('ix_prompt_question_bank_id', table_name='prompt_question')
    op.drop_table('prompt_question')
    op.drop_index('ix_prompt_bank_community_id', table_name='prompt_bank')
    op.drop_table('prompt_bank')
