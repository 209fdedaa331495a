"""Things a user does on Discord, injected into the bot's gateway as DISPATCH events."""

from __future__ import annotations

import secrets
from typing import Any

from . import payloads as p
from .gateway import Gateway
from .interactions import interaction_payload
from .state import DiscordState, InteractionRecord

Id = int | str


class UserActions:
    """Mixin for FakeDiscord: each method sends one gateway event and returns its payload."""

    state: DiscordState
    gateway: Gateway

    def _user_and_member(self, guild_id: Id | None, user_id: Id, bot: bool = False) -> tuple[dict, dict | None]:
        user = self.state.user(user_id, bot=bot)
        if guild_id is None:
            return user, None
        member = self.state.member(guild_id, user_id) or self.state.add_member(guild_id, user_id, user["username"], bot=bot)
        return user, member

    def _new_interaction(self, guild_id: Id | None, channel_id: Id, message_id: Id | None = None) -> InteractionRecord:
        record = InteractionRecord(id=self.state.ids.next(), token=f"itoken-{secrets.token_urlsafe(24)}",
                                   channel_id=str(channel_id), guild_id=p.sid(guild_id), message_id=p.sid(message_id))
        self.state.interactions[record.token] = record
        return record

    async def _dispatch_interaction(self, record: InteractionRecord, user_id: Id, *, type: int,
                                    data: dict[str, Any], message: dict[str, Any] | None = None) -> dict[str, Any]:
        self._user_and_member(record.guild_id, user_id)
        payload = interaction_payload(self.state, record, str(user_id), type=type, data=data, message=message)
        return await self.gateway.dispatch("INTERACTION_CREATE", payload)

    async def send_interaction_command(self, guild_id: Id | None, channel_id: Id, user_id: Id, name: str,
                                       options: list[dict[str, Any]] | None = None, *,
                                       resolved: dict[str, Any] | None = None, command_type: int = 1) -> dict[str, Any]:
        """A slash command. `options` is Discord's nested payload, e.g.
        [{"type": 1, "name": "create", "options": [{"type": 3, "name": "question", "value": "?"}]}]."""
        command = self.state.find_command(name, p.sid(guild_id))
        data: dict[str, Any] = {"id": command["id"] if command else self.state.ids.next(), "name": name,
                                "type": command_type, "options": options or []}
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        record = self._new_interaction(guild_id, channel_id)
        return await self._dispatch_interaction(record, user_id, type=2, data=data)

    async def send_interaction_component(self, guild_id: Id | None, channel_id: Id, user_id: Id, message_id: Id,
                                         custom_id: str, *, component_type: int = 2,
                                         values: list[str] | None = None) -> dict[str, Any]:
        """A click on a button (component_type 2) or a choice in a select (3, with `values`)
        on a message the bot posted earlier."""
        message = self.state.all_messages.get(str(message_id))
        if message is None:
            message = p.message_payload(str(message_id), str(channel_id), self.state.bot_user, guild_id=p.sid(guild_id))
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        record = self._new_interaction(guild_id, channel_id, message_id)
        return await self._dispatch_interaction(record, user_id, type=3, data=data, message=message)

    async def send_modal_submit(self, guild_id: Id | None, channel_id: Id, user_id: Id, custom_id: str,
                                components: list[dict[str, Any]], *, message_id: Id | None = None) -> dict[str, Any]:
        """`components`: action rows of text inputs, e.g.
        [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "42"}]}]."""
        record = self._new_interaction(guild_id, channel_id, message_id)
        data = {"custom_id": custom_id, "components": components}
        message = self.state.all_messages.get(str(message_id)) if message_id else None
        return await self._dispatch_interaction(record, user_id, type=5, data=data, message=message)

    async def send_message(self, guild_id: Id | None, channel_id: Id, user_id: Id, content: str = "", *,
                           thread_of: Id | None = None, reply_to: Id | None = None, bot: bool = False,
                           username: str | None = None) -> dict[str, Any]:
        """MESSAGE_CREATE from a user. With `thread_of=<parent channel id>`, `channel_id` is a
        thread in that channel (created, and announced with THREAD_CREATE, if new)."""
        channel_key = str(channel_id)
        if thread_of is not None and channel_key not in self.state.channels:
            thread = self.state.add_thread(str(thread_of), channel_key, f"thread-{channel_key[-4:]}",
                                           owner_id=str(user_id))
            await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        user = self.state.user(user_id, username, bot=bot)
        _, member = self._user_and_member(guild_id, user_id, bot=bot)
        message = self.state.new_message(channel_key, user, by_bot=False, content=content)
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
            message["member"] = {k: v for k, v in (member or {}).items() if k != "user"}
        if reply_to is not None:
            message["type"] = 19
            message["message_reference"] = {"message_id": str(reply_to), "channel_id": channel_key,
                                            "guild_id": p.sid(guild_id), "type": 0}
            message["referenced_message"] = self.state.all_messages.get(str(reply_to))
        return await self.gateway.dispatch("MESSAGE_CREATE", message)

    async def send_dm(self, user_id: Id, content: str, *, username: str | None = None) -> dict[str, Any]:
        """MESSAGE_CREATE for a direct message from a user to the bot."""
        user = self.state.user(user_id, username)
        channel = self.state.dm_channel(user["id"])
        message = self.state.new_message(channel["id"], user, by_bot=False, content=content)
        return await self.gateway.dispatch("MESSAGE_CREATE", message)

    async def send_reaction(self, guild_id: Id | None, channel_id: Id, message_id: Id, user_id: Id,
                            emoji: str = "👍", removed: bool = False) -> dict[str, Any]:
        _, member = self._user_and_member(guild_id, user_id)
        data: dict[str, Any] = {"user_id": str(user_id), "channel_id": str(channel_id), "message_id": str(message_id),
                                "emoji": {"id": None, "name": emoji}, "burst": False, "type": 0}
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        target = self.state.all_messages.get(str(message_id))
        if target is not None:
            data["message_author_id"] = target["author"]["id"]
        if not removed and member is not None:
            data["member"] = member
        event = "MESSAGE_REACTION_REMOVE" if removed else "MESSAGE_REACTION_ADD"
        return await self.gateway.dispatch(event, data)

    async def send_member_join(self, guild_id: Id, user_id: Id, username: str, *, bot: bool = False) -> dict[str, Any]:
        member = self.state.add_member(guild_id, user_id, username, bot=bot)
        return await self.gateway.dispatch("GUILD_MEMBER_ADD", {**member, "guild_id": str(guild_id)})

    async def send_member_update(self, guild_id: Id, user_id: Id, *, roles: list[Id]) -> dict[str, Any]:
        """GUILD_MEMBER_UPDATE: the member's roles are now `roles` (e.g. made an instructor)."""
        member = self.state.member(guild_id, user_id)
        if member is None:
            raise KeyError(f"user {user_id} is not a member of guild {guild_id}")
        member["roles"] = [str(r) for r in roles]
        return await self.gateway.dispatch("GUILD_MEMBER_UPDATE", {**member, "guild_id": str(guild_id)})

    async def send_channel_create(self, guild_id: Id, channel_id: Id, name: str, type: int = 0) -> dict[str, Any]:
        """CHANNEL_CREATE for a channel added while the bot is connected."""
        channel = self.state.add_channel(guild_id, channel_id, name, type)
        return await self.gateway.dispatch("CHANNEL_CREATE", channel)

    async def send_member_remove(self, guild_id: Id, user_id: Id) -> dict[str, Any]:
        self.state.remove_member(guild_id, user_id)
        data = {"guild_id": str(guild_id), "user": self.state.user(user_id)}
        return await self.gateway.dispatch("GUILD_MEMBER_REMOVE", data)
