"""Neutral inbound events. Adapters publish the platform ones; cogs publish their own.

``community_id`` and ``member_id`` are database ids; adapters leave them 0 and the core
fills them from the event's ``Origin`` before dispatch. No event ever carries message text.
"""

from __future__ import annotations

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


# Events the built-in cogs publish for participation tracking.
@dataclass(frozen=True, kw_only=True)
class PromptResponded(Event):
    prompt_post_id: int


@dataclass(frozen=True, kw_only=True)
class PollVoted(Event):
    poll_id: int


@dataclass(frozen=True, kw_only=True)
class QuizAnswered(Event):
    poll_id: int
    correct: bool


@dataclass(frozen=True, kw_only=True)
class SurveyAnswered(Event):
    survey_id: int


@dataclass(frozen=True, kw_only=True)
class MentorMeetingConfirmed(Event):
    match_id: int
