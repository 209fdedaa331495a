"""Core tables: who and where. Every cog row points at a community (multi-tenant)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from .events import utcnow


class Community(SQLModel, table=True):
    """A Discord server, a Slack workspace or the console: platform + external id."""

    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_community_platform_external"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    """A person in one community. ``opted_out`` stops participation tracking for them."""

    __tablename__ = "member"
    # ix_member_hidden: the few members rankings and lists leave out (opted out, bots), without
    # reading every member of the community (50k: 15 ms of /stats me's 23). Its predicate is the
    # one SQLAlchemy renders for or_(opted_out, is_bot), so the planners see it implied.
    __table_args__ = (UniqueConstraint("community_id", "external_id", name="uq_member_community_external"),
                      Index("ix_member_hidden", "community_id", sqlite_where=text("opted_out = 1 OR is_bot = 1"),
                            postgresql_where=text("opted_out OR is_bot")))

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    external_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    opted_out: bool = Field(default=False)
    is_bot: bool = Field(default=False)
    joined_at: datetime = Field(default_factory=utcnow)

    @property
    def mention(self) -> str:
        return f"<@{self.external_id}>"


class ScheduleClaim(SQLModel, table=True):
    """One row per (schedule key, due time): whoever inserts it first runs the firing.

    The unique key is what makes firings exactly-once across restarts and processes.
    """

    __tablename__ = "schedule_claim"
    __table_args__ = (UniqueConstraint("key", "due_at", name="uq_schedule_claim_key_due"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    due_at: datetime
    claimed_at: datetime = Field(default_factory=utcnow)
    claimed_by: str = Field(default="", max_length=100)


class BotState(SQLModel, table=True):
    """Small key/value facts the core keeps (e.g. the hash of the last synced command set)."""

    __tablename__ = "bot_state"

    key: str = Field(primary_key=True, max_length=200)
    value: str = Field(default="")
    updated_at: datetime = Field(default_factory=utcnow)


class ErasedMember(SQLModel, table=True):
    """Members erased by /privacy forget, as salted hashes of their external id (bot/privacy.py):
    a member who comes back starts opted out, and nothing here names them."""

    __tablename__ = "erased_member"

    community_id: int = Field(foreign_key="community.id", primary_key=True)
    external_hash: str = Field(primary_key=True, max_length=64)
    erased_at: datetime = Field(default_factory=utcnow)


class InboxEntry(SQLModel, table=True):
    """A request the bot accepted from a platform and has not finished handling (bot/inbox.py).

    Written before the platform gets its acknowledgement and deleted once handled, so a crash in
    between leaves the row for the next start to finish. ``owner`` is the process that took it.
    """

    __tablename__ = "inbox"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    owner: str = Field(max_length=120, index=True)
    received_at: datetime = Field(default_factory=utcnow)
    payload: str = Field(sa_type=Text)
