"""mentor: profiles, avoid lists, rounds, matches, check-in answers, unmatched, schedules

Revision ID: mentor_0001
Revises:
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "mentor_0001"
down_revision = None
branch_labels = ("mentor",)
depends_on = "core_0001"

_STR = sqlmodel.sql.sqltypes.AutoString
_DT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "mentor_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", _STR(length=8), nullable=False),
        sa.Column("topics", _STR(length=500), nullable=False),
        sa.Column("timezone", _STR(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("goals", _STR(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("inactive_reason", _STR(length=16), nullable=True),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("ignored_rounds", sa.Integer(), nullable=False),
        sa.Column("joined_at", _DT(), nullable=False),
        sa.Column("updated_at", _DT(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "member_id", name="uq_mentor_profile_member"),
    )
    op.create_index("ix_mentor_profile_community_id", "mentor_profile", ["community_id"])
    op.create_table(
        "mentor_avoid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("avoided_member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _DT(), nullable=False),
        sa.ForeignKeyConstraint(["avoided_member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "member_id", "avoided_member_id", name="uq_mentor_avoid_pair"),
    )
    op.create_index("ix_mentor_avoid_community_id", "mentor_avoid", ["community_id"])
    op.create_table(
        "mentor_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("status", _STR(length=16), nullable=False),
        sa.Column("mode", _STR(length=8), nullable=False),
        sa.Column("source", _STR(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _DT(), nullable=False),
        sa.Column("confirmed_at", _DT(), nullable=True),
        sa.Column("preview_channel_id", _STR(length=64), nullable=True),
        sa.Column("preview_message_id", _STR(length=64), nullable=True),
        sa.Column("preview_thread_id", _STR(length=64), nullable=True),
        sa.Column("check_in_due_at", _DT(), nullable=True),
        sa.Column("checked_in", sa.Boolean(), nullable=False),
        sa.Column("answers_close_at", _DT(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_round_community_id", "mentor_round", ["community_id"])
    op.create_table(
        "mentor_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", _STR(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("shared_topics", _STR(length=500), nullable=False),
        sa.Column("overlap_hours", sa.Float(), nullable=False),
        sa.Column("status", _STR(length=16), nullable=False),
        sa.Column("intro_channel_id", _STR(length=64), nullable=True),
        sa.Column("intro_message_id", _STR(length=64), nullable=True),
        sa.Column("intro_thread_id", _STR(length=64), nullable=True),
        sa.Column("met_published", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["mentor_round.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_match_community_id", "mentor_match", ["community_id"])
    op.create_index("ix_mentor_match_round_id", "mentor_match", ["round_id"])
    op.create_table(
        "mentor_match_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", _STR(length=8), nullable=False),
        sa.Column("answer", _STR(length=16), nullable=True),
        sa.Column("answered_at", _DT(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["match_id"], ["mentor_match.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("match_id", "member_id", name="uq_mentor_match_member"),
    )
    op.create_index("ix_mentor_match_member_community_id", "mentor_match_member", ["community_id"])
    op.create_index("ix_mentor_match_member_match_id", "mentor_match_member", ["match_id"])
    op.create_index("ix_mentor_match_member_member_id", "mentor_match_member", ["member_id"])
    op.create_table(
        "mentor_unmatched",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", _STR(length=8), nullable=False),
        sa.Column("reason", _STR(length=300), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["mentor_round.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_unmatched_community_id", "mentor_unmatched", ["community_id"])
    op.create_index("ix_mentor_unmatched_member_id", "mentor_unmatched", ["member_id"])
    op.create_index("ix_mentor_unmatched_round_id", "mentor_unmatched", ["round_id"])
    op.create_table(
        "mentor_schedule",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("when_text", _STR(length=100), nullable=False),
        sa.Column("timezone", _STR(length=64), nullable=False),
        sa.Column("since", _DT(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("community_id"),
    )


def downgrade() -> None:
    op.drop_table("mentor_schedule")
    for table, columns in (("mentor_unmatched", ("community_id", "member_id", "round_id")),
                           ("mentor_match_member", ("community_id", "match_id", "member_id")),
                           ("mentor_match", ("community_id", "round_id")),
                           ("mentor_round", ("community_id",)),
                           ("mentor_avoid", ("community_id",)),
                           ("mentor_profile", ("community_id",))):
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
