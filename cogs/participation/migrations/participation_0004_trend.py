"""participation: a weekly trend ring per member and signal (the at-risk rule), counts per community-day

participation_day_kind holds per (community, day, kind) the count (the chart's bars, the
export's columns), summed here from the counts by kind.

participation_trend holds, per (community, member, at-risk signal), the counts of the last 8
weeks in slots w0..w7 (week number W in slot W % 8; ``week`` is the newest week held). It is
created empty: which kinds feed which signal is the loaded cogs' declaration, so the cog
fills it from the counts by kind at its first start (cogs/participation/trend.py) and the
writer keeps it from then on.

Revision ID: participation_0004
Revises: participation_0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "participation_0004"
down_revision = "participation_0003"
branch_labels = None
depends_on = None

SLOTS = [f"w{i}" for i in range(8)]


def upgrade() -> None:
    op.create_table('participation_trend',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in SLOTS),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('community_id', 'member_id', 'signal'),
    sqlite_with_rowid=False,
    )
    op.create_table('participation_day_kind',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.PrimaryKeyConstraint('community_id', 'day', 'kind'),
    sqlite_with_rowid=False,
    )
    kinds = sa.table("participation_daily_kind", sa.column("community_id"), sa.column("day"), sa.column("kind"),
                     sa.column("count"))
    days = sa.table("participation_day_kind", sa.column("community_id"), sa.column("day"), sa.column("kind"),
                    sa.column("count"))
    op.execute(days.insert().from_select(
        ["community_id", "day", "kind", "count"],
        sa.select(kinds.c.community_id, kinds.c.day, kinds.c.kind, sa.func.sum(kinds.c.count))
        .group_by(kinds.c.community_id, kinds.c.day, kinds.c.kind)))


def downgrade() -> None:
    op.drop_table('participation_day_kind')
    op.drop_table('participation_trend')
