"""The permission table again, at the wire: every guarded command and button, sent by a member
through the real discord.py client (local fake Discord) and the real slack-bolt app (signed
requests, local fake Slack), is refused with the core's message and never reaches its handler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .permission_table import guarded, option_text, present_cogs

discord_adapter = pytest.importorskip("bot.adapters.discord", reason="the Discord adapter is not in this build")
pytest.importorskip("bot.adapters.slack", reason="the Slack adapter is not in this build")

from bot.app import BotApp  # noqa: E402
from bot.content import Button, Content  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.storage import Database  # noqa: E402
from bot.testing.fake_discord import FakeDiscord  # noqa: E402
from bot.testing.fake_slack import FakeSlack  # noqa: E402
from bot.testing.slack import SlackBot  # noqa: E402
from bot.testing.discord import (ALICE, GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, responses,  # noqa: E402
                                 settings_for)

EPHEMERAL = 64


def discord_options(sub: str) -> list[dict[str, Any]]:
    """The nested subcommand payload (options left out: access is checked before they are read)."""
    words = sub.split()
    if len(words) == 2:
        return [{"type": 2, "name": words[0], "options": [{"type": 1, "name": words[1], "options": []}]}]
    return [{"type": 1, "name": words[0], "options": []}] if words else []


async def test_every_guarded_command_and_button_is_refused_to_a_discord_member(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeDiscord()
    fake.add_guild(GUILD, "Cohort 7", owner_id=1, roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}],
                   channels=[{"id": GENERAL, "name": "general"}],
                   members=[{"id": ALICE, "username": "alice"}, {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]}])
    await fake.start()
    yaml = f'communities:\n  - id: "{GUILD}"\n    platform: discord\n    instructors: {{roles: [Instructor]}}\n'
    db = Database(f"sqlite:///{tmp_path / 'discord.db'}")
    app = BotApp(config=parse_config(yaml, cogs=present_cogs()), db=db)
    app.load_cogs()
    adapter = discord_adapter.DiscordAdapter(app, settings=settings_for(fake), guild_ready_timeout=0.05)
    try:
        await app.start([adapter])
        assert not app.load_errors, app.load_errors
        table = guarded(app, monkeypatch)
        problems = []
        for row in table:
            if row.kind == "command":
                sent = await fake.send_interaction_command(GUILD, GENERAL, ALICE, row.cog, discord_options(row.spec.name))
            else:
                # The button on a message in the channel, where any member can press it.
                ref = await adapter.send(str(GUILD), str(GENERAL), Content(text="staff").add_buttons(
                    [Button("Go", row.action_id)]))
                sent = await fake.send_interaction_component(GUILD, GENERAL, ALICE, ref.message_id, row.action_id)
            answer = (await responses(fake, sent))[0]["data"]
            if row.refusal not in answer.get("content", "") or not answer.get("flags", 0) & EPHEMERAL or row.spy.calls:
                problems.append(f"{row}: {answer!r} (handler ran {row.spy.calls}x)")
        assert not problems, "\n".join(problems)
        assert {row.kind for row in table} == {"command", "button"}
    finally:
        await app.stop()
        db.dispose()
        await fake.stop()


async def test_every_guarded_command_and_button_is_refused_to_a_slack_member(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U1"])
        fake.add_user("U1", "ana")
        bot = await SlackBot(fake, tmpdir=tmp_path, cogs=present_cogs()).start()
        try:
            assert not bot.app.load_errors, bot.app.load_errors
            table = guarded(bot.app, monkeypatch)
            upload = tmp_path / "bank.txt"
            problems = []
            for row in table:
                seen = {id(r) for r in fake.responses}
                if row.kind == "command":
                    await bot.command(f"/{row.cog}", f"{row.spec.name} {option_text(row.spec, upload)}".strip(),
                                      user="U1")
                else:
                    await bot.click(row.action_id, user="U1", channel="C0GENERAL", message_ts="1700000000.000100")
                await bot.idle()
                answer = await fake.wait_for_response(predicate=lambda r: id(r) not in seen)
                if (row.refusal not in answer.get("text", "") or answer.get("response_type") == "in_channel"
                        or row.spy.calls):
                    problems.append(f"{row}: {answer!r} (handler ran {row.spy.calls}x)")
            assert not problems, "\n".join(problems)
            assert {row.kind for row in table} == {"command", "button"}
        finally:
            await bot.stop()
