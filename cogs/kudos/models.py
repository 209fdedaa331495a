"""One row per kudos given. The reason is posted publicly but never stored (no message text)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.events import utcnow


class KudosGiven(SQLModel, table=True):
    __tablename__ = "kudos_given"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    giver_id: int = Field(foreign_key="member.id", index=True)
    receiver_id: int = Field(foreign_key="member.id", index=True)
    given_at: datetime = Field(default_factory=utcnow)
