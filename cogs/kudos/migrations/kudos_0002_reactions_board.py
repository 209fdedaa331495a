"""kudos: reaction kudos (source, message id, one per giver and message) and the opt-in board

Revision ID: kudos_0002
Revises: kudos_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "kudos_0002"
down_revision = "kudos_0001"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("kudos_given") as batch:
        batch.add_column(sa.Column("source", _STR(length=8), nullable=False, server_default="command"))
        batch.add_column(sa.Column("message_id", _STR(length=64), nullable=True))
    op.create_index("uq_kudos_given_reaction", "kudos_given", ["community_id", "giver_id", "message_id"],
                    unique=True)
    op.create_table(
        "kudos_board_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "member_id", name="uq_kudos_board_member"),
    )
    op.create_index("ix_kudos_board_member_community_id", "kudos_board_member", ["community_id"])
    op.create_index("ix_kudos_board_member_member_id", "kudos_board_member", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_kudos_board_member_member_id", table_name="kudos_board_member")
    op.drop_index("ix_kudos_board_member_community_id", table_name="kudos_board_member")
    op.drop_table("kudos_board_member")
    op.drop_index("uq_kudos_given_reaction", table_name="kudos_given")
    with op.batch_alter_table("kudos_given") as batch:
        batch.drop_column("message_id")
        batch.drop_column("source")
