"""A vote's debounced edit of the poll is not lost when the bot stops: it goes out while the
platform is still connected (Cog.before_stop), here through the real discord.py client."""

from __future__ import annotations

from pathlib import Path

from bot.testing.discord import ALICE, GENERAL, IVY, DiscordBot, add_cohort_guild, text_of
from bot.testing.fake_discord import FakeDiscord


async def test_a_pending_live_edit_reaches_discord_at_shutdown(tmp_path: Path) -> None:
    async with add_cohort_guild(FakeDiscord()) as fake:
        async with DiscordBot(fake, tmpdir=tmp_path, cogs=["cogs.polls"]) as bot:
            await bot.command("poll", "create", user=IVY, question="Best day?", options="Mon; Tue")
            poll = fake.messages[GENERAL][-1]
            bot.app.get_cog("poll").live.delay = 3600  # the edit would wait an hour: only stopping sends it
            await bot.click(poll["id"], "poll:vote:1:1", user=ALICE)
            assert fake.edit_count(poll["id"]) == 0
        assert fake.edit_count(poll["id"]) == 1
        assert "100% (1)" in text_of(fake.message(poll["id"]))
