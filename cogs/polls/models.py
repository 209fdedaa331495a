"""Tables of the polls cog. Polls and surveys share one id space (``poll.kind``), so
``/poll close 7`` and ``/poll results 7`` work the same for both.

Anonymity is structural: for an anonymous poll the only row naming a member is the
``poll_voter`` "has voted" guard (random id, the poll's creation time); a choice is a sealed
ballot until it is counted, in a batch of at least k, into the counters on ``poll_option``.
``poll_vote`` (member -> option) is written for non-anonymous polls only. Anonymous survey
responses are stored with neither member nor time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot import message_ref, utcnow


class Poll(SQLModel, table=True):
    __tablename__ = "poll"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: str = Field(default="poll", max_length=16)  # "poll" | "survey"
    author_id: int | None = Field(default=None, foreign_key="member.id")
    question: str = Field(max_length=300)  # the survey's title for surveys
    multi: bool = False
    max_picks: int | None = None
    anonymous: bool = False
    hidden: bool = False
    scale: int | None = None  # rating scale 1..scale
    answer: int | None = None  # quiz: the correct option, 1-based
    explain: str = Field(default="", max_length=1000)
    status: str = Field(default="open", max_length=16)  # "open" | "closed"
    created_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime | None = Field(default=None, index=True)
    closed_at: datetime | None = None
    schedule_key: str | None = Field(default=None, max_length=100)  # set when posted by schedules.yaml
    platform: str | None = Field(default=None, max_length=16)  # where the poll message is
    server_id: str | None = Field(default=None, max_length=64)
    channel_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    thread_id: str | None = Field(default=None, max_length=64)
    message = message_ref()  # the five columns above as one MessageRef (None until posted)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_quiz(self) -> bool:
        return self.answer is not None


class PollOption(SQLModel, table=True):
    """One choice; ``votes`` is kept exact in the same transaction as each ballot."""

    __tablename__ = "poll_option"
    __table_args__ = (UniqueConstraint("poll_id", "position", name="uq_poll_option_position"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int  # 1-based, as shown to people
    label: str = Field(max_length=100)
    votes: int = 0


class PollVote(SQLModel, table=True):
    """Who picked what — non-anonymous polls only."""

    __tablename__ = "poll_vote"
    __table_args__ = (UniqueConstraint("poll_id", "member_id", "position", name="uq_poll_vote_member_option"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    position: int
    voted_at: datetime = Field(default_factory=utcnow)


class PollVoter(SQLModel, table=True):
    """"Has voted/answered" guard for every poll and survey: no option, ever."""

    __tablename__ = "poll_voter"
    __table_args__ = (UniqueConstraint("poll_id", "member_id", name="uq_poll_voter_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    first_at: datetime = Field(default_factory=utcnow)


class PollSealedBallot(SQLModel, table=True):
    """An anonymous vote not counted yet: its option sealed under a key the database does not
    hold (ballots.py). No member, no time, and a random id: nothing orders it among the others."""

    __tablename__ = "poll_sealed_ballot"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    community_id: int = Field(foreign_key="community.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    sealed: bytes = Field(sa_type=LargeBinary)


class PollQuestion(SQLModel, table=True):
    """A survey question: kind "choice" (with options "A; B"), "scale" (1-5) or "text"."""

    __tablename__ = "poll_question"
    __table_args__ = (UniqueConstraint("poll_id", "position", name="uq_poll_question_position"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int
    text: str = Field(max_length=100)
    kind: str = Field(default="text", max_length=16)
    options: str = Field(default="", max_length=1000)


class PollResponse(SQLModel, table=True):
    """One member's survey submission; member and time are left empty when anonymous."""

    __tablename__ = "poll_response"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    submitted_at: datetime | None = None


class PollAnswer(SQLModel, table=True):
    __tablename__ = "poll_answer"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    response_id: int = Field(foreign_key="poll_response.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int  # the question's position
    value: str = Field(default="", max_length=1000)


class PollSchedule(SQLModel, table=True):
    """A recurring poll/survey from schedules.yaml: remembers when it first existed (no
    firings from before that) across restarts."""

    __tablename__ = "poll_schedule"
    __table_args__ = (UniqueConstraint("community_id", "kind", "key", name="uq_poll_schedule_key"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: str = Field(max_length=16)  # "poll" | "survey"
    key: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
