"""participation: members active per community-day (the chart's line)

participation_day holds per (community, local day) how many members were active, which the
writer keeps from now on; filled here from the daily rollup (one pass in primary-key order).

Revision ID: participation_0005
Revises: participation_0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = 'participation_0005'
down_revision = 'participation_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('participation_day',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('active_members', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('community_id', 'day'),
    sqlite_with_rowid=False
    )
    daily = sa.table("participation_daily", sa.column("community_id"), sa.column("day"), sa.column("active"))
    days = sa.table("participation_day", sa.column("community_id"), sa.column("day"), sa.column("active_members"))
    op.execute(days.insert().from_select(
        ["community_id", "day", "active_members"],
        sa.select(daily.c.community_id, daily.c.day, sa.func.count()).where(daily.c.active > 0)
        .group_by(daily.c.community_id, daily.c.day)))


def downgrade() -> None:
    op.drop_table('participation_day')
