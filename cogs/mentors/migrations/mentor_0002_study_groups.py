"""mentor: study groups (/mentor groups): sets, groups and their members

Revision ID: mentor_0002
Revises: mentor_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "mentor_0002"
down_revision = "mentor_0001"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_DT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "mentor_group_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("status", _STR(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("topic", _STR(length=100), nullable=True),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _DT(), nullable=False),
        sa.Column("confirmed_at", _DT(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_group_set_community_id", "mentor_group_set", ["community_id"])
    op.create_table(
        "mentor_study_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("topics", _STR(length=500), nullable=False),
        sa.Column("overlap_hours", sa.Float(), nullable=False),
        sa.Column("intro_channel_id", _STR(length=64), nullable=True),
        sa.Column("intro_message_id", _STR(length=64), nullable=True),
        sa.Column("intro_thread_id", _STR(length=64), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["set_id"], ["mentor_group_set.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_study_group_community_id", "mentor_study_group", ["community_id"])
    op.create_index("ix_mentor_study_group_set_id", "mentor_study_group", ["set_id"])
    op.create_table(
        "mentor_study_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["mentor_study_group.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["set_id"], ["mentor_group_set.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("set_id", "member_id", name="uq_mentor_study_group_member"),
    )
    for column in ("community_id", "set_id", "group_id", "member_id"):
        op.create_index(f"ix_mentor_study_group_member_{column}", "mentor_study_group_member", [column])


def downgrade() -> None:
    for column in ("community_id", "set_id", "group_id", "member_id"):
        op.drop_index(f"ix_mentor_study_group_member_{column}", table_name="mentor_study_group_member")
    op.drop_table("mentor_study_group_member")
    op.drop_index("ix_mentor_study_group_set_id", table_name="mentor_study_group")
    op.drop_index("ix_mentor_study_group_community_id", table_name="mentor_study_group")
    op.drop_table("mentor_study_group")
    op.drop_index("ix_mentor_group_set_community_id", table_name="mentor_group_set")
    op.drop_table("mentor_group_set")
