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
    for column, kind in OLD_COLUMNS.items():
        op.execute(sa.text(f"INSERT INTO participation_daily_kind (community_id, day, member_id, kind, count) "
                           f"SELECT community_id, day, member_id, :kind, {column} FROM participation_daily "
                           f"WHERE {column} > 0").bindparams(kind=kind))
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
    for column, kind in OLD_COLUMNS.items():  # kinds other cogs added since have no column: dropped
        op.execute(sa.text(f"UPDATE participation_daily_old SET {column} = (SELECT k.count FROM participation_daily_kind k "
                           "WHERE k.community_id = participation_daily_old.community_id AND k.day = participation_daily_old.day "
                           "AND k.member_id = participation_daily_old.member_id AND k.kind = :kind) WHERE EXISTS "
                           "(SELECT 1 FROM participation_daily_kind k WHERE k.community_id = participation_daily_old.community_id "
                           "AND k.day = participation_daily_old.day AND k.member_id = participation_daily_old.member_id "
                           "AND k.kind = :kind)").bindparams(kind=kind))
    op.drop_index('ix_participation_daily_points', table_name='participation_daily')
    op.drop_index('ix_participation_daily_member', table_name='participation_daily')
    op.drop_table('participation_daily')
    op.rename_table('participation_daily_old', 'participation_daily')
    op.create_index('ix_participation_daily_member', 'participation_daily', ['community_id', 'member_id', 'day'])
    op.create_index('ix_participation_daily_points', 'participation_daily', ['community_id', 'day', 'points'])
    op.drop_index('ix_participation_daily_kind_member', table_name='participation_daily_kind')
    op.drop_table('participation_daily_kind')
