"""participation: counts by kind in their own rollup, so any cog's activity kind is counted

Moves the per-kind columns of participation_daily (one per built-in kind) into rows of
participation_daily_kind (community, day, member, kind, count), and replaces the "joins"
column by "active" (events of kinds that make a member active: every kind but join).

Revision ID: participation_0002
Revises: participation_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "participation_0002"
down_revision = "participation_0001"
branch_labels = None
depends_on = None

# the old columns and the kind each counted
OLD_COLUMNS = {"messages": "message", "thread_replies": "thread_reply", "prompt_responses": "prompt_response",
               "reactions": "reaction", "poll_votes": "poll_vote", "quiz_answers": "quiz_answer",
               "quiz_correct": "quiz_correct", "survey_answers": "survey_answer",
               "mentor_meetings": "mentor_meeting", "joins": "join"}


KEYS = ("community_id", "day", "member_id")


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in (*KEYS, *columns)))


def _daily(name: str, *columns: sa.Column) -> None:
    op.create_table(name,
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    *columns,
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('community_id', 'day', 'member_id'),
    sqlite_with_rowid=False,
    )


def upgrade() -> None:
    op.create_table('participation_daily_kind',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.ForeignKeyConstraint(['member_id'], ['member.id']),
    sa.PrimaryKeyConstraint('community_id', 'day', 'member_id', 'kind'),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_participation_daily_kind_member', 'participation_daily_kind',
                    ['community_id', 'member_id', 'day'])
    old = _table('participation_daily', *OLD_COLUMNS, 'events', 'points')
    by_kind = _table('participation_daily_kind', 'kind', 'count')
    for column, kind in OLD_COLUMNS.items():
        op.execute(by_kind.insert().from_select(
            [*KEYS, 'kind', 'count'],
            sa.select(*(old.c[k] for k in KEYS), sa.literal(kind), old.c[column]).where(old.c[column] > 0)))
    _daily('participation_daily_new',
           sa.Column('events', sa.Integer(), nullable=False),
           sa.Column('active', sa.Integer(), nullable=False),
           sa.Column('points', sa.Float(), nullable=False))
    op.execute("INSERT INTO participation_daily_new (community_id, day, member_id, events, active, points) "
               "SELECT community_id, day, member_id, events, events - joins, points FROM participation_daily")
    op.drop_index('ix_participation_daily_points', table_name='participation_daily')
    op.drop_index('ix_participation_daily_member', table_name='participation_daily')
    op.drop_table('participation_daily')
    op.rename_table('participation_daily_new', 'participation_daily')
    op.create_index('ix_participation_daily_member', 'participation_daily', ['community_id', 'member_id', 'day'])
    op.create_index('ix_participation_daily_points', 'participation_daily', ['community_id', 'day', 'points'])


def downgrade() -> None:
    _daily('participation_daily_old',
           *(sa.Column(c, sa.Integer(), nullable=False, server_default="0") for c in OLD_COLUMNS),
           sa.Column('events', sa.Integer(), nullable=False),
           sa.Column('points', sa.Float(), nullable=False))
    op.execute("INSERT INTO participation_daily_old (community_id, day, member_id, events, points) "
               "SELECT community_id, day, member_id, events, points FROM participation_daily")
    old = _table('participation_daily_old', *OLD_COLUMNS)
    by_kind = _table('participation_daily_kind', 'kind', 'count')
    for column, kind in OLD_COLUMNS.items():  # kinds other cogs added since have no column: dropped
        same = sa.and_(*(by_kind.c[k] == old.c[k] for k in KEYS), by_kind.c.kind == kind)
        op.execute(old.update().values({column: sa.select(by_kind.c.count).where(same).scalar_subquery()})
                   .where(sa.exists().where(same)))
    op.drop_index('ix_participation_daily_points', table_name='participation_daily')
    op.drop_index('ix_participation_daily_member', table_name='participation_daily')
    op.drop_table('participation_daily')
    op.rename_table('participation_daily_old', 'participation_daily')
    op.create_index('ix_participation_daily_member', 'participation_daily', ['community_id', 'member_id', 'day'])
    op.create_index('ix_participation_daily_points', 'participation_daily', ['community_id', 'day', 'points'])
    op.drop_index('ix_participation_daily_kind_member', table_name='participation_daily_kind')
    op.drop_table('participation_daily_kind')
