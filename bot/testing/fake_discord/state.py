"""What the fake Discord knows: guilds, channels, users, and everything the bot did."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import payloads as p


class SnowflakeDict(dict):  # type: ignore[type-arg]
    """A dict keyed by snowflake strings that also accepts int keys in lookups."""

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(str(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(str(key), value)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(str(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(str(key), default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return super().setdefault(str(key), default)


@dataclass
class RecordedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST call as the fake received it. `path` is relative to /api/v10."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    status: int = 0  # filled in once answered
    unknown: bool = False  # no fake endpoint for it: the bot called something the fake lacks
    at: float = field(default_factory=time.perf_counter)  # arrival (perf_counter): benches time acks by it

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def matches(self, method: str | None, path_regex: str) -> bool:
        return (method is None or method.upper() == self.method) and re.search(path_regex, self.path) is not None


@dataclass
class InjectedFault:
    """The next `count` calls matching (method, path_regex) are answered with `status`."""

    path_regex: str
    status: int
    count: int
    method: str | None = None
    retry_after: float = 0.0
    body: dict[str, Any] = field(default_factory=dict)

    def take(self, request: RecordedRequest) -> bool:
        if self.count <= 0 or not request.matches(self.method, self.path_regex):
            return False
        self.count -= 1
        return True


@dataclass
class InteractionRecord:
    """What the fake remembers about an interaction it injected, to serve its webhooks."""

    id: str
    token: str
    channel_id: str
    guild_id: str | None
    message_id: str | None = None  # the message a component was clicked on
    original_message_id: str | None = None


class DiscordState:
    """The server-side world. Mutated by the test (add_*) and by REST calls from the bot."""

    def __init__(self, *, application_id: str, bot_user_id: str, bot_name: str) -> None:
        self.ids = p.Snowflakes()
        self.application_id = application_id
        self.bot_user = p.user_payload(bot_user_id, bot_name, bot=True)
        self.users: dict[str, dict[str, Any]] = {bot_user_id: self.bot_user}
        self.guilds: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.dm_channels_by_user: dict[str, str] = {}
        self.dms_closed: set[str] = set()
        self.thread_members: dict[str, set[str]] = {}
        self.all_messages: dict[str, dict[str, Any]] = {}
        self.messages: SnowflakeDict = SnowflakeDict()  # channel id -> messages the bot posted
        self.message_edits: SnowflakeDict = SnowflakeDict()  # message id -> list of PATCH bodies
        self.deleted_message_ids: list[str] = []
        self.reactions_added: list[tuple[str, str, str]] = []  # (channel, message, emoji) by the bot
        self.interactions: dict[str, InteractionRecord] = {}  # token -> record
        self.interaction_responses: SnowflakeDict = SnowflakeDict()
        self.registered_commands: SnowflakeDict = SnowflakeDict({"global": []})
        self.scheduled_events: dict[str, dict[str, Any]] = {}  # Guild Scheduled Events by id

    # -- world set-up --------------------------------------------------------------
    def user(self, user_id: int | str, username: str | None = None, *, bot: bool = False) -> dict[str, Any]:
        key = str(user_id)
        if key not in self.users:
            self.users[key] = p.user_payload(key, username or f"user{key[-4:]}", bot=bot)
        return self.users[key]

    def add_guild(self, guild_id: int | str, name: str, owner_id: int | str) -> dict[str, Any]:
        gid = str(guild_id)
        guild = p.new_guild(gid, name, str(owner_id))
        guild["roles"].append(p.role_payload(gid, {"name": "@everyone"}, 0, self.ids))
        self.guilds[gid] = guild
        self.add_member(gid, self.bot_user["id"], self.bot_user["username"], bot=True)
        return guild

    def add_role(self, guild_id: int | str, spec: dict[str, Any]) -> dict[str, Any]:
        guild = self.guilds[str(guild_id)]
        role = p.role_payload(guild["id"], spec, len(guild["roles"]), self.ids)
        guild["roles"].append(role)
        return role

    def add_channel(self, guild_id: int | str, channel_id: int | str, name: str, type: int = 0,
                    parent_id: int | str | None = None) -> dict[str, Any]:
        guild = self.guilds[str(guild_id)]
        channel = p.channel_payload(guild["id"], channel_id, name, type=type,
                                    position=len(guild["channels"]), parent_id=parent_id)
        guild["channels"].append(channel)
        self.channels[channel["id"]] = channel
        return channel

    def add_member(self, guild_id: int | str, user_id: int | str, username: str, *,
                   roles: Iterable[int | str] = (), bot: bool = False) -> dict[str, Any]:
        guild = self.guilds[str(guild_id)]
        member = p.member_payload(self.user(user_id, username, bot=bot), roles)
        guild["members"] = [m for m in guild["members"] if m["user"]["id"] != str(user_id)] + [member]
        return member

    def remove_member(self, guild_id: int | str, user_id: int | str) -> None:
        guild = self.guilds[str(guild_id)]
        guild["members"] = [m for m in guild["members"] if m["user"]["id"] != str(user_id)]

    def member(self, guild_id: int | str, user_id: int | str) -> dict[str, Any] | None:
        guild = self.guilds.get(str(guild_id))
        if guild is None:
            return None
        return next((m for m in guild["members"] if m["user"]["id"] == str(user_id)), None)

    def add_thread(self, parent_id: str, thread_id: str, name: str, *, owner_id: str,
                   private: bool = False, auto_archive_duration: int = 1440,
                   invitable: bool = True) -> dict[str, Any]:
        parent = self.channels[parent_id]
        thread = p.thread_payload(parent["guild_id"], thread_id, parent_id, name, owner_id=owner_id,
                                  private=private, auto_archive_duration=auto_archive_duration,
                                  invitable=invitable)
        self.channels[thread_id] = thread
        self.thread_members[thread_id] = {owner_id}
        return thread

    def threads_of(self, guild_id: str) -> list[dict[str, Any]]:
        kinds = (p.CHANNEL_TYPE_PUBLIC_THREAD, p.CHANNEL_TYPE_PRIVATE_THREAD)
        return [c for c in self.channels.values() if c.get("guild_id") == guild_id and c["type"] in kinds]

    def dm_channel(self, user_id: str) -> dict[str, Any]:
        if user_id not in self.dm_channels_by_user:
            channel = p.dm_channel_payload(self.ids.next(), self.user(user_id))
            self.channels[channel["id"]] = channel
            self.dm_channels_by_user[user_id] = channel["id"]
        return self.channels[self.dm_channels_by_user[user_id]]

    def dm_is_closed(self, channel_id: str) -> bool:
        channel = self.channels.get(channel_id)
        if channel is None or channel["type"] != p.CHANNEL_TYPE_DM:
            return False
        return channel["recipients"][0]["id"] in self.dms_closed

    # -- messages --------------------------------------------------------------------
    def new_message(self, channel_id: str, author: dict[str, Any], *, by_bot: bool, **fields: Any) -> dict[str, Any]:
        channel = self.channels.get(channel_id, {})
        message = p.message_payload(self.ids.next(), channel_id, author, guild_id=channel.get("guild_id"), **fields)
        self.all_messages[message["id"]] = message
        if channel:
            channel["last_message_id"] = message["id"]
        if by_bot:
            self.messages.setdefault(channel_id, []).append(message)
        return message

    def edit_message(self, message_id: str, body: dict[str, Any],
                     new_attachments: list[dict[str, Any]]) -> dict[str, Any] | None:
        message = self.all_messages.get(message_id)
        if message is None:
            return None
        p.apply_message_edit(message, body)
        if "attachments" in body or new_attachments:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept_ids] + new_attachments
        self.message_edits.setdefault(message_id, []).append(body)
        return message

    def delete_message(self, message_id: str) -> bool:
        message = self.all_messages.pop(message_id, None)
        if message is None:
            return False
        bucket = self.messages.get(message["channel_id"], [])
        bucket[:] = [m for m in bucket if m["id"] != message_id]
        self.deleted_message_ids.append(message_id)
        return True

    def find_command(self, name: str, guild_id: str | None) -> dict[str, Any] | None:
        scopes = ([guild_id] if guild_id else []) + ["global"]
        for scope in scopes:
            for command in self.registered_commands.get(scope, []):
                if command["name"] == name:
                    return command
        return None
