"""helpdesk: watched questions in help channels (metadata only: ids, author, replies; no text)

Revision ID: helpdesk_0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "helpdesk_0001"
down_revision = None
branch_labels = ("helpdesk",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('help_watch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('posted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolved_how', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('notified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'message_id', name='uq_help_watch_message')
    )
    op.create_index(('ix_help_watch_answered_by_id'), 'help_watch', ['answered_by_id'], unique=False)
    op.create_index(('ix_help_watch_author_id'), 'help_watch', ['author_id'], unique=False)
    op.create_index(('ix_help_watch_community_id'), 'help_watch', ['community_id'], unique=False)
    op.create_index(('ix_help_watch_due_at'), 'help_watch', ['due_at'], unique=False)


def downgrade() -> None:
    op.drop_table('help_watch')
