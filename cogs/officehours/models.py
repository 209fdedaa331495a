"""Tables of the office-hours queue. One queue per community at a time; one row per visit.

``topic`` is what a member typed as the /queue join option (a few words for the instructor),
never a chat message.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot import utcnow


class HelpQueue(SQLModel, table=True):
    __tablename__ = "help_queue"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    topic: str = Field(default="", max_length=200)
    channel_id: str = Field(default="", max_length=64)  # where "you're up" is posted
    status: str = Field(default="open", max_length=16)  # "open" | "closed"
    session_id: int | None = None  # opened with this live session (cogs.events): closes with it
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class QueueEntry(SQLModel, table=True):
    """A member's visit: waiting -> helping -> done | no_show; or left / cleared while waiting."""

    __tablename__ = "queue_entry"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    queue_id: int = Field(foreign_key="help_queue.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    topic: str = Field(default="", max_length=200)
    status: str = Field(default="waiting", max_length=16)
    joined_at: datetime = Field(default_factory=utcnow)
    called_at: datetime | None = None
    called_by: int | None = Field(default=None, foreign_key="member.id")
    finished_at: datetime | None = None
