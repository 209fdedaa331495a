"""dashboard: one-time sign-in links and server-side sessions

Revision ID: dashboard_0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "dashboard_0001"
down_revision = None
branch_labels = ("dashboard",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table('dashboard_link',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('access', sa.Integer(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_dashboard_link_community_id', 'dashboard_link', ['community_id'])
    op.create_table('dashboard_session',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('access', sa.Integer(), nullable=False),
    sa.Column('csrf', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_dashboard_session_community_id', 'dashboard_session', ['community_id'])


def downgrade() -> None:
    op.drop_table('dashboard_session')
    op.drop_table('dashboard_link')
