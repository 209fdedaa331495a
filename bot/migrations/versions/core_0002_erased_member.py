"""core: erased members (privacy moved into the core)

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erased_member',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('external_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id']),
    sa.PrimaryKeyConstraint('community_id', 'external_hash')
    )


def downgrade() -> None:
    op.drop_table('erased_member')
