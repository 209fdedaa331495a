"""core: a partial index of the members rankings and lists leave out (opted out, bots)

Every ranking and list (leaderboard, rank, silent list, at-risk, dashboard) leaves out opted-out
members and bots: "SELECT id FROM member WHERE community_id = ? AND (opted_out OR is_bot)". With
only the community index that reads every member of the community (50,000: ~15 ms on SQLite) to
find the few; this index holds the few.

Revision ID: core_0004
Revises: core_0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_member_hidden", "member", ["community_id"], unique=False,
                    sqlite_where=sa.text("opted_out = 1 OR is_bot = 1"), postgresql_where=sa.text("opted_out OR is_bot"))


def downgrade() -> None:
    op.drop_index("ix_member_hidden", table_name="member")
