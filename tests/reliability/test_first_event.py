"""A server matched by the "*" entry, first seen after start, starts its schedules with its first
event of any kind — a reaction, a join, a message by another bot, an event type the bot ignores —
not only once someone runs a /prompt command there."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import pytest

from bot.testing.fake_slack import FakeSlack, message_event
from bot.testing.harness import Harness
from bot.testing.slack import SlackBot

YAML = """
communities:
  - id: "*"
    prompts:
      - {id: minute, channel: general, when: "* * * * *", questions: ["What did you try today?"]}
cogs: [cogs.prompts, cogs.participation]
"""
PROMPT = "What did you try today?"


def _first_events() -> dict[str, Callable[[Harness], Awaitable[Any]]]:
    return {
        "reaction": lambda bot: bot.react("ana", "m999", server="T-new"),
        "join": lambda bot: bot.join("ana", server="T-new"),
        "leave": lambda bot: bot.join("ana", server="T-new", left=True),
        "message": lambda bot: bot.message("ana", server="T-new"),
    }


@pytest.mark.parametrize("kind", list(_first_events()))
async def test_the_first_event_of_any_kind_starts_a_new_servers_star_schedules(kind: str, tmp_path: Path) -> None:
    async with Harness(yaml=YAML, cogs=None, tmpdir=tmp_path) as bot:
        await bot.advance(timedelta(minutes=1))
        assert bot.messages(server="T-new") == []
        await _first_events()[kind](bot)
        await bot.advance(timedelta(minutes=2))  # two minute boundaries, nobody ran /prompt anything
        posted = [m.text for m in bot.messages(server="T-new")]
        assert len(posted) == 2 and all(PROMPT in text for text in posted), posted


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1"])
        fake.add_user("U1", "ana")
        yield fake


@pytest.mark.parametrize("event", [
    {"type": "app_mention", "user": "U1", "channel": "C0GENERAL", "text": "hi", "ts": "1.0"},  # no listener
    message_event("U1", "C0GENERAL", "posted by a bot", bot_id="B1"),  # not activity
])
async def test_a_slack_event_the_bot_ignores_still_starts_the_workspaces_schedules(
        fake: FakeSlack, tmp_path: Path, event: dict[str, Any]) -> None:
    bot = SlackBot(fake, tmpdir=tmp_path, yaml=YAML)
    await bot.start()
    try:
        assert (await bot.event(event))[0] == 200
        await bot.idle()
        keys = [key for key in bot.app.scheduler.entries if key.startswith("prompt:")]
        assert any(bot.app.scheduler.entries[k].owner == ("slack", fake.team_id) for k in keys), keys
    finally:
        await bot.stop()


async def test_a_discord_server_the_bot_is_in_starts_its_star_schedules_when_it_becomes_available(
        tmp_path: Path) -> None:
    """No message needed: discord.py's guild-available (at connect) or guild-join is the first sight."""
    from bot.adapters.discord import DiscordAdapter
    from bot.app import BotApp
    from bot.config import parse_config
    from bot.storage import Database
    from bot.testing.fake_discord import FakeDiscord
    from bot.testing.discord import GENERAL, GUILD, OWNER, eventually, settings_for

    fake = FakeDiscord()
    fake.add_guild(GUILD, "Cohort 7", owner_id=OWNER, channels=[{"id": GENERAL, "name": "general"}],
                   members=[{"id": OWNER, "username": "owner"}])
    await fake.start()
    db = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    app = BotApp(config=parse_config(YAML, cogs=["cogs.prompts"]), db=db)
    app.load_cogs()
    try:
        await app.start([DiscordAdapter(app, settings=settings_for(fake), guild_ready_timeout=0.05)])

        def owners() -> set[Any]:
            return {entry.owner for key, entry in app.scheduler.entries.items() if key.startswith("prompt:")}

        await eventually(lambda: ("discord", str(GUILD)) in owners())  # the guild-available handler runs as a task
    finally:
        await app.stop()
        db.dispose()
        await fake.stop()
