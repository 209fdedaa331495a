"""participation: erased members move to the core's erased_member table (privacy is the core's)

Revision ID: participation_0003
Revises: participation_0002
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "participation_0003"
down_revision = "participation_0002"
branch_labels = None
depends_on = "core_0002"

COLUMNS = ("community_id", "external_hash", "erased_at")


def _table(name: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in COLUMNS))


def _state() -> sa.TableClause:
    return sa.table("bot_state", sa.column("key"))


def upgrade() -> None:
    old, new = _table("participation_erased"), _table("erased_member")
    op.execute(new.insert().from_select(list(COLUMNS), sa.select(*(old.c[c] for c in COLUMNS))))
    op.drop_table("participation_erased")
    state = _state()  # the salt those hashes were made with is the core's now
    op.execute(state.update().where(state.c.key == "participation:erase-salt").values(key="privacy:erase-salt"))


def downgrade() -> None:
    op.create_table('participation_erased',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('external_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.PrimaryKeyConstraint('community_id', 'external_hash')
    )
    old, new = _table("participation_erased"), _table("erased_member")
    op.execute(old.insert().from_select(list(COLUMNS), sa.select(*(new.c[c] for c in COLUMNS))))
    state = _state()
    op.execute(state.update().where(state.c.key == "privacy:erase-salt").values(key="participation:erase-salt"))
