"""The kudos cog's tables. The reason is posted publicly but never stored (no message text).

- ``kudos_given``: one row per kudos; ``source`` is "command" (/kudos) or "reaction" (the
  configured emoji on someone's message, which also keeps the message id: one reaction kudos
  per giver per message, so a duplicate event or un-react/re-react counts once).
- ``kudos_board_member``: who opted in to the weekly kudos board (/kudos-board join).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot import utcnow


class KudosGiven(SQLModel, table=True):
    __tablename__ = "kudos_given"
    __table_args__ = (Index("uq_kudos_given_reaction", "community_id", "giver_id", "message_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    giver_id: int = Field(foreign_key="member.id", index=True)
    receiver_id: int = Field(foreign_key="member.id", index=True)
    given_at: datetime = Field(default_factory=utcnow)
    source: str = Field(default="command", max_length=8)  # command | reaction
    message_id: str | None = Field(default=None, max_length=64)  # the reacted message (reaction kudos)


class KudosBoardMember(SQLModel, table=True):
    __tablename__ = "kudos_board_member"
    __table_args__ = (UniqueConstraint("community_id", "member_id", name="uq_kudos_board_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    joined_at: datetime = Field(default_factory=utcnow)
