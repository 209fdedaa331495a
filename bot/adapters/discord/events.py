"""Gateway events -> the core's neutral events. Never passes message text, only its length.

Each function returns ``(Origin, Event)`` or ``None`` for what the bot ignores (bots,
webhooks, direct messages, its own reactions).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from ...edge import platform_name
from ...events import MemberJoined, MemberLeft, MessagePosted, Origin, ReactionAdded, ReactionRemoved

PLATFORM = "discord"


def where(channel: Any) -> tuple[str | None, str | None, str | None]:
    """(channel id, channel name, thread id): a thread reports its parent as the channel."""
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        return (str(channel.parent_id), parent.name if parent is not None else None, str(channel.id))
    if channel is None:
        return None, None, None
    return str(channel.id), getattr(channel, "name", None), None


def display_name(user: Any) -> str | None:
    if user is None:
        return None
    return platform_name(getattr(user, "display_name", None) or getattr(user, "name", None))


def message_event(message: discord.Message, at: datetime) -> tuple[Origin, MessagePosted] | None:
    if message.guild is None or message.author.bot or message.webhook_id is not None:
        return None
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return None  # joins, pins, thread announcements...
    channel_id, channel_name, thread_id = where(message.channel)
    origin = Origin(platform=PLATFORM, server_id=str(message.guild.id), user_id=str(message.author.id),
                    user_name=display_name(message.author), server_name=message.guild.name,
                    channel_id=channel_id, channel_name=channel_name)
    reply_to = message.reference.message_id if message.reference is not None else None
    # a thread started from a message has that message's id (Discord gives both one id)
    event = MessagePosted(message_id=str(message.id), channel_id=channel_id, thread_id=thread_id,
                          reply_to=str(reply_to) if reply_to else None, thread_parent_id=thread_id,
                          length=len(message.content or ""), at=at)
    return origin, event


def reaction_event(payload: discord.RawReactionActionEvent, guild: discord.Guild | None, bot_user_id: int | None,
                   at: datetime) -> tuple[Origin, ReactionAdded | ReactionRemoved] | None:
    if payload.guild_id is None or payload.user_id == bot_user_id:
        return None
    member = payload.member or (guild.get_member(payload.user_id) if guild is not None else None)
    if member is not None and member.bot:
        return None
    channel = guild.get_channel_or_thread(payload.channel_id) if guild is not None else None
    channel_id, channel_name, _ = where(channel)
    channel_id = channel_id or str(payload.channel_id)
    origin = Origin(platform=PLATFORM, server_id=str(payload.guild_id), user_id=str(payload.user_id),
                    user_name=display_name(member), server_name=guild.name if guild is not None else None,
                    channel_id=channel_id, channel_name=channel_name)
    kind = ReactionAdded if payload.event_type == "REACTION_ADD" else ReactionRemoved
    author_id = payload.message_author_id
    author = guild.get_member(author_id) if guild is not None and author_id else None
    if author_id == bot_user_id or (author is not None and author.bot):
        author_id = None  # the bot's own post, or another bot's: nobody to credit
    return origin, kind(message_id=str(payload.message_id), emoji=str(payload.emoji), channel_id=channel_id,
                        message_author=str(author_id) if author_id else None, at=at)


def member_event(guild_id: int, guild_name: str | None, user: Any, *, joined: bool,
                 at: datetime) -> tuple[Origin, MemberJoined | MemberLeft] | None:
    if user is None or getattr(user, "bot", False):
        return None
    origin = Origin(platform=PLATFORM, server_id=str(guild_id), user_id=str(user.id),
                    user_name=display_name(user), server_name=guild_name)
    return origin, (MemberJoined(at=at) if joined else MemberLeft(at=at))
