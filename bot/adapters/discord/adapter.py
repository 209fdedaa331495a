"""DiscordAdapter: lifecycle (login, gateway, READY, command sync, invite URL) and outgoing messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

import aiohttp
import discord

from ...content import Content
from ...errors import ConfigError
from ...options import ChannelRef
from ...plain_errors import unreachable
from ...ports import Adapter, MessageRef
from .client import EndpointPatch, make_client, point_api_at, point_gateway_at
from . import scheduled
from .commands import sync_commands
from .events import PLATFORM
from .interactions import InteractionHandler, dm_content
from .render import render

log = logging.getLogger(__name__)

# Exactly what the bot needs; the invite URL asks for these and nothing else.
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, create_public_threads=True,
    create_private_threads=True, embed_links=True, attach_files=True, read_message_history=True,
    add_reactions=True, use_application_commands=True)
TEXT_CHANNELS = (discord.ChannelType.text, discord.ChannelType.news)
MENTION = re.compile(r"<#(\d+)>")


def invite_url(application_id: int | str, permissions: discord.Permissions = BOT_PERMISSIONS) -> str:
    return (f"https://discord.com/oauth2/authorize?client_id={application_id}"
            f"&scope=bot+applications.commands&permissions={permissions.value}")


def parse_shard_ids(text: str | None) -> list[int] | None:
    ids = [int(x) for x in (text or "").replace(" ", "").split(",") if x]
    return ids or None


class DiscordAdapter(Adapter):
    platform = PLATFORM

    def __init__(self, app: Any, *, settings: Any, ready_timeout: float = 60.0, defer_after: float = 2.0,
                 guild_ready_timeout: float = 2.0) -> None:
        super().__init__(app)
        self.settings = settings
        self.token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
        self.ready_timeout = ready_timeout
        self.defer_after = defer_after  # seconds before an unanswered interaction is deferred
        self.guild_ready_timeout = guild_ready_timeout
        self.shard_count: int | None = settings.shard_count or None
        self.shard_ids = parse_shard_ids(getattr(settings, "shard_ids", ""))
        self.guild_ids: list[int] = list(settings.guild_ids)
        self.interactions = InteractionHandler(self)
        self.client: discord.Client | None = None
        self.invite_url: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._patch: EndpointPatch | None = None

    async def signin_access(self, server_id: str, user_id: str, role_ids: list[str]) -> Any:
        """Dashboard sign-in with Discord: the same rules as a slash command, from the cached server."""
        from .access import signin_access

        if self.client is None or not server_id.isdigit():
            return None
        guild = self.client.get_guild(int(server_id))
        if guild is None:  # another shard's server (or not cached yet): its roles over REST
            try:
                guild = await self.client.fetch_guild(int(server_id))
            except (discord.HTTPException, discord.ClientException):
                return None
        roles = self.app.community_config(PLATFORM, server_id).instructors.roles
        return signin_access(guild, user_id, role_ids, roles)

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self._patch = EndpointPatch.save()
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        if not self.token:
            raise ConfigError(["DISCORD_TOKEN is not set — copy the bot token from the Developer Portal (Bot tab)"])
        if self.settings.discord_api_base:
            point_api_at(self.settings.discord_api_base)
        if self.settings.discord_gateway_url:
            point_gateway_at(self.settings.discord_gateway_url)
        self.client = client = make_client(self, shard_count=self.shard_count, shard_ids=self.shard_ids,
                                           guild_ready_timeout=self.guild_ready_timeout)
        await self._login(client)
        if self.settings.discord_api_base and not self.settings.discord_gateway_url:
            point_gateway_at(await self._discover_gateway(client))
        self._task = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        await self._wait_ready(client)
        application_id = client.application_id
        assert application_id is not None
        await sync_commands(self.app, client.http, application_id, self.guild_ids)
        self.invite_url = invite_url(application_id)
        log.info("Discord: connected as %s to %d server(s). Invite the bot with: %s", client.user,
                 len(client.guilds), self.invite_url)
        if not client.guilds:
            log.warning("Discord: the bot is not in any server yet — open the invite URL above to add it")

    async def finish_unfinished(self) -> int:
        """Interactions a crashed process stored and left in the inbox (the core calls this)."""
        return await self.interactions.finish_unfinished(self.client) if self.client is not None else 0

    async def _login(self, client: discord.Client) -> None:
        where = self.settings.discord_api_base or "Discord"
        try:
            await client.login(self.token)
        except discord.LoginFailure:
            raise ConfigError(["DISCORD_TOKEN was rejected by Discord (401) — check the bot token"]) from None
        except (aiohttp.ClientError, OSError) as error:
            raise ConfigError([f"could not reach {where}: {unreachable(error)} — check DISCORD_API_BASE and "
                               "the network"]) from None
        except discord.HTTPException as error:
            raise ConfigError([f"{where} refused the login: {error}"]) from None

    async def _discover_gateway(self, client: discord.Client) -> str:
        try:
            _, url, _ = await client.http.get_bot_gateway()
        except discord.GatewayNotFound:
            raise ConfigError([f"{self.settings.discord_api_base} did not answer GET /gateway/bot — "
                               "set DISCORD_GATEWAY_URL"]) from None
        return url

    async def _wait_ready(self, client: discord.Client) -> None:
        assert self._task is not None
        ready = asyncio.ensure_future(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({self._task, ready}, timeout=self.ready_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self._task in done:
            raise self._explain(self._task.exception())
        if ready not in done:
            raise ConfigError([f"Discord did not send READY within {self.ready_timeout:.0f}s — "
                               "check DISCORD_GATEWAY_URL / the network"])

    @staticmethod
    def _explain(error: BaseException | None) -> ConfigError:
        if isinstance(error, discord.PrivilegedIntentsRequired):
            return ConfigError(["Discord refused the Server Members intent: enable \"SERVER MEMBERS INTENT\" "
                                "under Bot → Privileged Gateway Intents in the Developer Portal "
                                "(https://discord.com/developers/applications)"])
        if isinstance(error, discord.ConnectionClosed) and error.code == 4004:
            return ConfigError(["DISCORD_TOKEN was rejected by the Discord gateway (4004) — check the bot token"])
        if isinstance(error, discord.ConnectionClosed) and error.code in (4013, 4014):
            return ConfigError([f"Discord refused the gateway intents ({error.code}) — enable the Server Members "
                                "intent in the Developer Portal"])
        return ConfigError([f"the Discord gateway connection failed: {type(error).__name__}: {error}"])

    async def stop(self) -> None:
        client, task = self.client, self._task
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()
        if task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, 10)
        self.client = self._task = None
        if self._patch is not None:
            self._patch.restore()
            self._patch = None

    async def wait_closed(self) -> None:
        """Returns when the gateway connection ends for good (discord.py reconnects by itself until then)."""
        task = self._task
        if task is None:
            return
        await asyncio.wait({task})
        if not task.cancelled() and task.exception() is not None:
            log.error("the Discord connection ended: %s", "; ".join(self._explain(task.exception()).problems))

    def serves(self, server_id: str) -> bool:
        if not self.shard_count or not self.shard_ids:
            return True
        try:
            return (int(server_id) >> 22) % self.shard_count in self.shard_ids
        except ValueError:
            return False

    def message_link(self, server_id: str, channel_id: str, message_id: str) -> str:
        return f"https://discord.com/channels/{server_id}/{channel_id}/{message_id}"

    # -- outgoing -------------------------------------------------------------------------
    def _client(self) -> discord.Client:
        if self.client is None:
            raise RuntimeError("the Discord adapter is not running")
        return self.client

    def _messageable(self, server_id: str, channel_id: str) -> discord.PartialMessageable:
        guild_id = int(server_id) if server_id.isdigit() else None
        return self._client().get_partial_messageable(int(channel_id), guild_id=guild_id)

    async def send(self, server_id: str, channel_id: str, content: Content, *,
                   thread_id: str | None = None) -> MessageRef:
        channel = self._messageable(server_id, thread_id or channel_id)
        message = await channel.send(**render(content).send_kwargs())
        return MessageRef(PLATFORM, server_id, channel_id, str(message.id), thread_id)

    async def edit(self, ref: MessageRef, content: Content) -> None:
        channel = self._messageable(ref.server_id, ref.thread_id or ref.channel_id)
        await channel.get_partial_message(int(ref.message_id)).edit(**render(content).edit_kwargs())

    async def dm(self, server_id: str, user_id: str, content: Content) -> MessageRef | None:
        client = self._client()
        try:
            user = client.get_user(int(user_id)) or await client.fetch_user(int(user_id))
            channel = await user.create_dm()
            message = await channel.send(**render(dm_content(content, server_id)).send_kwargs())
        except discord.Forbidden as error:
            log.info("DMs closed for user %s (%s)", user_id, error.code)
            return None
        except discord.NotFound:
            return None
        return MessageRef(PLATFORM, server_id, str(channel.id), str(message.id))

    async def start_thread(self, ref: MessageRef, name: str) -> str:
        channel = self._client().get_partial_messageable(int(ref.channel_id), guild_id=int(ref.server_id),
                                                         type=discord.ChannelType.text)
        thread = await channel.get_partial_message(int(ref.message_id)).create_thread(name=name[:100] or "Discussion")
        return str(thread.id)

    async def open_group(self, server_id: str, user_ids: list[str], name: str, content: Content) -> MessageRef:
        parent = await self._group_parent(server_id)
        thread = await parent.create_thread(name=name[:100] or "group", type=discord.ChannelType.private_thread,
                                            invitable=False)
        for user_id in user_ids:
            await thread.add_user(discord.Object(int(user_id)))
        message = await thread.send(**render(content).send_kwargs())
        return MessageRef(PLATFORM, server_id, str(parent.id), str(message.id), str(thread.id))

    async def _group_parent(self, server_id: str) -> discord.TextChannel:
        """The configured mentoring channel, else the server's system channel, else its first text channel."""
        guild = self._client().get_guild(int(server_id))
        if guild is None:
            raise RuntimeError(f"not connected to Discord server {server_id}")
        cfg = self.app.community_config(PLATFORM, server_id)
        found = await self.resolve_channel(server_id, cfg.channel("mentoring"))
        channel = guild.get_channel(int(found.id)) if found else None
        if not isinstance(channel, discord.TextChannel):
            channel = guild.system_channel or next(iter(guild.text_channels), None)
        if channel is None:
            raise RuntimeError(f"Discord server {server_id} has no text channel for private threads")
        return channel

    async def create_native_event(self, server_id: str, event: Any) -> str | None:
        return await scheduled.create(self._client(), server_id, event)

    async def cancel_native_event(self, server_id: str, native_id: str) -> None:
        await scheduled.cancel(self._client(), server_id, native_id)

    async def can_post(self, server_id: str, channel_id: str, user_id: str) -> bool:
        guild = self._client().get_guild(int(server_id)) if server_id.isdigit() else None
        channel = guild.get_channel_or_thread(int(channel_id)) if guild and channel_id.isdigit() else None
        if guild is None or channel is None:
            return False
        try:
            member = guild.get_member(int(user_id)) or await guild.fetch_member(int(user_id))
        except (discord.NotFound, ValueError):
            return False
        allowed = channel.permissions_for(member)
        send = allowed.send_messages_in_threads if isinstance(channel, discord.Thread) else allowed.send_messages
        return allowed.view_channel and send

    async def member_info(self, server_id: str, user_id: str) -> tuple[str, bool] | None:
        guild = self._client().get_guild(int(server_id)) if server_id.isdigit() else None
        if guild is None or not user_id.isdigit():
            return None
        member = guild.get_member(int(user_id))
        if member is None:
            try:
                member = await guild.fetch_member(int(user_id))
            except discord.HTTPException:  # not (or no longer) in the server
                return None
        return member.display_name, member.bot

    async def resolve_channel(self, server_id: str, text: str) -> ChannelRef | None:
        guild = self._client().get_guild(int(server_id)) if server_id.isdigit() else None
        if guild is None:
            return None
        text = text.strip()
        mention = MENTION.fullmatch(text)
        wanted = mention.group(1) if mention else text.lstrip("#").strip()
        candidates = [c for c in guild.channels if c.type in TEXT_CHANNELS] + list(guild.threads)
        if wanted.isdigit():
            found = next((c for c in candidates if c.id == int(wanted)), None)
        else:
            found = next((c for c in candidates if c.name == wanted), None) or next(
                (c for c in candidates if c.name.lower() == wanted.lower()), None)
        return ChannelRef(str(found.id), found.name) if found else None
