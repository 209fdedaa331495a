"""officehours: a queue remembers the live session that opened it

Revision ID: officehours_0002
Revises: officehours_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "officehours_0002"
down_revision = "officehours_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("help_queue") as batch:
        batch.add_column(sa.Column("session_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_queue") as batch:
        batch.drop_column("session_id")
