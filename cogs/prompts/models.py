"""Tables of the prompts cog. Every row belongs to a community.

- ``prompt_schedule``: what to post when (from schedules.yaml or ``/prompt schedule``).
  Never deleted: a schedule removed from the YAML or cancelled is only deactivated.
- ``prompt_bank`` / ``prompt_question``: named question banks (YAML, commands, imports,
  approved suggestions — the suggester is credited).
- ``prompt_post``: what was posted where and when. Its ``cycle`` column is the rotation
  state: the questions a schedule used in its current cycle are its posts of that cycle.
- ``prompt_response``: who answered which post (first time only; never the text).
- ``prompt_suggestion``: a member's proposed question awaiting an instructor.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot import message_ref, utcnow


class PromptSchedule(SQLModel, table=True):
    __tablename__ = "prompt_schedule"
    __table_args__ = (UniqueConstraint("community_id", "key", name="uq_prompt_schedule_key"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    key: str = Field(max_length=50)  # the id users see: "monday-warmup"
    source: str = Field(default="command", max_length=16)  # "yaml" | "command"
    channel: str = Field(max_length=100)  # alias, name or id
    when_text: str = Field(max_length=100)
    timezone: str | None = Field(default=None, max_length=64)  # None: the community's
    bank: str | None = Field(default=None, max_length=50)
    questions_json: str = Field(default="[]")  # inline questions (when no bank)
    rotation: str = Field(default="in-order", max_length=16)  # "in-order" | "shuffle"
    thread: bool = False
    mention: str | None = Field(default=None, max_length=100)
    start_date: date | None = None  # None: the community's term
    end_date: date | None = None
    skip_json: str = Field(default="[]")  # date ranges, "2026-02-16..2026-02-20"
    grace: str | None = Field(default=None, max_length=20)  # None: the community's grace
    active: bool = True
    inactive_reason: str | None = Field(default=None, max_length=16)  # "cancelled" | "removed"
    config_hash: str = Field(default="", max_length=64)  # settings fingerprint for idempotent sync
    active_since: datetime = Field(default_factory=utcnow)  # no firing from before this instant
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def questions(self) -> list[str]:
        return list(json.loads(self.questions_json or "[]"))

    @property
    def skip(self) -> list[str]:
        return list(json.loads(self.skip_json or "[]"))

    @property
    def timer_key(self) -> str:
        return f"prompt:{self.id}"


class PromptBank(SQLModel, table=True):
    __tablename__ = "prompt_bank"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_prompt_bank_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    source: str = Field(default="command", max_length=16)  # "yaml" | "command"
    created_at: datetime = Field(default_factory=utcnow)


class PromptQuestion(SQLModel, table=True):
    __tablename__ = "prompt_question"
    __table_args__ = (UniqueConstraint("bank_id", "text", name="uq_prompt_question_text"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    bank_id: int = Field(foreign_key="prompt_bank.id", index=True)
    text: str = Field(max_length=500)
    position: int = 0  # order within the bank (in-order rotation, listings)
    source: str = Field(default="command", max_length=16)  # "yaml" | "command" | "import" | "suggestion"
    suggested_by: int | None = Field(default=None, foreign_key="member.id")
    added_at: datetime = Field(default_factory=utcnow)


class PromptPost(SQLModel, table=True):
    __tablename__ = "prompt_post"
    __table_args__ = (UniqueConstraint("schedule_id", "due_at", name="uq_prompt_post_schedule_due"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    schedule_id: int | None = Field(default=None, foreign_key="prompt_schedule.id", index=True)
    question: str = Field(max_length=500)
    cycle: int = 0  # rotation cycle of its schedule
    platform: str = Field(max_length=16)
    server_id: str = Field(max_length=64)
    channel_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64, index=True)
    thread_id: str | None = Field(default=None, max_length=64, index=True)
    due_at: datetime | None = None  # the scheduled time (None: posted by hand)
    posted_at: datetime = Field(default_factory=utcnow)
    posted_by: int | None = Field(default=None, foreign_key="member.id")


class PromptResponse(SQLModel, table=True):
    __tablename__ = "prompt_response"
    __table_args__ = (UniqueConstraint("post_id", "member_id", name="uq_prompt_response_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    post_id: int = Field(foreign_key="prompt_post.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    first_at: datetime = Field(default_factory=utcnow)


class PromptSuggestion(SQLModel, table=True):
    __tablename__ = "prompt_suggestion"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    bank: str = Field(max_length=50)
    text: str = Field(max_length=500)
    status: str = Field(default="pending", max_length=16)  # "pending" | "approved" | "rejected"
    platform: str | None = Field(default=None, max_length=16)  # the staff message
    server_id: str | None = Field(default=None, max_length=64)
    channel_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    message = message_ref()  # the staff card: the four columns above as one MessageRef
    handled_by: int | None = Field(default=None, foreign_key="member.id")
    handled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
