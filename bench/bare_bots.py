"""The bots a user could write instead, for bench/e2e_bench.py: same fakes, same load, same answers.

- Discord: a bare discord.py ``Client`` with an ``app_commands.CommandTree`` — ``/sample echo
  text`` answers ``"<text> [calm]"`` at once (as ours does), ``/sample buttons`` posts the
  buttons, and a persistent button (``DynamicItem`` on ``sample:pick:<n>``) answers a click by
  replacing the message with ``"<name> picked <n>"``.
- Slack: a bare bolt ``AsyncApp`` in HTTP mode, tuned the way ours is: ``ack()`` first, then the
  reply through one shared aiohttp session (``chat.postMessage`` for the echo, ``chat.update``
  for a click). Signatures are checked, as ours does.

No database, no permissions, no inbox, no option validation beyond the frameworks' own: the
floor a Cohort Bot interaction is compared with.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, AsyncIterator

import discord  # module level: discord.py reads the commands' annotations from this module's globals
from discord import app_commands


@contextlib.asynccontextmanager
async def bare_here(endpoint: Any, tmp: Path) -> AsyncIterator[str]:
    """The bare bot in this process; yields its URL (Slack HTTP mode) or ""."""
    if endpoint.platform == "discord":
        async with _discord(endpoint):
            yield ""
    else:
        async with _slack(endpoint) as url:
            yield url


@contextlib.asynccontextmanager
async def _discord(endpoint: Any) -> AsyncIterator[None]:
    import asyncio

    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = endpoint.api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(endpoint.gateway_url)

    class Pick(discord.ui.DynamicItem[discord.ui.Button], template=r"sample:pick:(?P<n>\d+)"):  # type: ignore[call-arg,misc]
        def __init__(self, n: int) -> None:
            super().__init__(discord.ui.Button(label=str(n), custom_id=f"sample:pick:{n}"))
            self.n = n

        @classmethod
        async def from_custom_id(cls, interaction: Any, item: Any, match: re.Match[str]) -> "Pick":
            return cls(int(match["n"]))

        async def callback(self, interaction: discord.Interaction) -> None:
            await interaction.response.edit_message(content=f"{interaction.user.name} picked {self.n}", view=None)

    class Bare(discord.Client):
        def __init__(self) -> None:
            intents = discord.Intents.none()
            intents.guilds = True
            super().__init__(intents=intents)
            self.tree = app_commands.CommandTree(self)
            group = app_commands.Group(name="sample", description="A sample")

            @group.command(name="echo", description="Say something back")
            async def echo(interaction: discord.Interaction, text: app_commands.Range[str, 1, 20]) -> None:
                await interaction.response.send_message(f"{text} [calm]")

            @group.command(name="buttons", description="Post two buttons")
            async def buttons(interaction: discord.Interaction) -> None:
                view = discord.ui.View(timeout=None)
                view.add_item(Pick(1))
                view.add_item(Pick(2))
                await interaction.response.send_message("pick", view=view)

            self.tree.add_command(group)
            self.ready = asyncio.Event()

        async def setup_hook(self) -> None:
            self.add_dynamic_items(Pick)

        async def on_ready(self) -> None:
            self.ready.set()

    client = Bare()
    task = asyncio.create_task(client.start(endpoint.token))
    try:
        await asyncio.wait_for(client.ready.wait(), 60)
        yield
    finally:
        await client.close()
        with contextlib.suppress(Exception):
            await task


@contextlib.asynccontextmanager
async def _slack(endpoint: Any) -> AsyncIterator[str]:
    import aiohttp
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    session = aiohttp.ClientSession()
    client = AsyncWebClient(token=endpoint.bot_token, base_url=endpoint.api_url.rstrip("/") + "/", session=session)
    app = AsyncApp(client=client, signing_secret=endpoint.signing_secret)

    @app.command("/sample")
    async def sample(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        verb, _, rest = str(body.get("text") or "").partition(" ")
        if verb == "echo":
            await client.chat_postMessage(channel=body["channel_id"], text=f"{rest} [calm]")
        elif verb == "buttons":
            await client.chat_postMessage(channel=body["channel_id"], text="pick", blocks=[{"type": "actions", "elements": [
                {"type": "button", "action_id": f"sample:pick:{n}", "value": str(n),
                 "text": {"type": "plain_text", "text": str(n)}} for n in (1, 2)]}])

    @app.action(re.compile(r"^sample:pick:\d+$"))
    async def pick(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body.get("user") or {}
        container = body.get("container") or {}
        await client.chat_update(channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
                                 ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
                                 text=f"{user.get('name') or user.get('username') or user.get('id')} picked "
                                      f"{action['action_id'].rsplit(':', 1)[1]}")

    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await session.close()
