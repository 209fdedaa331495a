"""On Discord, members really get /prompt suggest: the command is registered visible to them
(Discord permissions apply to a whole top-level command), a member's suggestion goes through
the real discord.py client, and /prompt post is still refused to the same member."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.discord import DiscordAdapter
from bot.app import BotApp
from bot.config import parse_config
from bot.storage import Database
from bot.testing.fake_discord import FakeDiscord
from bot.testing.discord import ALICE, GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, responses, settings_for

EPHEMERAL = 64
STAFF = 900000000000000077


async def test_a_member_suggests_a_prompt_and_cannot_post_one(tmp_path: Path) -> None:
    fake = FakeDiscord()
    fake.add_guild(GUILD, "Cohort 7", owner_id=1, roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}],
                   channels=[{"id": GENERAL, "name": "general"}, {"id": STAFF, "name": "instructors"}],
                   members=[{"id": ALICE, "username": "alice"},
                            {"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]}])
    await fake.start()
    yaml = (f'communities:\n  - id: "{GUILD}"\n    platform: discord\n    instructors: {{roles: [Instructor]}}\n'
            '    channels: {staff: instructors}\n    banks: {reflection: ["What surprised you?"]}\n')
    db = Database(f"sqlite:///{tmp_path / 'discord.db'}")
    app = BotApp(config=parse_config(yaml, cogs=["cogs.prompts"]), db=db)
    app.load_cogs()
    adapter = DiscordAdapter(app, settings=settings_for(fake), guild_ready_timeout=0.05)
    try:
        await app.start([adapter])
        registered = [c for commands in fake.registered_commands.values() for c in commands]
        [prompt] = [c for c in registered if c["name"] == "prompt"]
        assert prompt["default_member_permissions"] is None  # members see /prompt (and its suggest)
        suggest = [{"type": 1, "name": "suggest", "options": [
            {"type": 3, "name": "question", "value": "What would you build with SQL?"},
            {"type": 3, "name": "bank", "value": "reflection"}]}]
        answer = (await responses(fake, await fake.send_interaction_command(GUILD, GENERAL, ALICE, "prompt",
                                                                            suggest)))[0]["data"]
        assert "Thanks! Your question was sent to the instructors" in answer["content"]
        assert answer["flags"] & EPHEMERAL
        assert any("What would you build with SQL?" in str(m) for m in fake.messages.get(str(STAFF), []))
        post = [{"type": 1, "name": "post", "options": [{"type": 3, "name": "question", "value": "Hi?"}]}]
        refused = (await responses(fake, await fake.send_interaction_command(GUILD, GENERAL, ALICE, "prompt",
                                                                             post)))[0]["data"]
        assert "only instructors can use /prompt post" in refused["content"] and refused["flags"] & EPHEMERAL
    finally:
        await app.stop()
        db.dispose()
        await fake.stop()
