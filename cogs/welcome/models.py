"""One row per member the welcome cog greeted in a community: when, and what they did since.

No text: the introduction is posted for the member, never stored (only that they did).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot import utcnow


class WelcomeMember(SQLModel, table=True):
    __tablename__ = "welcome_member"
    __table_args__ = (UniqueConstraint("community_id", "member_id", name="uq_welcome_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    joined_at: datetime = Field(default_factory=utcnow)  # the join that was welcomed
    welcomed_at: datetime | None = None  # set once the message went out (None: it could not)
    introduced_at: datetime | None = None
    rules_read_at: datetime | None = None  # consent to the rules, recorded by the button
    first_active_at: datetime | None = None  # first message, reaction or activity after joining
