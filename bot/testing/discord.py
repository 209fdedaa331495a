"""A real BotApp with the DiscordAdapter (the real discord.py client) against a local FakeDiscord.

    async with FakeDiscord() as fake:
        add_cohort_guild(fake)          # GUILD "Cohort 7": #general, #mentoring; ALICE, IVY (Instructor), MOD
        async with DiscordBot(fake, tmpdir=tmp_path, cogs=["cogs.polls"]) as bot:
            answer = await bot.command("poll", "create", user=IVY, question="Best day?", options="Mon; Tue")
            poll = fake.messages[GENERAL][-1]
            await bot.click(poll["id"], "poll:vote:1:1", user=ALICE)
            assert "Mon" in text_of(fake.message(poll["id"]))

``bot.command`` and ``bot.click`` wait for the bot's answer (after a defer: the follow-up that
carries it) and return Discord's record of it; ``text_of`` reads its content and embeds,
``is_ephemeral`` its flags. Lower level: ``fake.send_interaction_command`` + ``responses``.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from ..app import BotApp
from ..config import parse_config
from ..settings import Settings
from ..storage import Database
from .fake_discord import FakeDiscord

GUILD, GENERAL, MENTORING, OWNER, ALICE, IVY, MOD = 500, 501, 502, 600, 601, 602, 603
INSTRUCTOR_ROLE, MOD_ROLE = 700, 701
MANAGE_GUILD = 1 << 5
EPHEMERAL = 1 << 6
TIMEOUT = 5.0
YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    instructors: {{roles: [Instructor]}}
    channels: {{mentoring: mentoring}}
"""


def add_cohort_guild(fake: FakeDiscord) -> FakeDiscord:
    """The guild the examples use: owner OWNER, roles Instructor and Mod (Manage Server),
    channels #general and #mentoring, members alice, ivy (Instructor) and mod (Mod)."""
    fake.add_guild(
        GUILD, "Cohort 7", owner_id=OWNER,
        roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}, {"id": MOD_ROLE, "name": "Mod", "permissions": MANAGE_GUILD}],
        channels=[{"id": GENERAL, "name": "general"}, {"id": MENTORING, "name": "mentoring"}],
        members=[{"id": ALICE, "username": "alice"}, {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]},
                 {"id": MOD, "username": "mod", "roles": [MOD_ROLE]}],
    )
    return fake


def settings_for(fake: FakeDiscord, *, guild_ids: str = str(GUILD), **overrides: Any) -> Settings:
    """Settings that point the adapter at the fake (``overrides``: any other Settings field)."""
    values: dict[str, Any] = {"discord_token": fake.token, "discord_api_base": fake.api_base,
                              "discord_gateway_url": fake.gateway_url, "discord_guild_ids": guild_ids}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, db_path: Path, *, yaml: str = YAML, cogs: list[str] | None = None,
                  **overrides: Any) -> AsyncIterator[tuple[Any, Any]]:
    """``(app, adapter)`` of a started bot on the fake; ``cogs=None``: the built-in cogs."""
    async with DiscordBot(fake, db_path=db_path, yaml=yaml, cogs=cogs, **overrides) as bot:
        yield bot.app, bot.adapter


async def responses(fake: FakeDiscord, interaction: dict[str, Any], count: int = 1) -> list[dict[str, Any]]:
    """The interaction's callback/follow-up/edit records, once there are ``count`` of them."""
    return await fake.wait_for(
        lambda: len(fake.interaction_responses.get(interaction["id"], [])) >= count
        and fake.interaction_responses[interaction["id"]], TIMEOUT)


async def answer(fake: FakeDiscord, interaction: dict[str, Any]) -> dict[str, Any]:
    """The interaction's answer: the first record that says something (after a defer, the
    follow-up or edit that carries it), with the flags of the first callback (ephemeral or not)."""
    def said() -> list[dict[str, Any]]:
        records = fake.interaction_responses.get(interaction["id"], [])
        return [r for r in records if text_of(r) or (r.get("data") or {}).get("attachments") or r.get("type") == 7]

    found = await fake.wait_for(said, TIMEOUT)
    first = next(r for r in fake.interaction_responses[interaction["id"]] if r.get("kind") == "callback")
    return {**found[-1], "data": {"flags": (first.get("data") or {}).get("flags", 0), **(found[-1].get("data") or {})}}


def text_of(record: dict[str, Any] | None) -> str:
    """The text of an interaction response or of a message (content, embed titles/descriptions/fields/footers)."""
    if record is None:
        return ""
    data = record.get("data") if isinstance(record.get("data"), dict) else record
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def is_ephemeral(record: dict[str, Any]) -> bool:
    return bool(((record.get("data") or {}).get("flags") or 0) & EPHEMERAL)


def button_ids(message: dict[str, Any]) -> list[str]:
    """The custom ids of a message's buttons, row by row."""
    return [c["custom_id"] for row in message.get("components") or [] for c in row.get("components") or []
            if "custom_id" in c]


async def eventually(predicate: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Wait for something the bot does without calling the fake (e.g. a cog receiving an event)."""
    async with asyncio.timeout(timeout):
        while not (result := predicate()):
            await asyncio.sleep(0.01)
    return result


def sub(name: str, **values: Any) -> list[dict[str, Any]]:
    """Discord's options payload for one subcommand with string/int/bool/float values."""
    types = {str: 3, bool: 5, int: 4, float: 10}
    return [{"type": 1, "name": name,
             "options": [{"type": types[type(v)], "name": k, "value": v} for k, v in values.items()]}]


class DiscordBot:
    """A started bot on a FakeDiscord: ``tmpdir`` (or ``db_path``) holds its SQLite database."""

    def __init__(self, fake: FakeDiscord, *, tmpdir: Path | None = None, db_path: Path | None = None,
                 yaml: str = YAML, cogs: list[str] | None = None, guild: int = GUILD, channel: int = GENERAL,
                 clock: Any = None, **settings: Any) -> None:
        """``clock``: a ``bot.clock.FakeClock`` to move with ``bot.app.scheduler.advance`` (default: real time)."""
        if db_path is None and tmpdir is None:
            raise ValueError("DiscordBot needs tmpdir= or db_path= for its database")
        self.fake, self.yaml, self.cogs, self.guild, self.channel = fake, yaml, cogs, guild, channel
        self.db_path = Path(db_path) if db_path is not None else Path(tmpdir) / "discord-bot.db"  # type: ignore[arg-type]
        self.settings, self.clock = settings, clock
        self.app: BotApp = None  # type: ignore[assignment]
        self.adapter: Any = None
        self.db: Database | None = None

    async def start(self) -> "DiscordBot":
        from ..adapters.discord import DiscordAdapter

        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(f"sqlite:///{self.db_path}")
        self.app = BotApp(config=parse_config(self.yaml, cogs=self.cogs), db=self.db,
                          **({"clock": self.clock} if self.clock is not None else {}))
        self.app.load_cogs()
        self.adapter = DiscordAdapter(self.app, settings=settings_for(self.fake, **self.settings),
                                      guild_ready_timeout=0.05)
        try:
            await self.app.start([self.adapter])
        except BaseException:
            await self.stop()
            raise
        return self

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
        if self.db is not None:
            self.db.dispose()
            self.db = None

    async def __aenter__(self) -> "DiscordBot":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def command(self, name: str, subcommand: str | None = None, *, user: int, channel: int | None = None,
                      **values: Any) -> dict[str, Any]:
        """``/name subcommand option:value ...`` as ``user``; the bot's answer (see ``answer``)."""
        options = sub(subcommand, **values) if subcommand else \
            [{"type": {str: 3, bool: 5, int: 4, float: 10}[type(v)], "name": k, "value": v} for k, v in values.items()]
        interaction = await self.fake.send_interaction_command(self.guild, channel or self.channel, user, name, options)
        return await answer(self.fake, interaction)

    async def click(self, message_id: int | str, custom_id: str, *, user: int,
                    channel: int | None = None) -> dict[str, Any]:
        """A click on a button of a message the bot posted; the bot's answer."""
        interaction = await self.fake.send_interaction_component(self.guild, channel or self.channel, user,
                                                                 message_id, custom_id)
        return await answer(self.fake, interaction)
