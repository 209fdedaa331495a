"""participation: one trend ring row per member (every signal's weeks in it), not one per member and signal

participation_ring holds, per (community, member), the counts of the last 8 weeks of up to 16
at-risk signals: column s{j}w{i} is signal slot j's count of the ring's week W with W % 8 == i,
``week`` the newest week held (of any signal). Signal slot j is the j-th signal in name order
of the mapping the ring was written for (bot_state ``participation:trend-signals``, kind ->
signal). The at-risk rule then filters one row per member instead of grouping one row per
member and signal (~150k rows on the 10M bench database's biggest community: ~150 ms).

Filled here from participation_trend (one GROUP BY over it: a few seconds on 10M events): each
old row's slot is kept if its week is still held below the member's newest week of any signal,
which keeps every week the at-risk rule reads. With no mapping, or more signals than slots, the
mapping is removed instead and the cog rebuilds the ring from the counts by kind at its next
start (cogs/participation/trend.py), as after participation_0004.

Revision ID: participation_0007
Revises: participation_0006
Create Date: 2026-12-01
"""
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'participation_0007'
down_revision = 'participation_0006'
branch_labels = None
depends_on = None

WEEKS, SIGNALS = 8, 16
OLD = [f"w{i}" for i in range(WEEKS)]
SLOTS = [f"s{j}w{i}" for j in range(SIGNALS) for i in range(WEEKS)]
STATE_KEY = "participation:trend-signals"
STATE = sa.table("bot_state", sa.column("key"), sa.column("value"))


def upgrade() -> None:
    op.create_table('participation_ring',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in SLOTS),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('community_id', 'member_id'),
    sqlite_with_rowid=False
    )
    conn = op.get_bind()
    mapping = conn.execute(sa.select(STATE.c.value).where(STATE.c.key == STATE_KEY)).scalar()
    names = sorted(set(json.loads(mapping).values())) if mapping else []
    if mapping and len(names) <= SIGNALS:
        conn.execute(_carry_over(names))
    else:
        conn.execute(STATE.delete().where(STATE.c.key == STATE_KEY))
    op.drop_table('participation_trend')


def _carry_over(names: list[str]) -> sa.Insert:
    old = sa.table("participation_trend", sa.column("community_id"), sa.column("member_id"), sa.column("signal"),
                   sa.column("week"), *(sa.column(c) for c in OLD))
    ring = sa.table("participation_ring", sa.column("community_id"), sa.column("member_id"), sa.column("week"),
                    *(sa.column(c) for c in SLOTS))
    newest = (sa.select(old.c.community_id, old.c.member_id, sa.func.max(old.c.week).label("week"))
              .group_by(old.c.community_id, old.c.member_id).subquery())
    slots = []
    for j, name in enumerate(names):
        for i in range(WEEKS):
            # the old row's slot i holds week (week - (week - i) % 8): kept while within 8 of the newest
            held = old.c.week - (old.c.week - i) % WEEKS > newest.c.week - WEEKS
            slots.append(sa.func.coalesce(sa.func.sum(sa.case((sa.and_(old.c.signal == name, held), old.c[OLD[i]]),
                                                              else_=0)), 0))
    slots += [sa.literal(0)] * (len(SLOTS) - len(slots))
    q = (sa.select(old.c.community_id, old.c.member_id, sa.func.max(newest.c.week), *slots)
         .join_from(old, newest, sa.and_(newest.c.community_id == old.c.community_id,
                                         newest.c.member_id == old.c.member_id))
         .group_by(old.c.community_id, old.c.member_id))
    return ring.insert().from_select(["community_id", "member_id", "week", *SLOTS], q)


def downgrade() -> None:
    # the old layout comes back empty and without its mapping: the cog rebuilds it at start
    op.create_table('participation_trend',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('signal', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in OLD),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('community_id', 'member_id', 'signal'),
    sqlite_with_rowid=False,
    )
    op.get_bind().execute(STATE.delete().where(STATE.c.key == STATE_KEY))
    op.drop_table('participation_ring')
