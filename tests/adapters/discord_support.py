"""Shared set-up for the Discord adapter tests: a fake Discord with one guild, and a running bot."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import BotApp
from bot.config import parse_config
from bot.settings import Settings
from bot.storage import Database
from bot.testing.fake_discord import FakeDiscord

GUILD, GENERAL, MENTORING, OWNER, ALICE, IVY, MOD = 500, 501, 502, 600, 601, 602, 603
INSTRUCTOR_ROLE, MOD_ROLE = 700, 701
TIMEOUT = 5.0
COGS = ["tests.fixtures.sample_cog", "tests.adapters.discord_probe_cog"]
YAML = f"""
communities:
  - id: "{GUILD}"
    platform: discord
    instructors: {{roles: [Instructor]}}
    channels: {{mentoring: mentoring}}
"""
MANAGE_GUILD = 1 << 5


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    fake.add_guild(
        GUILD, "Cohort 7", owner_id=OWNER,
        roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}, {"id": MOD_ROLE, "name": "Mod", "permissions": MANAGE_GUILD}],
        channels=[{"id": GENERAL, "name": "general"}, {"id": MENTORING, "name": "mentoring"}],
        members=[{"id": ALICE, "username": "alice"}, {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]},
                 {"id": MOD, "username": "mod", "roles": [MOD_ROLE]}],
    )
    await fake.start()
    yield fake
    await fake.stop()


def settings_for(fake: FakeDiscord, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"discord_token": fake.token, "discord_api_base": fake.api_base,
                              "discord_gateway_url": fake.gateway_url, "discord_guild_ids": str(GUILD)}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, db_path: Path, *, yaml: str = YAML, cogs: list[str] | None = COGS,
                  **overrides: Any) -> AsyncIterator[tuple[BotApp, DiscordAdapter]]:
    """cogs=None: the built-in cogs, as a real deployment has them."""
    db = Database(f"sqlite:///{db_path}")
    app = BotApp(config=parse_config(yaml, cogs=cogs), db=db)
    app.load_cogs()
    adapter = DiscordAdapter(app, settings=settings_for(fake, **overrides), guild_ready_timeout=0.05)
    try:
        await app.start([adapter])
        yield app, adapter
    finally:
        await app.stop()
        db.dispose()


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[tuple[BotApp, DiscordAdapter]]:
    async with running(fake, tmp_path / "bot.db") as started:
        yield started


async def responses(fake: FakeDiscord, interaction: dict[str, Any], count: int = 1) -> list[dict[str, Any]]:
    """The interaction's callback/follow-up/edit records, once there are `count` of them."""
    return await fake.wait_for(
        lambda: len(fake.interaction_responses.get(interaction["id"], [])) >= count
        and fake.interaction_responses[interaction["id"]], TIMEOUT)


async def eventually(predicate: Any) -> Any:
    """Wait for something the bot does without calling the fake (e.g. a cog receiving an event)."""
    async with asyncio.timeout(TIMEOUT):
        while not (result := predicate()):
            await asyncio.sleep(0.01)
    return result


def sub(name: str, **values: Any) -> list[dict[str, Any]]:
    types = {str: 3, bool: 5, int: 4, float: 10}
    return [{"type": 1, "name": name,
             "options": [{"type": types[type(v)], "name": k, "value": v} for k, v in values.items()]}]
