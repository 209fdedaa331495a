"""Neutral inbound events. Adapters publish the platform ones; cogs publish their own.

``community_id`` and ``member_id`` are database ids; adapters leave them 0 and the core
fills them from the event's ``Origin`` before dispatch. No event ever carries message text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Origin:
    """Who and where on the platform, by external ids (what an adapter knows)."""

    platform: str
    server_id: str
    user_id: str
    user_name: str | None = None
    server_name: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    community_id: int = 0
    member_id: int = 0
    channel_id: str | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, kw_only=True)
class MessagePosted(Event):
    message_id: str
    thread_id: str | None = None  # set when the message is inside a thread
    reply_to: str | None = None  # id of the message it replies to
    # The message the thread hangs off, when there is one: Slack's thread_ts; on Discord a thread
    # started from a message has that message's id (a thread started without one names no message).
    thread_parent_id: str | None = None
    length: int = 0  # characters; never the text itself

    @property
    def is_thread_reply(self) -> bool:
        return self.thread_id is not None or self.reply_to is not None

    def answers(self, message_id: str) -> bool:
        """Whether this message is in the thread of ``message_id`` or a reply to it."""
        return bool(message_id) and message_id in (self.thread_parent_id, self.reply_to)


@dataclass(frozen=True, kw_only=True)
class ReactionAdded(Event):
    """``message_author`` is the platform user id of whoever wrote the reacted message, when the
    platform says (Discord ``message_author_id``, Slack ``item_user``) and it is not a bot;
    ``message_author_id`` is that member's database id, filled by the core (0 = unknown)."""

    message_id: str
    emoji: str = ""
    message_author: str | None = None
    message_author_id: int = 0


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(Event):
    message_id: str
    emoji: str = ""
    message_author: str | None = None
    message_author_id: int = 0


@dataclass(frozen=True, kw_only=True)
class MemberJoined(Event):
    """A member joined: the community itself when ``channel_id`` is None (Discord member join,
    Slack ``team_join``, console ``:join``), else one channel (Slack ``member_joined_channel``)."""

    @property
    def joined_community(self) -> bool:
        return self.channel_id is None


@dataclass(frozen=True, kw_only=True)
class MemberLeft(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class Activity(Event):
    """Something a member did that a cog wants counted: ``kind`` is one of the cog's declared
    ``ActivityKind`` names. ``weight`` multiplies the kind's points (default 1); ``subject``
    says what it was about (e.g. "poll:12"), never any text a member wrote."""

    kind: str
    weight: float = 1.0
    subject: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.weight, (int, float)) or not math.isfinite(self.weight) or self.weight < 0:
            raise ValueError(f"Activity weight must be a finite number >= 0, not {self.weight!r}")
