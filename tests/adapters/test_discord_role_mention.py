"""docs/discord.md: a prompt's `mention:` shows the role at the start of the prompt but notifies
nobody — at the wire, the role mention is in the embed and the request lets Discord notify users
only (never a role, @everyone or @here, whatever the instructor typed)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.adapters.discord import DiscordAdapter
from bot.app import BotApp
from bot.config import parse_config
from bot.storage import Database
from bot.testing.discord import GENERAL, GUILD, INSTRUCTOR_ROLE, IVY, responses, settings_for
from bot.testing.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
COHORT_ROLE = 900000000000000099


async def test_a_prompts_role_mention_is_shown_and_pings_no_one(tmp_path: Path) -> None:
    fake = FakeDiscord()
    fake.add_guild(GUILD, "Cohort 7", owner_id=1,
                   roles=[{"id": INSTRUCTOR_ROLE, "name": "Instructor"}, {"id": COHORT_ROLE, "name": "Cohort7"}],
                   channels=[{"id": GENERAL, "name": "general"}],
                   members=[{"id": IVY, "username": "ivy", "roles": [INSTRUCTOR_ROLE]}])
    await fake.start()
    yaml = f'communities:\n  - id: "{GUILD}"\n    platform: discord\n    instructors: {{roles: [Instructor]}}\n'
    db = Database(f"sqlite:///{tmp_path / 'discord.db'}")
    app = BotApp(config=parse_config(yaml, cogs=["cogs.prompts"]), db=db)
    app.load_cogs()
    adapter = DiscordAdapter(app, settings=settings_for(fake), guild_ready_timeout=0.05)
    try:
        await app.start([adapter])
        post = [{"type": 1, "name": "post", "options": [
            {"type": 3, "name": "question", "value": "Who wants to pair today? @everyone"},
            {"type": 3, "name": "mention", "value": str(COHORT_ROLE)}]}]
        await responses(fake, await fake.send_interaction_command(GUILD, GENERAL, IVY, "prompt", post))
        [request] = [r for r in fake.requests_to("POST", rf"^/channels/{GENERAL}/messages$")
                     if "Who wants to pair" in str(r.json)]
        [embed] = request.json["embeds"]
        assert embed["description"].startswith(f"<@&{COHORT_ROLE}> Who wants to pair today?")
        assert "@everyone" not in embed["description"].replace("@\u200beveryone", "")  # escaped, not a ping
        assert request.json["allowed_mentions"]["parse"] == ["users"]  # not roles, not everyone
        assert not request.json["allowed_mentions"].get("roles")
    finally:
        await app.stop()
        db.dispose()
        await fake.stop()
    guide = " ".join((ROOT / "docs" / "discord.md").read_text(encoding="utf-8").split())
    assert re.search(r"never pings `@everyone`, `@here` or a role", guide)
    assert "does not notify the role's members" in guide
