"""Pure builders for Discord API v10 payloads, shaped so discord.py 2.7 parses them.

Every id is a snowflake string, as on the wire. Inputs may be ints or strings.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any, Iterable

DISCORD_EPOCH_MS = 1420070400000
ALL_PERMISSIONS = (1 << 53) - 1
EPHEMERAL_FLAG = 64
# What a plain member may do in a channel: view, send, read history, react, use commands.
DEFAULT_EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 6) | (1 << 31) | (1 << 38)
CHANNEL_TYPE_DM = 1
CHANNEL_TYPE_PUBLIC_THREAD = 11
CHANNEL_TYPE_PRIVATE_THREAD = 12


class Snowflakes:
    """Increasing snowflake ids whose timestamp part is "now", like Discord's."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def next(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(self._counter) & 0x3FFFFF))


def sid(value: int | str | None) -> str | None:
    """Normalise an id to the string form Discord uses."""
    return None if value is None else str(value)


def iso_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def user_payload(user_id: int | str, username: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": sid(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
        "system": False,
    }


def role_payload(guild_id: str, spec: dict[str, Any], position: int, ids: Snowflakes) -> dict[str, Any]:
    """A full role from a partial spec ({"name", optional "id", "permissions", ...})."""
    is_everyone = spec.get("name") == "@everyone"
    role = {
        "id": sid(spec.get("id")) or (guild_id if is_everyone else ids.next()),
        "name": spec["name"],
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": 0 if is_everyone else position,
        "permissions": str(DEFAULT_EVERYONE_PERMISSIONS if is_everyone else 0),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    role.update({k: v for k, v in spec.items() if k not in ("id", "permissions")})
    if "permissions" in spec:
        role["permissions"] = str(spec["permissions"])
    return role


def channel_payload(
    guild_id: str | None,
    channel_id: int | str,
    name: str,
    *,
    type: int = 0,
    position: int = 0,
    parent_id: int | str | None = None,
) -> dict[str, Any]:
    return {
        "id": sid(channel_id),
        "type": type,
        "guild_id": guild_id,
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": sid(parent_id),
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "bitrate": 64000,
        "user_limit": 0,
        "flags": 0,
    }


def thread_payload(
    guild_id: str,
    thread_id: str,
    parent_id: str,
    name: str,
    *,
    owner_id: str,
    private: bool = False,
    auto_archive_duration: int = 1440,
    invitable: bool = True,
) -> dict[str, Any]:
    return {
        "id": thread_id,
        "guild_id": guild_id,
        "parent_id": parent_id,
        "owner_id": owner_id,
        "name": name,
        "type": CHANNEL_TYPE_PRIVATE_THREAD if private else CHANNEL_TYPE_PUBLIC_THREAD,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": iso_now(),
            "locked": False,
            "invitable": invitable,
            "create_timestamp": iso_now(),
        },
    }


def dm_channel_payload(channel_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": channel_id, "type": CHANNEL_TYPE_DM, "recipients": [recipient], "last_message_id": None, "flags": 0}


def member_payload(user: dict[str, Any], role_ids: Iterable[int | str] = ()) -> dict[str, Any]:
    return {
        "user": user,
        "nick": None,
        "avatar": None,
        "roles": [sid(r) for r in role_ids],
        "joined_at": iso_now(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def member_permissions(guild: dict[str, Any], member: dict[str, Any]) -> int:
    """Guild-level permissions of a member: owner gets all, else the OR of its roles."""
    if member["user"]["id"] == guild["owner_id"]:
        return ALL_PERMISSIONS
    wanted = set(member["roles"]) | {guild["id"]}
    value = 0
    for role in guild["roles"]:
        if role["id"] in wanted:
            value |= int(role["permissions"])
    if value & (1 << 3):  # ADMINISTRATOR implies everything
        return ALL_PERMISSIONS
    return value


def guild_payload(guild: dict[str, Any], threads: list[dict[str, Any]]) -> dict[str, Any]:
    """A GUILD_CREATE body from the stored guild (which keeps channels/roles/members lists)."""
    return {
        **guild,
        "member_count": len(guild["members"]),
        "large": False,
        "unavailable": False,
        "joined_at": iso_now(),
        "threads": threads,
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "emojis": [],
        "stickers": [],
    }


def new_guild(guild_id: str, name: str, owner_id: str) -> dict[str, Any]:
    return {
        "id": guild_id,
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": owner_id,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "vanity_url_code": None,
        "features": [],
        "max_members": 500000,
        "roles": [],
        "channels": [],
        "members": [],
    }


def attachment_payload(attachment_id: str, filename: str, data: bytes, content_type: str | None) -> dict[str, Any]:
    url = f"https://cdn.invalid/attachments/{attachment_id}/{filename}"
    return {
        "id": attachment_id,
        "filename": filename,
        "size": len(data),
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "description": None,
    }


def message_payload(
    message_id: str,
    channel_id: str,
    author: dict[str, Any],
    *,
    guild_id: str | None = None,
    content: str = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    flags: int = 0,
    type: int = 0,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "reactions": [],
        "pinned": False,
        "type": type,
        "flags": flags,
    }
    if guild_id is not None:
        message["guild_id"] = guild_id
    return message


def apply_message_edit(message: dict[str, Any], body: dict[str, Any]) -> None:
    """Apply a PATCH body to a stored message in place (attachments are handled by the caller)."""
    cleared = {"content": "", "embeds": [], "components": [], "flags": 0, "allowed_mentions": None}
    for key, empty in cleared.items():
        if key in body and key != "allowed_mentions":
            message[key] = empty if body[key] is None else body[key]
    message["edited_timestamp"] = iso_now()


def command_payload(spec: dict[str, Any], *, command_id: str, application_id: str, guild_id: str | None) -> dict[str, Any]:
    """A registered application command as GET/PUT .../commands returns it."""
    command = {
        "type": 1,
        "description": "",
        "options": [],
        "default_member_permissions": None,
        "dm_permission": True,
        "nsfw": False,
        "integration_types": [0],
        "contexts": None,
        **spec,
        "id": command_id,
        "application_id": application_id,
        "version": command_id,
    }
    if command["default_member_permissions"] is not None:  # sent as an integer, answered as a string
        command["default_member_permissions"] = str(command["default_member_permissions"])
    if guild_id is not None:
        command["guild_id"] = guild_id
    return command


def scheduled_event_payload(event_id: str, guild_id: str, creator: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A Guild Scheduled Event as Discord returns it (status 1 = scheduled)."""
    return {"id": str(event_id), "guild_id": guild_id, "channel_id": body.get("channel_id"),
            "creator_id": creator["id"], "creator": creator, "name": body["name"],
            "description": body.get("description"), "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"), "privacy_level": body["privacy_level"],
            "status": 1, "entity_type": body["entity_type"], "entity_id": None,
            "entity_metadata": body.get("entity_metadata"), "user_count": 0, "image": None}
