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
    length: int = 0  # characters; never the text itself

    @property
    def is_thread_reply(self) -> bool:
        return self.thread_id is not None or self.reply_to is not None


@dataclass(frozen=True, kw_only=True)
class ReactionAdded(Event):
    message_id: str
    emoji: str = ""


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(Event):
    message_id: str
    emoji: str = ""


@dataclass(frozen=True, kw_only=True)
class MemberJoined(Event):
    pass


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
