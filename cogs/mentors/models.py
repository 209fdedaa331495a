"""Tables of the peer-mentor cog. Every row belongs to a community.

A round is proposed (``preview``), then ``confirmed`` or ``cancelled``; only confirmed
rounds count as history (no-repeat window, novelty, "first in line"). A match is one
meeting group of 2 (or 3 for an odd peer round); its people are ``mentor_match_member``
rows, each with their own check-in answer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot import message_ref, utcnow

ROLES = ("mentor", "mentee", "peer")
ANSWERS = ("met", "not_yet", "wont_happen")


class MentorProfile(SQLModel, table=True):
    """One member's opt-in. ``active`` False = left (or paused after ignoring check-ins)."""

    __tablename__ = "mentor_profile"
    __table_args__ = (UniqueConstraint("community_id", "member_id", name="uq_mentor_profile_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    role: str = Field(max_length=8)  # mentor | mentee | peer
    topics: str = Field(default="", max_length=500)  # normalised: "python, sql"
    timezone: str = Field(default="UTC", max_length=64)
    capacity: int = Field(default=1)
    goals: str | None = Field(default=None, max_length=500)
    active: bool = Field(default=True)
    inactive_reason: str | None = Field(default=None, max_length=16)  # left | ignored
    paused_until: date | None = Field(default=None)
    ignored_rounds: int = Field(default=0)  # check-ins in a row left unanswered
    joined_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def topic_set(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.topics.split(",") if t.strip())


class MentorAvoid(SQLModel, table=True):
    """``member_id`` never wants to be matched with ``avoided_member_id`` (private)."""

    __tablename__ = "mentor_avoid"
    __table_args__ = (UniqueConstraint("community_id", "member_id", "avoided_member_id",
                                       name="uq_mentor_avoid_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    avoided_member_id: int = Field(foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)


class MentorRound(SQLModel, table=True):
    __tablename__ = "mentor_round"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    status: str = Field(default="preview", max_length=16)  # preview | confirmed | cancelled
    mode: str = Field(default="both", max_length=8)  # both | mentors | peers
    source: str = Field(default="command", max_length=16)  # command | schedule
    # member ids without a foreign key: a member who is forgotten leaves the round's history intact
    created_by: int | None = Field(default=None)
    confirmed_by: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = Field(default=None)
    preview_platform: str | None = Field(default=None, max_length=16)  # a preview posted by a schedule
    preview_server_id: str | None = Field(default=None, max_length=64)
    preview_channel_id: str | None = Field(default=None, max_length=64)
    preview_message_id: str | None = Field(default=None, max_length=64)
    preview_thread_id: str | None = Field(default=None, max_length=64)
    preview = message_ref("preview_")  # the five columns above as one MessageRef (None until posted)
    check_in_due_at: datetime | None = Field(default=None)
    checked_in: bool = Field(default=False)  # check-ins posted
    answers_close_at: datetime | None = Field(default=None)
    closed: bool = Field(default=False)  # unanswered check-ins counted


class MentorMatch(SQLModel, table=True):
    __tablename__ = "mentor_match"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    round_id: int = Field(foreign_key="mentor_round.id", index=True)
    kind: str = Field(max_length=8)  # mentor | peer
    score: float = Field(default=0.0)
    shared_topics: str = Field(default="", max_length=500)
    overlap_hours: float = Field(default=0.0)
    status: str = Field(default="pending", max_length=16)  # pending | met | not_yet | wont_happen
    intro_platform: str | None = Field(default=None, max_length=16)  # the group's intro (private thread / DM)
    intro_server_id: str | None = Field(default=None, max_length=64)
    intro_channel_id: str | None = Field(default=None, max_length=64)
    intro_message_id: str | None = Field(default=None, max_length=64)
    intro_thread_id: str | None = Field(default=None, max_length=64)
    intro = message_ref("intro_")
    met_published: bool = Field(default=False)  # activity "mentor_meeting" sent (once per match)


class MentorMatchMember(SQLModel, table=True):
    __tablename__ = "mentor_match_member"
    __table_args__ = (UniqueConstraint("match_id", "member_id", name="uq_mentor_match_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    match_id: int = Field(foreign_key="mentor_match.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=8)  # mentor | mentee | peer
    answer: str | None = Field(default=None, max_length=16)  # met | not_yet | wont_happen
    answered_at: datetime | None = Field(default=None)


class MentorUnmatched(SQLModel, table=True):
    """Someone a round could not place, and why; they are first in line next round."""

    __tablename__ = "mentor_unmatched"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    round_id: int = Field(foreign_key="mentor_round.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    role: str = Field(max_length=8)
    reason: str = Field(default="", max_length=300)


class MentorSchedule(SQLModel, table=True):
    """A community's round schedule from schedules.yaml; ``since`` resets when ``when_text`` changes."""

    __tablename__ = "mentor_schedule"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    when_text: str = Field(max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    since: datetime = Field(default_factory=utcnow)


class StudyGroupSet(SQLModel, table=True):
    """One run of ``/mentor groups``: previewed, then ``confirmed`` (the groups are introduced and
    count as history for no-repeat) or ``cancelled`` (also when a newer preview replaces it)."""

    __tablename__ = "mentor_group_set"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    status: str = Field(default="preview", max_length=16)  # preview | confirmed | cancelled
    size: int = Field(default=4)
    topic: str | None = Field(default=None, max_length=100)
    repeats: int = Field(default=0)  # pairs together again inside the no-repeat window (unavoidable)
    created_by: int | None = Field(default=None)  # member ids without a foreign key, as rounds keep them
    confirmed_by: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = Field(default=None)


class StudyGroup(SQLModel, table=True):
    __tablename__ = "mentor_study_group"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    set_id: int = Field(foreign_key="mentor_group_set.id", index=True)
    score: float = Field(default=0.0)
    topics: str = Field(default="", max_length=500)  # most shared first: "python, sql"
    overlap_hours: float = Field(default=0.0)
    intro_platform: str | None = Field(default=None, max_length=16)  # the group's intro (private thread / DM)
    intro_server_id: str | None = Field(default=None, max_length=64)
    intro_channel_id: str | None = Field(default=None, max_length=64)
    intro_message_id: str | None = Field(default=None, max_length=64)
    intro_thread_id: str | None = Field(default=None, max_length=64)
    intro = message_ref("intro_")


class StudyGroupMember(SQLModel, table=True):
    """A member of a set: in ``group_id``, or not placed (``group_id`` None)."""

    __tablename__ = "mentor_study_group_member"
    __table_args__ = (UniqueConstraint("set_id", "member_id", name="uq_mentor_study_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    set_id: int = Field(foreign_key="mentor_group_set.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="mentor_study_group.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
