"""The discord.py client: gateway events and interactions routed to the adapter; API base patching.

discord.py reads its REST base (``discord.http.Route.BASE``) and its first gateway
(``DiscordWebSocket.DEFAULT_GATEWAY``) from class attributes. ``pointed_at`` sets both for
a Discord-compatible server and ``restore`` puts them back when the adapter stops, so
tests can run one adapter after another in the same process. After READY, discord.py
resumes on READY's ``resume_gateway_url``; after an invalidated session it returns to
DEFAULT_GATEWAY, which is why the gateway is patched rather than passed once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
import discord.gateway
import discord.http
import yarl

from .events import member_event, message_event, reaction_event

if TYPE_CHECKING:
    from .adapter import DiscordAdapter

log = logging.getLogger(__name__)


@dataclass
class EndpointPatch:
    """discord.py's class-level endpoints as they were before we changed them."""

    base: str
    gateway: yarl.URL

    @classmethod
    def save(cls) -> "EndpointPatch":
        return cls(discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)

    def restore(self) -> None:
        discord.http.Route.BASE = self.base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self.gateway


def point_api_at(api_base: str) -> None:
    discord.http.Route.BASE = api_base.rstrip("/")


def point_gateway_at(gateway_url: str) -> None:
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def intents() -> discord.Intents:
    """Guilds, guild messages (no message content: the bot never reads text), reactions, members."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.guild_reactions = True
    chosen.members = True  # privileged: join/leave and role checks on uncached members
    return chosen


class GatewayFrames:
    """The text of the gateway frame being parsed, for the inbox: discord.py hands each frame's text to
    ``DiscordWebSocket.log_receive`` (a no-op unless debug events are on) and parses it in the same
    synchronous call, so the INTERACTION_CREATE parser sees its own frame's text here. Storing that
    text saves encoding the parsed payload to JSON again (~15 µs of every interaction's ack path)."""

    def __init__(self) -> None:
        self.last: Any = None

    def received(self, text: Any, /) -> None:
        self.last = text

    def text_of(self, data: Any) -> str | None:
        """The frame's text if it is the one ``data`` came from, else None (the inbox encodes ``data``)."""
        text, self.last = self.last, None
        if isinstance(text, str) and isinstance(data, dict) and '"INTERACTION_CREATE"' in text \
                and f'"{data.get("id")}"' in text:
            return text
        return None


class CohortEvents:
    """Event handlers shared by the single and the sharded client; each delegates to the adapter."""

    adapter: "DiscordAdapter"

    async def setup_hook(self) -> None:
        # Interactions go from the gateway parser straight to the adapter, in one task each: the
        # raw payload (and the frame's text) for the inbox, and none of discord.py's routing (view
        # store, DynamicItem construction, an "interaction" event task), which the adapter redid.
        state = self._connection  # type: ignore[attr-defined]
        parsers = state.parsers
        parse = parsers["INTERACTION_CREATE"]
        frames = GatewayFrames()
        update_references = state._update_references

        def each_websocket(ws: Any) -> None:  # called for every gateway connection (and shard) discord.py opens
            update_references(ws)
            ws.log_receive = frames.received

        state._update_references = each_websocket

        def route_else_parse(data: Any) -> None:
            if not self.adapter.interactions.route(data, frames.text_of(data), state):
                parse(data)

        parsers["INTERACTION_CREATE"] = route_else_parse
        for name, parser in list(parsers.items()):
            parsers[name] = self._guarded(name, parser)

    def _guarded(self, name: str, parser: Any) -> Any:
        """A gateway event discord.py cannot parse (a modal submit without ``components``...) raised out
        of its parser into the gateway task, which ended without a word: the bot stayed up, deaf to
        Discord. Such an event is ignored and counted (one log line a minute) and the gateway goes on."""
        def parse(data: Any) -> None:
            try:
                parser(data)
            except Exception as error:
                self.adapter.app.refuse_event("discord", f"{name} payload ({type(error).__name__})")

        return parse

    async def _deliver(self, found: Any) -> None:
        if found is None:
            return
        origin, event = found
        if not self.adapter.serves(origin.server_id):
            return
        await self.adapter.app.handle_event(origin, event)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._server_seen(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._server_seen(guild)

    async def _server_seen(self, guild: discord.Guild) -> None:
        """A server the bot is in: its "*" schedules start now, not at its first message."""
        if self.adapter.serves(str(guild.id)):
            await self.adapter.app.server_seen("discord", str(guild.id), guild.name)

    async def on_message(self, message: discord.Message) -> None:
        await self._deliver(message_event(message, self.adapter.app.clock.now()))

    async def _on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        guild = self.get_guild(payload.guild_id) if payload.guild_id else None  # type: ignore[attr-defined]
        bot_id = self.user.id if self.user else None  # type: ignore[attr-defined]
        await self._deliver(reaction_event(payload, guild, bot_id, self.adapter.app.clock.now()))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._on_reaction(payload)

    async def on_member_join(self, member: discord.Member) -> None:
        await self._deliver(member_event(member.guild.id, member.guild.name, member, joined=True,
                                         at=self.adapter.app.clock.now()))

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        guild = self.get_guild(payload.guild_id)  # type: ignore[attr-defined]
        await self._deliver(member_event(payload.guild_id, guild.name if guild else None, payload.user,
                                         joined=False, at=self.adapter.app.clock.now()))

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("error while handling Discord event %s", event_method)


class CohortClient(CohortEvents, discord.Client):
    def __init__(self, adapter: "DiscordAdapter", **options: Any) -> None:
        self.adapter = adapter
        super().__init__(**options)


class ShardedCohortClient(CohortEvents, discord.AutoShardedClient):
    def __init__(self, adapter: "DiscordAdapter", **options: Any) -> None:
        self.adapter = adapter
        super().__init__(**options)


def make_client(adapter: "DiscordAdapter", *, shard_count: int | None, shard_ids: list[int] | None,
                guild_ready_timeout: float) -> discord.Client:
    # The bot never joins voice: discord.py's "PyNaCl/davey not installed" warnings would only confuse.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    options: dict[str, Any] = {
        "intents": intents(),
        "guild_ready_timeout": guild_ready_timeout,
        "allowed_mentions": discord.AllowedMentions(everyone=False, roles=False, users=True),
        "enable_debug_events": False,
    }
    if shard_count:
        return ShardedCohortClient(adapter, shard_count=shard_count, shard_ids=shard_ids or None, **options)
    return CohortClient(adapter, **options)
