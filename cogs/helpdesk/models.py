"""One row per watched question: metadata only (which message, where, who, replies) — never text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class HelpWatch(SQLModel, table=True):
    __tablename__ = "help_watch"
    __table_args__ = (UniqueConstraint("community_id", "message_id", name="uq_help_watch_message"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    channel_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    author_id: int = Field(foreign_key="member.id", index=True)
    posted_at: datetime
    due_at: datetime = Field(index=True)  # when the staff hear about it if nobody answered
    reply_count: int = 0
    answered_at: datetime | None = None  # the first reply by someone else
    answered_by_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    resolved_at: datetime | None = None  # answered, or the author's ✅
    resolved_how: str | None = Field(default=None, max_length=16)  # "answer" | "author"
    notified_at: datetime | None = None  # the one notice to the staff
